"""The schema tables hold SPEC.md §3-4 (expected values typed in from the spec, not the code)."""

from __future__ import annotations

import pytest

from jpqr import schema
from jpqr.schema import ROOT, field_spec

# (ID, format, min, max, presence, template) straight from the table in SPEC.md §3.
SPEC_ROOT = [
    ("00", "N", 2, 2, "M", False),
    ("01", "N", 2, 2, "O", False),
    ("02", "ans", 1, 99, "O", False),
    ("25", "ans", 1, 99, "O", False),
    ("26", "ans", 1, 99, "O", True),
    ("51", "ans", 1, 99, "O", True),
    ("52", "N", 4, 4, "M", False),
    ("53", "N", 3, 3, "M", False),
    ("54", "ans", 1, 13, "C", False),
    ("55", "N", 2, 2, "O", False),
    ("56", "ans", 1, 13, "C", False),
    ("57", "ans", 1, 5, "C", False),
    ("58", "ans", 2, 2, "M", False),
    ("59", "ans", 1, 25, "M", False),
    ("60", "ans", 1, 15, "M", False),
    ("61", "ans", 1, 10, "O", False),
    ("62", "S", 1, 99, "O", True),
    ("63", "ans", 4, 4, "M", False),
    ("64", "S", 1, 99, "O", True),
    ("65", "S", 1, 99, "O", False),
    ("79", "S", 1, 99, "O", False),
    ("80", "S", 1, 99, "O", True),
    ("99", "S", 1, 99, "O", True),
]


@pytest.mark.parametrize(("id", "fmt", "low", "high", "presence", "template"), SPEC_ROOT)
def test_root_table(id: str, fmt: str, low: int, high: int, presence: str, template: bool) -> None:
    spec = ROOT[id]
    assert (spec.format, spec.min_length, spec.max_length) == (fmt, low, high)
    assert (spec.presence, spec.template) == (presence, template)


def test_root_table_covers_every_id() -> None:
    assert sorted(ROOT) == [f"{n:02d}" for n in range(100)]


@pytest.mark.parametrize(
    ("path", "name", "fmt", "high"),
    [
        ("62.01", "Bill Number", "ans", 25),
        ("62.05", "Reference Label", "ans", 25),
        ("62.07", "Terminal Label", "ans", 25),
        ("62.08", "Purpose of Transaction", "ans", 25),
        ("62.09", "Additional Consumer Data Request", "ans", 3),
        ("62.10", "Merchant Tax ID", "ans", 20),
        ("62.11", "Merchant Channel", "ans", 3),
        ("64.00", "Language Preference", "ans", 2),
        ("64.01", "Merchant Name - Alternate Language", "S", 25),
        ("64.02", "Merchant City - Alternate Language", "S", 15),
    ],
)
def test_sub_tables(path: str, name: str, fmt: str, high: int) -> None:
    spec = field_spec(path)
    assert spec is not None
    assert (spec.name, spec.format, spec.max_length) == (name, fmt, high)


def test_jpqr_identifier_levels() -> None:
    # SPEC §4: level 1 (13 chars), 2 (4), 3 (6), 4 (6); GUID of 19 characters.
    lengths = {id: spec.max_length for id, spec in schema.JPQR_IDENTIFIER.items()}
    assert lengths == {"00": 19, "01": 13, "02": 4, "03": 6, "04": 6}
    assert len(schema.JPQR_GUID) == 19


def test_templates_in_62_and_guids() -> None:
    assert field_spec("62.50") is not None and field_spec("62.50").template  # type: ignore[union-attr]
    assert field_spec("62.49") is not None and not field_spec("62.49").template  # type: ignore[union-attr]
    assert field_spec("62.50.00").name == "Globally Unique Identifier"  # type: ignore[union-attr]
    assert field_spec("62.05.00") is None and field_spec("99.00.01") is None


@pytest.mark.parametrize(
    ("numeric", "alpha", "exponent"),
    # ISO 4217 list one, the currencies of the published vectors and common ones.
    [
        ("392", "JPY", 0),
        ("156", "CNY", 2),
        ("608", "PHP", 2),
        ("986", "BRL", 2),
        ("702", "SGD", 2),
        ("764", "THB", 2),
        ("840", "USD", 2),
        ("978", "EUR", 2),
        ("826", "GBP", 2),
        ("410", "KRW", 0),
        ("704", "VND", 0),
        ("048", "BHD", 3),
        ("458", "MYR", 2),
        ("116", "KHR", 2),
    ],
)
def test_currencies(numeric: str, alpha: str, exponent: int) -> None:
    by_numeric = schema.by_numeric(numeric)
    assert by_numeric is not None
    assert (by_numeric.alpha, by_numeric.exponent) == (alpha, exponent)
    assert schema.by_alpha(alpha.lower()) == by_numeric


def test_currency_table_is_consistent() -> None:
    assert schema.by_numeric("000") is None and schema.by_alpha("XYZ") is None
    for numeric, currency in schema.CURRENCIES.items():
        assert len(numeric) == 3 and numeric.isdigit() and currency.numeric == numeric
        assert len(currency.alpha) == 3 and currency.alpha.isupper()


def test_countries() -> None:
    assert len(schema.COUNTRIES) == 249
    for code in ("JP", "CN", "TH", "PH", "BR", "SG", "VN", "KH", "US"):
        assert schema.is_country(code)
    for code in ("jp", "XX", "UK", "J", "JPN"):
        assert not schema.is_country(code)

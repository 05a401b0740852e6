"""The Builder: canonical output, BuildError for every value that would make an invalid code,
JSON specs, the EV-charging recipe, and parse(build(x)) == x for generated inputs (both twins)."""

from __future__ import annotations

import doctest
import unicodedata
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpqr
from jpqr import Builder, BuildError, schema
from jpqr.profiles import PROFILES
from jpqr.profiles._classify import GUIDLESS_COUNTRIES

from .strategies import SCRIPTS
from .test_validate import crc_of

LEVELS = ("0000000000001", "0001", "000001", "000001")


def charging(amount: int | None = 1500) -> Builder:
    """The EV-charging recipe of docs/ev-charging.md."""
    return (
        Builder()
        .dynamic()
        .jpqr_identifier(*LEVELS)
        .merchant_category_code("5999")
        .amount(amount)
        .merchant_name("EV CHARGE")
        .merchant_city("TOKYO")
        .postal_code("1066143")
        .language("JA", "EV充電ステーション")
        .reference_label("SESSION-0042")
        .terminal_label("JP*ABC*E1234*1")
    )


def ids(payload: str) -> list[str]:
    return [obj.id for obj in jpqr.decode(payload)]


def test_charging_prepaid_and_authorisation(impl: ModuleType) -> None:
    prepaid = charging(1500).build()
    authorisation = charging(None).build()
    for code in (prepaid, authorisation):
        payload = code.to_payload()
        report = jpqr.validate(payload)
        assert report.ok and report.profile == "jpqr" and not report.warnings
        assert code.point_of_initiation == "dynamic"
        assert code.additional_data is not None
        assert code.additional_data.reference_label == "SESSION-0042"
        assert code.additional_data.terminal_label == "JP*ABC*E1234*1"
        assert code.currency is not None and code.currency.alpha == "JPY"
    assert prepaid.amount == Decimal(1500) and "54041500" in prepaid.to_payload()
    assert authorisation.amount is None and "54" not in ids(authorisation.to_payload())


def test_output_is_canonical(impl: ModuleType) -> None:
    builder = (
        Builder("emvco")
        .unreserved("80", "com.example", **{"02": "b", "01": "a"})
        .merchant_city("NEW YORK")
        .merchant_name("DINER")
        .country("us")
        .currency("usd")
        .merchant_category_code("5812")
        .merchant_account("29", "A000000677010111", **{"01": "0066801234567"})
        .static()
    )
    payload = builder.to_payload()
    assert ids(payload) == ["00", "01", "29", "52", "53", "58", "59", "60", "80", "63"]
    assert "80250011com.example0101a0201b" in payload  # sub-IDs sorted, not as given
    assert payload[-8:-4] == "6304" and payload[-4:] == crc_of(payload[:-4])  # upper-case hex
    assert "5802US" in payload and "5303840" in payload


def test_text_is_normalised_to_nfc(impl: ModuleType) -> None:
    nfd = unicodedata.normalize("NFD", "ガソリンスタンド")
    code = charging().language("JA", nfd).build()
    assert code.language is not None
    assert code.language.merchant_name == unicodedata.normalize("NFC", nfd)
    assert unicodedata.is_normalized("NFC", code.to_payload())


@pytest.mark.parametrize(
    ("call", "code", "path"),
    [
        (lambda b: b.merchant_name("X" * 26), "field.length", "59"),
        (lambda b: b.merchant_name("Café"), "field.charset", "59"),
        (lambda b: b.merchant_city("東京"), "field.charset", "60"),
        (lambda b: b.merchant_name(42), "build.type", "59"),
        (lambda b: b.merchant_category_code("59A9"), "field.format", "52"),
        (lambda b: b.merchant_category_code("599"), "field.length", "52"),
        (lambda b: b.currency("XYZ"), "currency.unknown", "53"),
        (lambda b: b.currency("000"), "currency.unknown", "53"),
        (lambda b: b.country("XX"), "country.unknown", "58"),
        (lambda b: b.amount(0), "amount.zero", "54"),
        (lambda b: b.amount(-5), "amount.format", "54"),
        (lambda b: b.amount("12,50"), "amount.format", "54"),
        (lambda b: b.amount(Decimal("NaN")), "amount.format", "54"),
        (lambda b: b.amount(True), "build.type", "54"),
        (lambda b: b.convenience_fee(0), "amount.zero", "56"),
        (lambda b: b.convenience_percentage("100"), "tip.percentage", "57"),
        (lambda b: b.convenience_percentage("1.234"), "tip.percentage", "57"),
        (lambda b: b.jpqr_identifier("123", "0001", "000001", "000001"), "field.length", "26.01"),
        (lambda b: b.jpqr_identifier(*LEVELS, template_id="25"), "build.id", "25"),
        (lambda b: b.language("JAP", "名前"), "field.value", "64.00"),
        (lambda b: b.language("JA", "名" * 26), "field.length", "64.01"),
        (lambda b: b.language("JA", "名前\x07"), "field.charset", "64.01"),
        (lambda b: b.reference_label("R" * 26), "field.length", "62.05"),
        (lambda b: b.terminal_label("充電器1"), "field.charset", "62.07"),
        (lambda b: b.merchant_channel("12"), "field.length", "62.11"),
        (lambda b: b.consumer_data_request("AA"), "additional.consumer_data", "62.09"),
        (lambda b: b.merchant_account("02"), "build.account", "02"),
        (lambda b: b.merchant_account("29", value="x"), "field.missing", "29.00"),
        (lambda b: b.merchant_account("52", value="x"), "build.id", "52"),
        (lambda b: b.merchant_account("29", "G" * 33), "field.length", "29.00"),
        (lambda b: b.merchant_account("29", "GUID", **{"1": "x"}), "build.sub_id", "29"),
        (lambda b: b.unreserved("79", "com.example"), "build.id", "79"),
        (lambda b: b.payment_system_template("49", "com.example"), "build.id", "62"),
    ],
)
def test_setter_refuses(call: Any, code: str, path: str) -> None:
    with pytest.raises(BuildError) as caught:
        call(Builder())
    assert (caught.value.code, caught.value.path) == (code, path)
    assert caught.value.message.startswith("expected")


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        (lambda b: b.amount("1500.5"), "amount.decimals", "54"),  # JPY has no minor unit
        (lambda b: Builder().dynamic(), "field.missing", "52"),
        (lambda b: b.postal_code("106-6143"), "jpqr.postal_code", "61"),  # the final guard
        (lambda b: b.language("EN", "CHARGE"), "jpqr.language", "64.00"),
        (lambda b: b.country("US"), "jpqr.country", "58"),
        (
            lambda b: b.unreserved("80", "com.example", **{"01": "x" * 81}),  # 100 characters
            "tlv.value_too_long",
            "80",
        ),
        (
            lambda b: (
                [b.unreserved(f"{n}", "com.example", **{"01": "x" * 80}) for n in range(80, 86)]
                and b
            ),
            "payload.too_long",
            "",
        ),
    ],
)
def test_build_refuses(impl: ModuleType, change: Any, code: str, path: str) -> None:
    with pytest.raises(BuildError) as caught:
        change(charging()).build()
    assert (caught.value.code, caught.value.path) == (code, path)


def test_emvco_profile_builds_without_jpqr_rules(impl: ModuleType) -> None:
    code = (
        Builder("emvco")
        .merchant_account("02", value="4000123456789012")
        .merchant_category_code("5812")
        .currency("THB")
        .amount("4.22")
        .country("TH")
        .merchant_name("SHOP")
        .merchant_city("BANGKOK")
        .convenience_percentage("3.5")
        .build()
    )
    assert code.amount == Decimal("4.22") and code.tip_or_convenience is not None
    assert code.tip_or_convenience.percentage == Decimal("3.5")
    assert jpqr.validate(code.to_payload(), "emvco").ok


def test_unknown_profile() -> None:
    with pytest.raises(BuildError) as caught:
        Builder("no-such-scheme")
    assert caught.value.code == "build.profile"
    assert all(repr(name) in caught.value.message for name in PROFILES)


def test_from_dict(impl: ModuleType) -> None:
    spec = {
        "profile": "jpqr",
        "point_of_initiation": "dynamic",
        "jpqr_identifier": dict(zip(("level1", "level2", "level3", "level4"), LEVELS, strict=True)),
        "merchant_category_code": "5999",
        "amount": "1500",
        "merchant_name": "EV CHARGE",
        "merchant_city": "TOKYO",
        "postal_code": "1066143",
        "language": {"language_preference": "JA", "merchant_name": "EV充電ステーション"},
        "reference_label": "SESSION-0042",
        "terminal_label": "JP*ABC*E1234*1",
    }
    assert Builder.from_dict(spec).to_payload() == charging().to_payload()


@pytest.mark.parametrize(
    "spec",
    [
        {"colour": "red"},
        {"merchant_name": ["a"]},
        {"language": "JA"},
        {"point_of_initiation": "sometimes"},
        {"merchant_account": {"id": "29", "guid": "G", "values": {"01": 5}}},
        {"merchant_account": {"id": "29", "nonsense": 1}},
        [],
    ],
)
def test_from_dict_refuses(spec: Any) -> None:
    with pytest.raises(BuildError):
        Builder.from_dict(spec)


# --- property: parse(build(x)) == x, and the output validates -----------------------------------

ANS_CHARS = "".join(chr(c) for c in range(0x20, 0x7F))


def ans(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=ANS_CHARS, min_size=low, max_size=high)


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def nfc_text(high: int) -> st.SearchStrategy[str]:
    return (
        st.text(alphabet=SCRIPTS, min_size=1, max_size=high)
        .map(lambda s: unicodedata.normalize("NFC", s))
        .filter(lambda s: 1 <= len(s) <= high)
    )


_ADDITIONAL_DATA_KEYS = ("reference_label", "terminal_label", "bill_number", "purpose")


def _fits_62(spec: dict[str, Any]) -> bool:
    # 62 holds all four: each sub-object is 4 + its length characters, and 62 holds at most 99
    # (four of 25 would be refused, rightly, by the builder).
    return sum(4 + len(spec.get(k, "")) for k in _ADDITIONAL_DATA_KEYS) <= 99


specs: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "point_of_initiation": st.sampled_from(["static", "dynamic"]),
        "jpqr_identifier": st.fixed_dictionaries(
            {"level1": digits(13), "level2": digits(4), "level3": digits(6), "level4": digits(6)}
        ),
        "merchant_category_code": digits(4),
        "merchant_name": ans(1, 25),
        "merchant_city": ans(1, 15),
        "postal_code": digits(7),
        "language": st.fixed_dictionaries(
            {"language_preference": st.sampled_from(["JA", "ja"]), "merchant_name": nfc_text(25)}
        ),
    },
    optional={
        "amount": st.integers(min_value=1, max_value=10**12),
        "reference_label": ans(1, 25),
        "terminal_label": ans(1, 25),
        "bill_number": ans(1, 25),
        "purpose": ans(1, 25),
    },
).filter(_fits_62)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=specs)
def test_parse_of_build_gives_the_input_back(impl: ModuleType, spec: dict[str, Any]) -> None:
    payload = Builder.from_dict(spec).to_payload()
    assert jpqr.validate(payload, "jpqr").ok
    code = jpqr.parse(payload)
    assert code.point_of_initiation == spec["point_of_initiation"]
    assert code.jpqr is not None
    levels = (code.jpqr.level1, code.jpqr.level2, code.jpqr.level3, code.jpqr.level4)
    given_levels = spec["jpqr_identifier"]
    assert levels == tuple(given_levels[f"level{n}"] for n in range(1, 5))
    assert code.merchant_category_code == spec["merchant_category_code"]
    assert (code.merchant_name, code.merchant_city) == (
        spec["merchant_name"],
        spec["merchant_city"],
    )
    assert code.postal_code == spec["postal_code"]
    assert code.language is not None
    assert code.language.language_preference == spec["language"]["language_preference"].upper()
    assert code.language.merchant_name == spec["language"]["merchant_name"]
    assert code.amount == (Decimal(spec["amount"]) if "amount" in spec else None)
    extra = code.additional_data
    for name in ("reference_label", "terminal_label", "bill_number", "purpose"):
        assert (getattr(extra, name) if extra else None) == spec.get(name)
    assert code.to_payload() == payload
    assert Builder.from_dict(spec).build() == code


def run_page(name: str) -> doctest.TestResults:
    """Run a docs/ page as a doctest, with the options pyproject.toml gives pytest."""
    page = Path(__file__).parent.parent / "docs" / name
    return doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )


def test_ev_charging_page_is_a_working_doctest(impl: ModuleType) -> None:
    result = run_page("ev-charging.md")
    assert result.attempted >= 8 and result.failed == 0


# Currencies with a minor unit, so amounts can carry decimals up to it.
CURRENCIES = sorted(
    (c for c in schema.CURRENCIES.values() if c.exponent is not None), key=lambda c: c.alpha
)


@st.composite
def emvco_specs(draw: st.DrawFn) -> dict[str, Any]:
    currency = draw(st.sampled_from(CURRENCIES))
    exponent = currency.exponent or 0
    spec: dict[str, Any] = {
        "profile": "emvco",
        "merchant_category_code": draw(digits(4)),
        "currency": draw(st.sampled_from([currency.alpha, currency.numeric])),
        # Not a country whose scheme is recognised without a GUID (QRIS: 58 = ID and an
        # account in 26-45; KHQR): such a code is that scheme's, not a plain EMVCo one.
        "country": draw(st.sampled_from(sorted(set(schema.COUNTRIES) - GUIDLESS_COUNTRIES))),
        "merchant_name": draw(ans(1, 25)),
        "merchant_city": draw(ans(1, 15)),
    }
    if draw(st.booleans()):
        spec["merchant_account"] = {"id": draw(st.sampled_from(["02", "04", "13", "15"])),
                                    "value": draw(ans(1, 40))}  # fmt: skip
    else:
        spec["merchant_account"] = {
            "id": draw(st.sampled_from([f"{n}" for n in range(26, 52)])),
            "guid": draw(ans(1, 32)),
            "values": {"01": draw(ans(1, 40))},
        }
    cents = st.integers(min_value=1, max_value=10**9)
    if draw(st.booleans()):
        spec["amount"] = str(Decimal(draw(cents)).scaleb(-exponent))
    tip = draw(st.sampled_from([None, "tip_prompt", "convenience_fee", "convenience_percentage"]))
    if tip == "tip_prompt":
        spec["tip_prompt"] = True
    elif tip == "convenience_fee":
        spec["convenience_fee"] = str(Decimal(draw(cents)).scaleb(-exponent))
    elif tip == "convenience_percentage":
        spec["convenience_percentage"] = str(Decimal(draw(st.integers(1, 9999))).scaleb(-2))
    if draw(st.booleans()):
        spec["language"] = {"language_preference": draw(st.sampled_from(["ZH", "km", "JA"])),
                            "merchant_name": draw(nfc_text(25)),
                            "merchant_city": draw(nfc_text(15))}  # fmt: skip
    return spec


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=emvco_specs())
def test_emvco_parse_of_build(impl: ModuleType, spec: dict[str, Any]) -> None:
    payload = Builder.from_dict(spec).to_payload()
    report = jpqr.validate(payload, "emvco")
    assert report.ok and not report.warnings, report.errors
    code = jpqr.parse(payload, "emvco")
    assert code.currency is not None
    assert spec["currency"] in (code.currency.alpha, code.currency.numeric)
    assert code.country == spec["country"]
    assert code.amount == (Decimal(spec["amount"]) if "amount" in spec else None)
    account = code.merchant_accounts[0]
    assert account.id == spec["merchant_account"]["id"]
    if "guid" in spec["merchant_account"]:
        assert account.guid == spec["merchant_account"]["guid"]
        assert account.values["01"] == spec["merchant_account"]["values"]["01"]
    else:
        assert account.value == spec["merchant_account"]["value"]
    tip = code.tip_or_convenience
    if "convenience_fee" in spec:
        assert tip is not None and tip.fixed_fee == Decimal(spec["convenience_fee"])
    elif "convenience_percentage" in spec:
        assert tip is not None and tip.percentage == Decimal(spec["convenience_percentage"])
    elif "tip_prompt" in spec:
        assert tip is not None and tip.kind == "prompt"
    else:
        assert tip is None
    if "language" in spec:
        assert code.language is not None
        assert code.language.merchant_city == spec["language"]["merchant_city"]

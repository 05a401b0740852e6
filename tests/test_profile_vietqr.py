"""The ``vietqr`` profile (NAPAS VietQR v1.0) on both twins (``impl``).

Published payloads from ``tests/data/schemes/vietqr.jsonl``; each row of the profile's table has
a single-rule mutation of one of them, made here by an independent TLV reader and writer (lengths
counted in characters) with the CRC of ``tests/data/schemes/check_payloads.py``. Expected values
come from the spec's text (pages cited), never from jpqr. The helpers here serve the QRIS and SGQR
tests too.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpqr
from jpqr.profiles import emvco, vietqr
from jpqr.report import ValidationReport
from tests.conftest import DATA
from tests.data.schemes.check_payloads import crc16_ccitt_false

Found = list[tuple[str, str]]
TWINS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)


def published(scheme: str) -> list[dict[str, Any]]:
    """The lines of ``tests/data/schemes/<scheme>.jsonl``."""
    with open(DATA / "schemes" / f"{scheme}.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def read_tlv(text: str) -> list[tuple[str, str]]:
    """ID, length (2 digits, characters), value, to the end of ``text``."""
    objects, pos = [], 0
    while pos < len(text):
        length = int(text[pos + 2 : pos + 4])
        objects.append((text[pos : pos + 2], text[pos + 4 : pos + 4 + length]))
        pos += 4 + length
    assert pos == len(text), f"not TLV: {text!r}"
    return objects


def write_tlv(objects: list[tuple[str, str]]) -> str:
    return "".join(f"{id}{len(value):02d}{value}" for id, value in objects)


def _replace(text: str, ids: list[str], value: str | None) -> str:
    objects, out, done = read_tlv(text), [], False
    for id, old in objects:
        if id == ids[0] and not done:
            done = True
            if len(ids) > 1:
                out.append((id, _replace(old, ids[1:], value)))
            elif value is not None:
                out.append((id, value))
            continue
        out.append((id, old))
    if not done:
        assert len(ids) == 1 and value is not None, f"no {ids} in {text!r}"
        out.append((ids[0], value))
    return write_tlv(out)


def with_crc(body: str) -> str:
    """``body`` + ``6304`` + its CRC-16/CCITT-FALSE (the independent one)."""
    body += "6304"
    return body + f"{crc16_ccitt_false(body.encode('utf-8')):04X}"


def mutate(payload: str, path: str, value: str | None) -> str:
    """``payload`` with the object at ``path`` (``"38.01.00"``) set to ``value`` (appended at its
    level when absent) or removed (``None``), lengths and CRC recomputed."""
    assert payload[-8:-4] == "6304"
    return with_crc(_replace(payload[:-8], path.split("."), value))


def value_at(payload: str, path: str) -> str:
    text = payload[:-8]
    for id in path.split("."):
        text = dict(read_tlv(text))[id]
    return text


def errors(report: ValidationReport) -> Found:
    return [(issue.code, issue.path) for issue in report.errors]


def warnings(report: ValidationReport) -> Found:
    return [(issue.code, issue.path) for issue in report.warnings]


PAYLOADS = published("vietqr")
# §6.1.2 p. 30: static, to a card (no 52, 59, 60: Bảng 1 makes them optional).
CARD = PAYLOADS[1]["payload"]
# §6.1.3 p. 31: dynamic, to an account, 54 = 180000, 62-01 and 62-08.
DYNAMIC = PAYLOADS[2]["payload"]
# What each published payload gets, by line (all others: nothing). The source says why.
EXPECTED: dict[int, Found] = {
    # §6.1.1's string declares 38-01-01 with length 12 for 13 characters (its field table: 13).
    0: [("vietqr.beneficiary", "38.01")],
    # §6.1.4's heading string carries the CRC of the section's other (dynamic) string.
    3: [("crc.mismatch", "63")],
    # subiz README walk-through: 38-00 holds the BIN, 62 declares 16 for 18 characters.
    8: [("tlv.invalid_id", ""), ("crc.mismatch", "63")],
}


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_published_payloads(impl: ModuleType, index: int) -> None:
    line = PAYLOADS[index]
    report = vietqr.validate(line["payload"])
    assert errors(report) == EXPECTED.get(index, []), line["source"]
    assert report.profile == "vietqr"
    if line["crc"] == "ok" and line["tlv"] == "ok" and index not in EXPECTED:
        assert jpqr.validate(line["payload"], profile="vietqr").ok
        assert jpqr.is_valid(line["payload"], profile="vietqr")


def test_the_expectations_name_every_bad_line(impl: ModuleType) -> None:
    bad = {i for i, line in enumerate(PAYLOADS) if (line["crc"], line["tlv"]) != ("ok", "ok")}
    assert bad <= set(EXPECTED)


# Every row of the VietQR table: (base, path, new value or None to remove, code, path of it).
MUTATIONS = [
    # Bảng 1 p. 8: 01 M.
    pytest.param(CARD, "01", None, "vietqr.point_of_initiation", "01", id="01 missing"),
    # Bảng 4 p. 14: "AID: always A000000727".
    pytest.param(CARD, "38.00", "A000000728", "vietqr.guid", "38.00", id="38.00 other AID"),
    pytest.param(CARD, "38.00", "A000000727.", "vietqr.guid", "38.00", id="38.00 near miss"),
    # Bảng 4 p. 14: 01 M, a combination of data objects.
    pytest.param(CARD, "38.01", None, "vietqr.beneficiary", "38.01", id="38.01 missing"),
    pytest.param(CARD, "38.01", "000697040301", "vietqr.beneficiary", "38.01", id="38.01 not TLV"),
    # §5.2.3.2.2 p. 15: two parts, the BIN (6) and the account (≤ 19).
    pytest.param(CARD, "38.01.00", None, "vietqr.beneficiary", "38.01.00", id="BIN missing"),
    pytest.param(CARD, "38.01.00", "97040", "vietqr.beneficiary", "38.01.00", id="BIN of 5"),
    pytest.param(CARD, "38.01.00", "97040A", "vietqr.beneficiary", "38.01.00", id="BIN letter"),
    pytest.param(CARD, "38.01.01", None, "vietqr.beneficiary", "38.01.01", id="account missing"),
    pytest.param(CARD, "38.01.01", "1" * 20, "vietqr.beneficiary", "38.01.01", id="account 20"),
    # Bảng 4 p. 15, §5.2.3.2.3: QRIBFTTA or QRIBFTTC.
    pytest.param(CARD, "38.02", "QRPUSH", "vietqr.service", "38.02", id="service v1.5.2"),
    pytest.param(CARD, "38.02", "qribfttc", "vietqr.service", "38.02", id="service lower"),
    # §5.2.6 p. 19: decimals match VND's exponent, 0.
    pytest.param(DYNAMIC, "54", "180000.5", "vietqr.amount", "54", id="54 decimals"),
    pytest.param(DYNAMIC, "54", "180000.00", "vietqr.amount", "54", id="54 two decimals"),
]


@pytest.mark.parametrize(("base", "path", "value", "code", "where"), MUTATIONS)
def test_each_row_rejects_its_mutation(
    impl: ModuleType, base: str, path: str, value: str | None, code: str, where: str
) -> None:
    assert vietqr.validate(base).ok
    assert errors(vietqr.validate(mutate(base, path, value))) == [(code, where)]


def test_nested_issues_point_into_the_payload(impl: ModuleType) -> None:
    # 38-01 is decoded here, not by EMVCo: its issues still carry offsets in the payload.
    code = mutate(CARD, "38.01.00", "97040A")
    (issue,) = vietqr.validate(code).errors
    assert issue.offset is not None
    assert code[issue.offset : issue.offset + 10] == "000697040A"


@TWINS
@given(bin=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=8))
def test_bin_property(impl: ModuleType, bin: str) -> None:
    # Bảng 4 p. 14: the BIN is 6 characters; §5.2.3.2.2: the SBV's BIN, digits.
    found = errors(vietqr.validate(mutate(CARD, "38.01.00", bin)))
    wanted = [] if len(bin) == 6 and bin.isdigit() else [("vietqr.beneficiary", "38.01.00")]
    assert found == wanted


def test_38_missing_is_its_own_error(impl: ModuleType) -> None:
    # Bảng 1 p. 8: 38 M. The account moved to 26 keeps EMVCo's "a merchant account" satisfied.
    moved = mutate(mutate(CARD, "38", None), "26", value_at(CARD, "38"))
    assert errors(vietqr.validate(moved)) == [("vietqr.account", "38")]
    assert emvco.validate(moved).ok is False  # 52, 59, 60 as ever
    assert ("vietqr.account", "38") not in errors(emvco.validate(moved))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("38.00", "a000000727"),  # a GUID compares case-insensitively (EMVCo §4.7.11.2)
        ("38.01.01", "1" * 19),  # the longest account (§5.2.3.2.2)
        ("38.01.01", "0023457923442ASDFLJ"),  # ans: letters too (subiz README example)
        ("38.02", None),  # C, with no condition stated: absent is no error
        ("52", "0000"),  # optional, allowed
        ("59", "NGUYEN VAN A"),
    ],
)
def test_what_the_spec_allows(impl: ModuleType, path: str, value: str | None) -> None:
    assert vietqr.validate(mutate(CARD, path, value)).ok


@pytest.mark.parametrize("amount", ["180000", "180000.", "1"])
def test_amount_without_decimals(impl: ModuleType, amount: str) -> None:
    # §5.2.6 p. 19: "50000" and "50000." valid.
    report = vietqr.validate(mutate(DYNAMIC, "54", amount))
    assert report.ok and not report.warnings


@pytest.mark.parametrize(("amount", "code"), [("50 000", "amount.format"), ("0", "amount.zero")])
def test_amount_grammar_is_emvcos(impl: ModuleType, amount: str, code: str) -> None:
    # §5.2.6 p. 19: "50 000" invalid; non-zero. EMVCo's row says so; VietQR's adds nothing.
    assert errors(vietqr.validate(mutate(DYNAMIC, "54", amount))) == [(code, "54")]


def test_too_many_decimals_error_here_warning_in_emvco(impl: ModuleType) -> None:
    # odoo's code has 52, 59 and 60, so EMVCo judges it on the amount alone.
    odoo = PAYLOADS[13]["payload"]
    assert emvco.validate(odoo).ok and vietqr.validate(odoo).ok
    code = mutate(odoo, "54", "100.5")
    report = vietqr.validate(code)
    assert errors(report) == [("vietqr.amount", "54")]
    assert warnings(report) == [("amount.decimals", "54")]
    # EMVCo keeps its own verdict: a warning, valid.
    assert emvco.validate(code).ok
    assert warnings(emvco.validate(code)) == [("amount.decimals", "54")]


@TWINS
@given(whole=st.integers(min_value=1, max_value=10**9), decimals=st.text("0123456789", max_size=3))
def test_amount_decimals_property(impl: ModuleType, whole: int, decimals: str) -> None:
    amount = f"{whole}.{decimals}" if decimals else f"{whole}"
    report = vietqr.validate(mutate(DYNAMIC, "54", amount))
    # VND's ISO 4217 exponent is 0: any digit after the "." is too many.
    assert (("vietqr.amount", "54") in errors(report)) == bool(decimals)


@pytest.mark.parametrize("index", [1, 2, 6])
def test_emvco_keeps_its_verdict_on_52_59_60(impl: ModuleType, index: int) -> None:
    payload = PAYLOADS[index]["payload"]
    assert vietqr.validate(payload).ok
    missing = [(c, p) for c, p in errors(emvco.validate(payload)) if c == "field.missing"]
    assert missing == [("field.missing", "52"), ("field.missing", "59"), ("field.missing", "60")]


def test_scheme(impl: ModuleType) -> None:
    scheme = vietqr.SCHEME
    assert scheme.name == "vietqr" and scheme.country == "VN"
    assert dict(scheme.guids) == {"A000000727": frozenset({"38"})}
    assert all(guid == guid.upper() for guid in scheme.near_misses)
    assert "A00000727" in scheme.near_misses
    assert any("52, 59, 60 optional" in line for line in scheme.departures)
    assert vietqr.TABLE.name == "vietqr" and all(row.source for row in vietqr.TABLE.rows)


def test_classify_names_vietqr(impl: ModuleType) -> None:
    for line in PAYLOADS:
        if line["tlv"] == "ok" and "0010A000000727" in line["payload"]:
            assert "vietqr" in jpqr.classify(line["payload"]).schemes, line["source"]

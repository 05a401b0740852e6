"""The ``duitnow`` profile (PayNet DuitNow QR MPM V1.5, QR Data Object page) on both twins: the
published payloads of tests/data/schemes/duitnow.jsonl, a single-rule mutation per row (CRC
recomputed independently, tests/scheme_codes.py), and ``emvco``'s own verdict kept."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jpqr
from jpqr.profiles import PROFILES, SCHEMES, duitnow, emvco

from .scheme_codes import ON_BOTH_TWINS, clean, found, mutate, published, read, warned

CLEAN = clean("duitnow")
# The 'PUBLISHED.duitNow' vector "from PayNet's own specification": 00 = 02, 01 = 11, 54 10.00.
PAYNET = next(p for p in CLEAN if "5909QRCSDNBHD" in p)
# Published codes whose 82 holds a hex primitive (README "duitnow"): their tlv fact is "error".
HEX_82 = [e["payload"] for e in published("duitnow") if e["crc"] == "ok" and e["tlv"] == "error"]


def fields(payload: str) -> dict[str, str]:
    """The root objects of ``payload`` as the independent reader sees them."""
    return dict(read(payload))


def test_the_profile_is_registered_with_its_scheme(impl: ModuleType) -> None:
    assert PROFILES["duitnow"] is duitnow and duitnow.SCHEME in SCHEMES
    assert duitnow.SCHEME.guids == {"A0000006150001": frozenset({"26"})}
    assert all(guid == guid.upper() for guid in duitnow.SCHEME.near_misses)


@pytest.mark.parametrize("payload", CLEAN)
def test_published_payloads(impl: ModuleType, payload: str) -> None:
    # Clean, except where the source is against it: 54 = 00.00 is EMVCo's amount.zero (no
    # DuitNow text allows a zero amount), and 00 = 01 is the warning PayNet's "Version 02" asks.
    report = duitnow.validate(payload)
    zero = fields(payload).get("54") == "00.00"
    assert found(report) == ([("amount.zero", "54")] if zero else [])
    old = fields(payload)["00"] == "01"
    assert warned(report) == ([("duitnow.payload_format", "00")] if old else [])
    assert report == jpqr.validate(payload, "duitnow")


@pytest.mark.parametrize("payload", HEX_82)
def test_a_hex_82_is_emvcos_finding_alone(impl: ModuleType, payload: str) -> None:
    # EMVCo calls 82 a template, and these published codes hold hex there (their 00 = 02 is
    # EMVCo's field.value too: EMVCo defines only 01).
    assert ("tlv.template_not_tlv", "82") in found(jpqr.validate(payload, "emvco"))


@pytest.mark.parametrize("payload", HEX_82)
def test_a_hex_82_is_accepted(impl: ModuleType, payload: str) -> None:
    # DuitNow reads 82 as a primitive (its primitives), under its name and under auto.
    assert duitnow.is_valid(payload) and jpqr.validate(payload).ok


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("00", "03", "duitnow.payload_format"),  # PayNet: "Version 02"
        ("01", None, "duitnow.point_of_initiation"),  # 01 M
        ("53", "702", "duitnow.currency"),  # "Use 458 for Malaysian Ringgit"
    ],
)
def test_a_single_rule_mutation_gets_that_rule(
    impl: ModuleType, path: str, value: str | None, code: str
) -> None:
    mutant = mutate(PAYNET, path, value)
    assert found(duitnow.validate(mutant)) == [(code, path)]


def test_the_account_template_26_is_mandatory(impl: ModuleType) -> None:
    # 27 is RFU: the same account in 27 leaves the code without its mandatory 26.
    mutant = mutate(PAYNET, "26", rename="27")
    assert found(duitnow.validate(mutant)) == [("duitnow.account", "26")]
    assert found(emvco.validate(mutant)) == [("field.value", "00")]


def test_version_01_is_a_warning_and_an_error_when_strict(impl: ModuleType) -> None:
    mutant = mutate(PAYNET, "00", "01")
    report = duitnow.validate(mutant)
    assert report.ok and warned(report) == [("duitnow.payload_format", "00")]
    assert found(duitnow.validate(mutant, strict=True)) == [("duitnow.payload_format", "00")]


@pytest.mark.parametrize("payload", CLEAN)
def test_emvco_keeps_its_own_verdict(impl: ModuleType, payload: str) -> None:
    # EMVCo defines only 00 = 01: the DuitNow departure is the profile's only.
    expected = [] if fields(payload)["00"] == "01" else [("field.value", "00")]
    if fields(payload).get("54") == "00.00":
        expected.append(("amount.zero", "54"))
    assert found(emvco.validate(payload)) == expected
    assert emvco.validate(payload) == jpqr.validate(payload, "emvco")


def test_emvco_does_not_require_01(impl: ModuleType) -> None:
    mutant = mutate(PAYNET, "01", None)
    assert found(emvco.validate(mutant)) == [("field.value", "00")]


@ON_BOTH_TWINS
@given(version=st.from_regex(r"[0-9]{2}", fullmatch=True))
def test_any_payload_format_indicator(impl: ModuleType, version: str) -> None:
    report = duitnow.validate(mutate(PAYNET, "00", version))
    if version == "02":
        assert report.ok and not report.warnings
    elif version == "01":
        assert report.ok and warned(report) == [("duitnow.payload_format", "00")]
    else:
        assert found(report) == [("duitnow.payload_format", "00")]


@ON_BOTH_TWINS
@given(currency=st.sampled_from(["392", "702", "840", "978", "360", "764", "344"]))
def test_any_currency_but_ringgit(impl: ModuleType, currency: str) -> None:
    assert found(duitnow.validate(mutate(PAYNET, "53", currency))) == [("duitnow.currency", "53")]


def test_parse_reads_a_published_code(impl: ModuleType) -> None:
    assert duitnow.parse(PAYNET).merchant_name == fields(PAYNET)["59"]
    with pytest.raises(jpqr.ValidationError, match="Payload Format Indicator"):
        duitnow.parse(mutate(PAYNET, "00", "03"))

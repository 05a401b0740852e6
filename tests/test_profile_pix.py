"""The ``pix`` profile (Brazil, BR Code; rows from ex-pix-brcode and Chromium) on both twins: the
published payloads of tests/data/schemes/pix.jsonl, a single-rule mutation per row (CRC
recomputed independently, tests/scheme_codes.py), and ``emvco``'s own verdict kept."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jpqr
from jpqr.profiles import PROFILES, SCHEMES, emvco, pix

from .conftest import twin
from .scheme_codes import ON_BOTH_TWINS, found, mutate, published

ENTRIES = published("pix")


def entry(fragment: str) -> str:
    """The payload of the one line whose source contains ``fragment``."""
    (payload,) = [e["payload"] for e in ENTRIES if fragment in e["source"]]
    return str(payload)


BCB = entry("decoder_test.exs:11 ")  # static, random key, 62-05 '***'
DYNAMIC = entry("decoder_test.exs:111 ")  # 26-25 URL, amount 0.01
FSS = entry("payments_test.exs:52 ")  # 26-03 (FSS, 8 characters)
SHORT_URL = mutate(DYNAMIC, "26.25", "pix.example.com/v2/1")  # room for one more sub-object

# What each published line that is not clean gets, by its source (the source's own verdict, or
# the choice the module docstring documents).
EXPECTED = {
    # non-ASCII in 60: disputed, EMVCo's verdict stands (decode_to rejects it, decode accepts it)
    "decoder_test.exs:32 ": [("field.charset", "60")],
    "decoder_test.exs:429 ": [("field.length", "59")],  # "at most 25 character(s)"
    "decoder_test.exs:442 ": [("field.charset", "60")],  # "has invalid format"
    "decoder_test.exs:461 ": [("pix.url", "26.25")],  # "URL with protocol"
    # odoo's generator leaves out 60, which ex-pix-brcode and EMVCo require
    "(test_get_qr_vals)": [("field.missing", "60")],
    "(test_get_qr_vals_without_reference)": [("field.missing", "60")],
    "(test_get_qr_vals_for_pos_default_qr)": [("field.missing", "60")],
}


def test_the_profile_is_registered_with_its_scheme(impl: ModuleType) -> None:
    assert PROFILES["pix"] is pix and pix.SCHEME in SCHEMES
    assert pix.SCHEME.guids == {"BR.GOV.BCB.PIX": frozenset({"26"})}
    assert "BR.GOV.BCB.PXI" in pix.SCHEME.near_misses  # Chromium's InvalidPixCodeIndicator
    assert all(guid == guid.upper() for guid in pix.SCHEME.near_misses)


# The lines whose CRC and TLV are right (Chromium's structure-only strings are not).
CLEAN = [e for e in ENTRIES if (e["crc"], e["tlv"]) == ("ok", "ok")]


@pytest.mark.parametrize("line", CLEAN, ids=lambda e: e["source"].split(" ")[1][-30:])
def test_published_payloads_get_their_verdict(impl: ModuleType, line: dict[str, str]) -> None:
    expected = next((codes for key, codes in EXPECTED.items() if key in line["source"]), [])
    report = pix.validate(line["payload"])
    assert found(report) == expected
    assert report == jpqr.validate(line["payload"], "pix")


def test_chromium_structure_codes(impl: ModuleType) -> None:
    # Chromium's validator reads the structure only (no CRC, no 52-60): under pix they are
    # EMVCo's missing objects, the missing txid and a wrong CRC, and the near miss pix.guid.
    near_miss = entry("(InvalidPixCodeIndicator)")
    assert ("pix.guid", "26") in found(pix.validate(near_miss))
    assert ("pix.guid", "26") not in found(emvco.validate(near_miss))
    both = entry("(StaticAndDynamic)")
    assert ("pix.account", "26.25") in found(pix.validate(both))


def test_the_guid_is_compared_in_any_case(impl: ModuleType) -> None:
    assert pix.is_valid(mutate(BCB, "26.00", "BR.GOV.BCB.PIX"))
    assert pix.is_valid(mutate(BCB, "26.00", "Br.gOv.BcB.piX"))


@pytest.mark.parametrize(
    ("payload", "path", "value", "code", "where"),
    [
        (BCB, "26.00", "br.gov.bcb.pxi", "pix.guid", "26"),  # a near miss is no Pix account
        (BCB, "26.01", None, "pix.account", "26"),  # neither key nor URL
        (BCB, "26.25", "exemplodeurl.com.br/pix/v2/1", "pix.account", "26.25"),  # both
        (SHORT_URL, "26.02", "Vacina covid", "pix.account", "26.02"),  # free text beside a URL
        (FSS, "26.03", "1650155", "pix.account", "26.03"),  # FSS: 8 characters
        (DYNAMIC, "26.25", "https://exemplodeurl.com.br/pix/v2/1", "pix.url", "26.25"),
        (DYNAMIC, "26.25", "http://exemplodeurl.com.br/pix/v2/1", "pix.url", "26.25"),
        # a URI scheme in any case (RFC 3986 §3.1)
        (DYNAMIC, "26.25", "HTTPS://exemplodeurl.com.br/pix/v2/1", "pix.url", "26.25"),
        (DYNAMIC, "26.25", "Http://exemplodeurl.com.br/pix/v2/1", "pix.url", "26.25"),
        (BCB, "62", "0703***", "pix.txid", "62.05"),  # 62 without its 05
        (BCB, "62", None, "pix.txid", "62.05"),
        (BCB, "53", "840", "pix.currency", "53"),
        (BCB, "58", "PT", "pix.country", "58"),
    ],
)
def test_a_single_rule_mutation_gets_that_rule(
    impl: ModuleType, payload: str, path: str, value: str | None, code: str, where: str
) -> None:
    mutant = mutate(payload, path, value)
    assert found(pix.validate(mutant)) == [(code, where)]
    # Pix only narrows EMVCo: the same code is clean there.
    assert found(emvco.validate(mutant)) == []


def test_a_url_that_names_no_scheme_is_free(impl: ModuleType) -> None:
    # ASCII letters only: U+017F ſ folds to s under re.IGNORECASE, but no URI scheme has it
    # (the value is field.charset's, not pix.url's).
    codes = [c for c, _ in found(pix.validate(mutate(DYNAMIC, "26.25", "httpſ://ex.com/pix/1")))]
    assert "pix.url" not in codes and "field.charset" in codes
    # "https" as a host name is not a scheme ([ST] matches ^https?://\w).
    assert pix.is_valid(mutate(DYNAMIC, "26.25", "https.example.com/pix/v2/1"))


def test_dynamic_is_the_url_after_the_guid() -> None:
    assert pix.SCHEME.dynamic is not None
    tree = jpqr.decode
    assert pix.SCHEME.dynamic(tree(DYNAMIC)) is True
    assert pix.SCHEME.dynamic(tree(BCB)) is False
    # Chromium: the first sub-object after the GUID decides (StaticAndDynamic is static).
    assert pix.SCHEME.dynamic(tree(entry("(StaticAndDynamic)"))) is False
    assert pix.SCHEME.dynamic(tree(entry("(ValidDynamicCodeWithSomeUpperCaseLetters)"))) is True
    assert pix.SCHEME.dynamic(tree(entry("(InvalidPixCodeIndicator)"))) is None


@ON_BOTH_TWINS
@given(txid=st.from_regex(r"[A-Za-z0-9]{1,25}|\*\*\*", fullmatch=True))
def test_any_txid_of_ex_pix_brcode_passes(impl: ModuleType, txid: str) -> None:
    assert found(pix.validate(mutate(BCB, "62.05", txid))) == []


@ON_BOTH_TWINS
@given(currency=st.from_regex(r"[0-9]{3}", fullmatch=True).filter(lambda c: c != "986"))
def test_any_other_currency_is_refused(impl: ModuleType, currency: str) -> None:
    codes = [code for code, _ in found(pix.validate(mutate(BCB, "53", currency)))]
    assert "pix.currency" in codes


@pytest.mark.parametrize("payload", [e["payload"] for e in ENTRIES])
def test_the_twins_agree_on_every_published_payload(impl: ModuleType, payload: str) -> None:
    # Broken CRCs and templates included: the same report, issue for issue, on both twins.
    report = pix.validate(payload)
    with twin("python"):
        assert report == pix.validate(payload)

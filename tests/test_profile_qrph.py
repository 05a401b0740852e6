"""The ``qrph`` profile (QR Ph P2M and P2P; no specification found, rows from [doc]/[lib]) on both
twins: the published payloads of tests/data/schemes/qrph.jsonl, a single-rule mutation per row
(CRC recomputed independently, tests/scheme_codes.py), and ``emvco``'s own verdict kept."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given

import jpqr
from jpqr.profiles import PROFILES, SCHEMES, emvco, qrph

from .conftest import PUBLISHED
from .scheme_codes import (
    GUIDS,
    ON_BOTH_TWINS,
    SUB_VALUES,
    clean,
    foreign,
    found,
    mutate,
    published,
    read,
    write,
)

CLEAN = clean("qrph")
P2M = CLEAN[0]  # fixture QRPH: 28 ph.ppmi.p2m, 62-00 ph.ppmi.qrph
P2P = next(p for p in CLEAN if "ENG-19818-ged" in p)  # PayMongo's example: 27 com.p2pqrpay
# PayMaya's own InstaPay code (shared vectors): 27 com.bnapi.ipay, older than QR Ph.
BNAPI = next(v["payload"] for v in PUBLISHED if "com.bnapi.ipay" in v["payload"])


def test_the_profile_is_registered_with_its_scheme(impl: ModuleType) -> None:
    assert PROFILES["qrph"] is qrph and qrph.SCHEME in SCHEMES
    assert qrph.SCHEME.guids == {
        "PH.PPMI.P2M": frozenset({"28"}),
        "COM.P2PQRPAY": frozenset({"27"}),
    }
    assert "PH.DPMI.P2M" in qrph.SCHEME.near_misses


@pytest.mark.parametrize("payload", CLEAN)
def test_published_payloads_validate_clean(impl: ModuleType, payload: str) -> None:
    # Including their 62-00 GUIDs (ph.ppmi.qrph, com.p2pqrpay, com.paymaya.qr, ph.starpay).
    report = qrph.validate(payload)
    assert found(report) == [] and report == jpqr.validate(payload, "qrph")
    assert found(emvco.validate(payload)) == []


def test_the_modified_fixture_is_no_qr_ph_code(impl: ModuleType) -> None:
    # MODIFIED_QRPH: the GUID edited to the near miss ph.dpmi.p2m, the CRC left as it was.
    modified = next(e["payload"] for e in published("qrph") if e["crc"] == "mismatch")
    assert found(qrph.validate(modified)) == [("qrph.account", "28"), ("crc.mismatch", "63")]
    assert found(emvco.validate(modified)) == [("crc.mismatch", "63")]


@pytest.mark.parametrize(
    ("payload", "path", "value", "code"),
    [
        (P2M, "28.00", "ph.dpmi.p2m", "qrph.account"),  # neither P2M nor P2P: at 28
        (P2M, "28.01", "GXCHPHM2XX", "qrph.bic"),  # ISO 9362: 8 or 11 characters
        (P2M, "28.01", "GXC1PHM2XXX", "qrph.bic"),  # 4 letters first
        (P2P, "27.01", "paeyphm2xxx", "qrph.bic"),  # upper case
        (P2P, "53", "840", "qrph.currency"),
        (P2M, "58", "SG", "qrph.country"),
    ],
)
def test_a_single_rule_mutation_gets_that_rule(
    impl: ModuleType, payload: str, path: str, value: str, code: str
) -> None:
    mutant = mutate(payload, path, value)
    where = "28" if code == "qrph.account" else path
    assert found(qrph.validate(mutant)) == [(code, where)]
    # QR Ph only narrows EMVCo: the same code is clean there.
    assert found(emvco.validate(mutant)) == []


@pytest.mark.parametrize(("payload", "id", "moved"), [(P2M, "28", "29"), (P2P, "27", "26")])
def test_each_account_belongs_in_its_template(
    impl: ModuleType, payload: str, id: str, moved: str
) -> None:
    mutant = mutate(payload, id, rename=moved)
    assert found(qrph.validate(mutant)) == [("qrph.account", moved)]
    assert found(emvco.validate(mutant)) == []


@pytest.mark.parametrize("bic", ["GXCHPHM2", "RCBCPHMMXXX", "PAEYPHM2001"])
def test_a_bic_of_8_or_11_characters(impl: ModuleType, bic: str) -> None:
    assert qrph.is_valid(mutate(P2M, "28.01", bic)) and qrph.is_valid(mutate(P2P, "27.01", bic))


def test_28_05_and_27_05_are_not_judged(impl: ModuleType) -> None:
    # Unsourced (values seen, no rule stated): any text there is EMVCo's business alone.
    assert qrph.is_valid(mutate(P2M, "28.05", "X")) and qrph.is_valid(mutate(P2P, "27.05", "X"))


def test_another_schemes_template_is_not_judged_by_the_qr_ph_rows(impl: ModuleType) -> None:
    # PayMaya's com.bnapi.ipay in 27: no QR Ph account, and its 27-01 ('0014') is no BIC
    # the P2P rows would judge.
    assert found(qrph.validate(BNAPI)) == [("qrph.account", "28")]
    other = write([("00", "com.example"), ("01", "x"), ("05", "9")])
    assert qrph.is_valid(mutate(P2M, "29", other))


@ON_BOTH_TWINS
@given(guid=GUIDS, values=SUB_VALUES)
def test_a_foreign_template_gets_the_emvco_verdict(
    impl: ModuleType, guid: str, values: list[str]
) -> None:
    # Another scheme's 27 (PayMaya's com.bnapi.ipay is one) is not judged by the P2P rows.
    mutant = mutate(P2M, "27", foreign(guid, values))
    assert found(qrph.validate(mutant)) == found(emvco.validate(mutant))


def test_parse_reads_a_published_code(impl: ModuleType) -> None:
    assert qrph.parse(P2P).merchant_name == dict(read(P2P))["59"]
    with pytest.raises(jpqr.ValidationError, match="58"):
        qrph.parse(mutate(P2P, "58", "SG"))

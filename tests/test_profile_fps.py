"""The ``fps`` profile (Hong Kong FPS, rows from DemChing/hkqr-fps, pulsely/hkqr, odoo) on both
twins: the published payloads of tests/data/schemes/fps.jsonl, a single-rule mutation per row
(CRC recomputed independently, tests/scheme_codes.py), and ``emvco``'s own verdict kept."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given

import jpqr
from jpqr.profiles import PROFILES, SCHEMES, emvco, fps

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

CLEAN = clean("fps")
ODOO = CLEAN[0]  # 26: GUID, 03 mobile +852-67891234
EMAIL = next(p for p in CLEAN if "@ird.gov.hk" in p)  # DemChing: 26-04 e-mail
FPS_ID = next(p for p in CLEAN if "0212999999999999" in p)  # pulsely: 26-02 FPS ID
PARTICIPANT = next(p for p in CLEAN if "0103004" in p)  # hwwong: 26-01 participant 004


def test_the_profile_is_registered_with_its_scheme(impl: ModuleType) -> None:
    assert PROFILES["fps"] is fps and fps.SCHEME in SCHEMES
    assert fps.SCHEME.guids == {"HK.COM.HKICL": frozenset({"26"})}
    assert "HK.COM.HKICL.FPS" in fps.SCHEME.near_misses


@pytest.mark.parametrize("payload", CLEAN)
def test_published_payloads_validate_clean(impl: ModuleType, payload: str) -> None:
    report = fps.validate(payload)
    assert found(report) == [] and report == jpqr.validate(payload, "fps")
    assert found(emvco.validate(payload)) == []


def test_published_payloads_with_faults_get_their_codes(impl: ModuleType) -> None:
    by_fact = {(e["crc"], e["tlv"]): e["payload"] for e in published("fps")}
    # pulsely's template: its own CRC does not match (the library recomputes it after editing).
    assert found(fps.validate(by_fact["mismatch", "ok"])) == [("crc.mismatch", "63")]
    # The commented-out sample with an empty 62: EMVCo's zero length, nothing of FPS.
    assert found(fps.validate(by_fact["ok", "error"])) == [("tlv.zero_length", "62")]


def test_the_guid_is_compared_in_any_case(impl: ModuleType) -> None:
    assert fps.is_valid(mutate(ODOO, "26.00", "HK.COM.HKICL"))


@pytest.mark.parametrize(
    ("payload", "path", "value", "code"),
    [
        (ODOO, "26.00", "hk.com.hkicl.fps", "fps.account"),  # a near miss is no FPS account
        (PARTICIPANT, "26.01", "04", "fps.participant"),  # 3 digits
        (FPS_ID, "26.02", "99999999999A", "fps.fps_id"),  # digits
        (ODOO, "26.03", "+853-67891234", "fps.mobile"),  # +852- and 8 digits
        (ODOO, "26.03", "+852-6789123", "fps.mobile"),
        (EMAIL, "26.04", "FPS_Identifier_CRC201D.ird.gov.hk", "fps.email"),
    ],
)
def test_a_single_rule_mutation_gets_that_rule(
    impl: ModuleType, payload: str, path: str, value: str, code: str
) -> None:
    mutant = mutate(payload, path, value)
    where = "26" if code == "fps.account" else path
    assert found(fps.validate(mutant)) == [(code, where)]
    # FPS only narrows EMVCo: the same code is clean there.
    assert found(emvco.validate(mutant)) == []


def test_the_fps_account_belongs_in_26(impl: ModuleType) -> None:
    # Common QR spec §4.2 (as DemChing cites it): 26 is FPS, 32-51 are for payment operators.
    mutant = mutate(ODOO, "26", rename="32")
    assert found(fps.validate(mutant)) == [("fps.account", "32")]
    assert found(emvco.validate(mutant)) == []


def test_another_schemes_template_is_not_judged_by_the_fps_rows(impl: ModuleType) -> None:
    other = write([("00", "hk.com.example"), ("01", "not a code"), ("03", "12345678")])
    mutant = mutate(ODOO, "32", other)
    assert fps.is_valid(mutant) and emvco.is_valid(mutant)


@ON_BOTH_TWINS
@given(guid=GUIDS, values=SUB_VALUES)
def test_a_foreign_template_gets_the_emvco_verdict(
    impl: ModuleType, guid: str, values: list[str]
) -> None:
    # Whatever another operator's template (32-51) holds, FPS adds nothing to EMVCo's verdict.
    mutant = mutate(ODOO, "32", foreign(guid, values))
    assert found(fps.validate(mutant)) == found(emvco.validate(mutant))


def test_parse_reads_a_published_code(impl: ModuleType) -> None:
    assert fps.parse(ODOO).merchant_name == dict(read(ODOO))["59"]
    with pytest.raises(jpqr.ValidationError, match=r"26\.03"):
        fps.parse(mutate(ODOO, "26.03", "67891234"))

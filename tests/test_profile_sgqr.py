"""The ``sgqr`` profile (SGQR, PayNow, NETS) on both twins (``impl``).

Published payloads from ``tests/data/schemes/sgqr.jsonl``; one single-rule mutation per row of
the table (independent TLV writer and CRC: ``tests/test_profile_vietqr.py``). Expected values come
from the PayNow field table and lee-ratinan/emv-qr as the profile cites them, and the expiry
instants are worked out by hand from 26-04 in Singapore time (UTC+08:00).
"""

from __future__ import annotations

from datetime import datetime, timezone
from types import ModuleType

import pytest

import jpqr
from jpqr.profiles import emvco, sgqr
from tests.test_profile_vietqr import errors, mutate, published

PAYLOADS = published("sgqr")
# lee-ratinan README: PayNow (26, UEN, editable, 04 = 20211231) and SGQR (51).
LEE = PAYLOADS[0]["payload"]
# odoo l10n_sg: PayNow only, static with amount, 26-03 = 0.
ODOO = PAYLOADS[1]["payload"]
# zionsg 'Basic SGQR': NETS (26) and SGQR (51).
NETS = PAYLOADS[5]["payload"]


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_published_payloads_are_clean(impl: ModuleType, index: int) -> None:
    line = PAYLOADS[index]
    assert (line["crc"], line["tlv"]) == ("ok", "ok")
    assert errors(sgqr.validate(line["payload"])) == [], line["source"]
    assert jpqr.is_valid(line["payload"], profile="sgqr")
    # No SGQR row departs from EMVCo: EMVCo finds these clean too.
    assert emvco.validate(line["payload"]).ok


MUTATIONS = [
    # PayNow: 01 proxy type 0 (mobile) or 2 (UEN), 02 proxy value, 03 editable 0/1, 04 a date.
    pytest.param(ODOO, "26.01", None, "sgqr.paynow_proxy", "26.01", id="proxy type missing"),
    pytest.param(ODOO, "26.01", "1", "sgqr.paynow_proxy", "26.01", id="proxy type 1"),
    pytest.param(ODOO, "26.02", None, "sgqr.paynow_proxy", "26.02", id="proxy value missing"),
    pytest.param(ODOO, "26.03", "2", "sgqr.paynow_editable", "26.03", id="editable 2"),
    pytest.param(LEE, "26.04", "20211331", "sgqr.paynow_expiry", "26.04", id="month 13"),
    pytest.param(LEE, "26.04", "2021123", "sgqr.paynow_expiry", "26.04", id="7 digits"),
    pytest.param(LEE, "26.04", "20230801180260", "sgqr.paynow_expiry", "26.04", id="second 60"),
    pytest.param(LEE, "26.04", "2021-12-31", "sgqr.paynow_expiry", "26.04", id="hyphens"),
    # PayNow accepts SGD only.
    pytest.param(ODOO, "53", "840", "sgqr.currency", "53", id="PayNow in USD"),
    # SGQR 51: 02 version NN.NNNN, 03 6-digit postal code, 07 a date YYYYMMDD.
    pytest.param(LEE, "51.02", "1.0001", "sgqr.version", "51.02", id="version"),
    pytest.param(LEE, "51.03", "82867", "sgqr.postal_code", "51.03", id="postal code of 5"),
    pytest.param(LEE, "51.07", "20191332", "sgqr.date", "51.07", id="SGQR date"),
    pytest.param(LEE, "51.07", "20191231000000", "sgqr.date", "51.07", id="SGQR date time"),
    # NETS: 03 terminal ID of 8 digits, 99 signature of 8 upper-case hex characters.
    pytest.param(NETS, "26.03", "6866140", "sgqr.nets", "26.03", id="NETS terminal 7"),
    pytest.param(NETS, "26.99", "604108c2", "sgqr.nets", "26.99", id="NETS signature lower"),
]


@pytest.mark.parametrize(("base", "path", "value", "code", "where"), MUTATIONS)
def test_each_row_rejects_its_mutation(
    impl: ModuleType, base: str, path: str, value: str | None, code: str, where: str
) -> None:
    mutated = mutate(base, path, value)
    assert errors(sgqr.validate(mutated)) == [(code, where)]
    assert emvco.validate(mutated).ok  # EMVCo's own verdict: these are its valid codes


@pytest.mark.parametrize(
    ("base", "path", "value"),
    [
        (NETS, "53", "840"),  # the SGD rule is PayNow's: a NETS-only code may say otherwise
        (LEE, "26.04", "20230801180200"),  # 14 digits, as in the ShopeePay fixture
        (LEE, "26.05", "SPW6582274"),  # 26-05 (unsourced meaning): not judged
        (LEE, "26.03", None),
        (LEE, "26.00", "sg.paynow"),  # a GUID compares case-insensitively
    ],
)
def test_what_the_sources_allow(impl: ModuleType, base: str, path: str, value: str | None) -> None:
    assert errors(sgqr.validate(mutate(base, path, value))) == []


def test_rows_follow_the_guid_not_the_id(impl: ModuleType) -> None:
    # The PayNow rows apply to a PayNow template in 27 as well (the GUID names it).
    paynow = dict((obj.id, obj.value) for obj in jpqr.decode(ODOO))["26"]
    moved = mutate(mutate(ODOO, "26", None), "27", paynow)
    assert errors(sgqr.validate(moved)) == []
    assert errors(sgqr.validate(mutate(moved, "27.01", "1"))) == [("sgqr.paynow_proxy", "27.01")]
    lower = mutate(ODOO, "26.00", "sg.paynow")
    assert errors(sgqr.validate(mutate(lower, "26.03", "2"))) == [("sgqr.paynow_editable", "26.03")]


EXPIRIES = {
    0: datetime(2021, 12, 31, 15, 59, 59, tzinfo=timezone.utc),  # 20211231, end of day SGT
    2: datetime(2023, 8, 1, 10, 2, 0, tzinfo=timezone.utc),  # 20230801180200 SGT
    4: datetime(2026, 3, 4, 15, 59, 59, tzinfo=timezone.utc),  # 20260304
    7: datetime(2030, 12, 31, 15, 59, 59, tzinfo=timezone.utc),  # 20301231
}


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_expiry(impl: ModuleType, index: int) -> None:
    assert sgqr.SCHEME.expiry is not None
    tree = jpqr.decode(PAYLOADS[index]["payload"])
    assert sgqr.SCHEME.expiry(tree) == EXPIRIES.get(index)


def test_expiry_of_an_unreadable_date_is_none(impl: ModuleType) -> None:
    assert sgqr.SCHEME.expiry is not None
    assert sgqr.SCHEME.expiry(jpqr.decode(mutate(LEE, "26.04", "20211331"))) is None


def test_scheme(impl: ModuleType) -> None:
    scheme = sgqr.SCHEME
    assert scheme.country == "SG"
    assert set(scheme.guids) == {"SG.PAYNOW", "SG.SGQR", "SG.COM.NETS"}
    assert scheme.guids["SG.SGQR"] == frozenset({"51"})
    assert {"SG.PAYN0W", "SG.SQGR", "SG.NETS"} <= scheme.near_misses
    assert all(g == g.upper() for g in scheme.near_misses)
    assert all(row.source for row in sgqr.TABLE.rows)


@pytest.mark.parametrize("index", [8, 9])
def test_classify_names_sgqr_first(impl: ModuleType, index: int) -> None:
    # Grab, Dash, Fave, NETS and SGQR templates in one code: the code is SGQR.
    assert jpqr.classify(PAYLOADS[index]["payload"]).schemes[0] == "sgqr"

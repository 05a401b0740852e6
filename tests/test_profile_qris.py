"""The ``qris`` profile (QRIS, Indonesia) on both twins (``impl``).

Published payloads from ``tests/data/schemes/qris.jsonl``; one single-rule mutation per row of
the table (independent TLV writer and CRC: ``tests/test_profile_vietqr.py``). Expected values come
from the QRIS sections astrapay/spring-qris quotes (cited), never from jpqr.
"""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jpqr
from jpqr.profiles import emvco, qris
from tests.test_profile_vietqr import TWINS, Found, errors, mutate, published, warnings

PAYLOADS = published("qris")
# astrapay QrisMapperTest.java:31: DANA (26) + QRIS (51), static, criteria UMI.
DANA = PAYLOADS[8]["payload"]
# :34: DOKU (26) + QRIS (51), static, 54 = 1000, 55 = 02, 56 = 500.
DOKU = PAYLOADS[10]["payload"]
# :208: a QRIS transfer code: 40 (ID.CO.ASTRAPAY.WWW, customer PAN, beneficiary), 52 = 4829,
# 62-08 = DMCT, dynamic, no 51.
TRANSFER = PAYLOADS[14]["payload"]
# By line, what the source says is wrong (all others: nothing).
EXPECTED: dict[int, Found] = {
    # misterdevs README: the CRC 'M2B3' is a placeholder.
    0: [("crc.mismatch", "63")],
    # sunary README and test: library output without 52 and (58 = ID) without 61.
    2: [("field.missing", "52"), ("qris.postal_code", "61")],
    3: [("field.missing", "52"), ("qris.postal_code", "61")],
    # sunary test input: no merchant account, no 52/59/60, static without 51, CRC 'xxxx'.
    4: [
        ("field.missing", "52"),
        ("field.missing", "59"),
        ("field.missing", "60"),
        ("account.missing", ""),
        ("qris.national", "51"),
        ("qris.postal_code", "61"),
        ("crc.mismatch", "63"),
    ],
    # :30 round-trips only: its 62-98 has no GUID (EMVCo's rule for 62-50..99).
    7: [("field.missing", "62.98.00")],
    # :32 is commented out ("does not round-trip"): its 62-50 is not data objects.
    9: [("tlv.template_not_tlv", "62.50")],
    # :136 and QrisParserMpmPaymentTest.java:51: CRCs that do not fit.
    13: [("crc.mismatch", "63")],
    15: [("crc.mismatch", "63")],
    # SpringQrisApplicationTests 'qrisTestWithErrors': 2 violations (static, no 51; 62-98).
    16: [("field.missing", "62.98.00"), ("qris.national", "51")],
    # 'qrisTestWithErrors4': 4 violations (52 of 3, 59 of 26, 62-98, static without 51).
    17: [
        ("field.length", "52"),
        ("field.length", "59"),
        ("field.missing", "62.98.00"),
        ("qris.national", "51"),
    ],
}


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_published_payloads(impl: ModuleType, index: int) -> None:
    line = PAYLOADS[index]
    report = qris.validate(line["payload"])
    assert errors(report) == EXPECTED.get(index, []), line["source"]
    if index not in EXPECTED:
        assert jpqr.is_valid(line["payload"], profile="qris")


def test_the_expectations_name_every_bad_line(impl: ModuleType) -> None:
    bad = {i for i, line in enumerate(PAYLOADS) if (line["crc"], line["tlv"]) != ("ok", "ok")}
    assert bad <= set(EXPECTED)


MUTATIONS = [
    # Tabel 4.3: 26-45 01 PAN N ≤ 19 M; 02 ID ≤ 15 M, no '|'; 03 criteria of Tabel 4.6.
    pytest.param(DANA, "26.01", None, "qris.merchant_pan", "26.01", id="PAN missing"),
    pytest.param(DANA, "26.01", "93600915300060605A", "qris.merchant_pan", "26.01", id="PAN A"),
    pytest.param(DANA, "26.01", "9" * 20, "qris.merchant_pan", "26.01", id="PAN of 20"),
    pytest.param(DANA, "26.02", None, "qris.merchant_id", "26.02", id="merchant ID missing"),
    pytest.param(DANA, "26.02", "000606|057", "qris.merchant_id", "26.02", id="merchant ID |"),
    pytest.param(DANA, "26.02", "1" * 16, "qris.merchant_id", "26.02", id="merchant ID 16"),
    pytest.param(DANA, "26.03", "UMX", "qris.criteria", "26.03", id="criteria"),
    pytest.param(DANA, "26.03", "umi", "qris.criteria", "26.03", id="criteria lower"),
    # Template 51 [lib annotations]: 02 NMID M, ≤ 15; 03 criteria (Tabel 4.6).
    pytest.param(DANA, "51.02", None, "qris.nmid", "51.02", id="NMID missing"),
    pytest.param(DANA, "51.02", "ID" + "1" * 14, "qris.nmid", "51.02", id="NMID 16"),
    pytest.param(DANA, "51.03", "XYZ", "qris.criteria", "51.03", id="51 criteria"),
    # 4.7.7: 51 mandatory when 01 = 11.
    pytest.param(DANA, "51", None, "qris.national", "51", id="static without 51"),
    # 4.7.7.1: 53 = 360 when 58 = ID; Tabel 3.6: 61 M when 58 = ID.
    pytest.param(DANA, "53", "704", "qris.currency", "53", id="currency"),
    pytest.param(DANA, "61", None, "qris.postal_code", "61", id="postal code missing"),
    # Tabel 3.6: 59, 60, 61 exclude '|'.
    pytest.param(DANA, "59", "Saifullah|id", "qris.pipe", "59", id="59 pipe"),
    pytest.param(DANA, "60", "Kota|Pontianak", "qris.pipe", "60", id="60 pipe"),
    pytest.param(DANA, "61", "78124|", "qris.pipe", "61", id="61 pipe"),
    # 4.7.8.1: decimals match IDR's exponent, 2.
    pytest.param(DOKU, "54", "1000.5", "qris.amount", "54", id="54 one decimal"),
    # Tabel 3.20 / 4.2 (transfer): 40-01 16-19 digits, 40-02 ≤ 15, 01 present, 52 = 4829.
    pytest.param(TRANSFER, "40.01", None, "qris.transfer", "40.01", id="customer PAN missing"),
    pytest.param(TRANSFER, "40.01", "9" * 15, "qris.transfer", "40.01", id="customer PAN 15"),
    pytest.param(TRANSFER, "40.02", None, "qris.transfer", "40.02", id="beneficiary missing"),
    pytest.param(TRANSFER, "40.02", "1" * 16, "qris.transfer", "40.02", id="beneficiary 16"),
    pytest.param(TRANSFER, "01", None, "qris.transfer", "01", id="transfer without 01"),
    pytest.param(TRANSFER, "52", "5411", "qris.transfer", "52", id="transfer MCC"),
]


@pytest.mark.parametrize(("base", "path", "value", "code", "where"), MUTATIONS)
def test_each_row_rejects_its_mutation(
    impl: ModuleType, base: str, path: str, value: str | None, code: str, where: str
) -> None:
    assert qris.validate(base).ok
    mutated = mutate(base, path, value)
    assert errors(qris.validate(mutated)) == [(code, where)]
    # No QRIS row departs from EMVCo: each mutated code stays EMVCo-valid.
    assert emvco.validate(base).ok and emvco.validate(mutated).ok


def test_a_static_transfer_is_two_findings(impl: ModuleType) -> None:
    # 4.2 item 1: 01 must be 12; and a static code needs 51 (4.7.7): both rows speak.
    report = qris.validate(mutate(TRANSFER, "01", "11"))
    assert errors(report) == [("qris.national", "51"), ("qris.transfer", "01")]


@pytest.mark.parametrize(
    ("base", "path", "value"),
    [
        (DANA, "26.03", None),  # Tabel 4.6: absent 03 is filled as URE by the issuer (disputed M)
        (DANA, "26.00", "00"),  # 4.7.5.3: the default "00" in place of a reverse domain
        (DANA, "51.00", "ID.OR.GPNQR.WWW"),  # the legacy identifier
        (DANA, "58", "MY"),  # 53 = 360 and 61 are conditional on 58 = ID
        (DOKU, "54", "1000.00"),  # 4.7.8.1: "1000.00", "1000", "1000." valid
        (DOKU, "54", "1000."),
        (DOKU, "54", "1000"),
        (TRANSFER, "62.08", "BOOK"),  # Tabel 3.23
    ],
)
def test_what_the_standard_allows(
    impl: ModuleType, base: str, path: str, value: str | None
) -> None:
    if path == "58":  # with 61 gone and 53 another currency: still conditional, still clean
        base = mutate(mutate(base, "61", None), "53", "458")
    assert errors(qris.validate(mutate(base, path, value))) == []


def test_a_payment_code_keeps_its_acquirer_rows_in_40(impl: ModuleType) -> None:
    # Without a transfer purpose in 62-08, 40 is an acquirer template (26-45): 03 criteria apply.
    code = mutate(mutate(TRANSFER, "62.08", "ABCD"), "40.03", "XYZ")
    assert errors(qris.validate(code)) == [("qris.criteria", "40.03")]


@pytest.mark.parametrize(
    ("amount", "code"), [("1000,00", "amount.format"), ("1 000", "amount.format")]
)
def test_amount_grammar_is_emvcos(impl: ModuleType, amount: str, code: str) -> None:
    # 4.7.8.1: "1000,00" and "1 000" invalid; EMVCo's row reports them ("1.000" is 1 with
    # three decimals: qris.amount).
    assert errors(qris.validate(mutate(DOKU, "54", amount))) == [(code, "54")]


def test_three_decimals(impl: ModuleType) -> None:
    report = qris.validate(mutate(DOKU, "54", "1.000"))
    assert errors(report) == [("qris.amount", "54")]
    assert warnings(report) == [("amount.decimals", "54")]  # EMVCo's, unchanged
    assert emvco.validate(mutate(DOKU, "54", "1.000")).ok


@TWINS
@given(whole=st.integers(min_value=1, max_value=10**9), decimals=st.text("0123456789", max_size=4))
def test_amount_decimals_property(impl: ModuleType, whole: int, decimals: str) -> None:
    report = qris.validate(mutate(DOKU, "54", f"{whole}.{decimals}"))
    # IDR's ISO 4217 exponent is 2: none or exactly two digits after the ".".
    assert (("qris.amount", "54") in errors(report)) == (len(decimals) not in (0, 2))


def test_scheme(impl: ModuleType) -> None:
    scheme = qris.SCHEME
    assert scheme.country == "ID"
    assert dict(scheme.guids) == {"ID.CO.QRIS.WWW": frozenset({"51"})}
    assert dict(scheme.legacy) == {"ID.OR.GPNQR.WWW": frozenset({"51"})}
    assert "ID.CO.QRLS.WWW" in scheme.near_misses
    assert all(g == g.upper() for g in scheme.near_misses)
    assert all(row.source for row in qris.TABLE.rows)


def test_classify_names_qris_over_its_acquirers(impl: ModuleType) -> None:
    found = jpqr.classify(DANA)
    assert found.schemes[0] == "qris"
    assert [(a.id, a.guid) for a in found.accounts] == [
        ("26", "ID.DANA.WWW"),
        ("51", "ID.CO.QRIS.WWW"),
    ]


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_detect(impl: ModuleType, index: int) -> None:
    payload = PAYLOADS[index]["payload"]
    tree = jpqr.decode(payload)
    # Every published code with an account template and 58 = ID is QRIS: with 51 or without
    # (sunary's library output, AstraPay's dynamic code with 26-00 = "00", transfer codes in 40).
    assert qris.detect(tree) == (index != 4)  # line 4: no merchant account at all
    assert not qris.detect(jpqr.decode(mutate(payload, "58", "SG")))

"""Every published vector's source claim reconciled with our verdict (tests/data/published.jsonl).

For each vector: valid under ``emvco``?, valid under ``jpqr``?, the error codes under ``emvco``,
and the profile ``auto`` picks. Where our verdict differs from what the source says, the comment
says why, citing SPEC.md. Only vector 9 carries the JPQR identifier, so only it can be JPQR-valid;
``jpqr`` adds errors to all others (jpqr.identifier at least).
"""

from __future__ import annotations

from types import ModuleType

import pytest

import jpqr

from .conftest import PUBLISHED

# index: (valid under emvco, valid under jpqr, error codes under emvco)
CLAIMS: dict[int, tuple[bool, bool, set[str]]] = {
    0: (True, False, set()),  # EMVCo example (go-emv-code emvSamplePayload): valid
    1: (True, False, set()),
    2: (True, False, set()),
    # source: GUID of unreserved template 80 empty -> here 80 has length 00 (SPEC §1)
    3: (False, False, {"tlv.zero_length"}),
    # source: GUID longer than 32 -> EMVCo gives the GUID "ans up to 32" (schema.fields._GUID)
    4: (False, False, {"field.length"}),
    # source: "invalid header"; 00 is not first and absent (SPEC §1, §3); the CRC was not redone
    5: (False, False, {"position.first", "field.missing", "crc.mismatch"}),
    6: (False, False, {"crc.missing"}),  # source: missing CRC
    7: (False, False, {"crc.mismatch"}),  # source: CRC 0000 is not valid
    # source: malformed payload: 61 declares 10 and swallows "64", so "99あい" is no length
    8: (False, False, {"tlv.invalid_length"}),
    9: (True, True, set()),  # the JPQR sample of go-emv-code: valid JPQR (SPEC §4)
    # source: "crc is invalid" (lower-cased copy); also 58 "cn" is no ISO 3166 code and 62-09
    # "me" is not of the letters A, M, E (SPEC §3)
    10: (False, False, {"crc.mismatch", "country.unknown", "additional.consumer_data"}),
    11: (True, False, set()),  # source: valid EMVCo, invalid JPQR (country not JP)
    12: (True, False, set()),  # source: valid EMVCo, invalid JPQR (currency not 392)
    # dongri encoder output: valid; 999.123 yen has more decimals than JPY's 0, a warning under
    # emvco ("decimals should match the currency exponent", SPEC §3)
    13: (True, False, set()),
    14: (True, False, set()),
    # mvallim "decodes and round-trips" (no validity claim): 55=02 with 57 too, 62-09 of 5
    # characters "tuvxy" (SPEC §3: 57 only with 55=03; 62-09 at most 3 of A, M, E)
    15: (False, False, {"tip.unexpected", "field.length", "additional.consumer_data"}),
    # mvallim: invalid CRC (no CRC at all); 62-09 "tuv" is also not of A, M, E
    16: (False, False, {"crc.missing", "additional.consumer_data"}),
    17: (False, False, {"crc.missing", "tlv.truncated_header"}),  # "63" alone at the end
    18: (False, False, {"crc.missing", "tlv.length_overrun"}),  # "6304" without value
    19: (False, False, {"crc.mismatch", "additional.consumer_data"}),  # CRC "XXXX"
    20: (True, False, set()),  # PayMaya examples: valid per document
    21: (True, False, set()),
    22: (True, False, set()),
    23: (True, False, set()),
    24: (True, False, set()),  # BACEN Pix example
    # source: decodes (a decoding claim). 60 is format ans, printable ASCII (SPEC §1, §3 and the
    # §6 trap "non-ASCII in ans fields (Pix BRASÍLIA)"): an EMVCo-strict wallet may refuse it.
    25: (False, False, {"field.charset"}),
    **{i: (True, False, set()) for i in range(26, 38)},  # Pix FI examples, SGQR: valid
    # PromptPay generator output: PromptPay omits 52, 59 and 60, mandatory in EMVCo (SPEC §3,
    # §6 "national profiles that omit mandatory 52/59/60"); we have no PromptPay profile yet
    **{i: (False, False, {"field.missing"}) for i in range(38, 43)},
    # trailing LF / CRLF after the CRC: an error with a hint; lenient=True strips (DESIGN)
    43: (False, False, {"tlv.trailing_characters", "crc.missing"}),
    44: (False, False, {"tlv.trailing_characters", "crc.missing"}),
    45: (False, False, {"tlv.bom", "crc.mismatch"}),  # leading BOM: reject (or lenient strip)
    # lower-case CRC: accepted with a warning, an error under strict=True (DESIGN "Choices")
    46: (True, False, set()),
    47: (False, False, {"crc.mismatch"}),  # CRC with init 0x1111 (SPEC §2 trap): must fail
    48: (False, False, {"crc.mismatch"}),  # CRC without the 6304: must fail
    # byte-counted lengths: characters make 64-01 swallow 52 and 58; the hint names the bug
    49: (False, False, {"field.missing", "tlv.utf8_byte_lengths"}),
    # source: structurally valid NFD city; 60 is ans, so the combining mark is not ASCII
    50: (False, False, {"field.charset"}),
    51: (False, False, {"crc.mismatch", "field.charset"}),  # CRC over Latin-1: must fail
    52: (False, False, {"duplicate.id"}),  # 59 twice (EMVCo 4.3.1.2): must be rejected
}
JPQR_SAMPLES = {9, 49}  # the vectors with the JPQR identifier: auto picks jpqr for them


def test_every_vector_has_a_claim() -> None:
    assert sorted(CLAIMS) == list(range(len(PUBLISHED)))


# The vectors of a national scheme, read off their merchant account GUIDs (source and
# source_says of published.jsonl name the project: Pix libraries, an SGQR parser, PromptPay
# generators): "auto" applies that scheme's profile (issue 12).
SCHEME_SAMPLES = {
    **{index: "pix" for index in (*range(24, 37), 50, 51)},  # br.gov.bcb.pix in 26, any case
    37: "sgqr",  # SG.PAYNOW in 26 and SG.SGQR in 51
    **{index: "promptpay" for index in range(38, 43)},  # A000000677010111 in 29
}


@pytest.mark.parametrize("index", sorted(CLAIMS))
def test_claim(impl: ModuleType, index: int) -> None:
    payload = PUBLISHED[index]["payload"]
    emvco_valid, jpqr_valid, emvco_codes = CLAIMS[index]
    emvco = jpqr.validate(payload, "emvco")
    assert emvco.ok == emvco_valid, emvco.errors
    assert {issue.code for issue in emvco.errors} == emvco_codes, emvco.errors
    assert jpqr.validate(payload, "jpqr").ok == jpqr_valid
    assert emvco.crc == PUBLISHED[index]["crc"]  # the independently recorded CRC fact
    expected = "jpqr" if index in JPQR_SAMPLES else SCHEME_SAMPLES.get(index, "emvco")
    assert jpqr.validate(payload).profile == expected
    if emvco_valid:
        parsed = jpqr.parse(payload, "emvco")
        assert parsed.to_payload() == payload


def test_jpqr_sample_reads() -> None:
    code = jpqr.parse(PUBLISHED[9]["payload"])
    assert code.jpqr is not None and code.jpqr.template_id == "26"
    assert code.point_of_initiation == "static" and code.postal_code == "1066143"
    assert code.language is not None and code.language.merchant_name == "メルペイ カフェ"


def test_mercari_jpqr_rejections() -> None:
    # go-emv-code mpm/jpqr: "countryCode is not JP" and "transactionCurrency is not 392".
    assert "jpqr.country" in jpqr.validate(PUBLISHED[11]["payload"], "jpqr").codes
    assert "jpqr.currency" in jpqr.validate(PUBLISHED[12]["payload"], "jpqr").codes


def test_lowercase_and_lenient_choices() -> None:
    assert not jpqr.validate(PUBLISHED[46]["payload"], strict=True).ok
    assert jpqr.validate(PUBLISHED[43]["payload"], lenient=True).ok
    assert jpqr.validate(PUBLISHED[44]["payload"], lenient=True).ok
    assert jpqr.validate(PUBLISHED[45]["payload"], lenient=True).ok
    assert "amount.decimals" in jpqr.validate(PUBLISHED[13]["payload"]).codes


def test_paymaya_sample_reads_into_typed_parts() -> None:
    # PayMaya 'Meralco' example: 26 GUID com.paymaya, 62 with sub-template 50, unreserved 80.
    code = jpqr.parse(PUBLISHED[20]["payload"])
    assert code.merchant_accounts[0].id == "26"
    assert code.merchant_accounts[0].guid == "com.paymaya"
    assert code.currency is not None and code.currency.alpha == "PHP"
    assert code.amount is not None and str(code.amount) == "390.8"
    assert code.additional_data is not None
    template = code.additional_data.templates[0]
    assert (template.id, template.guid) == ("50", "com.paymaya.billspay")
    assert template.values["01"] == "meralco"
    assert code.unreserved[0].id == "80" and code.unreserved[0].guid == "com.bayadcenter"


def test_brcode_sample_reads_card_network_account() -> None:
    # BCB BR Code multi-arrangement example: 04 (Mastercard range) primitive, 26 and 27 templates.
    code = jpqr.parse(PUBLISHED[36]["payload"])
    accounts = {account.id: account for account in code.merchant_accounts}
    assert accounts["04"].value == "12345678901234" and accounts["04"].guid is None
    assert accounts["26"].guid == "BR.GOV.BCB.PIX" and accounts["27"].guid == "BR.COM.OUTRO"
    assert code.jpqr is None and code.point_of_initiation is None
    assert code.postal_code == "70074900" and code.merchant_name == "NOME DO RECEBEDOR"


def test_tip_and_language_sample_reads() -> None:
    # The EMVCo example: 55 = 01 (prompt for a tip), 64 in Chinese, 62-09 "ME".
    code = jpqr.parse(PUBLISHED[0]["payload"])
    assert code.tip_or_convenience is not None and code.tip_or_convenience.kind == "prompt"
    assert code.language is not None
    assert (code.language.language_preference, code.language.merchant_name) == ("ZH", "最佳运输")
    assert code.language.merchant_city == "北京"
    assert code.additional_data is not None and code.additional_data.purpose is None
    assert code.additional_data.consumer_data_request == "ME"

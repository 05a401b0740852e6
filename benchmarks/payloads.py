"""The payloads the benchmarks time, written out here (not taken from tests/), each with where
it comes from and what validating it reports.

The CRCs were computed with ``binascii.crc_hqx(payload.encode(), 0xFFFF)`` (CRC-16/CCITT-FALSE,
SPEC §2), independently of jpqr; importing this module checks them again.
"""

from __future__ import annotations

import binascii

__all__ = [
    "ASCII_PAYLOAD",
    "ASCII_VALID",
    "EMVCO_EXAMPLE",
    "JPQR_VALID",
    "PAYLOADS",
    "PROMPTPAY_VALID",
    "VALIDATE_PAYLOADS",
]

# A dynamic JPQR code for one charging session: 197 ASCII characters, 20 data objects. Not valid:
# 26.03 has 7 characters and 26.04 3, where the JPQR identifier wants 6 each, and there is no
# language template 64 (three errors: the findings path).
ASCII_PAYLOAD = (
    "00020101021226660019jp.or.paymentsjapan0113000000000000102040001030700000010403001"
    "520459995303392540415005802JP5913EV CHARGE INC6005TOKYO61071000001"
    "62370521SESSION-20261121-00420708EVSE-00163045278"
)
# The EMVCo example (EMVCo MPM v1.1 [PM], as in published.jsonl) with the objects in another
# order: 248 characters, Chinese text in the language template 64. Valid.
EMVCO_EXAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京"
    "540523.7253031565502016233030412340603***0708A60086670902ME"
    "91320016A0112233449988770708123456786304A13A"
)
# A valid JPQR code: the EV-charging session of the CLI tests (SPEC §4-5), 211 characters, the
# merchant name in Japanese in 64.
JPQR_VALID = (
    "00020101021226680019jp.or.paymentsjapan011300000000000010204000103060000010406000001"
    "520459995303392540415005802JP5909EV CHARGE6005TOKYO61071066143"
    "62290515S-20261121-00420706EVSE-164200002JA0110EV充電ステーション6304519B"
)

# A plain EMVCo code (no national scheme): the Thai example's fields with the Visa merchant ID 02
# (EMVCo MPM v1.1 §4.7: IDs 02-03 reserved for Visa) in place of the PromptPay template 29, so
# that profile="auto" judges it as emvco: 85 ASCII characters, valid. The is_valid benchmark
# times it as str and as bytes (the compiled pass reads ASCII bytes as text).
ASCII_VALID = (
    "000201010211021647613400000000195204599953037645802TH5909TEST SHOP6007BANGKOK6304A077"
)
# The Thai example of the EMVCo tests (published.jsonl: "missing 52, 59, 60") with those three
# added (52 = 5999, 59 = TEST SHOP, 60 = BANGKOK): 106 ASCII characters. Its template 29 carries
# the PromptPay AID A000000677010111, so auto judges it under the promptpay profile, which runs on
# the reference engine (the compiled pass judges emvco and jpqr): timed to show that cost, no bar.
PROMPTPAY_VALID = (
    "00020101021129370016A000000677010111011300668012345675204599953037645802TH"
    "5909TEST SHOP6007BANGKOK6304C430"
)

PAYLOADS = {"ascii": ASCII_PAYLOAD, "emvco": EMVCO_EXAMPLE}
VALIDATE_PAYLOADS = {**PAYLOADS, "jpqr-valid": JPQR_VALID}

for _payload in (ASCII_PAYLOAD, ASCII_VALID, EMVCO_EXAMPLE, JPQR_VALID, PROMPTPAY_VALID):
    _crc = f"{binascii.crc_hqx(_payload[:-4].encode(), 0xFFFF):04X}"
    assert _payload.endswith(_crc), (_payload, _crc)
assert len(ASCII_PAYLOAD) == 197 and ASCII_PAYLOAD.isascii()
assert len(EMVCO_EXAMPLE) == 248 and len(JPQR_VALID) == 211
assert len(ASCII_VALID) == 85 and ASCII_VALID.isascii()
assert len(PROMPTPAY_VALID) == 106 and PROMPTPAY_VALID.isascii()

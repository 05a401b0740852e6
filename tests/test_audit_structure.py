"""Audit against SPEC.md §1, §2 and §6: structural traps the validator let through.

Payloads are built here with character-counted lengths and a CRC from ``binascii.crc_hqx``
(CRC-16/CCITT-FALSE, init 0xFFFF: SPEC §2), never with jpqr itself.
"""

from __future__ import annotations

import binascii
from types import ModuleType

import jpqr


def tlv(*pairs: tuple[str, str]) -> str:
    return "".join(f"{id}{len(value):02d}{value}" for id, value in pairs)


def with_crc(body: str) -> str:
    """``body`` (which must end with ``6304``) followed by its CRC in upper-case hex."""
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


# A valid EMVCo code of another country (SPEC §3), as pairs; EMV is its text without 60, which
# the tests below write themselves (ending the code differently).
EMV_PAIRS = [
    ("00", "01"),
    ("01", "11"),
    ("02", "4000123456789012"),
    ("52", "5999"),
    ("53", "840"),
    ("58", "US"),
    ("59", "SHOP"),
    ("60", "NYC"),
]
EMV = tlv(*EMV_PAIRS[:-1])


class TestSwallowedCRC:
    """SPEC §6: "a declared length that overruns and swallows the 6304". When the swallowing
    length ends exactly at the end of the text, the text still decodes and even ends in a right
    CRC, but ID 63 is no data object: EMVCo makes 63 mandatory (SPEC §3)."""

    def test_root_object_swallows_the_crc_object(self, impl: ModuleType) -> None:
        # 60 declares 11 characters: "NYC" plus the 8 characters of the CRC object.
        payload = with_crc(EMV + "6011NYC6304")
        report = jpqr.validate(payload)
        assert report.crc == "ok"  # the trailing CRC is right over the text before it
        assert not report.ok
        (issue,) = report.errors
        assert (issue.code, issue.path) == ("field.missing", "63")
        assert issue.offset == len(payload) - 8  # where the 6304 is
        assert "ID 60 (Merchant City)" in issue.message and "11" in issue.message

    def test_template_swallows_the_crc_object(self, impl: ModuleType) -> None:
        # 62 declares 15 characters: 0503abc and the CRC object, which reads as 62.63 (a
        # payment-system template slot, so its 4-character value is also reported as not TLV).
        payload = with_crc(EMV + "6003NYC" + "6215" + "0503abc" + "6304")
        report = jpqr.validate(payload)
        assert (report.errors[0].code, report.errors[0].path) == ("field.missing", "63")
        assert "ID 62" in report.errors[0].message

    def test_parse_raises_it(self, impl: ModuleType) -> None:
        payload = with_crc(EMV + "6011NYC6304")
        try:
            jpqr.parse(payload)
        except jpqr.ValidationError as exc:
            assert (exc.code, exc.path) == ("field.missing", "63")
        else:
            raise AssertionError("parse accepted a code without ID 63")

    def test_a_crc_object_in_place_is_not_reported(self, impl: ModuleType) -> None:
        report = jpqr.validate(with_crc(EMV + "6003NYC6304"))
        assert report.ok, report.errors

    def test_no_trailing_crc_is_crc_missing_only(self, impl: ModuleType) -> None:
        report = jpqr.validate(EMV + "6003NYC")
        assert [e.code for e in report.errors] == ["crc.missing"]


class TestLoneSurrogate:
    """SPEC §1: the payload is UTF-8. A Python str may hold a lone surrogate, which UTF-8 cannot
    encode, so no wallet could receive that text: the same code given as bytes is invalid UTF-8."""

    PAYLOAD_BODY = EMV + "6003NYC" + tlv(("64", tlv(("00", "ZH"), ("01", "X\ud800")))) + "6304"

    def payload(self) -> str:
        crc = binascii.crc_hqx(self.PAYLOAD_BODY.encode("utf-8", "surrogatepass"), 0xFFFF)
        return f"{self.PAYLOAD_BODY}{crc:04X}"

    def test_str_with_a_lone_surrogate_is_invalid(self, impl: ModuleType) -> None:
        report = jpqr.validate(self.payload())
        assert [(e.code, e.path) for e in report.errors] == [("field.charset", "64.01")]
        assert "U+D800" in report.errors[0].message

    def test_the_same_bytes_are_invalid_utf8(self, impl: ModuleType) -> None:
        report = jpqr.validate(self.payload().encode("utf-8", "surrogatepass"))
        assert report.errors[0].code == "tlv.invalid_utf8"

    def test_builder_refuses_it(self, impl: ModuleType) -> None:
        builder = jpqr.Builder("emvco")
        try:
            builder.language("ZH", "X\ud800")
        except jpqr.BuildError as exc:
            assert (exc.code, exc.path) == ("field.charset", "64.01")
        else:
            raise AssertionError("the builder accepted a lone surrogate")


class TestMessages:
    """Messages say what was expected and what was found, in plain words (DESIGN)."""

    def test_yen_decimals_say_no_decimals(self, impl: ModuleType) -> None:
        body = EMV.replace("5303840", "5303392") + "54041.506003NYC6304"
        report = jpqr.validate(with_crc(body), "emvco")
        (warning,) = report.warnings
        assert warning.code == "amount.decimals"
        assert warning.message.startswith("expected no decimals for ID 54")

    def test_fee_without_indicator_says_no_id_55(self, impl: ModuleType) -> None:
        report = jpqr.validate(with_crc(EMV + "56041.006003NYC6304"))
        (error,) = report.errors
        assert error.code == "tip.unexpected" and error.message.endswith("found no ID 55")

    def test_crc_right_without_the_bom_says_so(self, impl: ModuleType) -> None:
        report = jpqr.validate("\ufeff" + with_crc(EMV + "6003NYC6304"))
        assert [e.code for e in report.errors] == ["tlv.bom", "crc.mismatch"]
        assert "which is wrong" not in report.errors[1].message
        assert "right once the byte order mark at the start is removed" in report.errors[1].message

    def test_alphabetic_currency_names_the_numeric_code(self, impl: ModuleType) -> None:
        report = jpqr.validate(with_crc(EMV.replace("5303840", "5303usd") + "6003NYC6304"))
        (error,) = report.errors
        assert (error.code, error.path) == ("field.format", "53")
        assert error.message.endswith("ID 53 takes the ISO 4217 numeric code: 840 for USD")

    def test_unknown_letters_get_no_currency_hint(self, impl: ModuleType) -> None:
        report = jpqr.validate(with_crc(EMV.replace("5303840", "5303ABC") + "6003NYC6304"))
        (error,) = report.errors
        assert error.code == "field.format" and "numeric code" not in error.message

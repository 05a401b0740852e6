"""Audit against SPEC.md §3 (root objects, 62 and 64 sub-objects) and the Builder's agreement
with ``validate``. Payloads are built here; CRCs come from ``binascii.crc_hqx`` (SPEC §2)."""

from __future__ import annotations

from types import ModuleType

import pytest

import jpqr

from .test_audit_structure import EMV_PAIRS as EMV
from .test_audit_structure import tlv, with_crc


def code(*pairs: tuple[str, str]) -> str:
    return with_crc(tlv(*pairs) + "6304")


def emvco_builder() -> jpqr.Builder:
    return (
        jpqr.Builder("emvco")
        .merchant_account("02", value="4000123456789012")
        .merchant_category_code("5999")
        .currency("USD")
        .country("US")
        .merchant_name("SHOP")
        .merchant_city("NYC")
    )


class TestPaymentSystemTemplateIsFormatS:
    """SPEC §3: ID 62 is format S and its 50-99 are payment-system templates with a GUID in 00;
    nothing makes their data ans (only the GUID is ans, as in every template). The data of
    62-50..99 may be any text, like that of the unreserved templates 80-99."""

    def test_non_ascii_data_is_valid(self, impl: ModuleType) -> None:
        template = tlv(("00", "com.example"), ("01", "東京駅"))
        report = jpqr.validate(code(*EMV, ("62", tlv(("50", template)))))
        assert report.ok, report.errors

    def test_the_guid_stays_ans(self, impl: ModuleType) -> None:
        template = tlv(("00", "例え.jp"), ("01", "x"))
        report = jpqr.validate(code(*EMV, ("62", tlv(("50", template)))))
        assert [(e.code, e.path) for e in report.errors] == [("field.charset", "62.50.00")]

    def test_control_characters_are_still_refused(self, impl: ModuleType) -> None:
        template = tlv(("00", "com.example"), ("01", "a\x07"))
        report = jpqr.validate(code(*EMV, ("62", tlv(("50", template)))))
        assert [(e.code, e.path) for e in report.errors] == [("field.charset", "62.50.01")]

    def test_builder_accepts_what_validate_accepts(self, impl: ModuleType) -> None:
        payload = (
            emvco_builder().payment_system_template("50", "com.example", **{"01": "東京駅"})
        ).to_payload()
        assert "62" in [o.id for o in jpqr.decode(payload)]
        assert jpqr.validate(payload).ok

    def test_schema_table(self) -> None:
        assert jpqr.schema.field_spec("62.50.01").format == "S"  # type: ignore[union-attr]
        assert jpqr.schema.field_spec("62.50.00").format == "ans"  # type: ignore[union-attr]
        assert jpqr.schema.field_spec("26.01").format == "ans"  # type: ignore[union-attr]


def jpqr_builder() -> jpqr.Builder:
    return (
        jpqr.Builder()
        .dynamic()
        .jpqr_identifier("0000000000001", "0001", "000001", "000001")
        .merchant_category_code("5999")
        .merchant_name("EV CHARGE")
        .merchant_city("TOKYO")
        .postal_code("1066143")
        .language("JA", "EV充電")
    )


def build_error(make: object) -> jpqr.BuildError:
    try:
        make()  # type: ignore[operator]
    except jpqr.BuildError as exc:
        return exc
    raise AssertionError("no BuildError")


class TestBuilderAgreesWithValidate:
    """DESIGN "Builder": it refuses any value that would make an invalid code, with jpqr's error
    types, and never emits a code that ``jpqr.validate`` (profile "auto") rejects."""

    @pytest.mark.parametrize("text", [" 5", "5 ", "5_000", "１５", "1e3", "+5", "5,00", "٣"])
    def test_amount_text_must_be_written_as_emvco_writes_it(
        self, impl: ModuleType, text: str
    ) -> None:
        # Decimal() reads all of these; ID 54 would reject every one of them (SPEC §3).
        exc = build_error(lambda: jpqr_builder().amount(text))
        assert (exc.code, exc.path) == ("amount.format", "54")
        exc = build_error(lambda: jpqr_builder().convenience_fee(text))
        assert (exc.code, exc.path) == ("amount.format", "56")

    @pytest.mark.parametrize(("text", "wire"), [("1500", "1500"), ("1500.", "1500"), ("015", "15")])
    def test_amount_text_in_emvco_form_is_accepted(
        self, impl: ModuleType, text: str, wire: str
    ) -> None:
        payload = jpqr_builder().amount(text).to_payload()
        assert dict((o.id, o.value) for o in jpqr.decode(payload))["54"] == wire
        assert jpqr.validate(payload).ok

    def test_currency_and_country_of_the_wrong_type(self, impl: ModuleType) -> None:
        exc = build_error(lambda: emvco_builder().currency(392))  # type: ignore[arg-type]
        assert (exc.code, exc.path) == ("build.type", "53")
        exc = build_error(lambda: emvco_builder().country(81))  # type: ignore[arg-type]
        assert (exc.code, exc.path) == ("build.type", "58")

    def test_emvco_build_with_the_jpqr_guid_is_checked_as_jpqr(self, impl: ModuleType) -> None:
        # Under "auto" this code is JPQR (SPEC §4: the GUID in any 26-51 template), and breaks
        # its rules (level 1 of 1 character, country US, ...): the builder must not emit it.
        builder = emvco_builder().merchant_account("27", "jp.or.paymentsjapan", **{"01": "x"})
        exc = build_error(builder.build)
        assert exc.code in {"field.length", "jpqr.identifier", "jpqr.country"}
        assert not jpqr.validate(
            code(
                *EMV[:2],
                ("27", tlv(("00", "jp.or.paymentsjapan"), ("01", "x"))),
                *EMV[2:],
            )
        ).ok

    def test_jpqr_identifier_set_twice_keeps_the_last(self, impl: ModuleType) -> None:
        payload = (
            jpqr_builder()
            .jpqr_identifier("1111111111111", "0002", "000002", "000002", template_id="27")
            .to_payload()
        )
        ids = [o.id for o in jpqr.decode(payload)]
        assert "27" in ids and "26" not in ids

    def test_encoding_error_message_says_where_once(self, impl: ModuleType) -> None:
        builder = jpqr_builder()
        for setter in ("bill_number", "mobile_number", "store_label", "loyalty_number"):
            getattr(builder, setter)("x" * 25)
        exc = build_error(builder.build)
        assert (exc.code, exc.path) == ("tlv.value_too_long", "62")
        assert str(exc).count("(at ID 62)") == 1


IDENTIFIER_LEVELS = [("02", "0001"), ("03", "000001"), ("04", "000001")]
JPQR_CODE = [
    ("00", "01"),
    ("01", "12"),
    ("52", "5999"),
    ("53", "392"),
    ("58", "JP"),
    ("59", "EV CHARGE"),
    ("60", "TOKYO"),
    ("61", "1066143"),
    ("64", tlv(("00", "JA"), ("01", "EV充電"))),
]


def jpqr_code(level1: str) -> str:
    identifier = tlv(("00", "jp.or.paymentsjapan"), ("01", level1), *IDENTIFIER_LEVELS)
    return code(*JPQR_CODE[:2], ("26", identifier), *JPQR_CODE[2:])


class TestOneFindingOnce:
    """A character outside ans (SPEC §1) inside a template is one finding, at its own path: it
    was reported at 26 (the whole template), at 26.01 (GUID_TEMPLATE) and again at 26.01 (the
    JPQR identifier's table)."""

    def test_non_ascii_in_a_jpqr_level(self, impl: ModuleType) -> None:
        report = jpqr.validate(jpqr_code("00000000000é1"))  # 13 characters
        assert report.profile == "jpqr"
        assert [(e.code, e.path) for e in report.errors] == [("field.charset", "26.01")]

    def test_non_ascii_and_wrong_length_in_a_jpqr_level(self, impl: ModuleType) -> None:
        report = jpqr.validate(jpqr_code("0000000000é1"))  # 12 characters
        assert sorted((e.code, e.path) for e in report.errors) == [
            ("field.charset", "26.01"),
            ("field.length", "26.01"),
        ]

    def test_non_ascii_guid(self, impl: ModuleType) -> None:
        report = jpqr.validate(code(*EMV, ("26", tlv(("00", "é")))))
        assert [(e.code, e.path) for e in report.errors] == [("field.charset", "26.00")]

    def test_a_jpqr_level_of_the_wrong_length_is_still_reported(self, impl: ModuleType) -> None:
        report = jpqr.validate(jpqr_code("000000000001"))
        assert [(e.code, e.path) for e in report.errors] == [("field.length", "26.01")]
        assert "13 characters" in report.errors[0].message


class TestConvenienceFeeIsAnAmount:
    """SPEC §3: 56 has the amount format, and amounts' decimals should match the currency's
    exponent; SPEC §4: yen are whole. The builder already refused a fee of 1.5 yen; validate
    said nothing about it."""

    def test_fee_in_yen_with_decimals_is_refused_under_jpqr(self, impl: ModuleType) -> None:
        report = jpqr.validate(code(*JPQR_CODE[:2], *jpqr_identifier(), *tip("1.5")))
        assert [(e.code, e.path) for e in report.errors] == [("jpqr.amount", "56")]
        assert "ID 56" in report.errors[0].message

    def test_fee_in_whole_yen_is_valid(self, impl: ModuleType) -> None:
        report = jpqr.validate(code(*JPQR_CODE[:2], *jpqr_identifier(), *tip("15")))
        assert report.ok, report.errors

    def test_fee_decimals_beyond_the_minor_unit_warn_under_emvco(self, impl: ModuleType) -> None:
        report = jpqr.validate(code(*EMV, ("55", "02"), ("56", "1.234")))  # USD: 2 decimals
        assert report.ok
        assert [(w.code, w.path) for w in report.warnings] == [("amount.decimals", "56")]

    def test_builder_refuses_the_same_fee(self, impl: ModuleType) -> None:
        exc = build_error(lambda: jpqr_builder().convenience_fee("1.5").build())
        assert (exc.code, exc.path) == ("amount.decimals", "56")


def jpqr_identifier() -> list[tuple[str, str]]:
    return [("26", tlv(("00", "jp.or.paymentsjapan"), ("01", "0" * 13), *IDENTIFIER_LEVELS))]


def tip(fee: str) -> list[tuple[str, str]]:
    """The rest of the JPQR code with 55 = 02 and the fixed fee ``fee`` in ascending order."""
    return [*JPQR_CODE[2:4], ("55", "02"), ("56", fee), *JPQR_CODE[4:]]


class TestConveniencePercentageCode:
    """SPEC §3, ID 57: 00.01-99.99 without "%". validate calls every miss tip.percentage; the
    builder called some of them amount.format or amount.zero."""

    @pytest.mark.parametrize("value", ["5%", "0", "0.00", "100", "-1", "1e3", "5,5"])
    def test_same_code_as_validate(self, impl: ModuleType, value: str) -> None:
        report = jpqr.validate(code(*EMV[:7], ("55", "03"), ("57", value), *EMV[7:]))
        assert ("tip.percentage", "57") in [(e.code, e.path) for e in report.errors]
        exc = build_error(lambda: emvco_builder().convenience_percentage(value))
        assert (exc.code, exc.path) == ("tip.percentage", "57")

    def test_zero_as_a_number(self, impl: ModuleType) -> None:
        exc = build_error(lambda: emvco_builder().convenience_percentage(0))
        assert (exc.code, exc.path) == ("tip.percentage", "57")

    def test_wrong_type_is_still_build_type(self, impl: ModuleType) -> None:
        exc = build_error(lambda: emvco_builder().convenience_percentage(5.5))  # type: ignore[arg-type]
        assert exc.code == "build.type"


class TestDocumentedChoicesWhereTheSpecIsSilent:
    """docs/validation.md "Choices": each one held by a test."""

    @pytest.mark.parametrize("value", ["5", "05", "5.5", "05.50", "00.01", "99.99"])
    def test_percentage_forms_accepted(self, impl: ModuleType, value: str) -> None:
        report = jpqr.validate(code(*EMV, ("55", "03"), ("57", value)))
        assert report.ok, report.errors

    @pytest.mark.parametrize("value", ["5.", ".5", "005", "5.001", "00.00", "99.991"])
    def test_percentage_forms_refused(self, impl: ModuleType, value: str) -> None:
        report = jpqr.validate(code(*EMV, ("55", "03"), ("57", value)))
        assert "tip.percentage" in [e.code for e in report.errors]

    def test_62_00_is_accepted_unchecked(self, impl: ModuleType) -> None:
        # EMVCo's table for 62 starts at 01; SPEC §3 gives 00 no meaning and no rule.
        report = jpqr.validate(code(*EMV, ("62", tlv(("00", "x"), ("05", "R1")))))
        assert report.ok and not report.warnings


def test_jpqr_identifier_replaces_one_set_through_merchant_account(impl: ModuleType) -> None:
    # The GUID compares case-insensitively (SPEC §3, [CR] §4.7.11.2): this is the same identifier.
    levels = {"01": "1" * 13, "02": "0002", "03": "000002", "04": "000002"}
    payload = (
        jpqr_builder()
        .merchant_account("27", "JP.OR.PAYMENTSJAPAN", **levels)
        .jpqr_identifier("0000000000001", "0001", "000001", "000001", template_id="26")
        .to_payload()
    )
    assert [o.id for o in jpqr.decode(payload) if "26" <= o.id <= "51"] == ["26"]


def test_empty_postal_code_is_one_finding(impl: ModuleType) -> None:
    body = tlv(*JPQR_CODE[:2], *jpqr_identifier(), *JPQR_CODE[2:7]) + "6100"
    report = jpqr.validate(with_crc(body + tlv(JPQR_CODE[8]) + "6304"))
    assert [(e.code, e.path) for e in report.errors] == [("tlv.zero_length", "61")]

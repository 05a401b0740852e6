"""Audit against SPEC.md §3 (root objects, 62 and 64 sub-objects) and the Builder's agreement
with ``validate``. Payloads are built here; CRCs come from ``binascii.crc_hqx`` (SPEC §2)."""

from __future__ import annotations

import binascii
from types import ModuleType

import jpqr


def tlv(*pairs: tuple[str, str]) -> str:
    return "".join(f"{id}{len(value):02d}{value}" for id, value in pairs)


def code(*pairs: tuple[str, str]) -> str:
    body = tlv(*pairs) + "6304"
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


EMV = [
    ("00", "01"),
    ("01", "11"),
    ("02", "4000123456789012"),
    ("52", "5999"),
    ("53", "840"),
    ("58", "US"),
    ("59", "SHOP"),
    ("60", "NYC"),
]


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

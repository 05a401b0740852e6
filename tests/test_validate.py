"""Every rule of SPEC.md §1-4 as a passing and a failing case, on both twins (``impl``).

Payloads are assembled here with character-counted lengths and a CRC from ``binascii.crc_hqx``
(CRC-16/CCITT-FALSE with init 0xFFFF, SPEC §2), independently of the code under test.
"""

from __future__ import annotations

import binascii
import unicodedata
from types import ModuleType

import pytest

import jpqr
from jpqr.report import ValidationReport

Pairs = list[tuple[str, str]]


def tlv(*pairs: tuple[str, str]) -> str:
    return "".join(f"{id}{len(value):02d}{value}" for id, value in pairs)


def crc_of(body: str) -> str:
    return f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


def code(pairs: Pairs) -> str:
    """The payload of ``pairs`` with a correct CRC appended."""
    body = tlv(*pairs) + "6304"
    return body + crc_of(body)


IDENTIFIER = tlv(
    ("00", "jp.or.paymentsjapan"),
    ("01", "0000000000001"),
    ("02", "0001"),
    ("03", "000001"),
    ("04", "000001"),
)
# A dynamic JPQR for one charging session (SPEC §4-5), valid under both profiles' rules.
BASE: Pairs = [
    ("00", "01"),
    ("01", "12"),
    ("26", IDENTIFIER),
    ("52", "5999"),
    ("53", "392"),
    ("54", "1500"),
    ("58", "JP"),
    ("59", "EV CHARGE"),
    ("60", "TOKYO"),
    ("61", "1066143"),
    ("62", tlv(("05", "S-1"), ("07", "EVSE-1"))),
    ("64", tlv(("00", "JA"), ("01", "EV充電ステーション"))),
]
# An EMVCo code of another country (no JPQR rules apply). Its account is the EMVCo example's
# (EMV QRCPS-MPM v1.1 Appendix A: 29, GUID D15600000000), which marks no national scheme, so
# "auto" applies emvco (a PromptPay AID here would make it a PromptPay code: issue 12).
EMV: Pairs = [
    ("00", "01"),
    ("01", "11"),
    ("29", tlv(("00", "D15600000000"), ("05", "A93FO3230Q"))),
    ("52", "5812"),
    ("53", "840"),
    ("58", "US"),
    ("59", "DINER"),
    ("60", "NEW YORK"),
]


def replace(pairs: Pairs, **changes: str | None) -> Pairs:
    """``pairs`` with IDs replaced (``_52="..."``) or dropped (``_52=None``); new IDs appended."""
    result: Pairs = []
    wanted = {key.lstrip("_"): value for key, value in changes.items()}
    for id, value in pairs:
        if id in wanted:
            new = wanted.pop(id)
            if new is not None:
                result.append((id, new))
        else:
            result.append((id, value))
    result.extend((id, value) for id, value in wanted.items() if value is not None)
    return result


def codes(report: ValidationReport) -> list[str]:
    return [issue.code for issue in report.errors]


def warning_codes(report: ValidationReport) -> list[str]:
    return [issue.code for issue in report.warnings]


def test_bases_are_valid(impl: ModuleType) -> None:
    report = jpqr.validate(code(BASE))
    assert report.ok and report.profile == "jpqr" and report.crc == "ok", report.errors
    assert not report.warnings
    report = jpqr.validate(code(EMV))
    assert report.ok and report.profile == "emvco", report.errors


# (rule, profile, valid variant, invalid variant, the code the invalid one must carry)
RULES = [
    # SPEC §1: 00 first, 63 last, one occurrence per level, length 00 invalid, templates hold TLV
    ("00 first", "emvco", code(EMV), code([EMV[1], EMV[0], *EMV[2:]]), "position.first"),
    (
        "63 last",
        "emvco",
        code(EMV),
        tlv(*EMV[:3], ("63", "ABCD"), *EMV[3:]) + "6304" + crc_of(tlv(*EMV) + "6304"),
        "position.last",
    ),
    ("duplicate at root", "emvco", code(EMV), code([*EMV, ("59", "DINER")]), "duplicate.id"),
    (
        "duplicate in template",
        "jpqr",
        code(BASE),
        code(replace(BASE, _62=tlv(("05", "S-1"), ("05", "S-2")))),
        "duplicate.id",
    ),
    ("zero length", "emvco", code(EMV), code([*EMV, ("62", "")]), "tlv.zero_length"),
    (
        "template not TLV",
        "emvco",
        code([*EMV, ("62", "0503ABC")]),
        code([*EMV, ("62", "hello")]),
        "tlv.template_not_tlv",
    ),
    (
        "over 512 characters",
        "emvco",
        code(EMV),
        code(EMV + [(f"{80 + n}", tlv(("00", "com.example"), ("01", "x" * 80))) for n in range(6)]),
        "payload.too_long",
    ),
    # SPEC §2
    ("CRC", "emvco", code(EMV), code(EMV)[:-1] + "0", "crc.mismatch"),
    ("CRC present", "emvco", code(EMV), tlv(*EMV), "crc.missing"),
    ("CRC zero padded", "emvco", code(EMV), code(EMV)[:-8] + "6303" + "ABC", "crc.missing"),
    # SPEC §3, presence
    *[
        (
            f"{id} mandatory",
            "emvco",
            code(EMV),
            code(replace(EMV, **{f"_{id}": None})),
            "field.missing",
        )
        for id in ("00", "52", "53", "58", "59", "60")
    ],
    ("an account", "emvco", code(EMV), code(replace(EMV, _29=None)), "account.missing"),
    (
        "GUID in 26-51",
        "emvco",
        code(EMV),
        code(replace(EMV, _29=tlv(("01", "0066801234567")))),
        "field.missing",
    ),
    (
        "GUID length",
        "emvco",
        code(replace(EMV, _29=tlv(("00", "A" * 32)))),
        code(replace(EMV, _29=tlv(("00", "A" * 33)))),
        "field.length",
    ),
    (
        "GUID in 80-99",
        "emvco",
        code([*EMV, ("80", tlv(("00", "com.example"), ("01", "x")))]),
        code([*EMV, ("80", tlv(("01", "x")))]),
        "field.missing",
    ),
    (
        "GUID in 62-50",
        "emvco",
        code([*EMV, ("62", tlv(("50", tlv(("00", "com.example"), ("01", "x")))))]),
        code([*EMV, ("62", tlv(("50", tlv(("01", "x")))))]),
        "field.missing",
    ),
    # SPEC §3, formats and lengths
    ("N format", "emvco", code(EMV), code(replace(EMV, _52="58A2")), "field.format"),
    ("length", "emvco", code(EMV), code(replace(EMV, _59="X" * 26)), "field.length"),
    ("ans in 60", "emvco", code(EMV), code(replace(EMV, _60="NEW YÖRK")), "field.charset"),
    ("ans 0x7F", "emvco", code(EMV), code(replace(EMV, _59="DINER\x7f")), "field.charset"),
    (
        "ans in 62-05",
        "jpqr",
        code(BASE),
        code(replace(BASE, _62=tlv(("05", "充電")))),
        "field.charset",
    ),
    (
        "S without control characters",
        "jpqr",
        code(BASE),
        code(replace(BASE, _64=tlv(("00", "JA"), ("01", "EV\x08充電")))),
        "field.charset",
    ),
    # SPEC §3, values
    ("PFI 01", "emvco", code(EMV), code(replace(EMV, _00="02")), "field.value"),
    ("POI 11/12", "emvco", code(EMV), code(replace(EMV, _01="13")), "field.value"),
    ("ISO 4217", "emvco", code(EMV), code(replace(EMV, _53="000")), "currency.unknown"),
    ("ISO 3166", "emvco", code(EMV), code(replace(EMV, _58="XX")), "country.unknown"),
    ("ISO 3166 case", "emvco", code(EMV), code(replace(EMV, _58="us")), "country.unknown"),
    (
        "amount digits",
        "emvco",
        code([*EMV, ("54", "98.")]),
        code([*EMV, ("54", "98,73")]),
        "amount.format",
    ),
    (
        "one decimal mark",
        "emvco",
        code([*EMV, ("54", "98.73")]),
        code([*EMV, ("54", "9.8.7")]),
        "amount.format",
    ),
    (
        "amount not zero",
        "emvco",
        code([*EMV, ("54", "0.01")]),
        code([*EMV, ("54", "0.00")]),
        "amount.zero",
    ),
    (
        "tip indicator",
        "emvco",
        code([*EMV, ("55", "01")]),
        code([*EMV, ("55", "04")]),
        "field.value",
    ),
    (
        "fee with 55=02",
        "emvco",
        code([*EMV, ("55", "02"), ("56", "1.00")]),
        code([*EMV, ("55", "02")]),
        "field.missing",
    ),
    ("fee only with 55=02", "emvco", code(EMV), code([*EMV, ("56", "1.00")]), "tip.unexpected"),
    (
        "fee not zero",
        "emvco",
        code([*EMV, ("55", "02"), ("56", "1.00")]),
        code([*EMV, ("55", "02"), ("56", "0")]),
        "amount.zero",
    ),
    (
        "percentage with 55=03",
        "emvco",
        code([*EMV, ("55", "03"), ("57", "3.5")]),
        code([*EMV, ("55", "03")]),
        "field.missing",
    ),
    (
        "percentage only with 55=03",
        "emvco",
        code([*EMV, ("55", "02"), ("56", "1")]),
        code([*EMV, ("55", "02"), ("56", "1"), ("57", "3.5")]),
        "tip.unexpected",
    ),
    *[
        (
            f"percentage {bad}",
            "emvco",
            code([*EMV, ("55", "03"), ("57", "99.99")]),
            code([*EMV, ("55", "03"), ("57", bad)]),
            "tip.percentage",
        )
        for bad in ("100", "0", "3.5%", "1.234")
    ],
    (
        "consumer data A, M, E",
        "emvco",
        code([*EMV, ("62", tlv(("09", "AME")))]),
        code([*EMV, ("62", tlv(("09", "AX")))]),
        "additional.consumer_data",
    ),
    (
        "consumer data once each",
        "emvco",
        code([*EMV, ("62", tlv(("09", "ME")))]),
        code([*EMV, ("62", tlv(("09", "MM")))]),
        "additional.consumer_data",
    ),
    (
        "merchant channel of 3",
        "emvco",
        code([*EMV, ("62", tlv(("11", "123")))]),
        code([*EMV, ("62", tlv(("11", "12")))]),
        "field.length",
    ),
    (
        "64-00 mandatory",
        "emvco",
        code([*EMV, ("64", tlv(("00", "ZH"), ("01", "北京")))]),
        code([*EMV, ("64", tlv(("01", "北京")))]),
        "field.missing",
    ),
    (
        "64-01 mandatory",
        "emvco",
        code([*EMV, ("64", tlv(("00", "km"), ("01", "ភ្នំពេញ")))]),
        code([*EMV, ("64", tlv(("00", "ZH")))]),
        "field.missing",
    ),
    (
        "64-00 letters",
        "emvco",
        code([*EMV, ("64", tlv(("00", "ZH"), ("01", "北京")))]),
        code([*EMV, ("64", tlv(("00", "Z1"), ("01", "北京")))]),
        "field.value",
    ),
    # SPEC §4, JPQR
    (
        "JPQR identifier",
        "jpqr",
        code(BASE),
        code(replace(BASE, _26=None, _29=EMV[2][1])),
        "jpqr.identifier",
    ),
    (
        "JPQR level 4",
        "jpqr",
        code(BASE),
        code(replace(BASE, _26=IDENTIFIER[: -len("0406000001")])),
        "jpqr.identifier",
    ),
    (
        "JPQR level length",
        "jpqr",
        code(BASE),
        code(replace(BASE, _26=IDENTIFIER.replace("01130000000000001", "0112000000000001"))),
        "field.length",
    ),
    ("JPQR country", "jpqr", code(BASE), code(replace(BASE, _58="CN")), "jpqr.country"),
    (
        "JPQR currency",
        "jpqr",
        code(BASE),
        code(replace(BASE, _53="156", _54="15.00")),
        "jpqr.currency",
    ),
    ("JPQR postal code", "jpqr", code(BASE), code(replace(BASE, _61=None)), "jpqr.postal_code"),
    (
        "JPQR postal digits",
        "jpqr",
        code(BASE),
        code(replace(BASE, _61="106-6143")),
        "jpqr.postal_code",
    ),
    ("JPQR 64", "jpqr", code(BASE), code(replace(BASE, _64=None)), "jpqr.language"),
    (
        "JPQR 64-00 JA",
        "jpqr",
        code(replace(BASE, _64=tlv(("00", "ja"), ("01", "充電")))),
        code(replace(BASE, _64=tlv(("00", "EN"), ("01", "CHARGE")))),
        "jpqr.language",
    ),
    (
        "JPQR no 64-02",
        "jpqr",
        code(BASE),
        code(replace(BASE, _64=tlv(("00", "JA"), ("01", "充電"), ("02", "東京")))),
        "jpqr.language",
    ),
    (
        "JPQR whole yen",
        "jpqr",
        code(replace(BASE, _54="1500.")),
        code(replace(BASE, _54="1500.5")),
        "jpqr.amount",
    ),
]


@pytest.mark.parametrize(
    ("profile", "good", "bad", "expected"),
    [rule[1:] for rule in RULES],
    ids=[rule[0] for rule in RULES],
)
def test_rule(impl: ModuleType, profile: str, good: str, bad: str, expected: str) -> None:
    passing = jpqr.validate(good, profile)
    assert passing.ok, passing.errors
    assert expected not in codes(passing)
    failing = jpqr.validate(bad, profile)
    assert not failing.ok
    assert expected in codes(failing), failing.errors
    assert jpqr.is_valid(good, profile) and not jpqr.is_valid(bad, profile)
    issue = next(i for i in failing.errors if i.code == expected)
    assert issue.message.startswith("expected") and "found" in issue.message


def test_issue_paths_and_offsets(impl: ModuleType) -> None:
    payload = code(replace(EMV, _59="X" * 26))
    issue = jpqr.validate(payload).errors[0]
    assert issue.path == "59" and issue.offset is not None
    assert payload[issue.offset : issue.offset + 4] == "5926"
    payload = code([*EMV, ("62", tlv(("05", "S-1"), ("09", "AX")))])
    issue = jpqr.validate(payload).errors[0]
    assert issue.path == "62.09" and issue.offset is not None
    assert payload[issue.offset :].startswith("0902AX")


def test_all_issues_are_collected(impl: ModuleType) -> None:
    payload = code(replace(EMV, _52="58A2", _58="XX", _59=None))[:-1] + "Z"
    assert set(codes(jpqr.validate(payload))) == {
        "field.format",
        "country.unknown",
        "field.missing",
        "crc.mismatch",
    }


# --- CRC verdicts and choices (DESIGN "Choices") ---------------------------------------------


def test_lowercase_crc_warns_or_fails_in_strict(impl: ModuleType) -> None:
    # The first city name whose CRC has a letter in it.
    payload = next(
        p
        for p in (code(replace(EMV, _60=f"CITY {n}")) for n in range(20))
        if p[-4:] != p[-4:].lower()
    )
    lower = payload[:-4] + payload[-4:].lower()
    report = jpqr.validate(lower)
    assert report.ok and report.crc == "lowercase" and warning_codes(report) == ["crc.lowercase"]
    strict = jpqr.validate(lower, strict=True)
    assert not strict.ok and codes(strict) == ["crc.lowercase"]
    assert jpqr.validate(payload, strict=True).ok


def test_crc_judged_when_structure_fails(impl: ModuleType) -> None:
    # 59 declares 30 characters and swallows the rest: the text does not decode, the CRC is right.
    body = tlv(*EMV[:5]) + "5930DINER" + tlv(*EMV[6:]) + "6304"
    report = jpqr.validate(body + crc_of(body))
    assert report.crc == "ok"
    assert codes(report)[0].startswith("tlv.")


@pytest.mark.parametrize(
    ("mistake", "make_crc", "hint"),
    [
        ("6304 left out", lambda body: crc_of(body[:-4]), "6304 left out"),
        ("init 0x1111", lambda body: f"{binascii.crc_hqx(body.encode(), 0x1111):04X}", "0x1111"),
    ],
)
def test_crc_mismatch_names_the_mistake(impl: ModuleType, mistake: str, make_crc, hint) -> None:  # type: ignore[no-untyped-def]
    body = tlv(*EMV) + "6304"
    report = jpqr.validate(body + make_crc(body))
    assert report.crc == "mismatch"
    assert hint in report.errors[-1].message


def test_crc_over_latin1_is_named(impl: ModuleType) -> None:
    body = tlv(*replace(EMV, _60="SÃO PAULO")) + "6304"
    wrong = f"{binascii.crc_hqx(body.encode('latin-1'), 0xFFFF):04X}"
    report = jpqr.validate(body + wrong)
    assert "crc.mismatch" in codes(report)
    assert "Latin-1" in next(i for i in report.errors if i.code == "crc.mismatch").message


@pytest.mark.parametrize("suffix", ["\n", "\r\n", " "])
def test_trailing_line_end_is_an_error_or_stripped(impl: ModuleType, suffix: str) -> None:
    payload = code(EMV)
    report = jpqr.validate(payload + suffix)
    assert codes(report) == ["tlv.trailing_characters", "crc.missing"]
    assert "right once the characters after it are removed" in report.errors[1].message
    lenient = jpqr.validate(payload + suffix, lenient=True)
    assert lenient.ok and warning_codes(lenient) == ["payload.stripped"]
    assert lenient.payload == payload
    assert jpqr.parse(payload + suffix, lenient=True).to_payload() == payload


def test_bom_is_an_error_or_stripped(impl: ModuleType) -> None:
    payload = code(EMV)
    report = jpqr.validate("\ufeff" + payload)
    assert codes(report) == ["tlv.bom", "crc.mismatch"] and report.crc == "mismatch"
    assert "right once the byte order mark at the start is removed" in report.errors[1].message
    # One warning for each end stripped (issue 12: the leading noise gets its own).
    for given, warned in (("\ufeff" + payload, 1), (("\ufeff" + payload + "\r\n").encode(), 2)):
        lenient = jpqr.validate(given, lenient=True)
        assert lenient.ok and warning_codes(lenient) == ["payload.stripped"] * warned


def test_bytes_input(impl: ModuleType) -> None:
    payload = code(BASE)
    assert jpqr.validate(payload.encode("utf-8")).ok
    bad = payload.encode("utf-8").replace("充".encode(), b"\xff\xfe\xfd")
    report = jpqr.validate(bad)
    assert codes(report)[0] == "tlv.invalid_utf8" and not report.ok


def test_empty_payload(impl: ModuleType) -> None:
    for empty in ("", b"", "\r\n"):
        report = jpqr.validate(empty, lenient=True)
        assert codes(report) == ["payload.empty"] and report.crc == "missing"
    assert codes(jpqr.validate("")) == ["payload.empty"]
    with pytest.raises(jpqr.DecodeError):
        jpqr.parse("")


def test_input_over_the_hard_cap(impl: ModuleType) -> None:
    report = jpqr.validate("0" * 5000)
    assert codes(report)[0] == "tlv.too_long"


def test_decode_error_keeps_its_code_and_offset(impl: ModuleType) -> None:
    payload = code(EMV)[:30]
    report = jpqr.validate(payload)
    with pytest.raises(jpqr.DecodeError) as caught:
        impl.decode(payload)
    first = report.errors[0]
    assert (first.code, first.offset, first.path) == (
        caught.value.code,
        caught.value.offset,
        caught.value.path,
    )
    with pytest.raises(jpqr.DecodeError):
        jpqr.parse(payload)


def test_template_not_tlv_says_where(impl: ModuleType) -> None:
    payload = code([*EMV, ("62", "0510ABC")])
    issue = next(i for i in jpqr.validate(payload).errors if i.code == "tlv.template_not_tlv")
    assert issue.path == "62"
    assert "expected 10 characters of value for ID 05" in issue.message


def test_byte_counted_lengths_get_a_hint(impl: ModuleType) -> None:
    name = "EV充電ステーション"
    counted_in_bytes = f"0002JA01{len(name.encode()):02d}{name}"
    body = tlv(*BASE[:-1]) + f"64{len(counted_in_bytes.encode()):02d}{counted_in_bytes}" + "6304"
    report = jpqr.validate(body + crc_of(body))
    assert "tlv.utf8_byte_lengths" in codes(report)
    assert "tlv.utf8_byte_lengths" not in codes(jpqr.validate(code(BASE)))


def test_nfd_text_in_s_field_is_a_warning(impl: ModuleType) -> None:
    nfd = unicodedata.normalize("NFD", "ガソリン")
    assert nfd != "ガソリン"
    report = jpqr.validate(code(replace(BASE, _64=tlv(("00", "JA"), ("01", nfd)))))
    assert report.ok and warning_codes(report) == ["text.not_nfc"]


def test_nfd_text_in_ans_field_is_an_error(impl: ModuleType) -> None:
    nfd = unicodedata.normalize("NFD", "BRASÍLIA")
    report = jpqr.validate(code(replace(EMV, _60=nfd)))
    assert codes(report) == ["field.charset"]
    assert "decomposed" in report.errors[0].message


def test_amount_decimals_beyond_the_currency_is_a_warning(impl: ModuleType) -> None:
    report = jpqr.validate(code([*EMV, ("54", "1.234")]))
    assert report.ok and warning_codes(report) == ["amount.decimals"]


def test_guid_not_first_is_a_warning(impl: ModuleType) -> None:
    report = jpqr.validate(code(replace(EMV, _29=tlv(("01", "0066801234567"), ("00", "A0")))))
    assert report.ok and warning_codes(report) == ["position.guid"]


def test_ascending_order_is_not_required(impl: ModuleType) -> None:
    # SPEC §1: the JPQR sample of [ME] puts 60 before 01.
    assert jpqr.validate(code([BASE[0], ("60", "TOKYO"), *replace(BASE[1:], _60=None)])).ok


# --- profiles ----------------------------------------------------------------------------------


def test_auto_picks_jpqr_by_guid_any_case(impl: ModuleType) -> None:
    upper = replace(BASE, _26=IDENTIFIER.replace("jp.or.paymentsjapan", "JP.OR.PAYMENTSJAPAN"))
    for pairs in (BASE, upper):
        report = jpqr.validate(code(pairs))
        assert report.profile == "jpqr" and report.ok
    assert jpqr.validate(code(EMV)).profile == "emvco"
    assert jpqr.validate(code(BASE), "emvco").profile == "emvco"
    assert jpqr.validate(code(EMV), "jpqr").profile == "jpqr"


def test_unknown_profile_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        jpqr.validate(code(EMV), "no-such-profile")  # pix is one now (issue 12)


def test_bad_argument_type() -> None:
    with pytest.raises(TypeError):
        jpqr.validate(12345)  # type: ignore[arg-type]


def test_report_to_dict(impl: ModuleType) -> None:
    payload = code(replace(EMV, _59=None))
    data = jpqr.validate(payload).to_dict()
    assert data == {
        "valid": False,
        "profile": "emvco",
        "crc": "ok",
        "errors": [
            {
                "code": "field.missing",
                "path": "59",
                "offset": None,
                "message": "expected ID 59 (Merchant Name), found none",
            }
        ],
        "warnings": [],
    }


# --- parse and typed objects -------------------------------------------------------------------


def test_parse_gives_typed_fields(impl: ModuleType) -> None:
    from decimal import Decimal

    parsed = jpqr.parse(code(BASE))
    assert parsed.point_of_initiation == "dynamic" and parsed.is_dynamic
    assert parsed.jpqr is not None
    assert (parsed.jpqr.level1, parsed.jpqr.level2, parsed.jpqr.level3, parsed.jpqr.level4) == (
        "0000000000001",
        "0001",
        "000001",
        "000001",
    )
    assert parsed.amount == Decimal("1500") and isinstance(parsed.amount, Decimal)
    assert (parsed.currency.numeric, parsed.currency.alpha, parsed.currency.exponent) == (  # type: ignore[union-attr]
        "392",
        "JPY",
        0,
    )
    assert parsed.additional_data is not None
    assert parsed.additional_data.reference_label == "S-1"
    assert parsed.additional_data.terminal_label == "EVSE-1"
    assert parsed.language is not None and parsed.language.merchant_name == "EV充電ステーション"
    assert parsed.merchant_accounts[0].guid == "jp.or.paymentsjapan"
    assert parsed.to_payload() == code(BASE)


def test_parse_raises_validation_error_for_the_first_error(impl: ModuleType) -> None:
    with pytest.raises(jpqr.ValidationError) as caught:
        jpqr.parse(code(replace(BASE, _58="CN")))
    assert caught.value.code == "jpqr.country" and caught.value.path == "58"


def test_issue_codes_are_documented() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).parent.parent
    package = Path(jpqr.__file__).parent  # the jpqr under test, installed or in src/
    sources = [*(package / "profiles").glob("*.py"), package / "builder.py"]
    prefixes = "tlv|crc|position|duplicate|field|account|currency|country|amount|tip|additional"
    pattern = re.compile(rf'"((?:{prefixes}|text|payload|jpqr|build)\.[a-z_]+)"')
    emitted = set()
    for source in sources:
        emitted |= set(pattern.findall(source.read_text("utf-8")))
    # the decoder's codes reach reports too (CONTRACT.md)
    emitted |= {
        "tlv.truncated_header",
        "tlv.invalid_id",
        "tlv.invalid_length",
        "tlv.length_overrun",
        "tlv.trailing_characters",
        "tlv.bom",
        "tlv.invalid_utf8",
        "tlv.too_long",
        "tlv.released",
    }
    page = (root / "docs" / "issue-codes.md").read_text("utf-8")
    missing = sorted(code for code in emitted if f"`{code}`" not in page)
    assert not missing


def test_import_jpqr_stays_light() -> None:
    # DESIGN: `import jpqr` is fast; the validation layers load on first use.
    import subprocess
    import sys

    script = (
        "import sys, jpqr; heavy = [m for m in ('jpqr.api', 'jpqr.builder', 'jpqr.schema', "
        "'decimal', 'unicodedata') if m in sys.modules]; print(heavy); "
        "jpqr.validate; print('jpqr.api' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]

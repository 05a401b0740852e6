"""Transport noise (issue 12 item 5): copy-pasted codes start or end with white space, editors
and file exports put a byte order mark first. ``lenient=True`` strips white space (space, tab,
CR, LF) at both ends and byte order marks at the start, with one ``payload.stripped`` warning for
each end; without it the CRC message says the CRC is right once the noise is removed. Both twins.

Expected CRCs are computed here with ``tests/data/schemes/check_payloads.py``'s bitwise
CRC-16/CCITT-FALSE (written apart from jpqr), and the expected messages are written out.
"""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import jpqr

from .conftest import PUBLISHED
from .data.schemes.check_payloads import crc16_ccitt_false

# A valid JPQR code (benchmarks/payloads.py JPQR_VALID; its CRC checked below).
CODE = (
    "00020101021226680019jp.or.paymentsjapan011300000000000010204000103060000010406000001"
    "520459995303392540415005802JP5909EV CHARGE6005TOKYO61071066143"
    "62290515S-20261121-00420706EVSE-164200002JA0110EV充電ステーション6304519B"
)
BOM = "\ufeff"
LENIENT = "removed before checking (lenient mode)"
TRAILING = f"expected the payload alone, found trailing line ends or spaces; {LENIENT}"
TRAILING_TABS = f"expected the payload alone, found trailing tabs, line ends or spaces; {LENIENT}"


def crc_of(text: str) -> str:
    """The CRC of ``text`` up to and including its ``6304`` (independent of jpqr)."""
    return f"{crc16_ccitt_false(text.encode('utf-8')):04X}"


def leading(what: str) -> str:
    return f"expected the payload alone, found {what}; {LENIENT}"


def test_the_code_is_valid_by_an_independent_crc(impl: ModuleType) -> None:
    assert crc_of(CODE[:-4]) == CODE[-4:]
    assert jpqr.validate(CODE).ok and not jpqr.validate(CODE).warnings


@pytest.mark.parametrize(
    ("before", "after", "warnings"),
    [
        (" ", "", [leading("leading white space ' '")]),
        ("\t", "", [leading("leading white space '\\t'")]),
        ("\r\n \t", "", [leading("leading white space '\\r\\n \\t'")]),
        (BOM, "", [leading("a leading byte order mark")]),
        (BOM + "\t ", "", [leading("a leading byte order mark and leading white space '\\t '")]),
        ("\n" + BOM, "", [leading("a leading byte order mark and leading white space '\\n'")]),
        ("", "\r\n", [TRAILING]),
        ("", " \t", [TRAILING_TABS]),
        ("\t", "\n", [leading("leading white space '\\t'"), TRAILING]),
        (BOM, "\r\n", [leading("a leading byte order mark"), TRAILING]),
    ],
)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_lenient_strips_noise_at_either_end_with_a_warning_each(
    impl: ModuleType, before: str, after: str, warnings: list[str], as_bytes: bool
) -> None:
    text = before + CODE + after
    payload: str | bytes = text.encode("utf-8") if as_bytes else text
    report = jpqr.validate(payload, lenient=True)
    assert report.ok and report.crc == "ok" and report.payload == CODE, report.errors
    assert [(w.code, w.path, w.offset) for w in report.warnings] == [
        ("payload.stripped", "", None)
    ] * len(warnings)
    assert [w.message for w in report.warnings] == warnings
    assert jpqr.parse(payload, lenient=True).to_payload() == CODE
    # is_valid trusts a sure "invalid" of the compiled pass, whose gate for the noise lenient
    # did not strip before (leading white space, a trailing tab) is helper B's (issue 12).
    if impl.IMPLEMENTATION == "python" or (before in ("", BOM) and "\t" not in after):
        assert jpqr.is_valid(payload, lenient=True)


@pytest.mark.parametrize(
    ("before", "noise"),
    [
        (" ", "the white space"),
        ("\t\t", "the white space"),
        (BOM, "the byte order mark"),
        (BOM + " ", "the byte order mark and the white space"),
    ],
)
def test_without_lenient_the_mismatch_says_the_crc_is_right_once_leading_noise_goes(
    impl: ModuleType, before: str, noise: str
) -> None:
    text = before + CODE
    report = jpqr.validate(text)
    assert not report.ok and report.crc == "mismatch"
    (mismatch,) = [e for e in report.errors if e.code == "crc.mismatch"]
    verb = "are" if " and " in noise else "is"
    assert mismatch.message == (
        f"expected CRC {crc_of(text[:-4])} (CRC-16/CCITT-FALSE over the UTF-8 bytes up to and "
        f"including 6304), found '519B'; the CRC is right once {noise} at the start {verb} removed"
    )
    assert (mismatch.path, mismatch.offset) == ("63", len(text) - 4)


@pytest.mark.parametrize(
    ("before", "after", "hint"),
    [
        ("", "\r\n", "the characters after it are removed"),
        ("", "\t", "the characters after it are removed"),
        (" ", "\n", "the white space at the start and the characters after it are removed"),
        (
            BOM + "\t",
            " ",
            "the byte order mark and the white space at the start and the characters after it "
            "are removed",
        ),
    ],
)
def test_without_lenient_the_missing_crc_names_the_noise_at_both_ends(
    impl: ModuleType, before: str, after: str, hint: str
) -> None:
    text = before + CODE + after
    report = jpqr.validate(text)
    assert not report.ok and report.crc == "missing"
    (missing,) = [e for e in report.errors if e.code == "crc.missing"]
    assert missing.message.endswith(f"; the CRC is right once {hint}"), missing.message
    assert missing.message.startswith(
        "expected the payload to end with the CRC object: 6304 and four hex digits, found "
    )


def test_noise_inside_is_not_stripped(impl: ModuleType) -> None:
    # Only the ends: a space inside the code is the code's own (an error where it stands).
    inner = CODE[:10] + " " + CODE[10:]
    assert not jpqr.validate(inner, lenient=True).ok
    assert not [w for w in jpqr.validate(inner, lenient=True).warnings]


# --- the property: any valid code, any noise at either end -------------------------------------

CLEAN = sorted(
    {
        vector["payload"]
        for vector in PUBLISHED
        if vector["crc"] == "ok" and vector["tlv"] == "ok" and jpqr.validate(vector["payload"]).ok
    }
    | {CODE}
)
white = st.text(alphabet=" \t\r\n", max_size=4)
lead = st.lists(st.sampled_from([" ", "\t", "\r", "\n", BOM]), max_size=4).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=st.sampled_from(CLEAN), before=lead, after=white)
def test_any_valid_code_with_noise_at_either_end(
    impl: ModuleType, code: str, before: str, after: str
) -> None:
    assume(before or after)
    clean = jpqr.validate(code)
    text = before + code + after
    report = jpqr.validate(text, lenient=True)
    assert report.ok and report.payload == code, report.errors
    stripped = [w for w in report.warnings if w.code == "payload.stripped"]
    assert len(stripped) == bool(before) + bool(after)
    assert report.warnings[len(stripped) :] == clean.warnings  # the code's own, after them
    if before:
        assert stripped[0].message.startswith("expected the payload alone, found ")
        assert ("byte order mark" in stripped[0].message) == (BOM in before)
        assert ("white space" in stripped[0].message) == bool(before.replace(BOM, ""))
    if after:
        assert "trailing" in stripped[-1].message
    plain = jpqr.validate(text)
    assert not plain.ok
    crc = [e for e in plain.errors if e.code.startswith("crc.")]
    if after:
        assert [e.code for e in crc] == ["crc.missing"]
        assert crc[0].message.endswith("the characters after it are removed")
    else:
        assume(crc_of(text[:-4]) != text[-4:])  # noise whose CRC happens to match: no mismatch
        assert [e.code for e in crc] == ["crc.mismatch"]
        assert " at the start " in crc[0].message and crc[0].message.endswith(" removed")

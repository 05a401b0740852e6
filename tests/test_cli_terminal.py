"""The display helpers of the command line, in process: marking a part of any payload, escaping
what must not reach a terminal, locating issues. Widths are computed here with ``unicodedata``,
independently of jpqr._terminal."""

from __future__ import annotations

import unicodedata
from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

from jpqr._explain import locate
from jpqr._terminal import Marker, Style, safe

from .strategies import SCRIPTS
from .test_cli import JPQR_SAMPLE

# Payload text: every script of the shared strategies plus controls, formats and separators.
HOSTILE = SCRIPTS + "\x00\x07\x1b\x7f\x85\u200b\u202e\u2028\ufeff\ue000e\u0301"
payload_text = st.text(alphabet=HOSTILE, max_size=300)


def columns(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


@settings(max_examples=200)
@given(payload_text, st.data(), st.integers(min_value=20, max_value=120))
def test_excerpt_fits_and_carets_sit_under_the_mark(
    payload: str, data: st.DataObject, width: int
) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(payload)))
    end = data.draw(st.integers(min_value=start, max_value=len(payload)))
    line, carets = Marker(Style(colour=False), width=width).excerpt(payload, start, end).split("\n")
    assert line.isprintable()
    assert columns(line) <= width
    # The carets start under the first marked character, as escaped for display.
    lead = len(carets) - len(carets.lstrip(" "))
    assert set(carets[lead:]) == {"^"}
    if start < len(payload):
        first = safe(payload[start])
        assert any(
            columns(line[:i]) == lead and line[i:].startswith(first) for i in range(len(line))
        )


@given(payload_text)
def test_safe_text_is_printable(text: str) -> None:
    shown = safe(text)
    assert shown.isprintable()
    assert "\x1b" not in shown


def test_colour_marks_the_part() -> None:
    out = Marker(Style(colour=True)).excerpt("0002010102116304AD0B", 16, 20)
    assert "\x1b[1;4;31mAD0B\x1b[0m" in out


def test_locate_parts_of_the_jpqr_sample(impl: ModuleType) -> None:
    # Offsets worked out by hand from the published sample (tests/data/published.jsonl, #9).
    at_26 = JPQR_SAMPLE.index("2668")
    assert locate(JPQR_SAMPLE, "jpqr.identifier", "26", at_26) == (at_26, at_26 + 72)
    level2 = JPQR_SAMPLE.index("02040001")
    assert locate(JPQR_SAMPLE, "field.format", "26.02", level2) == (level2, level2 + 8)
    name = JPQR_SAMPLE.index("0108メルペイ")
    assert locate(JPQR_SAMPLE, "field.length", "64.01", None) == (name, name + 12)
    crc = len(JPQR_SAMPLE) - 4
    assert locate(JPQR_SAMPLE, "crc.mismatch", "63", crc) == (crc, crc + 4)
    assert locate(JPQR_SAMPLE, "field.missing", "54", None) is None


def test_locate_without_a_tree(impl: ModuleType) -> None:
    # 59 claims 30 characters: nothing decodes, so the offsets alone place the marks.
    payload = "000201" + "5930ACME" + "6304ABCD"
    assert locate(payload, "tlv.length_overrun", "59", 6) == (6, len(payload))
    assert locate(payload, "crc.mismatch", "63", 18) == (18, 22)
    assert locate(payload, "tlv.invalid_id", "", 0) == (0, 6)  # reads as header "0002"
    assert locate("AB020101", "tlv.invalid_id", "", 0) == (0, 2)
    assert locate(payload, "position.first", "00", 99) is None  # an offset past the end

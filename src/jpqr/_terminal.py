"""Terminal output for the command line: colour, safe display of hostile text, marking a part of a
payload, and a progress line.

Payloads come from scanners, files and other people's systems, so they are never written to the
terminal as they are: control and formatting characters (an ESC could rewrite the screen, a
right-to-left override could disguise the text) are shown as escapes. Colour is plain ANSI, only
when the stream is a terminal and ``NO_COLOR`` is unset (https://no-color.org).

>>> safe("63\\x1b[2J04")
'63\\\\x1b[2J04'
>>> print(Marker(Style(colour=False), width=40).excerpt("0002010102116304AD0B", 12, 20))
0002010102116304AD0B
            ^^^^^^^^
"""

from __future__ import annotations

import os
import stat
import time
import unicodedata
from typing import BinaryIO, Final, TextIO

__all__ = [
    "COLOUR_MODES",
    "Marker",
    "Progress",
    "Style",
    "display_width",
    "progress_bar",
    "safe",
    "wants_colour",
    "writes_utf8",
]

# Unicode categories that must not reach a terminal raw: controls, formats (bidi overrides, zero
# width), surrogates, private use, unassigned, and the line/paragraph separators.
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ELLIPSIS: Final = "…"


#: The values of ``--color``: ``auto`` colours a terminal unless ``NO_COLOR`` is set.
COLOUR_MODES: Final = ("auto", "always", "never")


def wants_colour(stream: TextIO, mode: str = "auto") -> bool:
    """Whether to colour ``stream``: ``--color always`` or ``never`` as asked (an explicit option
    overrides ``NO_COLOR``, as https://no-color.org says); ``auto`` colours only a terminal, and
    never when ``NO_COLOR`` is set to a non-empty value.

    >>> import io
    >>> wants_colour(io.StringIO(), "always"), wants_colour(io.StringIO(), "auto")
    (True, False)
    """
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def writes_utf8(stream: TextIO) -> bool:
    """Whether ``stream`` encodes text as UTF-8 (JSON written elsewhere escapes non-ASCII)."""
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def safe_char(ch: str) -> str:
    """``ch`` itself when it is safe to print, else a backslash escape of its code point."""
    if ch.isascii():
        code = ord(ch)
        return ch if 0x20 <= code < 0x7F else f"\\x{code:02x}"
    if unicodedata.category(ch) in _UNSAFE_CATEGORIES:
        code = ord(ch)
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return ch


def safe(text: str) -> str:
    """``text`` with every character that is unsafe on a terminal escaped."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(safe_char(ch) for ch in text)


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide characters take two, combining marks
    none.

    >>> display_width("メルペイ"), display_width("BEIJING"), display_width("e\\u0301")
    (8, 7, 1)
    """
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


class Style:
    """ANSI colour when enabled, plain text otherwise."""

    _CODES: Final = {
        "bold": "1",
        "dim": "2",
        "red": "31",
        "green": "32",
        "yellow": "33",
        "cyan": "36",
        "mark": "1;4;31",  # the offending part of a payload: bold, underlined, red
    }

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, *names: str) -> str:
        if not self.colour or not names or not text:
            return text
        codes = ";".join(self._CODES[name] for name in names)
        return f"\x1b[{codes}m{text}\x1b[0m"


class Marker:
    """Shows the part ``[start, end)`` of a payload within ``width`` columns, with a caret line
    under it, so a person sees where the problem is even in a 250-character payload."""

    def __init__(self, style: Style, width: int = 76) -> None:
        self.style = style
        self.width = max(width, 20)
        # The escaped cells and widths of the last payload: one payload with many issues is
        # escaped once, not once per issue (which made the report quadratic in its length).
        self._cells: tuple[str, list[str], list[int]] = ("", [], [])

    def excerpt(self, payload: str, start: int, end: int) -> str:
        """Two lines: the payload (cut to fit, with ``…``) and carets under ``payload[start:end]``.

        ``end == start`` marks the position just before ``payload[start]`` (or past the end).
        """
        if self._cells[0] != payload:
            cells = [safe_char(ch) for ch in payload]
            self._cells = (payload, cells, [display_width(cell) for cell in cells])
        _, cells, widths = self._cells
        start = min(max(start, 0), len(cells))
        end = min(max(end, start), len(cells))
        first, last = self._window(widths, start, end)
        before = "".join(cells[first:start])
        marked = "".join(cells[start : min(end, last)])
        after = "".join(cells[min(end, last) : last])
        lead = _ELLIPSIS if first > 0 else ""
        tail = _ELLIPSIS if last < len(cells) else ""
        line = lead + before + self.style(marked, "mark") + after + tail
        carets = "^" * max(display_width(marked), 1)
        pad = " " * display_width(lead + before)
        return f"{line}\n{pad}{self.style(carets, 'red')}"

    def _window(self, widths: list[int], start: int, end: int) -> tuple[int, int]:
        """The cells ``[first, last)`` to show: the marked part first, then context on both
        sides, within the width budget (two columns kept for the ellipses)."""
        budget = self.width - 2
        last = start
        while last < end and budget - widths[last] >= 0:
            budget -= widths[last]
            last += 1
        if last == start and start < len(widths):  # always show at least one marked cell
            budget -= widths[start]
            last += 1
        first = start
        # Up to half of what is left goes before the mark, the rest after; unused room on the
        # right is then given back to the left.
        left_budget = budget // 2
        while first > 0 and left_budget - widths[first - 1] >= 0:
            first -= 1
            left_budget -= widths[first]
            budget -= widths[first]
        while last < len(widths) and budget - widths[last] >= 0:
            budget -= widths[last]
            last += 1
        while first > 0 and budget - widths[first - 1] >= 0:
            first -= 1
            budget -= widths[first]
        return first, last


class Progress:
    """A one-line progress count on a terminal (stderr): drawn at the first payload, then at most
    ten times a second, with a bar and a percentage when the size of the input is known.

    Call :meth:`clear` before writing anything else to the same terminal.
    """

    _INTERVAL: Final = 0.1

    def __init__(self, stream: TextIO, source: BinaryIO) -> None:
        self.stream = stream
        self.source = source
        self.total_bytes = _file_size(source)
        self._next_draw = 0.0
        self._shown = False

    def update(self, done: int, invalid: int) -> None:
        now = time.monotonic()
        if now < self._next_draw:
            return
        self._next_draw = now + self._INTERVAL
        text = f"checked {done:,} payload{'s' if done != 1 else ''}, {invalid:,} invalid"
        position = _position(self.source) if self.total_bytes else None
        if self.total_bytes and position is not None:
            text = f"{progress_bar(position, self.total_bytes)} {text}"
        self.stream.write(f"\r\x1b[K{text}")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """A bar of ``width`` cells and the percentage done (of the input's bytes).

    >>> progress_bar(1, 4)
    '[#####---------------]  25%'
    >>> progress_bar(9, 4)
    '[####################] 100%'
    """
    share = min(done, total) / total if total > 0 else 1.0
    filled = int(share * width)
    return f"[{'#' * filled}{'-' * (width - filled)}] {int(share * 100):3d}%"


def _file_size(source: BinaryIO) -> int | None:
    """The size of the regular file behind ``source``, else ``None`` (a pipe, a terminal)."""
    try:
        info = os.fstat(source.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) and info.st_size > 0 else None


def _position(source: BinaryIO) -> int | None:
    try:
        return source.tell()
    except (OSError, ValueError):
        return None

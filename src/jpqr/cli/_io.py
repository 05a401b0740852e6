"""Where the command line gets its payloads: arguments, a file, or stdin, one payload per line.

Lines are read one at a time from a binary stream, so a file of any size is checked in constant
memory. Each line loses its line ending (``\\n`` or ``\\r\\n``, DESIGN "Choices"): a file written on
Windows must not make every code invalid. Nothing else is stripped: a trailing space is the
kind of transport damage ``jpqr validate`` exists to report. Empty lines are skipped.

>>> import io
>>> [(s.line, s.payload) for s in read_lines(io.BytesIO(b"0002\\r\\n\\n6304\\n"))]
[(1, '0002'), (3, '6304')]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

from ..dataobject import MAX_INPUT_LENGTH

__all__ = [
    "InputError",
    "Source",
    "add_payload_argument",
    "open_input",
    "read_lines",
    "read_one",
]

# A line longer than this many bytes holds more than MAX_INPUT_LENGTH characters (UTF-8 takes at
# most 4 bytes a character), so it is cut here, drained, and reported as too long: one runaway
# line must not take the memory of the machine.
MAX_LINE_BYTES: Final = 4 * MAX_INPUT_LENGTH + 1


class InputError(Exception):
    """An input that cannot be read at all (missing file, a directory, …): exit status 2."""


@dataclass(frozen=True)
class Source:
    """One payload and where it came from: ``line`` is its 1-based line number in a file or stdin,
    ``None`` for a command-line argument. ``payload`` is text, or the raw bytes of a line that is
    not valid UTF-8 (validation reports that)."""

    payload: str | bytes
    line: int | None = None


def _as_text(raw: bytes) -> str | bytes:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _strip_line_end(raw: bytes) -> bytes:
    if raw.endswith(b"\r\n"):
        return raw[:-2]
    if raw.endswith(b"\n"):
        return raw[:-1]
    return raw


def read_lines(stream: BinaryIO, name: str = "stdin") -> Iterator[Source]:
    """Every non-empty line of ``stream`` as a :class:`Source`, without its line ending; a read
    error is an :class:`InputError` naming the input ``name``."""
    try:
        yield from _read_lines(stream)
    except OSError as exc:
        raise InputError(f"cannot read {name!r}: {exc.strerror or exc}") from None


def _read_lines(stream: BinaryIO) -> Iterator[Source]:
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES)
        if not raw:
            return
        number += 1
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            _drain_line(stream)
            # Cut to the last whole character; validation reports it as too long.
            yield Source(raw.decode("utf-8", "ignore"), number)
            continue
        raw = _strip_line_end(raw)
        if raw:
            yield Source(_as_text(raw), number)


def _drain_line(stream: BinaryIO) -> None:
    while True:
        rest = stream.readline(MAX_LINE_BYTES)
        if not rest or rest.endswith(b"\n"):
            return


def open_input(name: str) -> BinaryIO:
    """``name`` opened for binary reading (``-`` is stdin); :class:`InputError` if it cannot be."""
    if name == "-":
        return sys.stdin.buffer
    try:
        if os.path.isdir(name):
            raise InputError(f"cannot read {name!r}: it is a directory, not a file of payloads")
        return open(name, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {name!r}: {exc.strerror or exc}") from None


def add_payload_argument(parser: argparse.ArgumentParser) -> None:
    """The ``PAYLOAD`` argument of the commands that take one payload (see :func:`read_one`)."""
    parser.add_argument("payload", metavar="PAYLOAD", help="the payload ('-' reads it from stdin)")


def read_one(argument: str) -> str | bytes:
    """A single payload: the argument itself, or the first line of stdin when it is ``-``."""
    if argument != "-":
        return argument
    for source in read_lines(sys.stdin.buffer):
        return source.payload
    raise InputError("expected a payload on stdin, found none")

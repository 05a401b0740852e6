"""Paths, and the format and length checks of one data object against its schema entry (SPEC
§1 and §3): what the ``Fields`` rows of the tables run, and the messages they give."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..dataobject import DataObject
from ..errors import snippet
from ..schema import Field, field_spec

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = [
    "check_ans",
    "check_digits",
    "check_format",
    "check_length",
    "check_text",
    "describe",
    "join",
]


def join(parent: str, id: str) -> str:
    """The ID path of ``id`` inside ``parent`` (``join("62", "05") == "62.05"``)."""
    return f"{parent}.{id}" if parent else id


def describe(path: str, spec: Field | None = None) -> str:
    """``ID 59 (Merchant Name)``: how messages name an object."""
    spec = spec or field_spec(path)
    return f"ID {path} ({spec.name})" if spec else f"ID {path}"


# One character outside printable ASCII (format ans), and a C0/C1 control character (Cc).
# check_ans and check_text search them only when str.isprintable() says there may be one.
_NOT_ANS = re.compile(r"[^\x20-\x7e]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A lone surrogate: a str can hold one, but UTF-8 (SPEC §1, the payload's encoding) cannot.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_length(checker: Checker, spec: Field, parent: str, obj: DataObject) -> None:
    """A ``field.length`` error when ``obj`` (in template ``parent``) is outside the length
    bounds of ``spec``."""
    value = obj.value
    if not spec.min_length <= len(value) <= spec.max_length:
        path = join(parent, obj.id)
        bounds = (
            f"{spec.min_length}"
            if spec.min_length == spec.max_length
            else f"{spec.min_length} to {spec.max_length}"
        )
        checker.error(
            "field.length",
            path,
            obj.offset,
            f"expected {bounds} characters for {describe(path, spec)}, found {len(value)} "
            f"({snippet(value)})",
        )


def check_digits(checker: Checker, spec: Field, parent: str, obj: DataObject) -> None:
    """Format N: digits only."""
    value = obj.value
    if not (value.isascii() and value.isdigit()):
        path = join(parent, obj.id)
        checker.error(
            "field.format",
            path,
            obj.offset,
            f"expected digits only (format N) for {describe(path, spec)}, found {snippet(value)}",
        )


def check_ans(checker: Checker, spec: Field, parent: str, obj: DataObject) -> None:
    """Format ans: printable ASCII (0x20-0x7E).

    Within ASCII, ``str.isprintable()`` is true for exactly that range, so it is the fast path:

    >>> all(chr(c).isprintable() == (0x20 <= c <= 0x7E) for c in range(0x80))
    True
    """
    value = obj.value
    if value.isascii() and value.isprintable():
        return
    bad = _NOT_ANS.search(value)
    if bad is not None:
        char = bad.group()
        nfd = (
            " (decomposed text: a letter followed by a combining mark)"
            if unicodedata.combining(char)
            else ""
        )
        path = join(parent, obj.id)
        checker.error(
            "field.charset",
            path,
            obj.offset,
            f"expected printable ASCII (format ans) for {describe(path, spec)}, found "
            f"{char!r} (U+{ord(char):04X}){nfd} in {snippet(value)}",
        )


def check_text(checker: Checker, spec: Field, parent: str, obj: DataObject) -> None:
    """Format S: any text without control characters, in NFC.

    ``str.isprintable()`` is false for every control character (Cc) and surrogate (Cs), so a
    printable text needs neither search:

    >>> cc_cs = [*range(0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000)]
    >>> any(chr(c).isprintable() for c in cc_cs)
    False
    """
    value = obj.value
    if not value.isprintable():
        for pattern, expected, found in (
            (_CONTROL, "text without control characters", "{!r}"),
            (_SURROGATE, "text that UTF-8 can encode (SPEC §1)", "the lone surrogate U+{:04X}"),
        ):
            bad = pattern.search(value)
            if bad is not None:
                char = bad.group()
                shown = found.format(ord(char) if pattern is _SURROGATE else char)
                path = join(parent, obj.id)
                checker.error(
                    "field.charset",
                    path,
                    obj.offset,
                    f"expected {expected} for {describe(path, spec)}, found {shown}",
                )
                if pattern is _SURROGATE:
                    return  # one finding: no NFC warning on top of a text UTF-8 cannot carry
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        path = join(parent, obj.id)
        checker.warn(
            "text.not_nfc",
            path,
            obj.offset,
            f"expected precomposed text (Unicode NFC) for {describe(path, spec)}, found "
            f"decomposed characters in {snippet(value)}; wallets may show or compare it "
            "differently",
        )


# The format check of each Field.format, looked up once per object.
_FORMAT_CHECKS: Mapping[str, Callable[[Checker, Field, str, DataObject], None]] = {
    "N": check_digits,
    "ans": check_ans,
    "S": check_text,
}


def check_format(checker: Checker, spec: Field, parent: str, obj: DataObject) -> None:
    """The check of ``spec.format`` (N, ans or S) on ``obj`` (in template ``parent``)."""
    _FORMAT_CHECKS[spec.format](checker, spec, parent, obj)

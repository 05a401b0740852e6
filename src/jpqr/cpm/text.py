"""From the text of a customer-presented code to its bytes: Base64 (RFC 4648 §4, with padding),
read strictly, and the test that tells a CPM code from a merchant-presented one.

QRCPS §5 and the JPQR CPM form carry the BER-TLV data as Base64 text. It is read only in its
canonical form (the standard alphabet, padded to a multiple of 4, zero padding bits), so that
every accepted text has one meaning and the Builder writes it back the same. Offsets here are
character offsets in the text.

>>> to_data("hQVDUFYwMQ==")
b'\\x85\\x05CPV01'
>>> is_cpm("hQVDUFYwMQ=="), is_cpm("000201010211"), is_cpm(b"hQVKUFFS"), is_cpm(None)
(True, False, True, False)
>>> is_cpm("\\ufeff hQVDUFYwMQ==\\n")
True
"""

from __future__ import annotations

import binascii
import re
import sys
from typing import Any, Final, cast

from .._crc_py import exact_str
from ..dataobject import MAX_INPUT_LENGTH
from ..errors import DecodeError, snippet

__all__ = ["PROFILE_NAMES", "is_cpm", "to_data", "to_text"]

#: The names of the CPM profiles (jpqr.cpm.schema.PROFILES), here where the CLI and
#: jpqr.validate can test a name without loading the rules.
PROFILE_NAMES: Final = ("emv-cpm", "jpqr-cpm")

_ALPHABET: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
# Base64 of a first byte 85 (tag 85, QRCPS §7.1: the payload format indicator comes first):
# 'h' (its top 6 bits, 100001), then a character whose top 2 of 6 bits are 01 (Q to f).
_SECOND: Final = frozenset("QRSTUVWXYZabcdef")
_STRIP: Final = " \t\r\n"
# The whole of a canonical text in one match (the common case); the character loop below only
# runs to say where a text that does not match goes wrong.
_CANONICAL: Final = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def is_cpm(payload: object) -> bool:
    """Whether ``payload`` reads as a customer-presented code: Base64 text whose first byte is
    tag 85, after a BOM or white space that ``lenient=True`` would strip. Never raises; a
    merchant-presented payload begins with ``00`` and is never one. Reads the first characters
    (of bytes, the buffer in C order), never a subclass's methods."""
    cls = type(payload)
    if issubclass(cls, str):
        head = str.__getitem__(cast(str, payload), slice(0, 16))
    elif issubclass(cls, (bytes, bytearray, memoryview)):
        try:
            with memoryview(cast(bytes, payload)) as view:
                if view.nbytes > MAX_INPUT_LENGTH:  # beyond the cap: no CPM code
                    return False
                raw = view.tobytes()[:18]  # C order, as to_text reads it
        except (ValueError, TypeError, BufferError):
            return False
        head = raw.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    else:
        return False
    head = head.removeprefix("\ufeff").lstrip(_STRIP)
    return len(head) >= 2 and head[0] == "h" and head[1] in _SECOND


def to_text(payload: Any) -> str:
    """The payload as a plain ``str``: a ``str`` subclass as its characters, bytes as ASCII;
    capped at ``MAX_INPUT_LENGTH`` characters before any other work."""
    cls = type(payload)
    if issubclass(cls, str):
        size = str.__len__(payload)
        if size > MAX_INPUT_LENGTH:
            raise _too_long(size, "characters")
        return exact_str(payload)
    if issubclass(cls, (bytes, bytearray, memoryview)):
        if cls is memoryview:
            try:
                payload.nbytes  # noqa: B018 - raises ValueError once released
            except ValueError:
                raise DecodeError(
                    "cpm.released",
                    "expected text whose bytes can be read, found a released memoryview",
                ) from None
        with memoryview(payload) as view:
            if view.nbytes > MAX_INPUT_LENGTH:
                raise _too_long(view.nbytes, "bytes")
            raw = view.tobytes()
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                "cpm.base64",
                f"expected Base64 text, found the byte {raw[exc.start : exc.start + 1]!r} that "
                "is not ASCII",
                offset=exc.start,
            ) from None
    raise TypeError(f"expected a payload as str or bytes, not {cls.__name__}")


def _too_long(size: int, unit: str) -> DecodeError:
    return DecodeError(
        "cpm.too_long",
        f"expected at most {MAX_INPUT_LENGTH} {unit} of Base64 text, found {size}; refused "
        "before decoding",
        offset=MAX_INPUT_LENGTH,
    )


def _bad_character(char: str, offset: int, hint: str) -> DecodeError:
    return DecodeError(
        "cpm.base64",
        f"expected a Base64 character (A-Z a-z 0-9 + /), found {snippet(char)}{hint}",
        offset=offset,
    )


def strip(text: str) -> tuple[str, bool]:
    """``text`` without a leading BOM and surrounding spaces and line ends, and whether any
    were there (``lenient=True``)."""
    stripped = text.removeprefix("\ufeff").strip(_STRIP)
    return stripped, stripped != text


def _strict(text: str) -> bytes | None:
    """The bytes of ``text`` when it is Base64 in the standard alphabet, padded, else None."""
    if sys.version_info >= (3, 11):  # strict_mode: ~3x faster than the pattern
        try:
            return binascii.a2b_base64(text, strict_mode=True)
        except ValueError:  # binascii.Error, or text that is not ASCII
            return None
    return binascii.a2b_base64(text) if _CANONICAL.fullmatch(text) else None


def to_data(text: str) -> bytes:
    """The bytes that canonical Base64 ``text`` (a plain ``str``) encodes; DecodeError
    ``cpm.empty``, ``cpm.base64``, ``cpm.base64_length`` or ``cpm.base64_padding``."""
    if not text:
        raise DecodeError("cpm.empty", "expected Base64 text, found nothing", offset=0)
    data = _strict(text)
    if data is not None and binascii.b2a_base64(data, newline=False).decode("ascii") == text:
        return data
    body = text.rstrip("=")
    pad = len(text) - len(body)
    bad = next((i for i, char in enumerate(text) if char not in _ALPHABET and char != "="), -1)
    if bad != -1:
        char = text[bad]
        hint = ""
        if char in "-_":
            hint = " (the URL-safe alphabet: QRCPS uses + and /)"
        elif char in _STRIP or char == "\ufeff":
            hint = " (spaces, line ends and a BOM must be stripped; lenient=True does it)"
        raise _bad_character(char, bad, hint)
    early = body.find("=")
    if early != -1:
        raise _bad_character("=", early, " (padding may only end the text)")
    if len(text) % 4 or pad > 2:
        raise DecodeError(
            "cpm.base64_length",
            f"expected Base64 text padded with = to a multiple of 4 characters, found "
            f"{len(text)} characters ({pad} of them =)",
            offset=len(text),
        )
    data = binascii.a2b_base64(text)
    if binascii.b2a_base64(data, newline=False).decode("ascii") != text:
        raise DecodeError(
            "cpm.base64_padding",
            "expected the bits after the last byte to be zero (canonical Base64, RFC 4648 "
            "§3.5), found other bits",
            offset=len(body) - 1,
        )
    return data

"""The structural errors of the decoder and encoder, made in one place so that the pure and the
Cython twins raise identical errors (class, code, message, offset, path)."""

from __future__ import annotations

from typing import Any

from .errors import DecodeError, EncodeError, snippet

_TRAILING = frozenset(" \t\r\n\x0b\x0c\x00\x85\u2028\u2029")


def _join(parent_path: str, id: str) -> str:
    return f"{parent_path}.{id}" if parent_path else id


def too_long(length: int, limit: int, unit: str) -> DecodeError:
    return DecodeError(
        "tlv.too_long",
        f"expected at most {limit} {unit} of input, found {length}; refused before decoding",
        offset=limit,
    )


def invalid_utf8(exc: UnicodeDecodeError) -> DecodeError:
    return DecodeError(
        "tlv.invalid_utf8",
        f"expected UTF-8 text, found the byte {exc.object[exc.start : exc.start + 1]!r} "
        f"that is not valid UTF-8 (offset is in bytes)",
        offset=exc.start,
    )


def released() -> DecodeError:
    return DecodeError(
        "tlv.released",
        "expected a payload whose bytes can be read, found a released memoryview",
    )


def bom() -> DecodeError:
    return DecodeError(
        "tlv.bom",
        "expected the payload to start with ID 00, found a byte order mark (U+FEFF) "
        "added by an editor or a file export; remove it",
        offset=0,
    )


def bad_header(text: str, pos: int, end: int, parent_path: str, previous_start: int) -> DecodeError:
    """The 4 characters at ``pos`` are not an ID and a length. Say the most useful thing."""
    rest = text[pos:end]
    if not parent_path and all(ch in _TRAILING for ch in rest):
        return DecodeError(
            "tlv.trailing_characters",
            f"expected the payload to end after the last data object, found {snippet(rest)}; "
            "characters added in transport (line ends, spaces, NULs) must be stripped",
            offset=pos,
        )
    hint = ""
    crc_at = text.rfind("6304", previous_start, pos + 3)
    if not parent_path and crc_at != -1:
        hint = (
            f"; the object before it swallowed the CRC object at offset {crc_at}, "
            "so its declared length is too long"
        )
    if end - pos < 4:
        return DecodeError(
            "tlv.truncated_header",
            f"expected a 2-digit ID and a 2-digit length, found only {snippet(rest)}{hint}",
            offset=pos,
            path=parent_path,
        )
    id = text[pos : pos + 2]
    if not (id.isascii() and id.isdigit()):
        return DecodeError(
            "tlv.invalid_id",
            f"expected a 2-digit ID, found {snippet(id)}{hint}",
            offset=pos,
            path=parent_path,
        )
    return DecodeError(
        "tlv.invalid_length",
        f"expected a 2-digit length after ID {id}, found {snippet(text[pos + 2 : pos + 4])}{hint}",
        offset=pos + 2,
        path=_join(parent_path, id),
    )


def length_overrun(
    text: str, pos: int, end: int, id: str, length: int, parent_path: str
) -> DecodeError:
    available = end - pos - 4
    hint = ""
    if not parent_path and text.find("6304", pos + 4, end) != -1:
        hint = "; it swallows the CRC object 6304"
    where = "the payload" if not parent_path else f"template {parent_path}"
    return DecodeError(
        "tlv.length_overrun",
        f"expected {length} characters of value for ID {id}, found only {available} "
        f"before the end of {where}{hint}",
        offset=pos,
        path=_join(parent_path, id),
    )


def not_data_objects(what: object) -> EncodeError:
    return EncodeError(
        "tlv.not_data_object",
        f"expected DataObject items, found {type(what).__name__}",
    )


def too_deep(id: str, parent_path: str, depth: int) -> EncodeError:
    return EncodeError(
        "tlv.too_deep",
        f"expected templates nested at most {depth} deep (no deeper tree fits in 99-character "
        f"values), found template {id} deeper",
        path=_join(parent_path, id),
    )


def malformed_data_object(what: Any) -> EncodeError:
    return EncodeError(
        "tlv.not_data_object",
        f"expected DataObject items of 4 fields (id, value, children, offset), "
        f"found a {type(what).__name__} of {tuple.__len__(what)}",
    )


def _describe(what: Any) -> str:
    """How a message shows a value it did not expect, calling none of the value's own code
    (a ``__str__`` or ``__repr__`` that raises or lies): text and numbers as they are, anything
    else by its type."""
    if issubclass(type(what), str):
        length = str.__len__(what)
        head = str.__getitem__(what, slice(0, 25))
        return repr(head) if length <= 24 else f"{head[:24]!r}…({length} characters)"
    if type(what) in (int, bool, float) or what is None:
        return snippet(str(what))
    return f"a {type(what).__name__}"


def bad_id(id: object, parent_path: str) -> EncodeError:
    return EncodeError(
        "tlv.invalid_id",
        f"expected a 2-digit ID from 00 to 99, found {_describe(id)}",
        path=parent_path,
    )


def value_too_long(id: str, length: int, parent_path: str) -> EncodeError:
    return EncodeError(
        "tlv.value_too_long",
        f"expected a value of at most 99 characters for ID {id}, found {length}",
        path=_join(parent_path, id),
    )


def bad_value(id: str, value: object, parent_path: str) -> EncodeError:
    return EncodeError(
        "tlv.invalid_value",
        f"expected a str value for ID {id}, found {type(value).__name__}",
        path=_join(parent_path, id),
    )

"""The errors of the BER-TLV decoder and encoder, made in one place so that the pure and the
Cython twins raise identical errors (class, code, message, offset, path).

Offsets are byte offsets in the decoded data; paths are tags joined by dots (``"61.4F"``). No
message quotes a value: a value may be a card number (the callers mask what they show).
"""

from __future__ import annotations

from typing import Any

from .errors import DecodeError, EncodeError


def join(parent_path: str, tag: str) -> str:
    return f"{parent_path}.{tag}" if parent_path else tag


def _where(parent_path: str) -> str:
    return "the data" if not parent_path else f"template {parent_path}"


def too_long(size: int, limit: int) -> DecodeError:
    return DecodeError(
        "ber.too_long",
        f"expected at most {limit} bytes of BER-TLV data, found {size}; refused before decoding",
        offset=limit,
    )


def released() -> DecodeError:
    return DecodeError(
        "ber.released", "expected data whose bytes can be read, found a released memoryview"
    )


def not_bytes(what: object) -> TypeError:
    return TypeError(f"expected BER-TLV data as bytes, not {type(what).__name__}")


def zero_tag(pos: int, parent_path: str) -> DecodeError:
    return DecodeError(
        "ber.zero_tag",
        f"expected a tag in {_where(parent_path)}, found a 00 byte (end-of-contents or "
        "padding, which EMV QRCPS codes do not carry)",
        offset=pos,
        path=parent_path,
    )


def truncated(pos: int, parent_path: str, tag: str, what: str) -> DecodeError:
    return DecodeError(
        "ber.truncated",
        f"expected {what}, found the end of {_where(parent_path)}",
        offset=pos,
        path=join(parent_path, tag) if tag else parent_path,
    )


def tag_not_minimal(pos: int, parent_path: str) -> DecodeError:
    return DecodeError(
        "ber.tag_not_minimal",
        "expected the tag number to start with a non-zero 7-bit group (ISO/IEC 8825-1 "
        "§8.1.2.4.2), found a leading 80 byte",
        offset=pos,
        path=parent_path,
    )


def tag_too_long(pos: int, parent_path: str, limit: int) -> DecodeError:
    return DecodeError(
        "ber.tag_too_long",
        f"expected a tag of at most {limit} bytes, found a longer one",
        offset=pos,
        path=parent_path,
    )


def indefinite_length(pos: int, path: str) -> DecodeError:
    return DecodeError(
        "ber.indefinite_length",
        "expected a definite length, found the indefinite form 80 (EMV Book 3 Annex B2 "
        "allows only definite lengths)",
        offset=pos,
        path=path,
    )


def length_reserved(pos: int, path: str) -> DecodeError:
    return DecodeError(
        "ber.length_reserved",
        "expected a length, found the reserved byte FF (ISO/IEC 8825-1 §8.1.3.5)",
        offset=pos,
        path=path,
    )


def length_too_long(pos: int, path: str, count: int, limit: int) -> DecodeError:
    return DecodeError(
        "ber.length_too_long",
        f"expected a length field of at most {limit} subsequent bytes (EMV Book 3 Annex B2), "
        f"found {count}",
        offset=pos,
        path=path,
    )


def length_not_minimal(pos: int, path: str, length: int) -> DecodeError:
    return DecodeError(
        "ber.length_not_minimal",
        f"expected the length {length} in its shortest form, found a longer one (each code "
        "has one encoding)",
        offset=pos,
        path=path,
    )


def length_overrun(
    pos: int, parent_path: str, tag: str, length: int, available: int
) -> DecodeError:
    return DecodeError(
        "ber.length_overrun",
        f"expected {length} bytes of value for tag {tag}, found only {available} before the "
        f"end of {_where(parent_path)}",
        offset=pos,
        path=join(parent_path, tag),
    )


def too_deep(pos: int, parent_path: str, tag: str, limit: int) -> DecodeError:
    return DecodeError(
        "ber.too_deep",
        f"expected templates nested at most {limit} deep, found template {tag} deeper",
        offset=pos,
        path=join(parent_path, tag),
    )


# --- encoding ---------------------------------------------------------------------------------


def not_ber_objects(what: object) -> EncodeError:
    return EncodeError(
        "ber.not_ber_object", f"expected BerObject items, found {type(what).__name__}"
    )


def malformed_ber_object(what: Any) -> EncodeError:
    return EncodeError(
        "ber.not_ber_object",
        f"expected BerObject items of 4 fields (tag, value, children, offset), "
        f"found a {type(what).__name__} of {tuple.__len__(what)}",
    )


def bad_tag(tag: object, parent_path: str) -> EncodeError:
    if isinstance(tag, str) and issubclass(type(tag), str):  # the type, not a lying __class__
        size = str.__len__(tag)
        shown = repr(str.__getitem__(tag, slice(0, 8))) + ("…" if size > 8 else "")
    else:
        shown = f"a {type(tag).__name__}"
    return EncodeError(
        "ber.invalid_tag",
        f"expected a tag as upper-case hex of 1 to 3 bytes in shortest BER form, found {shown}",
        path=parent_path,
    )


def bad_value(tag: str, value: object, parent_path: str) -> EncodeError:
    return EncodeError(
        "ber.invalid_value",
        f"expected a bytes value for tag {tag}, found {type(value).__name__}",
        path=join(parent_path, tag),
    )


def children_expected(tag: str, parent_path: str) -> EncodeError:
    return EncodeError(
        "ber.children_mismatch",
        f"expected children for the constructed tag {tag}, found none",
        path=join(parent_path, tag),
    )


def children_unexpected(tag: str, parent_path: str) -> EncodeError:
    return EncodeError(
        "ber.children_mismatch",
        f"expected no children for the primitive tag {tag}, found some",
        path=join(parent_path, tag),
    )


def value_too_long(tag: str, size: int, parent_path: str, limit: int) -> EncodeError:
    return EncodeError(
        "ber.value_too_long",
        f"expected a value of at most {limit} bytes for tag {tag}, found {size}",
        path=join(parent_path, tag),
    )


def encode_too_deep(tag: str, parent_path: str, limit: int) -> EncodeError:
    return EncodeError(
        "ber.too_deep",
        f"expected templates nested at most {limit} deep, found template {tag} deeper",
        path=join(parent_path, tag),
    )

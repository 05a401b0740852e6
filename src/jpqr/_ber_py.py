"""BER-TLV decoder and encoder, pure-Python twin (the readable reference for ``_ber.pyx``).

EMV QRCPS §7 (Consumer-Presented Mode) codes its data as BER-TLV, as EMV Book 3 Annex B
restricts ISO/IEC 8825-1: tags of one or more bytes (a first byte whose low 5 bits are all set
is followed by bytes with bit 8 set while more follow), definite lengths in short form (``00``
to ``7F``) or long form (``81 xx``, ``82 xx xx``). Each accepted code has exactly one encoding,
so ``encode(decode(data)) == data``: the decoder refuses the indefinite length ``80``, the
reserved ``FF``, lengths longer than their shortest form, a tag number with a leading 80 byte
(§8.1.2.4.2 c), and 00 padding. EMV tags such as 9F10 write numbers below 31 in the long form
(EMV Book 3 Annex B1 allows it, unlike DER), so those are accepted.

>>> objects = decode(bytes.fromhex("8505435056303161094F07A0000000555555"))
>>> [(o.tag, o.offset) for o in objects]
[('85', 0), ('61', 7)]
>>> objects[1].children[0].value.hex().upper()
'A0000000555555'
>>> encode(objects).hex().upper()
'8505435056303161094F07A0000000555555'
>>> decode(bytes.fromhex("5A0812"))
Traceback (most recent call last):
  ...
jpqr.errors.DecodeError: [ber.length_overrun] expected 8 bytes of value for tag 5A, found only 1 before the end of the data (at ID 5A, offset 0)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, cast

from . import _ber_errors as err
from ._ber_object import (
    MAX_DEPTH,
    MAX_INPUT_BYTES,
    MAX_LENGTH_BYTES,
    MAX_TAG_BYTES,
    MAX_VALUE_BYTES,
    BerObject,
)
from ._crc_py import exact_str

__all__ = ["decode", "encode", "tag_bytes", "to_bytes"]

_new_tuple: Final = tuple.__new__
_HEX: Final = frozenset("0123456789ABCDEF")


def to_bytes(data: bytes | bytearray | memoryview) -> bytes:
    """Check the input's type and size and return its bytes, read through the buffer only
    (never a subclass's ``__bytes__``, ``__len__`` or ``__iter__``), capped before any copy.

    >>> to_bytes(memoryview(b"\\x85\\x00")[1:])
    b'\\x00'
    """
    if type(data) is bytes:
        if len(data) > MAX_INPUT_BYTES:
            raise err.too_long(len(data), MAX_INPUT_BYTES)
        return data
    # type(), not isinstance(): isinstance() believes a __class__ attribute that lies
    if not issubclass(type(data), (bytes, bytearray, memoryview)):
        raise err.not_bytes(data)
    if type(data) is memoryview:
        try:
            data.nbytes  # noqa: B018 - raises ValueError once released
        except ValueError:
            raise err.released() from None
    with memoryview(data) as view:  # the one buffer, pinned (a bytearray cannot resize)
        if view.nbytes > MAX_INPUT_BYTES:
            raise err.too_long(view.nbytes, MAX_INPUT_BYTES)
        return view.tobytes()


def decode(data: bytes | bytearray | memoryview) -> tuple[BerObject, ...]:
    """Read BER-TLV data as a tree of :class:`~jpqr._ber_object.BerObject`.

    >>> decode(bytes.fromhex("6203500141"))[0].children
    (BerObject(tag='50', value=b'A', children=None, offset=2),)
    """
    raw = to_bytes(data)
    return _decode(raw, 0, len(raw), "", 0)


def _decode(raw: bytes, start: int, end: int, parent: str, depth: int) -> tuple[BerObject, ...]:
    objects: list[BerObject] = []
    pos = start
    while pos < end:
        first = raw[pos]
        if first == 0:
            raise err.zero_tag(pos, parent)
        index = pos + 1
        if first & 0x1F == 0x1F:  # the tag number follows, 7 bits a byte (§8.1.2.4)
            while True:
                if index >= end:
                    raise err.truncated(pos, parent, "", "the rest of a multi-byte tag")
                byte = raw[index]
                if index == pos + 1 and byte == 0x80:
                    raise err.tag_not_minimal(pos, parent)
                index += 1
                if not byte & 0x80:
                    break
                if index - pos >= MAX_TAG_BYTES:
                    raise err.tag_too_long(pos, parent, MAX_TAG_BYTES)
        tag = raw[pos:index].hex().upper()
        if index >= end:
            raise err.truncated(index, parent, tag, "a length")
        length_at = index
        length = raw[index]
        index += 1
        if length & 0x80:
            count = length & 0x7F
            path = err.join(parent, tag)
            if count == 0:
                raise err.indefinite_length(length_at, path)
            if length == 0xFF:
                raise err.length_reserved(length_at, path)
            if count > MAX_LENGTH_BYTES:
                raise err.length_too_long(length_at, path, count, MAX_LENGTH_BYTES)
            if index + count > end:
                raise err.truncated(length_at, parent, tag, f"{count} more length bytes")
            length = int.from_bytes(raw[index : index + count], "big")
            if length < (0x80 if count == 1 else 0x100):
                raise err.length_not_minimal(length_at, path, length)
            index += count
        value_end = index + length
        if value_end > end:
            raise err.length_overrun(pos, parent, tag, length, end - index)
        children = None
        if first & 0x20:  # constructed (§8.1.2.5): the value is data objects
            if depth >= MAX_DEPTH:
                raise err.too_deep(pos, parent, tag, MAX_DEPTH)
            children = _decode(raw, index, value_end, err.join(parent, tag), depth + 1)
        objects.append(_new_tuple(BerObject, (tag, raw[index:value_end], children, pos)))
        pos = value_end
    return tuple(objects)


def tag_bytes(tag: object, parent: str = "") -> bytes:
    """The bytes of a tag written as upper-case hex, checked to be one tag in shortest form.

    >>> tag_bytes("9F26"), tag_bytes("5A")
    (b'\\x9f&', b'Z')
    """
    if type(tag) is not str:
        if not issubclass(type(tag), str):
            raise err.bad_tag(tag, parent)
        tag = exact_str(cast(str, tag))
    text: str = tag  # a str now, by the checks above
    size = len(text)
    if size == 0 or size % 2 or size > 2 * MAX_TAG_BYTES or not _HEX.issuperset(text):
        raise err.bad_tag(text, parent)
    raw = bytes.fromhex(text)
    first = raw[0]
    if first == 0:
        raise err.bad_tag(text, parent)
    if first & 0x1F != 0x1F:
        if len(raw) != 1:
            raise err.bad_tag(text, parent)
        return raw
    rest = raw[1:]
    if not rest or rest[0] == 0x80 or rest[-1] & 0x80:
        raise err.bad_tag(text, parent)
    if any(not byte & 0x80 for byte in rest[:-1]):
        raise err.bad_tag(text, parent)
    return raw


def length_bytes(length: int) -> bytes:
    """The shortest definite length field for ``length`` (at most 0xFFFF)."""
    if length < 0x80:
        return bytes((length,))
    if length < 0x100:
        return bytes((0x81, length))
    return bytes((0x82, length >> 8, length & 0xFF))


def encode(objects: Iterable[BerObject]) -> bytes:
    """Write data objects as BER-TLV, the inverse of :func:`decode`.

    A constructed tag is written from its ``children`` (its ``value`` is not read), a primitive
    one from its ``value``. What is written is what is checked: the tuple fields of a
    ``BerObject`` (never a subclass's properties), each value's buffer.

    >>> encode([BerObject("85", b"CPV01"), BerObject("61", b"", (BerObject("50", b"A"),))])
    b'\\x85\\x05CPV01a\\x03P\\x01A'
    """
    if issubclass(type(objects), (str, bytes, bytearray, memoryview)):
        raise err.not_ber_objects(objects)  # one value, not data objects: never iterated
    return _encode(objects, "", 0)


def fields(obj: Any) -> tuple[Any, Any, Any]:
    """The tag, value and children of a ``BerObject``, read from the tuple itself."""
    cls = type(obj)
    if cls is not BerObject and not issubclass(cls, BerObject):
        raise err.not_ber_objects(obj)
    if tuple.__len__(obj) != 4:
        raise err.malformed_ber_object(obj)
    get = tuple.__getitem__
    return get(obj, 0), get(obj, 1), get(obj, 2)


def _encode(objects: Iterable[BerObject], parent: str, depth: int) -> bytes:
    parts: list[bytes] = []
    for obj in objects:
        tag, value, children = fields(obj)
        head = tag_bytes(tag, parent)
        tag = head.hex().upper()
        if head[0] & 0x20:
            if children is None:
                raise err.children_expected(tag, parent)
            if issubclass(type(children), (str, bytes, bytearray, memoryview)):
                raise err.not_ber_objects(children)
            if depth >= MAX_DEPTH:
                raise err.encode_too_deep(tag, parent, MAX_DEPTH)
            value = _encode(children, err.join(parent, tag), depth + 1)
        else:
            if children is not None:
                raise err.children_unexpected(tag, parent)
            if type(value) is not bytes:
                if not issubclass(type(value), bytes):
                    raise err.bad_value(tag, value, parent)
                with memoryview(value) as view:
                    value = view.tobytes()
        if len(value) > MAX_VALUE_BYTES:
            raise err.value_too_long(tag, len(value), parent, MAX_VALUE_BYTES)
        parts.append(head)
        parts.append(length_bytes(len(value)))
        parts.append(value)
    return b"".join(parts)

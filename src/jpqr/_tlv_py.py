"""TLV decoder and encoder, pure-Python twin (the readable reference for ``_tlv.pyx``).

EMVCo MPM v1.1 §4.1-4.2: ID (2 digits), length (2 digits, counted in characters, i.e. Unicode
code points), value. Decoding is structure only: it raises :class:`~jpqr.errors.DecodeError`
only where the text cannot be read as data objects. A template whose value is not a sequence of
data objects keeps ``children=None``; positional and semantic rules belong to validation.

>>> [(o.id, o.value) for o in decode("000201010211")]
[('00', '01'), ('01', '11')]
>>> decode("0002010102116304AD0A")[-1]
DataObject(id='63', value='AD0A', children=None, offset=12)
>>> encode(decode("000201010211"))
'0002010102116304AD0A'
>>> decode("00020")
Traceback (most recent call last):
  ...
jpqr.errors.DecodeError: [tlv.length_overrun] expected 2 characters of value for ID 00, found only 1 ...(at ID 00, offset 0)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, Protocol, cast

from . import _tlv_errors as err
from ._crc_py import (
    CRC_MARKER,
    CRCVerdict,
    buffer_bytes,
    crc16,
    crc_verdict,
    exact_str,
    format_crc,
)
from .dataobject import (
    MAX_ENCODE_DEPTH,
    MAX_INPUT_LENGTH,
    MAX_VALUE_LENGTH,
    NESTED_TEMPLATE_IDS,
    ROOT_TEMPLATE_IDS,
    DataObject,
)
from .errors import DecodeError

__all__ = [
    "VERDICTS",
    "check",
    "check_code",
    "check_many",
    "check_rows",
    "decode",
    "encode",
    "to_text",
]

# Exact ASCII tables: str.isdigit() would also accept "²" or "٣".
_IDS: Final = frozenset(f"{n:02d}" for n in range(100))
_LENGTHS: Final = {f"{n:02d}": n for n in range(100)}
_NO_TEMPLATES: Final[frozenset[str]] = frozenset()
#: The verdict codes of :func:`check_code` (and ``jpqr.batch``): the CRC verdicts of
#: ``crc_verdict``, then ``"invalid"`` for a payload that :func:`decode` refuses.
VERDICTS: Final = ("ok", "lowercase", "mismatch", "missing", "invalid")
_INVALID: Final = 4


class IntStore(Protocol):
    """Where the batch kernels store results: a list, or a numpy array."""

    def __setitem__(self, index: int, value: int, /) -> None: ...


def to_text(payload: str | bytes | bytearray | memoryview) -> str:
    """Check the input's type and size and return it as text (``bytes`` are read as UTF-8).

    What is checked is what is read: a ``str`` subclass is its characters (never its
    ``__len__``, ``__str__`` or ``__getitem__``), a bytes-like object its buffer (never its
    ``__bytes__`` or ``__len__``), and the cap applies before any work proportional to the input.

    >>> to_text(b"0002\\xe5\\x8c\\x97")
    '0002北'
    """
    if type(payload) is str:
        text = payload
        if len(text) > MAX_INPUT_LENGTH:
            raise err.too_long(len(text), MAX_INPUT_LENGTH, "characters")
    # type(), not isinstance(): isinstance() believes a __class__ attribute that lies
    elif issubclass(type(payload), str):
        size = str.__len__(cast(str, payload))
        if size > MAX_INPUT_LENGTH:
            raise err.too_long(size, MAX_INPUT_LENGTH, "characters")
        text = exact_str(cast(str, payload))
    elif issubclass(type(payload), (bytes, bytearray, memoryview)):
        raw = buffer_bytes(cast(bytes, payload), MAX_INPUT_LENGTH)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise err.invalid_utf8(exc) from None
    else:
        raise TypeError(f"expected a payload as str or bytes, not {type(payload).__name__}")
    if text.startswith("\ufeff"):
        raise err.bom()
    return text


def decode(payload: str | bytes | bytearray | memoryview) -> tuple[DataObject, ...]:
    """Read a payload as a tree of data objects.

    >>> decode("62070503***")[0].children
    (DataObject(id='05', value='***', children=None, offset=4),)
    """
    text = to_text(payload)
    return _decode_objects(text, 0, len(text), "", ROOT_TEMPLATE_IDS)


# DataObject(...) without the Python-level __new__ a NamedTuple defines (its default arguments
# cost more than the slicing): tuple.__new__ makes the same object from one tuple of fields.
_new_tuple: Final = tuple.__new__


def _decode_objects(
    text: str, start: int, end: int, parent_path: str, template_ids: frozenset[str]
) -> tuple[DataObject, ...]:
    objects: list[DataObject] = []
    append = objects.append
    pos = start
    previous_start = start
    while pos < end:
        id = text[pos : pos + 2]
        length = _LENGTHS.get(text[pos + 2 : pos + 4], -1)
        value_end = pos + 4 + length
        # One test for the good case; _object_error sorts out which rule broke.
        if value_end > end or length < 0 or id not in _IDS:
            raise _object_error(text, pos, end, id, length, parent_path, previous_start)
        children = None
        if id in template_ids:
            path = f"{parent_path}.{id}" if parent_path else id
            try:
                children = _decode_objects(
                    text, pos + 4, value_end, path, NESTED_TEMPLATE_IDS.get(path, _NO_TEMPLATES)
                )
            except DecodeError:
                children = None
        append(_new_tuple(DataObject, (id, text[pos + 4 : value_end], children, pos)))
        previous_start = pos
        pos = value_end
    return tuple(objects)


def _object_error(
    text: str, pos: int, end: int, id: str, length: int, parent_path: str, previous_start: int
) -> DecodeError:
    """Why the object at ``pos`` cannot be read: its header first, then its length."""
    if end - pos < 4 or id not in _IDS or length < 0:
        return err.bad_header(text, pos, end, parent_path, previous_start)
    return err.length_overrun(text, pos, end, id, length, parent_path)


def encode(objects: Iterable[DataObject], *, crc: bool = True) -> str:
    """Write data objects as a payload, the inverse of :func:`decode`.

    A template is written from its ``children`` when it has them, else from its ``value``. With
    ``crc=True`` and no ID 63 among ``objects``, ``6304`` and the CRC are appended; an ID 63 that
    is there is written as it is, so ``encode(decode(s)) == s``.

    What is written is what is checked: the fields a ``DataObject`` (or a subclass of it) holds
    as a tuple, never what a subclass's properties say, and each ``str`` as its characters.
    Objects are checked as they come, so a wrong argument (a ``str``) is refused at once.

    >>> encode([DataObject("00", "01"), DataObject("01", "12")], crc=False)
    '000201010212'
    """
    root_ids: list[str] = []
    if issubclass(type(objects), (str, bytes, bytearray, memoryview)):
        raise err.not_data_objects(objects)  # one payload, not data objects: never iterated
    text = _encode_objects(objects, "", root_ids)
    if crc and "63" not in root_ids:
        text += CRC_MARKER
        text += format_crc(crc16(text))
    return text


def fields(obj: Any) -> tuple[Any, Any, Any]:
    """The ID, value and children of a data object, read from the tuple itself; EncodeError
    for anything that is not a ``DataObject`` of 4 fields."""
    cls = type(obj)
    if cls is not DataObject and not issubclass(cls, DataObject):
        raise err.not_data_objects(obj)
    if tuple.__len__(obj) != 4:
        raise err.malformed_data_object(obj)
    if cls is DataObject:
        id, value, children = obj.id, obj.value, obj.children
    else:  # a subclass: its tuple items, not what properties it defines say
        get = tuple.__getitem__
        id, value, children = get(obj, 0), get(obj, 1), get(obj, 2)
    return id, value, children


def _encode_objects(
    objects: Iterable[DataObject], parent_path: str, ids: list[str] | None = None, depth: int = 0
) -> str:
    parts = []
    for obj in objects:
        id, value, children = fields(obj)
        if type(id) is not str:
            if not issubclass(type(id), str) or str.__len__(id) != 2:
                raise err.bad_id(id, parent_path)
            id = exact_str(id)
        if id not in _IDS:
            raise err.bad_id(id, parent_path)
        if ids is not None:
            ids.append(id)
        if children is not None:
            if issubclass(type(children), (str, bytes, bytearray, memoryview)):
                raise err.not_data_objects(children)
            if depth >= MAX_ENCODE_DEPTH:
                raise err.too_deep(id, parent_path, MAX_ENCODE_DEPTH)
            path = f"{parent_path}.{id}" if parent_path else id
            value = _encode_objects(children, path, None, depth + 1)
        elif type(value) is not str:
            if not issubclass(type(value), str):
                raise err.bad_value(id, value, parent_path)
            length = str.__len__(value)
            if length > MAX_VALUE_LENGTH:  # before any copy: refused at once
                raise err.value_too_long(id, length, parent_path)
            value = exact_str(value)
        if len(value) > MAX_VALUE_LENGTH:
            raise err.value_too_long(id, len(value), parent_path)
        parts.append(f"{id}{len(value):02d}{value}")
    return "".join(parts)


def check(payload: str | bytes | bytearray | memoryview) -> CRCVerdict:
    """Check-only: the structure :func:`decode` reads, then the CRC verdict, building no objects.

    Raises the very :class:`~jpqr.errors.DecodeError` that ``decode(payload)`` raises (only the
    top level can fail: a template that is not TLV is not an error); otherwise returns
    ``crc_verdict`` of the text (for ``bytes``, of their UTF-8 text).

    >>> check("0002010102116304AD0A"), check("0002010102116304ad0a"), check("000201")
    ('ok', 'lowercase', 'missing')
    >>> check("0002010102116304AD0A\\n")
    Traceback (most recent call last):
      ...
    jpqr.errors.DecodeError: [tlv.trailing_characters] expected the payload to end after the ...
    """
    text = to_text(payload)
    _walk(text, len(text))
    return crc_verdict(text)


def _walk(text: str, end: int) -> None:
    """The top level of :func:`_decode_objects`, building nothing: raises where it raises."""
    pos = 0
    previous_start = 0
    while pos < end:
        id = text[pos : pos + 2]
        length = _LENGTHS.get(text[pos + 2 : pos + 4], -1)
        if pos + 4 + length > end or length < 0 or id not in _IDS:
            raise _object_error(text, pos, end, id, length, "", previous_start)
        previous_start = pos
        pos += 4 + length


def check_code(payload: str | bytes | bytearray | memoryview) -> tuple[int, int]:
    """:func:`check` as two numbers, for the batch API: the index into :data:`VERDICTS` and the
    CRC the payload should carry (over its text up to and including a trailing ``6304``), or -1
    where the text does not end in ``6304`` and four characters or is not text at all.

    >>> check_code("0002010102116304ad0a"), check_code("000201"), check_code("00020")
    ((1, 44298), (3, -1), (4, -1))
    """
    try:
        text = to_text(payload)
    except DecodeError:
        return _INVALID, -1
    crc = crc16(text[:-4]) if len(text) >= 8 and text[-8:-4] == CRC_MARKER else -1
    try:
        _walk(text, len(text))
    except DecodeError:
        return _INVALID, crc
    return VERDICTS.index(crc_verdict(text)), crc


def check_many(
    payloads: Iterable[str | bytes | bytearray | memoryview],
    verdicts: IntStore,
    crcs: IntStore,
) -> None:
    """Store :func:`check_code` of each payload at its index in ``verdicts`` and ``crcs``.

    >>> verdicts, crcs = [0, 0], [0, 0]
    >>> check_many(["0002010102116304AD0A", b"x"], verdicts, crcs)
    >>> verdicts, crcs
    ([0, 4], [44298, -1])
    """
    items = snapshot(payloads, verdicts, crcs)
    for index, payload in enumerate(items):
        verdicts[index], crcs[index] = check_code(payload)


def snapshot(payloads: Iterable[Any], verdicts: Any, crcs: Any) -> tuple[Any, ...]:
    """The payloads as a tuple taken once, before any is checked (a list that changes while it
    is read, from a callback or another thread, cannot change what is checked), refused where
    the results would not fit: every index gets its result, or nothing is returned."""
    if isinstance(payloads, (str, bytes, bytearray, memoryview)):
        raise TypeError(
            f"expected a sequence of payloads, found one {type(payloads).__name__}; "
            "wrap a single payload in a list"
        )
    items = tuple(payloads)
    if len(items) > len(verdicts) or len(items) > len(crcs):
        raise IndexError("more payloads than room for their results")
    return items


def check_rows(
    rows: bytes | bytearray | memoryview,
    width: int,
    verdicts: IntStore,
    crcs: IntStore,
) -> None:
    """:func:`check_many` over fixed-width records laid end to end, each padded with trailing
    NUL bytes (the layout of a numpy ``S`` array, whose items drop that padding).

    >>> verdicts, crcs = [0, 0], [0, 0]
    >>> check_rows(b"000201\\0\\0" + b"0002010\\0", 8, verdicts, crcs)
    >>> verdicts
    [3, 4]
    """
    data = buffer_bytes(rows)
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    for index in range(len(data) // width):
        record = data[index * width : (index + 1) * width].rstrip(b"\0")
        verdicts[index], crcs[index] = check_code(record)

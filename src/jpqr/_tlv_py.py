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
jpqr.errors.DecodeError: expected 2 characters of value for ID 00, found only 1 ... (at ID 00, offset 0)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from . import _tlv_errors as err
from ._crc_py import CRC_MARKER, crc16, format_crc
from .dataobject import (
    MAX_INPUT_LENGTH,
    MAX_VALUE_LENGTH,
    NESTED_TEMPLATE_IDS,
    ROOT_TEMPLATE_IDS,
    DataObject,
)
from .errors import DecodeError

__all__ = ["decode", "encode", "to_text"]

# Exact ASCII tables: str.isdigit() would also accept "²" or "٣".
_IDS: Final = frozenset(f"{n:02d}" for n in range(100))
_LENGTHS: Final = {f"{n:02d}": n for n in range(100)}
_NO_TEMPLATES: Final[frozenset[str]] = frozenset()


def to_text(payload: str | bytes | bytearray | memoryview) -> str:
    """Check the input's type and size and return it as text (``bytes`` are read as UTF-8).

    >>> to_text(b"0002\\xe5\\x8c\\x97")
    '0002北'
    """
    if isinstance(payload, str):
        if len(payload) > MAX_INPUT_LENGTH:
            raise err.too_long(len(payload), MAX_INPUT_LENGTH, "characters")
        text = payload
    elif isinstance(payload, (bytes, bytearray, memoryview)):
        if len(payload) > MAX_INPUT_LENGTH:
            raise err.too_long(len(payload), MAX_INPUT_LENGTH, "bytes")
        try:
            text = bytes(payload).decode("utf-8")
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


def _decode_objects(
    text: str, start: int, end: int, parent_path: str, template_ids: frozenset[str]
) -> tuple[DataObject, ...]:
    objects = []
    pos = start
    previous_start = start
    while pos < end:
        id = text[pos : pos + 2]
        length = _LENGTHS.get(text[pos + 2 : pos + 4], -1)
        if end - pos < 4 or id not in _IDS or length < 0:
            raise err.bad_header(text, pos, end, parent_path, previous_start)
        value_start = pos + 4
        value_end = value_start + length
        if value_end > end:
            raise err.length_overrun(text, pos, end, id, length, parent_path)
        children = None
        if id in template_ids:
            path = f"{parent_path}.{id}" if parent_path else id
            try:
                # Only root templates hold templates (62 holds 50-99): deeper IDs are primitives.
                nested = NESTED_TEMPLATE_IDS.get(id, _NO_TEMPLATES) if not parent_path else None
                children = _decode_objects(
                    text, value_start, value_end, path, nested or _NO_TEMPLATES
                )
            except DecodeError:
                children = None
        objects.append(DataObject(id, text[value_start:value_end], children, pos))
        previous_start = pos
        pos = value_end
    return tuple(objects)


def encode(objects: Iterable[DataObject], *, crc: bool = True) -> str:
    """Write data objects as a payload, the inverse of :func:`decode`.

    A template is written from its ``children`` when it has them, else from its ``value``. With
    ``crc=True`` and no ID 63 among ``objects``, ``6304`` and the CRC are appended; an ID 63 that
    is there is written as it is, so ``encode(decode(s)) == s``.

    >>> encode([DataObject("00", "01"), DataObject("01", "12")], crc=False)
    '000201010212'
    """
    objects = tuple(objects)
    text = _encode_objects(objects, "")
    if crc and "63" not in _root_ids(objects):
        text += CRC_MARKER
        text += format_crc(crc16(text))
    return text


def _root_ids(objects: tuple[DataObject, ...]) -> set[str]:
    return {obj.id for obj in objects if isinstance(obj, DataObject)}


def _encode_objects(objects: Iterable[DataObject], parent_path: str) -> str:
    parts = []
    for obj in objects:
        if not isinstance(obj, DataObject):
            raise err.not_data_objects(obj)
        id = obj.id
        if not isinstance(id, str) or id not in _IDS:
            raise err.bad_id(id, parent_path)
        if obj.children is not None:
            value = _encode_objects(obj.children, f"{parent_path}.{id}" if parent_path else id)
        else:
            value = obj.value
            if not isinstance(value, str):
                raise err.bad_value(id, value, parent_path)
        if len(value) > MAX_VALUE_LENGTH:
            raise err.value_too_long(id, len(value), parent_path)
        parts.append(f"{id}{len(value):02d}{value}")
    return "".join(parts)

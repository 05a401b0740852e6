"""The compiled BER twin (jpqr._ber) against the pure one (jpqr._ber_py): on random bytes, on
valid encodings broken one byte at a time, and on hostile objects, both give identical results
or identical errors (class, code, message, offset, path)."""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import import_module
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jpqr import JPQRError, _ber_py
from jpqr._ber_object import BerObject

from .hostile import HOSTILE
from .test_ber import trees

if os.environ.get("JPQR_NO_EXTENSIONS"):
    pytest.skip("JPQR_NO_EXTENSIONS is set: no compiled twin to compare", allow_module_level=True)

_ber = import_module("jpqr._ber")  # not importorskip: a missing compiled twin must fail


def outcome(function: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    """The result (with its repr, which tells BerObject from tuple), or the error."""
    try:
        result = function(*args)
    except JPQRError as error:
        return ("raised", type(error), error.code, error.message, error.offset, error.path)
    except (TypeError, ValueError, BufferError) as error:
        return ("raised", type(error), str(error))
    return ("returned", repr(result), result)


def same(name: str, *args: Any) -> tuple[Any, ...]:
    pure = outcome(getattr(_ber_py, name), *args)
    compiled = outcome(getattr(_ber, name), *args)
    assert compiled == pure, (name, args)
    return pure


@given(st.binary(max_size=64))
def test_random_bytes(data: bytes) -> None:
    same("decode", data)
    same("to_bytes", data)


# Bytes that matter to the header rules: tag and length markers, 00, FF, 80, 81, 82.
SPECIAL = st.sampled_from([0x00, 0x1F, 0x20, 0x5F, 0x61, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x9F, 0xFF])


@given(trees, st.data())
def test_single_mutations(items: list[tuple[BerObject, bytes]], data: st.DataObject) -> None:
    encoded = bytearray(b"".join(raw for _, raw in items))
    if not encoded:
        return
    index = data.draw(st.integers(0, len(encoded) - 1))
    kind = data.draw(st.sampled_from(["replace", "delete", "insert", "truncate"]))
    byte = data.draw(st.one_of(SPECIAL, st.integers(0, 255)))
    if kind == "replace":
        encoded[index] = byte
    elif kind == "delete":
        del encoded[index]
    elif kind == "insert":
        encoded.insert(index, byte)
    else:
        del encoded[index:]
    result = same("decode", bytes(encoded))
    if result[0] == "returned":  # what decodes re-encodes to itself: one encoding per tree
        assert _ber_py.encode(result[2]) == bytes(encoded)


@given(trees)
def test_encode_alike(items: list[tuple[BerObject, bytes]]) -> None:
    same("encode", [obj for obj, _ in items])


ODD_OBJECTS: list[Any] = [
    [BerObject("5a", b"")],
    [BerObject("61", b"")],
    [BerObject("50", b"", ())],
    [BerObject("50", "x")],  # type: ignore[arg-type]
    [("50", b"", None, 0)],
    [BerObject("61", b"", (BerObject("9F8001", b""),))],
    b"\x50\x00",
    None,
    5,
]


@pytest.mark.parametrize("objects", ODD_OBJECTS, ids=repr)
def test_encode_errors_alike(objects: Any) -> None:
    assert same("encode", objects)[0] == "raised"


SAMPLE = "a\x05P\x03ABC"  # 61 05 (50 03 "ABC"): ASCII, so every hostile maker keeps its bytes


@pytest.mark.parametrize(("name", "make", "plain"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_objects(name: str, make: Callable[[str], Any], plain: Any) -> None:
    hostile = make(SAMPLE)
    result = same("decode", hostile)
    if plain is None or isinstance(plain(SAMPLE), str):
        assert result[:2] == ("raised", TypeError)  # BER data is bytes; text never is
    else:
        assert result == outcome(_ber_py.decode, plain(SAMPLE))


class LyingTag(str):
    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash("61")

    def upper(self) -> str:
        return "61"

    def __str__(self) -> str:
        return "61"


class LyingValue(bytes):
    def __len__(self) -> int:
        return 0

    def __bytes__(self) -> bytes:
        return b"other"


def test_hostile_fields_are_read_as_they_are() -> None:
    objects = [BerObject(LyingTag("50"), LyingValue(b"AB"))]
    assert same("encode", objects) == ("returned", repr(b"\x50\x02AB"), b"\x50\x02AB")


def _nest(depth: int, inner: bytes) -> bytes:
    for _ in range(depth):
        inner = bytes([0x61]) + _length(len(inner)) + inner
    return inner


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    if size < 0x100:
        return bytes([0x81, size])
    return bytes([0x82, size >> 8, size & 0xFF])


@given(st.integers(4090, 4100), st.integers(0, 10), st.sampled_from([b"", b"\x00", b"\x50"]))
def test_near_the_caps(size: int, depth: int, tail: bytes) -> None:
    """Inputs around the 4096-byte cap, templates around the depth cap, long lengths, and a
    stray byte after them: the twins agree on all of it."""
    value = b"\x55" * max(0, size - 4 - 3 * depth)
    data = _nest(depth, b"\xc1" + _length(len(value)) + value) + tail
    result = same("decode", data)
    if len(data) > 4096:
        assert result[2] == "ber.too_long"
    if result[0] == "returned":
        assert _ber_py.encode(result[2]) == data


@pytest.mark.parametrize("size", [0xFFFE, 0xFFFF, 0x10000])
def test_encode_near_the_value_cap(size: int) -> None:
    outcome_ = same("encode", [BerObject("C1", b"\x00" * size)])
    assert (outcome_[0] == "returned") is (size <= 0xFFFF)

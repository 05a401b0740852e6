"""The compiled twin against the pure one (DESIGN "Kernels"): on random text and bytes, on
generated valid payloads and on those payloads broken the ways codes break in the wild, every
kernel gives identical results, or identical errors (class, code, message, offset, path)."""

from __future__ import annotations

import binascii
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jpqr import DataObject, JPQRError, _crc_py, _tlv_py
from jpqr.dataobject import MAX_INPUT_LENGTH

from .conftest import crc_paths
from .hostile import HOSTILE, OtherStr, RaisingStr, ShortLenStr
from .strategies import SCRIPTS, trees
from .test_tlv import EMVCO_EXAMPLE

if os.environ.get("JPQR_NO_EXTENSIONS"):
    pytest.skip("JPQR_NO_EXTENSIONS is set: no compiled twin to compare", allow_module_level=True)

# Not importorskip: a missing compiled twin must fail the run, not skip it.
from jpqr import _crc, _tlv  # type: ignore[attr-defined, unused-ignore]

PURE = (_crc_py, _tlv_py)
COMPILED = (_crc, _tlv)

TEXT = SCRIPTS + "\n\r \t\ufeff\x00\u2028\ud800" + "0123456789" * 6 + "6304"


def outcome(function: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    """The result, or the error as everything a caller can see of it."""
    try:
        result = function(*args)
    except JPQRError as error:
        return ("raised", type(error), error.code, error.message, error.offset, error.path)
    except (TypeError, ValueError, IndexError, BufferError) as error:
        return ("raised", type(error), str(error))
    if isinstance(result, tuple):
        return ("returned", repr(result), result)  # repr() also tells DataObject from tuple
    return ("returned", type(result), result)


def same_everywhere(payload: object) -> None:
    for name in ("decode", "check", "check_code", "to_text"):
        pure = outcome(getattr(_tlv_py, name), payload)
        compiled = outcome(getattr(_tlv, name), payload)
        assert compiled == pure, (name, payload)
    for name in ("crc16", "crc_verdict"):
        pure = outcome(getattr(_crc_py, name), payload)
        compiled = outcome(getattr(_crc, name), payload)
        assert compiled == pure, (name, payload)


def same_batch(payloads: list[str] | list[bytes]) -> None:
    results = []
    for kernels in (_tlv_py, _tlv):
        verdicts = np.full(len(payloads), 255, np.uint8)
        crcs = np.full(len(payloads), -2, np.int32)
        kernels.check_many(payloads, verdicts, crcs)
        results.append((verdicts.tolist(), crcs.tolist()))
    assert results[0] == results[1]
    if payloads and all(type(p) is bytes and not p.endswith(b"\0") for p in payloads):
        array = np.array(payloads)
        width = array.dtype.itemsize
        for kernels in (_tlv_py, _tlv):
            verdicts = np.full(len(payloads), 255, np.uint8)
            crcs = np.full(len(payloads), -2, np.int32)
            kernels.check_rows(array.tobytes(), width, verdicts, crcs)
            assert (verdicts.tolist(), crcs.tolist()) == results[0]


@given(text=st.text(alphabet=TEXT, max_size=300))
def test_random_text(text: str) -> None:
    same_everywhere(text)


@given(data=st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    same_everywhere(data)
    same_everywhere(bytearray(data))


@given(data=st.lists(st.binary(max_size=40) | st.text(alphabet=TEXT, max_size=40), max_size=8))
def test_random_batches(data: list[Any]) -> None:
    same_batch(data)
    same_batch([p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p for p in data])


def offsets_of(objects: tuple[DataObject, ...]) -> list[int]:
    found = []
    for obj in objects:
        assert obj.offset is not None
        found.append(obj.offset)
        found.extend(offsets_of(obj.children or ()))
    return found


MUTATIONS = ["digit", "length", "truncate", "crc", "insert", "delete", "none"]


@st.composite
def mutated_payloads(draw: st.DrawFn) -> str:
    payload = _tlv_py.encode(draw(trees))
    how = draw(st.sampled_from(MUTATIONS))
    at = draw(st.integers(0, len(payload)))
    if how == "digit":
        at = min(at, len(payload) - 1)
        payload = payload[:at] + draw(st.sampled_from("0123456789")) + payload[at + 1 :]
    elif how == "length":
        offset = draw(st.sampled_from(offsets_of(_tlv_py.decode(payload))))
        length = int(payload[offset + 2 : offset + 4]) + draw(st.sampled_from([-1, 1]))
        if 0 <= length <= 99:
            payload = f"{payload[: offset + 2]}{length:02d}{payload[offset + 4 :]}"
    elif how == "truncate":
        payload = payload[:at]
    elif how == "crc":
        payload = payload[:-4] + draw(
            st.text(alphabet="0123456789ABCDEFabcdef", min_size=4, max_size=4)
        )
    elif how == "insert":
        extra = draw(st.sampled_from(["\n", "\r\n", " ", "\ufeff", "6304", "\x00"]))
        at = draw(st.sampled_from([0, at, len(payload)]))
        payload = payload[:at] + extra + payload[at:]
    elif how == "delete":
        payload = payload[:at] + payload[at + 1 :]
    return payload


@settings(max_examples=300)
@given(payload=mutated_payloads())
def test_generated_and_mutated_payloads(payload: str) -> None:
    same_everywhere(payload)
    same_everywhere(payload.encode("utf-8", "surrogatepass"))


@given(payloads=st.lists(mutated_payloads(), max_size=6))
def test_generated_and_mutated_batches(payloads: list[str]) -> None:
    same_batch(payloads)
    same_batch([p.encode("utf-8", "surrogatepass") for p in payloads])


@given(tree=trees, crc=st.booleans())
def test_encode(tree: list[DataObject], crc: bool) -> None:
    compiled = outcome(lambda: _tlv.encode(tree, crc=crc))
    assert compiled == outcome(lambda: _tlv_py.encode(tree, crc=crc))
    assert compiled[0] == "returned"


@pytest.mark.parametrize(
    "objects",
    [
        [DataObject("00", "01"), ("01", "12")],
        [DataObject("1", "x")],
        [DataObject("62", "", (DataObject("05", "x" * 100),))],
        [DataObject("62", "", (DataObject("AB", "x"),))],
        [DataObject("54", 100)],  # type: ignore[arg-type]
        [DataObject("62", "", (DataObject("50", "", (DataObject("00", 1),)),))],  # type: ignore[arg-type]
    ],
)
def test_encode_errors(objects: list[Any]) -> None:
    assert outcome(_tlv.encode, objects) == outcome(_tlv_py.encode, objects)
    assert outcome(_tlv.encode, objects)[0] == "raised"


@pytest.mark.parametrize(
    "payload",
    [
        EMVCO_EXAMPLE,
        EMVCO_EXAMPLE[:-6],
        EMVCO_EXAMPLE + "\r\n",
        "62106206500000",  # 62 inside 62 is a template whose children are primitives
        "6220500605020000",
        "x" * MAX_INPUT_LENGTH,
        "x" * (MAX_INPUT_LENGTH + 1),
        b"x" * (MAX_INPUT_LENGTH + 1),
        memoryview(b"0002010102116304AD0A"),
        memoryview(b"0002010102116304AD0A")[::2],
        None,
        12,
        "6304",
        "0002010102116304ad0a",
        "00020101021163040ad0a",
        "0002010102116304\u0661\u0662\u0663\u0664",
        "\ud83d\ude00",
        "5903北京€6304ab€d",  # non-ASCII in the CRC's place
        "5903北京€6304😀北é1",
        "5906北京€abc6304" + "0000",
    ],
)
def test_edge_cases(payload: object) -> None:
    same_everywhere(payload)
    if isinstance(payload, str):
        encoded = payload.encode("utf-8", "surrogatepass")
        same_everywhere(encoded)
        same_batch([encoded, payload.encode("utf-16-le", "surrogatepass")])


@given(
    data=st.binary(max_size=64) | st.text(alphabet=TEXT, max_size=64), init=st.integers(-2, 0x10001)
)
def test_crc_init(data: bytes | str, init: int) -> None:
    assert outcome(_crc.crc16, data, init) == outcome(_crc_py.crc16, data, init)


@pytest.mark.parametrize("path", ["table", "pclmul", "avx512"])
@settings(max_examples=200)
@given(data=st.binary(min_size=0, max_size=1400), init=st.integers(0, 0xFFFF))
def test_crc_paths_equal_crc_hqx(path: str, data: bytes, init: int) -> None:
    # Every kernel against CPython's own CRC-CCITT, around the block sizes (16 to 256) they use.
    if path not in crc_paths():
        pytest.skip(f"this CPU cannot run the {path} CRC path")
    before = _crc._use_path(path)
    try:
        assert _crc.crc16(data, init) == binascii.crc_hqx(data, init)
        text = data.decode("latin-1")
        assert _crc.crc16(text, init) == binascii.crc_hqx(text.encode(), init)
    finally:
        _crc._use_path(before)


def test_crc_paths_at_every_length_near_the_blocks() -> None:
    data = bytes(range(256)) * 6  # past the 4-register AVX-512 loop (320 bytes and up)
    for path in crc_paths():
        before = _crc._use_path(path)
        try:
            for n in range(len(data)):
                assert _crc.crc16(data[:n]) == binascii.crc_hqx(data[:n], 0xFFFF), (path, n)
        finally:
            _crc._use_path(before)
    with pytest.raises(ValueError):
        _crc._use_path("avx9000")


def test_long_bytes_on_both_ascii_loops() -> None:
    # Bytes payloads are tested for ASCII by an 8-byte loop below 512 bytes and by 64-byte
    # AVX-512 steps with a masked tail from 512 (where the CPU has them): a non-ASCII byte
    # anywhere, valid UTF-8 or not, must lead both twins to the same result or error.
    for n in (500, 511, 512, 513, 600, 1000, 4000):
        code = _tlv_py.encode(
            [DataObject("59", "A" * 99) for _ in range(n // 103)] + [DataObject("60", "B")]
        ).encode()
        same_batch([code, code])
        for at in (4, 70, 200, 450, 505, 520, 600, 990, 3900):
            if at + 2 >= len(code) - 8:  # keep the CRC marker intact
                continue
            for bad in (b"\xc3\xa9", b"\x80A"):
                payload = code[:at] + bad + code[at + 2 :]
                same_everywhere(payload)
                same_batch([payload, code])


# --- hostile objects (tests/hostile.py, issue 9): a subclass that lies in its own methods must
# give what its plain content gives, on both twins; a pretender, what any wrong type gives.

HOSTILE_WITH_CONTENT = [entry for entry in HOSTILE if entry[2] is not None]


@settings(max_examples=300)
@given(
    payload=mutated_payloads() | st.text(alphabet=TEXT, max_size=80),
    which=st.sampled_from(HOSTILE),
)
def test_hostile_objects_read_as_their_content(payload: str, which: Any) -> None:
    name, make, plain = which
    for text in (payload, payload * (MAX_INPUT_LENGTH // max(len(payload), 1) + 1)):
        hostile = outcome_everywhere(make(text))
        if plain is None:
            assert all(result[:2] == ("raised", TypeError) for result in hostile), name
        else:
            assert hostile == outcome_everywhere(plain(text)), (name, text)


def outcome_everywhere(payload: object) -> list[tuple[Any, ...]]:
    """What each kernel gives for ``payload``, the twins held to the same (same_everywhere)."""
    same_everywhere(payload)
    results = [outcome(getattr(_tlv_py, n), payload) for n in ("decode", "check", "check_code")]
    results += [outcome(getattr(_crc_py, n), payload) for n in ("crc16", "crc_verdict")]
    return results


@given(
    payloads=st.lists(mutated_payloads(), max_size=6),
    which=st.lists(st.sampled_from(HOSTILE_WITH_CONTENT), min_size=6, max_size=6),
)
def test_hostile_batches(payloads: list[str], which: list[Any]) -> None:
    hostile = [which[i][1](p) for i, p in enumerate(payloads)]
    same_batch(hostile)
    results = []
    for kernels in (_tlv_py, _tlv):
        verdicts = np.full(len(payloads), 255, np.uint8)
        crcs = np.full(len(payloads), -2, np.int32)
        kernels.check_many([which[i][2](p) for i, p in enumerate(payloads)], verdicts, crcs)
        results.append((verdicts.tolist(), crcs.tolist()))
    for kernels in (_tlv_py, _tlv):
        verdicts = np.full(len(payloads), 255, np.uint8)
        crcs = np.full(len(payloads), -2, np.int32)
        kernels.check_many(hostile, verdicts, crcs)
        assert (verdicts.tolist(), crcs.tolist()) == results[0]


@given(
    tree=trees,
    wrap=st.sampled_from([str, ShortLenStr, OtherStr, np.str_, RaisingStr]),
)
def test_encode_of_str_subclasses(tree: list[DataObject], wrap: Any) -> None:
    def rewrap(objects: Any) -> Any:
        return [
            DataObject(
                wrap(o.id), wrap(o.value), None if o.children is None else rewrap(o.children)
            )
            for o in objects
        ]

    wrapped = rewrap(tree)
    compiled = outcome(lambda: _tlv.encode(wrapped))
    assert compiled == outcome(lambda: _tlv_py.encode(wrapped))
    assert compiled == outcome(lambda: _tlv_py.encode(tree))

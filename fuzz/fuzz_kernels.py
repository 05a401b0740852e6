"""Differential fuzzing of the kernels: decode, check, check_code, to_text, crc16 and
crc_verdict on the compiled twin against the pure one, on payloads of every accepted shape.

Both must give the same result or the same error (class, code, message, offset, path); only
JPQRError (or TypeError for a type neither accepts) may come out; and the results must agree with
independent computations: binascii.crc_hqx for the CRC, check_code() with check().
"""

from __future__ import annotations

import binascii
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from _common import (
    CYTHON,
    PYTHON,
    accepted_type,
    fail,
    outcome,
    payload,
    payload_seeds,
    plain_bytes,
    run,
)

from jpqr.dataobject import DataObject

VERDICTS = ("ok", "lowercase", "mismatch", "missing", "invalid")
ODD_INITS = [0, 0xFFFF, -1, 0x10000, 2**70, -(2**70), 1.5, True, None, "1"]


def same(name: str, value: object, *args: object, **kwargs: object) -> tuple[Any, ...]:
    """Call kernel ``name`` on both twins; they must agree, and raise nothing unexpected."""
    (crc_py, tlv_py), (crc_c, tlv_c) = PYTHON, CYTHON
    module_py = crc_py if hasattr(crc_py, name) else tlv_py
    module_c = crc_c if hasattr(crc_c, name) else tlv_c
    expected = outcome(getattr(module_py, name), value, *args, **kwargs)
    got = outcome(getattr(module_c, name), value, *args, **kwargs)
    # Known and left: crc16(strided memoryview, 1.5) is BufferError on the pure twin (binascii
    # reads the buffer before the init) and TypeError on the compiled one. Both refuse it.
    strided_bad_init = (
        name == "crc16"
        and isinstance(value, memoryview)
        and not value.c_contiguous
        and type(args[0]) is not int
        and expected[0] == got[0] == "raised"
    )
    if got != expected and not strided_bad_init:
        fail(f"{name}: the twins disagree", value, args, ("python", expected), ("cython", got))
    # Only a strided memoryview may be refused by the buffer protocol (crc16 needs one block).
    # crc16 may refuse a strided memoryview (it needs one block) or a bad init, like binascii.
    refused = name == "crc16" and (
        expected[1] == "BufferError" or not (type(args[0]) is int and 0 <= args[0] <= 0xFFFF)
    )
    if expected[0] == "raised" and accepted_type(value) and not refused:
        fail(f"{name}: not a JPQRError", value, expected)
    return expected


def test_one(data: bytes) -> None:
    value = payload(data)
    text_outcome = same("to_text", value)
    decoded = same("decode", value)
    checked = same("check", value)
    code = same("check_code", value)
    verdict = same("crc_verdict", value)
    init: object = 0xFFFF
    if len(data) >= 3 and data[0] & 0x40:  # any 16-bit start, or one that must be refused alike
        init = int.from_bytes(data[1:3], "big")
        if data[0] & 0x20:
            init = ODD_INITS[init % len(ODD_INITS)]
    crc = same("crc16", value, init)

    # Independent oracles: binascii.crc_hqx, and how the kernels must relate to each other.
    if accepted_type(value) and crc[0] == "ok" and type(init) is int:
        raw = plain_bytes(value)
        if crc[1] != binascii.crc_hqx(raw, init):
            fail("crc16 is not crc_hqx", value, init, crc)
    if (decoded[0] == "ok") != (checked[0] == "ok") or (decoded[0] != "ok" and decoded != checked):
        fail("check() and decode() disagree on whether it decodes", value, decoded, checked)
    if text_outcome[0] == "ok":
        text = text_outcome[1]
        want_crc = -1
        if len(text) >= 8 and text[-8:-4] == "6304":
            want_crc = binascii.crc_hqx(text[:-4].encode("utf-8", "surrogatepass"), 0xFFFF)
        want_code = VERDICTS.index(checked[1]) if checked[0] == "ok" else 4
        if code != ("ok", (want_code, want_crc)):
            fail("check_code() is not check() as numbers", value, code, checked, want_crc)
        if checked[0] == "ok" and checked[1] != PYTHON[0].crc_verdict(text):
            fail("check() is not crc_verdict() of the text", value, checked)
    elif text_outcome[0] == "jpqr" and code != ("ok", (4, -1)):
        fail("check_code() of unreadable input is not (invalid, -1)", value, code)
    if decoded[0] == "ok":
        text = text_outcome[1]
        for obj in _walk(decoded[1]):
            if (
                type(obj.value) is not str
                or obj.offset is None
                or text[obj.offset + 4 :].find(obj.value) != 0
            ):
                fail("a decoded value is not the text at its offset", value, obj)
    del verdict


def _walk(objects: Iterable[DataObject]) -> Iterator[DataObject]:
    for obj in objects:
        yield obj
        if obj.children is not None:
            yield from _walk(obj.children)


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    run(test_one, payload_seeds)

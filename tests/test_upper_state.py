"""Every compiled kernel leaves the upper halves of the vector registers clean (DESIGN.md,
performance bar), proven without timing: XGETBV with ECX=1 (XINUSE) read in C right before and
right after each kernel (``_crc._upper_state_after``, ``_tlv._upper_state_after``), then after
each public call from Python.

While bits 128-511 of ymm/zmm0-15 are dirty, Intel CPUs charge every later switch between SSE
and VEX code (CPython's allocator, glibc) ~50-60 ns, in every later call of the process; a kernel
that returns without VZEROUPPER (GCC PR 112891 drops it when the kernel ends in a call) does that.
Compiled-only by nature; skipped only where the CPU cannot report XINUSE.
"""

from __future__ import annotations

import binascii
import contextlib
import os
from collections.abc import Callable, Iterator

import numpy as np
import pytest

import jpqr
from jpqr import DataObject, _tlv_py, batch

from .test_tlv import EMVCO_EXAMPLE

if os.environ.get("JPQR_NO_EXTENSIONS"):
    pytest.skip("JPQR_NO_EXTENSIONS is set: no compiled kernels", allow_module_level=True)

# Not importorskip: a missing compiled twin must fail the run, not skip it.
from jpqr import _crc, _tlv  # type: ignore[attr-defined, unused-ignore]

from .conftest import crc_paths, twin

pytestmark = [
    pytest.mark.cython,
    pytest.mark.skipif(
        _crc._upper_state() is None, reason="no XGETBV with ECX=1 (CPUID.(EAX=0Dh,ECX=1):EAX[2])"
    ),
]

# XINUSE bit 2: bits 128-255 of ymm0-15; bit 6: bits 256-511 of zmm0-15. VZEROUPPER clears both,
# and only these make SSE code pay. Bits 5 (opmask) and 7 (zmm16-31) are left alone: VZEROUPPER
# does not reset them, legacy SSE cannot reach those registers, and glibc's EVEX string
# functions set them anyway (XINUSE reads 0xa2 in a clean process here).
DIRTY_UPPER = 0x44

# Around every block size the kernels use: 16-byte folds, 64-byte registers, the 256-byte
# four-register loop, and the tails after each; the thresholds of the dispatch on both sides.
LENGTHS = sorted(
    {0, 1, 3, 4, 15, 16, 17, 31, 32, 63, 64, 65, 67, 68, 79, 80, 100, 127, 128, 129, 143, 191}
    | {192, 200, 255, 256, 257, 259, 260, 319, 320, 321, 383, 384, 511, 512, 513, 1000, 1023}
    | {1024, 1027, 2048, 4095, 4096, 4099, 8192, 65536 + 13}
)


PATHS = crc_paths()


@pytest.fixture(params=_crc.CRC_PATHS)
def path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every CRC path this CPU has, for crc16() and _tlv's own copy of the kernels alike."""
    if request.param not in PATHS:
        pytest.skip(f"this CPU cannot run the {request.param} CRC path")
    before = _crc._use_path(request.param)
    try:
        yield request.param
    finally:
        _crc._use_path(before)


def clean(state: int | None) -> bool:
    assert state is not None
    return not state & DIRTY_UPPER


def data_of(n: int) -> bytes:
    return bytes((i * 7 + 3) % 256 for i in range(n))


def code_of(length: int, fill: str = "A") -> str:
    """A payload of about ``length`` characters (data objects of ``fill``), ending in its CRC."""
    objects, left = [], max(length - 8, 0)
    while left >= 5:
        value = min(99, left - 4)
        if 0 < left - 4 - value < 5:  # leave room for one more whole object
            value -= 5
        objects.append(DataObject("59", fill * value))
        left -= 4 + value
    return _tlv_py.encode(objects)


ASCII_CODES = [code_of(n) for n in (8, 20, 72, 136, 200, 264, 520, 1000, 4096)] + [
    # malformed, so the walk stops early: the CRC verdict still runs (or not) the same way
    "0002010102116304",
    "00020101021163041234" * 3,
]
UTF8_CODES = [EMVCO_EXAMPLE, code_of(300, "é"), code_of(1300, "運")]


def test_xinuse_reads() -> None:
    assert isinstance(_crc._upper_state(), int)
    _crc._clear_upper()
    assert clean(_crc._upper_state())


@pytest.mark.parametrize("kernel", _crc.CRC_PATHS)
def test_crc_kernel_leaves_upper_clean(kernel: str) -> None:
    # Each kernel itself, at every length it takes (the carry-less ones from 64 bytes).
    if kernel not in PATHS:
        pytest.skip(f"this CPU cannot run the {kernel} CRC path")
    for n in LENGTHS:
        if kernel != "table" and n < 64:
            with pytest.raises(ValueError):
                _crc._upper_state_after(kernel, data_of(n))
            continue
        crc, before, after = _crc._upper_state_after(kernel, data_of(n))
        assert crc == binascii.crc_hqx(data_of(n), 0xFFFF), (kernel, n)
        assert clean(before), (kernel, n, before)
        assert clean(after), f"{kernel} kernel, {n} bytes: XINUSE {after:#x} after it"


def test_crc_dispatch_leaves_upper_clean(path: str) -> None:
    # jpqr_crc16() as crc16() runs it, on the path set and with its size thresholds.
    for n in LENGTHS:
        crc, before, after = _crc._upper_state_after("crc16", data_of(n))
        assert crc == binascii.crc_hqx(data_of(n), 0xFFFF), (path, n)
        assert clean(before) and clean(after), f"crc16 [{path}], {n} bytes: XINUSE {after:#x}"


@pytest.mark.parametrize("kernel", _tlv._STATE_KERNELS)
def test_tlv_kernel_leaves_upper_clean(path: str, kernel: str) -> None:
    # The AVX-512 ASCII test, check() on ASCII, the batch kernels (pairs of texts, pairs of
    # UTF-8 records) and _tlv's own copy of the CRC dispatch.
    payloads = [code.encode() for code in ASCII_CODES] + [data_of(n) for n in LENGTHS if n < 4096]
    if kernel not in ("check_ascii", "check_pair"):  # these two take ASCII text only
        payloads += [code.encode() for code in UTF8_CODES]
    for payload in payloads:
        result, before, after = _tlv._upper_state_after(kernel, payload)
        if kernel == "is_ascii":
            assert result == payload.isascii(), len(payload)
        assert clean(before), (kernel, path, len(payload))
        assert clean(after), f"{kernel} [{path}], {len(payload)} bytes: XINUSE {after:#x}"


def test_public_calls_leave_upper_clean(path: str) -> None:
    # The same through the whole stack: each public call, then XINUSE read from Python. (Code
    # in between could only clear the state, never dirty it: this adds no false alarms.)
    codes = ASCII_CODES + UTF8_CODES
    rows = np.array([code.encode() for code in codes])
    calls: list[tuple[str, Callable[[], object]]] = [
        *((f"crc16 {len(c)}", lambda c=c: jpqr.crc16(c)) for c in codes),
        *((f"crc16 bytes {n}", lambda n=n: jpqr.crc16(data_of(n))) for n in LENGTHS),
        *((f"check {len(c)}", lambda c=c: jpqr.check(c)) for c in codes),
        *((f"check bytes {len(c)}", lambda c=c: jpqr.check(c.encode())) for c in codes),
        *((f"crc_verdict {len(c)}", lambda c=c: jpqr.crc_verdict(c.encode())) for c in codes),
        *((f"decode {len(c)}", lambda c=c: jpqr.decode(c.encode())) for c in codes[1:-2]),
        ("batch list[str]", lambda: batch.check(codes)),
        ("batch list[bytes]", lambda: batch.check([c.encode() for c in codes])),
        ("batch numpy S", lambda: batch.check(rows)),
    ]
    with twin("cython"):
        for what, call in calls:
            _crc._clear_upper()
            with contextlib.suppress(jpqr.JPQRError):  # the malformed: the kernels ran all the same
                call()
            state = _crc._upper_state()
            assert clean(state), f"{what} [{path}]: XINUSE {state:#x} after it"


def test_ascii_scan_sees_every_byte() -> None:
    # The 8-byte loop below 512 bytes, 64-byte steps and a masked tail from there (_tlv_scan.h).
    for n in (511, 512, 513, 575, 576, 577, 1000, 4096):
        assert _tlv._upper_state_after("is_ascii", b"A" * n)[0] == 1
        for at in {0, 7, 8, 63, 64, 65, n // 2, n - 65, n - 64, n - 9, n - 8, n - 1}:
            payload = bytearray(b"A" * n)
            payload[at] = 0x80
            result, _, after = _tlv._upper_state_after("is_ascii", bytes(payload))
            assert result == 0, (n, at)
            assert clean(after), (n, at)

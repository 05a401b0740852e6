"""Many decodes of valid and invalid input do not grow memory (DESIGN "Input limits"), on both
twins: a leaked reference in the compiled twin would show here. Bounds are generous; no timing."""

from __future__ import annotations

import contextlib
import gc
import tracemalloc
from types import ModuleType

import numpy as np
import pytest

from jpqr import DecodeError, batch

from .test_tlv import EMVCO_EXAMPLE

INPUTS: list[str | bytes] = [
    EMVCO_EXAMPLE,
    EMVCO_EXAMPLE.encode(),
    EMVCO_EXAMPLE + "\n",  # trailing line end: an error with a message
    EMVCO_EXAMPLE[:-6],  # truncated header
    "0002016225050312345678906304ABCD",  # overrun that swallows the CRC
    b"0002015904AB\xffC",  # invalid UTF-8
    "\ufeff" + EMVCO_EXAMPLE,  # BOM
    "6205hello5802JP",  # a template that is not TLV
]


def exercise(impl: ModuleType, rounds: int) -> None:
    for _ in range(rounds):
        for payload in INPUTS:
            with contextlib.suppress(DecodeError):
                impl.encode(impl.decode(payload))
            with contextlib.suppress(DecodeError):
                impl.check(payload)
            impl.check_code(payload)
            impl.crc_verdict(payload)
            impl.crc16(payload)
        batch.check(INPUTS)
        batch.check(np.array([p.encode() if isinstance(p, str) else p for p in INPUTS]))


def test_no_growth_over_many_calls(impl: ModuleType) -> None:
    exercise(impl, 50)  # warm caches (interned strings, free lists, numpy)
    gc.collect()
    tracemalloc.start()
    try:
        exercise(impl, 200)
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        exercise(impl, 1000)  # 8000 payloads through every kernel
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One leaked DataObject per decode alone would be over 1 MB here.
    assert after - before < 64 * 1024, after - before


def test_no_native_growth(impl: ModuleType) -> None:
    # tracemalloc sees only Python's allocator; the compiled kernels also use malloc (16 KiB of
    # scratch per check_code/check_many call), so watch the process's peak resident size too.
    resource = pytest.importorskip("resource")
    exercise(impl, 50)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    for _ in range(20):
        for payload in INPUTS:
            for _ in range(100):
                impl.check_code(payload)
        batch.check(INPUTS * 10)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # 16 000 calls leaking their 16 KiB scratch would add 250 MiB; allow 16 MiB of noise.
    assert after - before < 16 * 1024, after - before

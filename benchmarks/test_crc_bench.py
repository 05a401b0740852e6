"""crc16 at 32, 256 and 4096 bytes against binascii.crc_hqx (the baseline) and fastcrc."""

from __future__ import annotations

import binascii
import random
from types import ModuleType
from typing import Any

import pytest

from .conftest import timed

SIZES = [32, 256, 4096]


def data_of(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.mark.parametrize("size", SIZES)
def test_crc_hqx(benchmark: Any, size: int) -> None:
    data = data_of(size)
    benchmark.group = f"crc16-{size}B"
    benchmark.name = "binascii.crc_hqx"
    benchmark.extra_info["baseline"] = True
    assert timed(benchmark, binascii.crc_hqx, data, 0xFFFF) == binascii.crc_hqx(data, 0xFFFF)


@pytest.mark.parametrize("size", SIZES)
def test_jpqr(benchmark: Any, impl: ModuleType, size: int) -> None:
    data = data_of(size)
    benchmark.group = f"crc16-{size}B"
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}]"
    if impl.IMPLEMENTATION == "cython":
        from jpqr import _crc  # type: ignore[attr-defined]

        benchmark.extra_info["path"] = _crc.CRC_PATH
    assert timed(benchmark, impl.crc16, data) == binascii.crc_hqx(data, 0xFFFF)


@pytest.mark.parametrize("size", SIZES)
def test_fastcrc(benchmark: Any, size: int) -> None:
    fastcrc = pytest.importorskip("fastcrc")
    data = data_of(size)
    benchmark.group = f"crc16-{size}B"
    benchmark.name = "fastcrc.ibm_3740"
    assert timed(benchmark, fastcrc.crc16.ibm_3740, data) == binascii.crc_hqx(data, 0xFFFF)

"""crc16 at 32, 256 and 4096 bytes and 1 MiB against binascii.crc_hqx (the baseline) and
fastcrc; the compiled twin also on each CRC path this CPU has (table, pclmul, avx512), each size."""

from __future__ import annotations

import binascii
import random
from types import ModuleType
from typing import Any

import pytest

from .conftest import timed

SIZES = [32, 256, 4096, 1 << 20]


def group_of(size: int) -> str:
    return "crc16-1MiB" if size == 1 << 20 else f"crc16-{size}B"


def calls_for(size: int) -> int:
    return 5 if size == 1 << 20 else 500


def data_of(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.mark.parametrize("size", SIZES)
def test_crc_hqx(benchmark: Any, size: int) -> None:
    data = data_of(size)
    benchmark.group = group_of(size)
    benchmark.name = "binascii.crc_hqx"
    benchmark.extra_info["baseline"] = True
    assert timed(
        benchmark, binascii.crc_hqx, data, 0xFFFF, calls=calls_for(size)
    ) == binascii.crc_hqx(data, 0xFFFF)


@pytest.mark.parametrize("size", SIZES)
def test_jpqr(benchmark: Any, impl: ModuleType, size: int) -> None:
    data = data_of(size)
    benchmark.group = group_of(size)
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}]"
    if impl.IMPLEMENTATION == "cython":
        from jpqr import _crc  # type: ignore[attr-defined, unused-ignore]

        benchmark.extra_info["path"] = _crc.CRC_PATH
    assert timed(benchmark, impl.crc16, data, calls=calls_for(size)) == binascii.crc_hqx(
        data, 0xFFFF
    )


@pytest.mark.parametrize("size", SIZES)
def test_fastcrc(benchmark: Any, size: int) -> None:
    fastcrc = pytest.importorskip("fastcrc")
    data = data_of(size)
    benchmark.group = group_of(size)
    benchmark.name = "fastcrc.ibm_3740"
    assert timed(
        benchmark, fastcrc.crc16.ibm_3740, data, calls=calls_for(size)
    ) == binascii.crc_hqx(data, 0xFFFF)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", ["table", "pclmul", "avx512"])
def test_jpqr_crc_paths(benchmark: Any, path: str, size: int) -> None:
    _crc = pytest.importorskip("jpqr._crc")
    try:
        before = _crc._use_path(path)
    except ValueError:
        pytest.skip(f"this CPU cannot run the {path} CRC path")
    try:
        data = data_of(size)
        benchmark.group = group_of(size)
        benchmark.name = f"jpqr[cython:{path}]"
        result = timed(benchmark, _crc.crc16, data, calls=calls_for(size))
        assert result == binascii.crc_hqx(data, 0xFFFF)
    finally:
        _crc._use_path(before)

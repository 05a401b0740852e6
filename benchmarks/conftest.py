"""Shared inputs and the implementation fixture of the benchmarks (pytest-benchmark).

Run: ``python -m pytest benchmarks --benchmark-enable --benchmark-json=out.json`` then
``python benchmarks/report.py out.json``. Inputs are built before timing; every jpqr benchmark
runs on both twins (``jpqr[python]``, ``jpqr[cython]``) so the report can set them side by side.
"""

from __future__ import annotations

import os

# numpy's OpenBLAS starts spinning worker threads, which take the second core from the
# two-thread batch benchmark on a 2-core machine; no benchmark uses BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from collections import deque
from collections.abc import Callable, Iterator
from itertools import repeat
from types import ModuleType
from typing import Any

import pytest
from tests.conftest import twin

from jpqr import _kernels

from .payloads import ASCII_PAYLOAD, EMVCO_EXAMPLE, JPQR_VALID, PAYLOADS, VALIDATE_PAYLOADS

__all__ = ["ASCII_PAYLOAD", "CALLS", "EMVCO_EXAMPLE", "JPQR_VALID", "PAYLOADS", "TWINS"]
__all__ += ["VALIDATE_PAYLOADS", "impl", "timed"]

TWINS = ["python", "cython"]

# Calls per timed round. pytest-benchmark's own loop costs ~35 ns a call, more than a whole
# crc16 of 32 bytes, so the fast kernels are called CALLS times in a C loop (deque over map)
# and reported per call; the baselines get the same loop, so ratios stay fair.
CALLS = 500


def timed(benchmark: Any, function: Callable[..., Any], *args: Any, calls: int = CALLS) -> Any:
    """Benchmark ``calls`` calls of ``function(*args)``; return one call's result."""
    benchmark.extra_info["items"] = calls

    def run() -> None:
        deque(map(function, *(repeat(arg, calls) for arg in args)), maxlen=0)

    benchmark(run)
    return function(*args)


@pytest.fixture(params=TWINS)
def impl(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    if request.param not in _kernels.available():
        pytest.skip(f"the {request.param} twin is not built")  # timing never fails the build
    with twin(request.param) as kernels:
        yield kernels

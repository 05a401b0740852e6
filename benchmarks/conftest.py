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
from tests.test_cli import SESSION_CODE
from tests.test_tlv import EMVCO_EXAMPLE

from jpqr import DataObject, _kernels, _tlv_py

# A dynamic JPQR code for one charging session: 197 ASCII characters, 20 data objects.
ASCII_PAYLOAD = _tlv_py.encode(
    [
        DataObject("00", "01"),
        DataObject("01", "12"),
        DataObject.template(
            "26",
            [
                DataObject("00", "jp.or.paymentsjapan"),
                DataObject("01", "0000000000001"),
                DataObject("02", "0001"),
                DataObject("03", "0000001"),
                DataObject("04", "001"),
            ],
        ),
        DataObject("52", "5999"),
        DataObject("53", "392"),
        DataObject("54", "1500"),
        DataObject("58", "JP"),
        DataObject("59", "EV CHARGE INC"),
        DataObject("60", "TOKYO"),
        DataObject("61", "1000001"),
        DataObject.template(
            "62", [DataObject("05", "SESSION-20261121-0042"), DataObject("07", "EVSE-001")]
        ),
    ]
)
assert len(ASCII_PAYLOAD) == 197 and ASCII_PAYLOAD.isascii()

# The EMVCo example: 248 characters with Chinese text in the language template 64.
PAYLOADS = {"ascii": ASCII_PAYLOAD, "emvco": EMVCO_EXAMPLE}


# ASCII_PAYLOAD is not a valid JPQR code (26.03 has 7 characters and 26.04 3, where the JPQR
# identifier wants 6 each; no language template 64), so validating it times the error path.
# validate also times a valid JPQR code: the EV-charging session of the CLI tests, written by
# hand with the CRC of binascii.crc_hqx (independent of jpqr), 211 characters, the merchant name
# in Japanese in 64.
assert len(SESSION_CODE) == 211
VALIDATE_PAYLOADS = {**PAYLOADS, "jpqr-valid": SESSION_CODE}

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

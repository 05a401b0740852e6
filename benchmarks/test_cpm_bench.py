"""A customer-presented code read on both twins, the pure one the baseline: the BER-TLV decode
of the EMV QRCPS annex example (its 124 bytes), the whole ``jpqr.cpm.decode`` of its Base64
text, and ``jpqr.cpm.validate`` of it. Ratios are taken within one run (benchmarks/report.py)."""

from __future__ import annotations

import base64
from types import ModuleType
from typing import Any

from tests.test_cpm import ANNEX

from jpqr import cpm

from .conftest import timed

ANNEX_BYTES = base64.b64decode(ANNEX)
assert len(ANNEX_BYTES) == 124


def _name(benchmark: Any, impl: ModuleType, group: str, calls: int) -> int:
    benchmark.group = group
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}]"
    benchmark.extra_info["baseline"] = impl.IMPLEMENTATION == "python"
    return calls


def test_ber_decode(benchmark: Any, impl: ModuleType) -> None:
    calls = _name(benchmark, impl, "cpm-ber-decode", 500)
    assert timed(benchmark, impl.ber_decode, ANNEX_BYTES, calls=calls)[-1].tag == "62"


def test_cpm_decode(benchmark: Any, impl: ModuleType) -> None:
    calls = _name(benchmark, impl, "cpm-decode", 500)
    assert timed(benchmark, cpm.decode, ANNEX, calls=calls)[0].value == b"CPV01"


def test_cpm_validate(benchmark: Any, impl: ModuleType) -> None:
    calls = _name(benchmark, impl, "cpm-validate", 100)
    assert timed(benchmark, cpm.validate, ANNEX, calls=calls).ok

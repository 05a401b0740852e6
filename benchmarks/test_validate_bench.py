"""jpqr.validate (decode, then the profile's rules) on the two benchmark payloads, on both
twins: how much of a validation the compiled decode leaves (informational; no bar in DESIGN)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

import jpqr

from .conftest import PAYLOADS, timed

KINDS = sorted(PAYLOADS)


@pytest.mark.parametrize("kind", KINDS)
def test_validate(benchmark: Any, impl: ModuleType, kind: str) -> None:
    benchmark.group = f"validate-{kind}"
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}]"
    benchmark.extra_info["baseline"] = impl.IMPLEMENTATION == "python"
    report = timed(benchmark, jpqr.validate, PAYLOADS[kind], calls=50)
    assert report.crc == "ok"

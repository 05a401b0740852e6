"""jpqr.validate (decode, then the profile's rules) on the two benchmark payloads and on a valid
JPQR code, on both twins: how much of a validation the compiled decode leaves (informational; no
bar in DESIGN). The ASCII payload times the error path (three issues), the EMVCo example (valid,
Chinese text) and the valid JPQR code the path where nothing is reported."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

import jpqr

from .conftest import VALIDATE_PAYLOADS, timed

KINDS = sorted(VALIDATE_PAYLOADS)


@pytest.mark.parametrize("kind", KINDS)
def test_validate(benchmark: Any, impl: ModuleType, kind: str) -> None:
    benchmark.group = f"validate-{kind}"
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}]"
    benchmark.extra_info["baseline"] = impl.IMPLEMENTATION == "python"
    report = timed(benchmark, jpqr.validate, VALIDATE_PAYLOADS[kind], calls=50)
    assert report.crc == "ok"
    assert report.ok == (kind != "ascii"), report.codes

"""jpqr.batch.check over 10 000 payloads per call: a list of str, a list of bytes (no copy into
an array first) and a numpy S array (GIL released; one and two threads). Reported per payload."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from jpqr import batch

from .conftest import PAYLOADS

COUNT = 10_000
KINDS = sorted(PAYLOADS)
INPUTS = ["list[str]", "list[bytes]", "numpy S", "numpy S, 2 threads"]


def make_input(kind: str, form: str) -> Any:
    payload = PAYLOADS[kind]
    if form == "list[str]":
        return [payload] * COUNT
    data = [payload.encode()] * COUNT
    return data if form == "list[bytes]" else np.array(data)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", INPUTS)
def test_batch_check(benchmark: Any, impl: ModuleType, kind: str, form: str) -> None:
    payloads = make_input(kind, form)
    threads = 2 if "threads" in form else 1
    benchmark.group = f"batch-{kind}"
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}] {form}"
    benchmark.extra_info["items"] = COUNT
    benchmark.extra_info["baseline"] = impl.IMPLEMENTATION == "python" and form == "list[str]"
    result = benchmark(batch.check, payloads, threads=threads)
    assert result.ok.all()

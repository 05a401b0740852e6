"""Every behavioural test runs on both twins through the ``impl`` fixture.

``impl`` switches every layer of jpqr to one twin (``jpqr._kernels.use``) and hands the test the
kernel namespace (``impl.decode``, ``impl.encode``, ``impl.crc16``, ``impl.crc_verdict``,
``impl.check``).

The ``cython`` parameter is always there: when the compiled twin is not built its tests fail
(``_kernels.use`` raises ImportError), so a broken build cannot pass as a pure-Python run. Only
``JPQR_NO_EXTENSIONS=1`` (pure mode on purpose) skips them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from jpqr import _kernels

DATA = Path(__file__).parent / "data"

_PURE_MODE = [pytest.mark.skip(reason="JPQR_NO_EXTENSIONS")] if _kernels.NO_EXTENSIONS else []
IMPLEMENTATIONS = ["python", pytest.param("cython", marks=[pytest.mark.cython, *_PURE_MODE])]


@contextmanager
def twin(name: _kernels.Implementation) -> Iterator[ModuleType]:
    """Route every layer through one twin for the block; ImportError where it is not built."""
    before = _kernels.IMPLEMENTATION
    _kernels.use(name)
    try:
        yield _kernels
    finally:
        _kernels.use(before)


@pytest.fixture(params=IMPLEMENTATIONS)
def impl(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    with twin(request.param) as kernels:
        yield kernels


def crc_paths() -> list[str]:
    """The compiled CRC kernels this CPU can run (the table always, the carry-less ones where
    it can); none where the compiled twin is not built."""
    try:
        from jpqr import _crc  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return []
    paths = []
    for path in _crc.CRC_PATHS:
        try:
            before = _crc._use_path(path)
        except ValueError:
            continue
        _crc._use_path(before)
        paths.append(path)
    return paths


def load_vectors() -> list[dict[str, Any]]:
    with open(DATA / "published.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


PUBLISHED = load_vectors()

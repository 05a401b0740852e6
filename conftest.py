"""What every test run collects, in the source tree and against an installed jpqr alike.

jpqr.ocpp needs the ``ocpp`` package, which needs Python 3.11 (the ``ocpp`` extra says so): below
that, the OCPP tests and the doctests that call ``ocpp`` are not collected, and the header says
so. From 3.11 on a missing ``ocpp`` is a collection error, never a skip.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Tests and benchmarks named test_ocpp*, the independent station's folder, and the jpqr.ocpp
# modules that import the ocpp package (their doctests).
NEEDS_OCPP = (
    "test_ocpp*",
    "tests/ocpp_station",
    "jpqr/ocpp/calls.py",
    "jpqr/ocpp/csms.py",
)
WITHOUT_OCPP = sys.version_info < (3, 11)


def needs_ocpp(path: Path) -> bool:
    """Whether collecting ``path`` imports the ``ocpp`` package."""
    posix = path.as_posix()
    return (
        path.name.startswith("test_ocpp")
        or "tests/ocpp_station" in posix
        or any(posix.endswith(module) for module in NEEDS_OCPP if module.endswith(".py"))
    )


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    if WITHOUT_OCPP and needs_ocpp(collection_path):
        return True
    return None  # let pytest decide


def pytest_report_header() -> list[str]:
    from jpqr import _kernels

    lines = [
        f"jpqr {_kernels.IMPLEMENTATION} twin, CRC kernel {_kernels.crc_kernel()}, "
        f"from {Path(sys.modules['jpqr'].__file__ or '?').parent}"
    ]
    if WITHOUT_OCPP:
        lines.append(f"jpqr: Python < 3.11, not collected: {', '.join(NEEDS_OCPP)}")
    return lines

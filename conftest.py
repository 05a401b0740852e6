"""What every test run collects, in the source tree and against an installed jpqr alike.

jpqr.ocpp needs the ``ocpp`` package, which needs Python 3.11 (the ``ocpp`` extra says so): below
that, the OCPP tests and the doctests that call ``ocpp`` are not collected, and the header says
so. From 3.11 on a missing ``ocpp`` is a collection error, never a skip.
"""

from __future__ import annotations

import sys
from pathlib import Path

NEEDS_OCPP = ("tests/test_ocpp.py", "tests/test_ocpp_e2e.py", "jpqr/ocpp/calls.py")
WITHOUT_OCPP = sys.version_info < (3, 11)


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    if WITHOUT_OCPP and collection_path.as_posix().endswith(NEEDS_OCPP):
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

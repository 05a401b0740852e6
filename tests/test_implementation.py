"""The selector: the default import uses the compiled twin, JPQR_NO_EXTENSIONS forces pure mode,
and ``_kernels.use`` switches every layer (DESIGN "Kernels")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import jpqr
from jpqr import _crc_py, _kernels, _tlv_py

NO_EXTENSIONS = bool(os.environ.get("JPQR_NO_EXTENSIONS"))

PROBE = (
    "import jpqr, jpqr._kernels as k; "
    "print(jpqr.IMPLEMENTATION, k.decode.__module__, k.crc16.__module__, k.check.__module__)"
)


def run_probe(**env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != "JPQR_NO_EXTENSIONS"} | env
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.mark.skipif(NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS is set")
def test_default_import_uses_the_compiled_twin() -> None:
    # CI must prove the fast path is built and really used, not silently the pure twin.
    assert run_probe() == ["cython", "jpqr._tlv", "jpqr._crc", "jpqr._tlv"]


def test_no_extensions_forces_pure_mode() -> None:
    assert run_probe(JPQR_NO_EXTENSIONS="1") == [
        "python",
        "jpqr._tlv_py",
        "jpqr._crc_py",
        "jpqr._tlv_py",
    ]


def test_use_switches_every_kernel_and_the_package() -> None:
    before = _kernels.IMPLEMENTATION
    try:
        _kernels.use("python")
        assert jpqr.IMPLEMENTATION == _kernels.IMPLEMENTATION == "python"
        assert jpqr.decode is _tlv_py.decode and jpqr.encode is _tlv_py.encode
        assert jpqr.crc16 is _crc_py.crc16 and jpqr.crc_verdict is _crc_py.crc_verdict
        assert _kernels.check is _tlv_py.check and _kernels.check_rows is _tlv_py.check_rows
    finally:
        _kernels.use(before)


def test_unknown_or_missing_twin_is_an_import_error() -> None:
    with pytest.raises(ImportError):
        _kernels.use("rust")  # type: ignore[arg-type]


@pytest.mark.skipif(NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS is set")
def test_compiled_twin_is_available_in_process() -> None:
    assert "cython" in _kernels.available()
    from jpqr import _crc

    assert _crc.CRC_PATH in _crc.CRC_PATHS == ("table", "pclmul", "avx512")


# Runs one test of the suite in a fresh interpreter whose compiled twin cannot be imported.
WITHOUT_COMPILED_TWIN = """
import sys
from pathlib import Path
from types import ModuleType
from importlib.abc import MetaPathFinder

class Unbuilt(MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name in ("jpqr._tlv", "jpqr._crc"):
            raise ImportError("not built")
        return None

sys.meta_path.insert(0, Unbuilt())
import pytest
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "tests/test_crc.py::test_check_value"]))
"""


@pytest.mark.parametrize(("pure_mode", "fails"), [(False, True), (True, False)])
def test_missing_compiled_twin_fails_unless_pure_mode(pure_mode: bool, fails: bool) -> None:
    # A broken build must not pass as a pure-Python run (tests/conftest.py).
    env = {k: v for k, v in os.environ.items() if k != "JPQR_NO_EXTENSIONS"}
    if pure_mode:
        env["JPQR_NO_EXTENSIONS"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_COMPILED_TWIN],
        env=env,
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
    )
    assert (done.returncode != 0) == fails, done.stdout
    assert ("1 failed" in done.stdout or "1 error" in done.stdout) == fails, done.stdout
    assert ("1 skipped" in done.stdout) == (not fails), done.stdout


def test_public_check_follows_the_selected_twin(impl: ModuleType) -> None:
    # jpqr.check is the check-only scan of whichever twin is in use.
    assert jpqr.check is impl.check
    assert jpqr.check("0002010102116304AD0A") == "ok"

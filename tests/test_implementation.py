"""The selector: the default import uses the compiled twin, JPQR_NO_EXTENSIONS forces pure mode,
and ``_kernels.use`` switches every layer (DESIGN "Kernels")."""

from __future__ import annotations

import os
import re
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


# A fresh interpreter whose compiled twin cannot be imported, as after a build that fell back.
UNBUILT = WITHOUT_COMPILED_TWIN.split("import pytest")[0]


def run_unbuilt(code: str, *python_options: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "JPQR_NO_EXTENSIONS"}
    return subprocess.run(
        [sys.executable, *python_options, "-c", UNBUILT + code],
        env=env,
        capture_output=True,
        text=True,
    )


def test_missing_compiled_twin_is_said_once_at_import_and_never_breaks_the_program() -> None:
    done = run_unbuilt(
        "import jpqr, jpqr.cli, jpqr._kernels as k\n"
        "print(jpqr.IMPLEMENTATION, jpqr.crc16(b'123456789'))\n"
        "print(k.UNAVAILABLE)\n",
        "-W",
        "error",  # a Python warning would be an exception here: the notice must not be one
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == f"python {0x29B1}"
    assert out[1].startswith("the compiled twin cannot be imported (not built")
    notices = [line for line in done.stderr.splitlines() if line.startswith("jpqr: ")]
    assert len(notices) == 1, done.stderr
    assert "pure-Python twin" in notices[0] and "JPQR_NO_EXTENSIONS=1" in notices[0]


def test_version_of_an_unbuilt_install_says_pure_and_why() -> None:
    done = run_unbuilt("from jpqr.cli import version_line\nprint(version_line())\n")
    line = done.stdout.strip()
    assert line.startswith(f"jpqr {jpqr.__version__}: pure-Python twin, several times slower: ")
    assert "cannot be imported (not built)" in line


def test_pure_mode_on_purpose_is_silent() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import jpqr"],
        env={**os.environ, "JPQR_NO_EXTENSIONS": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == ""


@pytest.mark.parametrize("pure_mode", [False, True])
def test_version_names_the_implementation_and_crc_kernel(pure_mode: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JPQR_NO_EXTENSIONS"}
    if pure_mode:
        env["JPQR_NO_EXTENSIONS"] = "1"
    elif NO_EXTENSIONS:
        pytest.skip("JPQR_NO_EXTENSIONS is set")
    done = subprocess.run(
        [sys.executable, "-m", "jpqr", "--version"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = done.stdout.strip()
    assert "\n" not in line and done.stderr == ""
    assert line.startswith(f"jpqr {jpqr.__version__}: ")
    if pure_mode:
        assert "pure-Python twin (JPQR_NO_EXTENSIONS is set)" in line
    else:
        from jpqr import _crc

        assert f"compiled twin (Cython), CRC kernel {_crc.CRC_PATH};" in line
    assert sys.implementation.name in line.lower()


def test_readme_shows_the_version_line_as_it_is_printed() -> None:
    # The README's `jpqr --version` example, with this machine's kernel and Python in it.
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("$ jpqr --version\n", 1)[1].split("\n", 1)[0]
    from jpqr.cli import version_line

    if jpqr.IMPLEMENTATION != "cython":
        pytest.skip("the README shows a compiled install")
    pattern = r"jpqr [\d.]+: compiled twin \(Cython\), CRC kernel \w+; CPython [\d.]+ \w+"
    assert re.fullmatch(pattern, shown) and re.fullmatch(pattern, version_line())
    assert shown.split(":")[0] == f"jpqr {jpqr.__version__}"


def test_import_loads_neither_logging_nor_platform() -> None:
    # Both are loaded only where needed (a missing compiled twin, `jpqr --version`): logging
    # alone was ~7 ms of a 30 ms `import jpqr` (DESIGN: import jpqr <= 30 ms).
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, jpqr, jpqr.cli; print(sorted({'logging', 'platform'} & set(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"

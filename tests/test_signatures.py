"""Every public callable has a signature ``inspect.signature`` can read, the compiled twin's
included (setup.py embeds them: Cython's ``embedsignature`` in the "clinic" format gives the
compiled functions a ``__text_signature__``), and the compiled kernels take the same parameters as
their pure twins: names, kinds and defaults (issue 13: ``help()`` showed ``decode(...)``)."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import jpqr
from jpqr import _crc_py, _kernels, _tlv_py

from .test_cli import twin, twin_env

__all__ = ["twin"]  # the fixture, shared with test_cli

# The kernels that jpqr._kernels swaps between the twins: module pairs and the names in each.
KERNELS = {
    "_crc": (_crc_py, ["crc16", "crc_verdict"]),
    "_tlv": (
        _tlv_py,
        ["to_text", "decode", "check", "check_code", "check_many", "check_rows", "encode"],
    ),
}


def public_modules() -> list[str]:
    """``jpqr`` and every submodule whose dotted name has no part starting with ``_``."""
    names = ["jpqr"]
    for info in pkgutil.walk_packages(jpqr.__path__, "jpqr."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        if info.name.startswith("jpqr.ocpp") and sys.version_info < (3, 11):
            continue  # the ocpp package needs Python 3.11
        names.append(info.name)
    return names


def public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    for name in public_modules():
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            value = getattr(module, attr)
            if callable(value) and not isinstance(value, ModuleType):
                yield f"{name}.{attr}", value


CALLABLES = dict(public_callables())


def test_the_public_api_is_found() -> None:
    # A floor, so that a broken walk cannot pass by finding nothing.
    for name in ("jpqr.decode", "jpqr.crc16", "jpqr.validate", "jpqr.Builder", "jpqr.cli.main"):
        assert name in CALLABLES
    assert len(CALLABLES) > 50


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_every_public_callable_has_a_signature(name: str) -> None:
    signature = inspect.signature(CALLABLES[name])
    assert isinstance(signature, inspect.Signature)


def _shape(function: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    """The parameters without annotations: name, kind and default (the compiled twin has no
    annotations; the defaults are compared by value, ``0xFFFF`` and ``65535`` alike)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def compiled(module: str) -> ModuleType:
    try:
        return importlib.import_module(f"jpqr.{module}")
    except ImportError:
        pytest.fail(f"the compiled twin jpqr.{module} is not built")


@pytest.mark.cython
@pytest.mark.skipif(_kernels.NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS")
@pytest.mark.parametrize(
    ("module", "name"), [(m, n) for m, (_, names) in KERNELS.items() for n in names]
)
def test_compiled_and_pure_signatures_agree(module: str, name: str) -> None:
    pure_module, _ = KERNELS[module]
    compiled_function = getattr(compiled(module), name)
    assert compiled_function.__text_signature__, f"{module}.{name} has no embedded signature"
    assert _shape(compiled_function) == _shape(getattr(pure_module, name))


@pytest.mark.parametrize("name", ["crc16", "crc_verdict", "decode", "encode", "check"])
def test_the_public_kernels_have_their_parameters_on_both_twins(
    impl: ModuleType, name: str
) -> None:
    # What a user of jpqr sees (the names bound in jpqr, switched with the twin).
    pure_module = _crc_py if name.startswith("crc") else _tlv_py
    assert _shape(getattr(jpqr, name)) == _shape(getattr(pure_module, name))
    assert list(inspect.signature(getattr(jpqr, name)).parameters) != []


# --- a user's script over the whole public API ------------------------------------------------

USER_SCRIPT = Path(__file__).parent / "typing" / "user_script.py"


def test_the_user_script_runs(twin: str) -> None:
    done = subprocess.run(
        [sys.executable, str(USER_SCRIPT)],
        capture_output=True,
        text=True,
        env=twin_env(twin),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_the_user_script_passes_mypy_strict() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(USER_SCRIPT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("Success: no issues found")


def test_the_user_script_passes_pyright() -> None:
    # basedpyright (the docs extra) brings node with it; pyright from PyPI downloads node.
    checker = shutil.which("basedpyright", path=str(Path(sys.executable).parent))
    checker = checker or shutil.which("basedpyright")
    if checker is None:
        pytest.skip("basedpyright is not installed (python -m pip install -e '.[docs]')")
    done = subprocess.run(
        [checker, "--outputjson", "--pythonpath", sys.executable, str(USER_SCRIPT)],
        capture_output=True,
        text=True,
        check=False,
    )
    summary = json.loads(done.stdout)["summary"]
    problems = json.loads(done.stdout)["generalDiagnostics"]
    # Its default rules are stricter than pyright's strict mode (reportAny among them): a public
    # name typed as Any, or any error, fails here.
    assert (summary["errorCount"], summary["warningCount"]) == (0, 0), problems
    assert summary["filesAnalyzed"] >= 1

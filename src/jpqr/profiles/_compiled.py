"""The compiled twin of the engine: the table of every registered profile compiled by
``jpqr._rules`` at import (those it can compile), and what the entry points ask it first.

:func:`judge` gives the verdict and the profile applied, :func:`verdict` only the verdict (1 the
code is clean, -1 it certainly has an error, 0 the reference engine must say) and
:func:`clean_report` the report of a clean code or None. Where the compiled twin is not built,
or the pure twin is in use (``JPQR_NO_EXTENSIONS=1``, ``_kernels.use("python")``), they say
nothing and the reference engine answers.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from importlib import import_module
from typing import Any

from .. import _kernels
from ..report import ValidationReport
from . import PROFILES, _classify

__all__ = [
    "UNAVAILABLE",
    "clean_report",
    "compiled_profiles",
    "install",
    "judge",
    "read_tree",
    "verdict",
]

#: The modules of the compiled pass that could not be imported although the compiled twin is
#: built (a partial or broken install): module -> (what it compiles, why). ``jpqr --version``
#: says so.
UNAVAILABLE: dict[str, tuple[str, str]] = {}
_ENGINES = {"_rules": "rule engine", "_rules_model": "typed model"}


def _import(name: str) -> Any:
    """``jpqr.<name>`` (by name: no stub for the optional module), or None, said once."""
    try:
        return import_module(f"jpqr.{name}")
    except ImportError as exc:
        UNAVAILABLE[f"jpqr.{name}"] = (_ENGINES[name], str(exc))
        import logging  # only here, as _kernels does: it costs milliseconds at import

        logging.getLogger("jpqr").warning(
            "jpqr: jpqr.%s cannot be imported (%s); the reference engine checks every code "
            "(validate about 10x slower). Reinstall jpqr.",
            name,
            exc,
        )
        return None


def _load() -> Any:
    if "cython" not in _kernels.available():
        return None
    return _import("_rules")


_RULES = _load()


def install() -> None:
    """Compile the table of every registered profile (:data:`jpqr.profiles.PROFILES`) and hand
    them to the compiled pass with what ``auto`` needs of ``_classify``: its ``guid_kind``
    (the pass caches its answers) and ``GUIDLESS_COUNTRIES``, as they are now. Done at import;
    again after ``_classify.index()`` changes the schemes. A profile whose module checks by
    something other than its ``TABLE``, or whose table has a row or rule function the pass
    does not know, stays with the reference engine."""
    if _RULES is None:
        return
    tables: dict[str, Any] = {}
    for name, module in PROFILES.items():
        table = getattr(module, "TABLE", None)
        tables[name] = None
        if table is None or table.name != name or getattr(module, "check", None) != table.check:
            continue
        if table.primitives:  # 80-99 read as primitives: the pass's structure check does not
            continue
        # A row it does not know (Unsupported): this profile stays with the reference engine.
        with suppress(_RULES.Unsupported):
            tables[name] = _RULES.compile_profile(table)
    _RULES.install(tables, _classify.guid_kind, _classify.GUIDLESS_COUNTRIES)


install()


def compiled_profiles() -> tuple[str, ...]:
    """The profiles the compiled pass judges (none on the pure twin or an unbuilt install)."""
    if _RULES is None:
        return ()
    names: tuple[str, ...] = _RULES.compiled_profiles()
    return names


def judge(payload: object, profile: str, lenient: bool) -> tuple[int, str | None]:
    """(1, the profile applied) where the code is clean, (-1, None) where it certainly has an
    error, (0, None) where the reference engine must say (and always on the pure twin)."""
    if _RULES is None or _kernels.IMPLEMENTATION != "cython":
        return 0, None
    found: tuple[int, str | None] = _RULES.judge(payload, profile, lenient)
    return found


def _no_verdict(payload: object, profile: str, lenient: bool) -> int:
    return 0


def _no_report(payload: object, profile: str, lenient: bool) -> ValidationReport | None:
    return None


def _read_tree() -> Callable[[tuple[Any, ...]], Any]:
    """model.from_tree's compiled twin where it is built, for a tree the compiled decode() made
    (parse uses it after a clean verdict only)."""
    module = _import("_rules_model")
    if module is None:
        from ..model import from_tree

        return from_tree
    compiled: Callable[[tuple[Any, ...]], Any] = module.from_decoded
    return compiled


# The compiled functions themselves where they are built (each checks that the compiled twin
# is in use), so an entry point pays one call.
verdict: Callable[[object, str, bool], int] = _RULES.verdict if _RULES else _no_verdict
clean_report: Callable[[object, str, bool], ValidationReport | None] = (
    _RULES.clean_report if _RULES else _no_report
)
read_tree: Callable[[tuple[Any, ...]], Any] = _read_tree() if _RULES else lambda tree: None

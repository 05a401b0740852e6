"""The compiled twin of the engine: the tables of ``emvco`` and ``jpqr`` compiled by
``jpqr._rules`` at import, and :func:`judge`, which the entry points ask first.

Where the compiled twin is not built, or the pure twin is in use (``JPQR_NO_EXTENSIONS=1``,
``_kernels.use("python")``), :func:`judge` says nothing and the reference engine answers.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .. import _kernels
from . import emvco, jpqr

__all__ = ["judge"]


def _compile() -> tuple[Any, Any, Any] | None:
    if "cython" not in _kernels.available():
        return None
    try:
        rules = import_module("._rules", "jpqr")  # by name: no stub for the optional module
    except ImportError:
        return None
    tables = []
    for profile in (emvco.TABLE, jpqr.TABLE):
        try:
            tables.append(rules.compile_profile(profile))
        except rules.Unsupported:  # a row it does not know: this profile stays with the reference
            tables.append(None)
    return rules.judge, tables[0], tables[1]


_COMPILED = _compile()


def judge(payload: object, profile: str, lenient: bool) -> tuple[int, str | None]:
    """(1, profile) where the code is clean, (-1, …) where it certainly has an error, (0, None)
    where the reference engine must say (and always on the pure twin)."""
    if _COMPILED is None or _kernels.IMPLEMENTATION != "cython":
        return 0, None
    run, emvco_table, jpqr_table = _COMPILED
    verdict: tuple[int, str | None] = run(payload, emvco_table, jpqr_table, profile, lenient)
    return verdict

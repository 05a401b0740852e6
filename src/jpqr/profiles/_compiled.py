"""The compiled twin of the engine: the tables of ``emvco`` and ``jpqr`` compiled by
``jpqr._rules`` at import, and what the entry points ask it first.

:func:`judge` gives the verdict and the profile applied, :func:`verdict` only the verdict (1 the
code is clean, -1 it certainly has an error, 0 the reference engine must say) and
:func:`clean_report` the report of a clean code or None. Where the compiled twin is not built,
or the pure twin is in use (``JPQR_NO_EXTENSIONS=1``, ``_kernels.use("python")``), they say
nothing and the reference engine answers.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from .. import _kernels
from ..report import ValidationReport
from . import emvco, jpqr

__all__ = ["clean_report", "judge", "read_tree", "verdict"]


def _load() -> tuple[Any, list[Any]] | None:
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
    rules.install(*tables)
    return rules, tables


_LOADED = _load()
_RULES, _TABLES = _LOADED if _LOADED else (None, [None, None])


def judge(payload: object, profile: str, lenient: bool) -> tuple[int, str | None]:
    """(1, the profile applied) where the code is clean, (-1, None) where it certainly has an
    error, (0, None) where the reference engine must say (and always on the pure twin)."""
    if _RULES is None or _kernels.IMPLEMENTATION != "cython":
        return 0, None
    found: tuple[int, str | None] = _RULES.judge(payload, *_TABLES, profile, lenient)
    return found


def _no_verdict(payload: object, profile: str, lenient: bool) -> int:
    return 0


def _no_report(payload: object, profile: str, lenient: bool) -> ValidationReport | None:
    return None


def _read_tree() -> Callable[[tuple[Any, ...]], Any]:
    """model.from_tree's compiled twin where it is built, for a tree the compiled decode() made
    (parse uses it after a clean verdict only)."""
    try:
        compiled: Callable[[tuple[Any, ...]], Any] = import_module(
            "._rules_model", "jpqr"
        ).from_decoded
    except ImportError:
        from ..model import from_tree

        return from_tree
    return compiled


# The compiled functions themselves where they are built (each checks that the compiled twin
# is in use), so an entry point pays one call.
verdict: Callable[[object, str, bool], int] = _RULES.verdict if _RULES else _no_verdict
clean_report: Callable[[object, str, bool], ValidationReport | None] = (
    _RULES.clean_report if _RULES else _no_report
)
read_tree: Callable[[tuple[Any, ...]], Any] = _read_tree() if _RULES else lambda tree: None


# Until the compiled pass consults guid_kind (issue 12, the compiled "auto" pass): where it calls
# a code clean under "auto" that classify gives a warning (a near miss of a scheme's GUID) or
# another profile, the reference engine answers, so both twins give the reference report. The
# probe is a clean EMVCo code whose GUID is a near miss of JPQR's; once the pass leaves it to the
# reference engine, nothing here is wrapped.
_PROBE = "00020101021126230019JP.CO.PAYMENTSJAPAN5204599953033925802JP5903xxx6003xxx6304"


def _blind() -> bool:
    from .._crc_py import crc16, format_crc

    if _RULES is None or None in _TABLES:
        return False
    found: tuple[int, str | None] = _RULES.judge(
        _PROBE + format_crc(crc16(_PROBE)), *_TABLES, "auto", False
    )
    return found[0] == 1


def _classified_apart(payload: object, applied: str | None) -> bool:
    from ._classify import select

    profile, warnings = select(_kernels.decode(payload))  # type: ignore[arg-type]  # a str
    return bool(warnings) or profile != applied


if _blind():
    _judge, _verdict, _report = judge, verdict, clean_report

    def judge(payload: object, profile: str, lenient: bool) -> tuple[int, str | None]:
        found = _judge(payload, profile, lenient)
        if found[0] == 1 and profile == "auto" and _classified_apart(payload, found[1]):
            return 0, None
        return found

    def verdict(payload: object, profile: str, lenient: bool) -> int:
        if profile != "auto":
            return _verdict(payload, profile, lenient)
        return judge(payload, profile, lenient)[0]  # one pass, and the profile it applied

    def clean_report(payload: object, profile: str, lenient: bool) -> ValidationReport | None:
        report = _report(payload, profile, lenient)
        if report is not None and profile == "auto" and _classified_apart(payload, report.profile):
            return None
        return report

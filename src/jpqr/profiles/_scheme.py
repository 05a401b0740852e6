"""What a national profile says about its scheme, for :func:`jpqr.classify` and ``auto``.

Each profile module with a scheme (``jpqr.py``, ``pix.py``, ...) has a ``SCHEME``: how a code of
the scheme is recognised (the GUIDs or AIDs in its merchant account templates, or a ``detect``
function for a scheme without one, like KHQR), whether a code is dynamic, when it expires, and
the sources and departures from EMVCo that ``jpqr profiles`` and docs/validation.md list.
GUIDs are compared case-insensitively (EMVCo §4.7.11.2 [CR]; Chromium does so for Pix), so the
table holds them upper-cased.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..dataobject import DataObject

__all__ = ["Scheme", "Tree", "markdown_table"]

Tree = tuple[DataObject, ...]


@dataclass(frozen=True, slots=True)
class Scheme:
    """One scheme: ``name`` is its profile's name (``"pix"``), ``title`` what people call it."""

    name: str
    title: str
    # ISO 3166-1 alpha-2 of the scheme's country ("BR").
    country: str
    # Upper-cased GUID or AID -> the IDs of the templates where it marks the scheme.
    guids: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Upper-cased GUIDs that are the scheme's, but superseded (QRIS's ID.OR.GPNQR.WWW).
    legacy: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Upper-cased near misses known from published data, beyond what the edit rule finds.
    near_misses: frozenset[str] = frozenset()
    # For a scheme without a GUID: whether a decoded code is one of it. Asked only of codes whose
    # 58 is ``country`` (the compiled pass, too, leaves only those codes to the reference).
    detect: Callable[[Tree], bool] | None = None
    # Whether a code is dynamic (None: the code does not say); default: 01 = "12" (EMVCo §4.1).
    dynamic: Callable[[Tree], bool | None] | None = None
    # When a code expires, where the scheme carries it (KHQR 99-01, PayNow 26-04).
    expiry: Callable[[Tree], datetime | None] | None = None
    # Which profile ``auto`` applies when a code belongs to several schemes: the highest.
    precedence: int = 0
    sources: tuple[str, ...] = ()
    departures: tuple[str, ...] = ()


def markdown_table(rows: Iterable[tuple[Scheme, bool]]) -> str:
    """The table of docs/validation.md "Profiles and schemes": one line per ``(scheme, whether
    it has a profile)``, with how it is recognised, its sources and its departures from EMVCo
    (``tests/test_classify.py`` holds the page to it).

    >>> scheme = Scheme("x", "X (Nowhere)", "XX", guids={"X.Y": frozenset({"26", "27", "51"})},
    ...                 sources=("the X book §2",), departures=("52 optional",))
    >>> print(markdown_table([(scheme, True)]).splitlines()[2])
    | `x` | X (Nowhere) | XX | `X.Y` in 26-27, 51 | the X book §2 | 52 optional |
    """
    lines = [
        "| profile | scheme | country | recognised by | sources | departures from EMVCo |",
        "|---|---|---|---|---|---|",
    ]
    for scheme, has_profile in rows:
        cells = (
            f"`{scheme.name}`" if has_profile else f"none (`{scheme.name}` is named only)",
            scheme.title,
            scheme.country or "-",
            _recognised_by(scheme),
            "; ".join(scheme.sources) or "-",
            "; ".join(scheme.departures) or "-",
        )
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _recognised_by(scheme: Scheme) -> str:
    parts = [f"`{guid}` in {_ids(where)}" for guid, where in scheme.guids.items()]
    parts += [f"legacy `{guid}` in {_ids(where)}" for guid, where in scheme.legacy.items()]
    if scheme.detect is not None:
        doc = (scheme.detect.__doc__ or "").strip().split("\n\n")[0]
        parts.append("layout: " + (" ".join(doc.split()) or scheme.detect.__name__))
    if parts:
        return "; ".join(parts)
    # The base profile has no scheme of its own; eL-QR is recognised by its layout alone.
    return "the default: no other scheme's" if scheme.name == "emvco" else "its layout only"


def _ids(where: frozenset[str]) -> str:
    """Template IDs as ranges: 26-51, or 26, 28."""
    numbers = sorted(int(i) for i in where)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]:02d}-{r[-1]:02d}" if len(r) > 1 else f"{r[0]:02d}" for r in runs)

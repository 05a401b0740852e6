"""What a national profile says about its scheme, for :func:`jpqr.classify` and ``auto``.

Each profile module with a scheme (``jpqr.py``, ``pix.py``, ...) has a ``SCHEME``: how a code of
the scheme is recognised (the GUIDs or AIDs in its merchant account templates, or a ``detect``
function for a scheme without one, like KHQR), whether a code is dynamic, when it expires, and
the sources and departures from EMVCo that ``jpqr profiles`` and docs/validation.md list.
GUIDs are compared case-insensitively (EMVCo §4.7.11.2 [CR]; Chromium does so for Pix), so the
table holds them upper-cased.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..dataobject import DataObject

__all__ = ["Scheme", "Tree"]

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
    # For a scheme without a GUID: whether a decoded code is one of it.
    detect: Callable[[Tree], bool] | None = None
    # Whether a code is dynamic (None: the code does not say); default: 01 = "12" (EMVCo §4.1).
    dynamic: Callable[[Tree], bool | None] | None = None
    # When a code expires, where the scheme carries it (KHQR 99-01, PayNow 26-04).
    expiry: Callable[[Tree], datetime | None] | None = None
    # Which profile ``auto`` applies when a code belongs to several schemes: the highest.
    precedence: int = 0
    sources: tuple[str, ...] = ()
    departures: tuple[str, ...] = ()

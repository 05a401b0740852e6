"""Which schemes a decoded code belongs to (``jpqr.classify``), and what ``auto`` applies.

A first version: exact GUIDs only (compared case-insensitively). Near misses, legacy GUIDs,
schemes recognised by layout, expiry and the merchant accounts come with issue 12.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from ..report import Issue
from ._scheme import Scheme, Tree

__all__ = [
    "GUIDLESS_COUNTRIES",
    "Classification",
    "MerchantAccount",
    "classify_tree",
    "guid_kind",
    "index",
]

# guid_kind(): what the compiled engine needs to know of a GUID under profile "auto".
PLAIN, JPQR, OTHER = 0, 1, 2


class MerchantAccount(NamedTuple):
    """A merchant account template of the code: its ID, its GUID as found, and the scheme (a
    profile name) the GUID belongs to, or None."""

    id: str
    guid: str | None
    scheme: str | None


@dataclass(frozen=True, slots=True)
class Classification:
    """What :func:`jpqr.classify` says of a code."""

    # Profile names of the schemes the code belongs to, the one ``auto`` applies first.
    schemes: tuple[str, ...]
    # The profile ``auto`` applies: the first scheme, else "emvco".
    profile: str
    # Whether the code is dynamic (None: it does not say).
    dynamic: bool | None
    expires: datetime | None
    accounts: tuple[MerchantAccount, ...]
    # scheme.near_miss and the like: what auto adds to the report as warnings.
    warnings: tuple[Issue, ...] = ()


_INDEX: dict[str, tuple[Scheme, frozenset[str]]] = {}
_SCHEMES: tuple[Scheme, ...] = ()
# The 58 values of the schemes recognised without a GUID (KHQR: "KH"): under "auto" the compiled
# pass leaves such a code to the reference engine.
GUIDLESS_COUNTRIES: frozenset[str] = frozenset()


def index(schemes: Iterable[Scheme]) -> None:
    """Make the GUID index of ``schemes`` (profiles/__init__.py calls it once)."""
    global _SCHEMES, GUIDLESS_COUNTRIES
    _SCHEMES = tuple(schemes)
    GUIDLESS_COUNTRIES = frozenset(s.country for s in _SCHEMES if s.detect is not None)
    _INDEX.clear()
    for scheme in _SCHEMES:
        for guid, where in scheme.guids.items():
            _INDEX[guid.upper()] = (scheme, where)


def guid_kind(guid: str) -> int:
    """0 where ``guid`` marks no scheme (a plain EMVCo GUID), 1 for the JPQR GUID, 2 for any
    other that classify cares about (another scheme's, a legacy one, a near miss)."""
    found = _INDEX.get(guid.upper())
    if found is None:
        return PLAIN
    return JPQR if found[0].name == "jpqr" else OTHER


def classify_tree(tree: Tree) -> Classification:
    """The classification of a decoded code."""
    accounts: list[MerchantAccount] = []
    schemes: list[Scheme] = []
    for obj in tree:
        if "26" <= obj.id <= "51" and obj.children is not None:
            guid = obj.find("00")
            value = guid.value if guid is not None else None
            found = _INDEX.get(value.upper()) if value is not None else None
            scheme = found[0] if found is not None and obj.id in found[1] else None
            accounts.append(MerchantAccount(obj.id, value, scheme.name if scheme else None))
            if scheme is not None and scheme not in schemes:
                schemes.append(scheme)
    schemes.sort(key=lambda s: -s.precedence)
    point = next((obj.value for obj in tree if obj.id == "01"), None)
    dynamic = {"11": False, "12": True}.get(point) if point is not None else None
    names = tuple(s.name for s in schemes)
    return Classification(names, names[0] if names else "emvco", dynamic, None, tuple(accounts))

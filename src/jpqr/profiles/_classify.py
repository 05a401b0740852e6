"""Which schemes a decoded code belongs to (``jpqr.classify``), and what ``auto`` applies.

A scheme (``_scheme.Scheme``, one per national profile) is recognised by a GUID or AID in the
sub-ID 00 of a merchant account template (26-51) where the scheme puts it, compared
case-insensitively (EMVCo §4.7.11.2 via Chromium, SPEC §3; only ASCII letters are folded, so
``br.gov.bcb.pıx`` with a dotless ı is not Pix's GUID), or by its ``detect`` function where it has
no GUID (KHQR). The primary scheme is the one of highest ``precedence`` (SGQR over the PayNow and
NETS accounts it carries); its profile is what ``auto`` applies, ``emvco`` where there is none.

A GUID that is no known one but a **near miss** of one (tests/data/schemes/README.md, "Near
misses") is the warning ``scheme.near_miss``: one or two edits (a character inserted, deleted,
replaced, or two neighbours swapped) from a known GUID, or its dot-separated segments in another
order (``or.jp.paymentsjapan``), or one of a scheme's listed ``near_misses``. A case variant is
the GUID itself. Two AIDs of one registered provider (the same RID, the first 10 hex digits,
ISO/IEC 7816-5) of the same length are two applications of it, not a typo: the Thai
``A0000006770101xx`` family (README: "not near misses"); a swap of two neighbours still is one.
An AID under the RID of another registered provider (a payment network's, or another known
scheme's) is that provider's application (RIDs are given out densely: American Express's
``A000000025`` is two substitutions from VietQR's ``A000000727``), unless it carries the known
AID's own PIX after that RID or is the known AID with two neighbours swapped.
Two edits inside one name segment of four characters or fewer make another name, not a typo
(``ID.CO.BRI.WWW``, Bank BRI's QRIS acquirer, against ``ID.CO.QRIS.WWW``); two edits in a domain
label (``jp.co.paymentsjapan``) or in a longer name stay near misses.
A scheme's superseded GUID (QRIS's ``ID.OR.GPNQR.WWW``) names the scheme and is ``scheme.legacy``.
A known GUID in a template its scheme does not put it in (Pix's in 27) names no scheme and, where
nothing else in the code names that scheme, is ``scheme.misplaced``: a wallet of that scheme
looks for it where the scheme says.

eL-QR (地方税統一QRコード, Japan local tax) has no profile: its specification (MIC/eLTAX) is not
published. A code of the layout SPEC §4 gives it (255 characters, ending in ``6305`` and five
decimal digits instead of ``6304`` and the CRC) is named ``elqr`` first, ``auto`` checks it as
``emvco`` and adds the warning ``scheme.unsupported``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from string import ascii_lowercase, ascii_uppercase
from typing import NamedTuple, TypeVar

from ..dataobject import DataObject
from ..report import Issue
from ._scheme import Scheme, Tree

__all__ = [
    "ELQR",
    "GUIDLESS_COUNTRIES",
    "Classification",
    "MerchantAccount",
    "classify_tree",
    "fold",
    "guid_kind",
    "index",
    "profile_rows",
    "resembles",
    "select",
]

_T = TypeVar("_T")

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
    """What :func:`jpqr.classify` says of a code.

    >>> import jpqr
    >>> found = jpqr.classify("00020101021126230019JP.OR.PAYMENTSJAPAN6304XXXX")
    >>> found.schemes, found.profile, found.dynamic, found.expires
    (('jpqr',), 'jpqr', False, None)
    >>> found.accounts
    (MerchantAccount(id='26', guid='JP.OR.PAYMENTSJAPAN', scheme='jpqr'),)
    """

    # Names of the schemes the code belongs to, the primary first (their profile names, and
    # "elqr" for the eL-QR layout, which has no profile).
    schemes: tuple[str, ...]
    # The profile ``auto`` applies: the primary scheme's, else "emvco".
    profile: str
    # Whether the code is dynamic (None: it does not say).
    dynamic: bool | None
    # When it expires, where its scheme carries that (an aware UTC datetime).
    expires: datetime | None
    accounts: tuple[MerchantAccount, ...]
    # scheme.near_miss, scheme.legacy, scheme.misplaced, scheme.unsupported: what auto adds.
    warnings: tuple[Issue, ...] = ()


# eL-QR: not a profile, a layout classify names (SPEC §4; README "elqr": no specification text).
ELQR = Scheme(
    "elqr",
    "eL-QR (Japan, 地方税統一QRコード)",
    "JP",
    sources=(
        "SPEC.md §4 (layout note, unsourced there)",
        "MIC portal https://www.soumu.go.jp/main_sosiki/kenkyu/chihou_qr/index.html "
        "(the specification itself is not published)",
    ),
    departures=(
        "no profile: recognised by layout only (255 characters, 6305 + 5 decimal digits)",
        "no 52, 53, 58-60; a non-TLV 62; not the CRC-16 of 6304 (SPEC §4, unsourced)",
    ),
)
ELQR_LENGTH = 255
_ELQR_CHECK = re.compile(r"[0-9]{5}")

_FOLD = str.maketrans(ascii_lowercase, ascii_uppercase)
# The merchant account information templates (EMVCo §4.7.11; SPEC §3).
_ACCOUNT_IDS = frozenset(f"{n:02d}" for n in range(26, 52))
_AID = re.compile(r"[0-9A-F]{10,32}")
_RID = 10  # hex digits of a registered application provider identifier (ISO/IEC 7816-5)
# RIDs registered to payment networks (ISO/IEC 7816-5 registrations, as the networks publish
# them in their EMV AIDs; e.g. https://www.eftlab.com/knowledge-base/212-emv-rid). RIDs are given
# out densely (A000000025, A000000524 and A000000677 are two substitutions from VietQR's
# A000000727), so an AID of another registered provider is that provider's application, not a
# near miss, unless it is a known AID with two neighbours swapped (Interac's A000000277 for
# VietQR's A000000727: the typo) or with its own PIX; the RIDs of known schemes' AIDs count too.
_PAYMENT_RIDS = {
    "A000000003": "Visa",
    "A000000004": "Mastercard",
    "A000000005": "Maestro UK",
    "A000000025": "American Express",
    "A000000029": "LINK (UK)",
    "A000000042": "CB (France)",
    "A000000065": "JCB",
    "A000000121": "Dankort",
    "A000000152": "Diners Club/Discover",
    "A000000277": "Interac",
    "A000000324": "Discover",
    "A000000333": "UnionPay",
    "A000000524": "RuPay",
    "A000000658": "MIR",
}
_MAX_EDITS = 2
# Labels of reverse-domain GUIDs that say what kind of body owns the name (jp.or, br.gov, id.co):
# two edits among them are the classic near miss, two edits in a short name are another name.
_DOMAIN_LABELS = frozenset({"AC", "CO", "COM", "EDU", "GOB", "GOV", "NET", "OR", "ORG", "WWW"})
_SHORT_NAME = 4


class _Known(NamedTuple):
    guid: str  # folded
    scheme: Scheme
    where: frozenset[str]
    legacy: bool


_INDEX: dict[str, _Known] = {}
# Known GUIDs by length (the edit rule looks at those within two characters of a GUID's length),
# by their sorted segments (the permutation rule), and each scheme's listed near misses.
_BY_LENGTH: dict[int, list[_Known]] = {}
_BY_SEGMENTS: dict[tuple[str, ...], _Known] = {}
_LISTED: dict[str, _Known] = {}
# The RIDs (first 10 hex digits) of the known AIDs: registered providers, as _PAYMENT_RIDS's are.
_KNOWN_RIDS: set[str] = set()
_DETECTED: tuple[Scheme, ...] = ()
# _lookup()'s cache, by the GUID as found (bounded: cleared when full).
_LOOKUPS: dict[str, tuple[_Known | None, tuple[_Known, str] | None]] = {}
_MAX_LOOKUPS = 4096
_SCHEMES: tuple[Scheme, ...] = ()
# The 58 values of the schemes recognised without a GUID (KHQR: "KH"): under "auto" the compiled
# pass leaves such a code to the reference engine.
GUIDLESS_COUNTRIES: frozenset[str] = frozenset()


def index(schemes: Iterable[Scheme]) -> None:
    """Make the GUID index of ``schemes`` (profiles/__init__.py calls it once; tests that
    register schemes of their own call it again and restore it)."""
    global _SCHEMES, _DETECTED, GUIDLESS_COUNTRIES
    schemes = tuple(schemes)
    # Built aside and installed only when whole: a refused registry leaves the index as it was.
    by_guid: dict[str, _Known] = {}
    by_length: dict[int, list[_Known]] = {}
    by_segments: dict[tuple[str, ...], _Known] = {}
    listed: dict[str, _Known] = {}
    for scheme in schemes:
        for legacy, guids in ((False, scheme.guids), (True, scheme.legacy)):
            for guid, where in guids.items():
                known = _Known(fold(guid), scheme, frozenset(where), legacy)
                other = by_guid.get(known.guid)
                if other is not None:
                    raise ValueError(
                        f"expected each GUID in one scheme, found {guid!r} in "
                        f"{other.scheme.name!r} and {scheme.name!r}"
                    )
                by_guid[known.guid] = known
                by_length.setdefault(len(known.guid), []).append(known)
                segments = known.guid.split(".")
                if len(segments) > 1:
                    by_segments.setdefault(tuple(sorted(segments)), known)
    for scheme in schemes:
        current = [k for k in by_guid.values() if k.scheme is scheme]
        for near in scheme.near_misses:
            folded = fold(near)
            if current and folded not in by_guid:
                listed[folded] = min(current, key=lambda k: _likeness(folded, k.guid))
    for table in (_INDEX, _BY_LENGTH, _BY_SEGMENTS, _LISTED):
        table.clear()
    _INDEX.update(by_guid)
    _BY_LENGTH.update(by_length)
    _BY_SEGMENTS.update(by_segments)
    _LISTED.update(listed)
    _KNOWN_RIDS.clear()
    _KNOWN_RIDS.update(guid[:_RID] for guid in by_guid if _AID.fullmatch(guid))
    _SCHEMES = schemes
    _DETECTED = tuple(s for s in _SCHEMES if s.detect is not None)
    GUIDLESS_COUNTRIES = frozenset(s.country for s in _DETECTED)
    _resembles.cache_clear()
    _LOOKUPS.clear()


def profile_rows() -> list[tuple[Scheme, bool]]:
    """The rows of docs/validation.md's table of profiles (``_scheme.markdown_table``): the base
    ``emvco``, each registered scheme, then eL-QR, which has no profile."""
    from . import PROFILES, emvco  # the registry imports this module

    base = Scheme(
        emvco.NAME,
        emvco.TABLE.title,
        "",
        sources=(emvco.TABLE.source,),
        departures=("the base: the other profiles are its rows plus or minus theirs",),
    )
    return [(base, True), *((s, s.name in PROFILES) for s in _SCHEMES), (ELQR, False)]


def fold(guid: str) -> str:
    """``guid`` with its ASCII letters upper-cased, as the index holds GUIDs: the case-insensitive
    comparison of EMVCo GUIDs, which leaves other letters alone (a plain ``str``, whatever
    subclass ``guid`` is).

    >>> fold("br.gov.bcb.pix"), fold("straße")
    ('BR.GOV.BCB.PIX', 'STRAßE')
    """
    if str.isascii(guid):
        return str.upper(guid)  # the same, faster
    return str.translate(guid, _FOLD)


def guid_kind(guid: str) -> int:
    """0 where ``guid`` marks no scheme (a plain EMVCo GUID), 1 for the JPQR GUID, 2 for any
    other that classify cares about (another scheme's, a legacy one, a near miss). Pure: the
    same answer for the same text while the index stands (the compiled engine caches it).

    >>> guid_kind("jp.or.paymentsjapan"), guid_kind("jp.co.paymentsjapan"), guid_kind("COM.GRAB")
    (1, 2, 0)
    """
    folded = fold(guid)
    known = _INDEX.get(folded)
    if known is not None:
        return JPQR if known.scheme.name == "jpqr" and not known.legacy else OTHER
    return PLAIN if _resembles(folded) is None else OTHER


def resembles(guid: str) -> tuple[str, str, str] | None:
    """(the known GUID, upper-cased, its scheme's name, why) where ``guid`` is a near miss of a
    known GUID, else None (also for a known GUID in any case).

    >>> resembles("jp.co.paymentsjapan")
    ('JP.OR.PAYMENTSJAPAN', 'jpqr', 'two edits from it')
    >>> resembles("or.jp.paymentsjapan")[2], resembles("JP.OR.JPQR")[2]
    ('its segments in another order', 'a known misspelling of it')
    >>> resembles("Jp.Or.PaymentsJapan") is None
    True
    """
    folded = fold(guid)
    if folded in _INDEX:
        return None
    found = _resembles(folded)
    return None if found is None else (found[0].guid, found[0].scheme.name, found[1])


@lru_cache(maxsize=4096)
def _resembles(folded: str) -> tuple[_Known, str] | None:
    """The known GUID that ``folded`` (no known GUID itself) is a near miss of, and why."""
    listed = _LISTED.get(folded)
    if listed is not None:
        return listed, "a known misspelling of it"
    segments = folded.split(".")
    if len(segments) > 1:
        known = _BY_SEGMENTS.get(tuple(sorted(segments)))
        if known is not None:
            return known, "its segments in another order"
    best: tuple[_Known, str] | None = None
    fewest = _MAX_EDITS + 1
    size = len(folded)
    for length in range(size - _MAX_EDITS, size + _MAX_EDITS + 1):
        for known in _BY_LENGTH.get(length, ()):
            edits = _distance(folded, known.guid, _MAX_EDITS)
            if (
                edits < fewest
                and not _sibling_aid(folded, known.guid)
                and not _other_provider(folded, known.guid)
                and not _other_name(folded, known.guid, edits)
            ):
                fewest = edits
                best = known, ("one edit from it" if edits == 1 else "two edits from it")
    return best


def _likeness(near: str, guid: str) -> tuple[int, int]:
    """How far a listed near miss is from one of its scheme's GUIDs (which one it misspells):
    edits, then fewer segments in common."""
    shared = len(set(near.split(".")) & set(guid.split(".")))
    return _distance(near, guid, len(near) + len(guid)), -shared


def _distance(a: str, b: str, limit: int) -> int:
    """The optimal string alignment distance of ``a`` and ``b`` (insertions, deletions,
    substitutions, swaps of neighbours), or ``limit + 1`` once it is certainly over ``limit``
    (the minimum of a row of the table never decreases)."""
    previous: list[int] | None = None
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            best = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if (
                previous is not None
                and j > 1
                and a[i - 1] == b[j - 2]
                and a[i - 2] == b[j - 1]
                and previous[j - 2] + 1 < best
            ):
                best = previous[j - 2] + 1
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous, row = row, current
    return row[-1] if row[-1] <= limit else limit + 1


def _other_name(a: str, b: str, edits: int) -> bool:
    """Whether two edits inside one short name segment make another name: ``ID.CO.BRI.WWW``
    (Bank BRI's QRIS acquirer GUID, in many published codes) is two edits from QRIS's
    ``ID.CO.QRIS.WWW``. Two edits inside a domain label (``jp.co`` for ``jp.or``) stay a near
    miss, as do two edits in a name of five characters or more."""
    if edits < 2:
        return False
    ours, theirs = a.split("."), b.split(".")
    if len(ours) != len(theirs) or len(ours) < 2:
        return False
    differ = [i for i in range(len(ours)) if ours[i] != theirs[i]]
    if len(differ) != 1:
        return False
    segment = theirs[differ[0]]
    return segment not in _DOMAIN_LABELS and len(segment) <= _SHORT_NAME


def _sibling_aid(a: str, b: str) -> bool:
    """Whether two AIDs are two applications of one registered provider (same RID, same
    length, not one swap of neighbours, which is the typo)."""
    if len(a) != len(b) or a[:_RID] != b[:_RID] or not (_AID.fullmatch(a) and _AID.fullmatch(b)):
        return False
    return not _one_swap(a, b)


def _one_swap(a: str, b: str) -> bool:
    """Whether ``a`` is ``b`` with two neighbours swapped: the typo among the edits."""
    if len(a) != len(b):
        return False
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    )


def _other_provider(a: str, b: str) -> bool:
    """Whether the AID ``a`` starts with the RID of a registered provider other than ``b``'s:
    another network's application (``A000000025`` for VietQR's ``A000000727``). Not where ``a``
    carries ``b``'s own PIX after that RID (``A000000277010111``, PromptPay's application under
    Interac's RID): the PIX names the application meant, so the RID is the typo; nor where ``a``
    is ``b`` with two neighbours swapped (``A000000277`` for ``A000000727``), the typo as in
    :func:`_sibling_aid`."""
    rid = a[:_RID]
    if rid == b[:_RID] or not (_AID.fullmatch(a) and _AID.fullmatch(b)):
        return False
    if (len(b) > _RID and a[_RID:] == b[_RID:]) or _one_swap(a, b):
        return False
    return rid in _PAYMENT_RIDS or rid in _KNOWN_RIDS


def classify_tree(tree: Tree) -> Classification:
    """The classification of a decoded code (see the module docstring).

    >>> import jpqr
    >>> tree = jpqr.decode("00020101021226190010JP.OR.JPQR01011")
    >>> found = classify_tree(tree)
    >>> found.schemes, found.dynamic, [w.code for w in found.warnings]
    ((), True, ['scheme.near_miss'])
    """
    accounts: list[MerchantAccount] = []
    schemes, names, warnings = _scan(tree, accounts)
    return Classification(
        names,
        names[0] if names and names[0] != ELQR.name else "emvco",
        _dynamic(tree, schemes),
        _expiry(tree, schemes),
        tuple(accounts),
        warnings,
    )


def select(tree: Tree) -> tuple[str, tuple[Issue, ...]]:
    """What ``auto`` takes of :func:`classify_tree`: the profile and the warnings (without the
    rest, which the validation of every code would pay for).

    >>> import jpqr
    >>> select(jpqr.decode("26230019jp.or.paymentsjapan"))
    ('jpqr', ())
    """
    quick = _select_quickly(tree)
    if quick is not None:
        return quick, ()
    names, warnings = _scan(tree, None)[1:]
    return (names[0] if names and names[0] != ELQR.name else "emvco"), warnings


def _select_quickly(tree: Tree) -> str | None:
    """:func:`select`'s answer for the usual code, which has no warning (no near miss, no
    misplaced or legacy GUID, no eL-QR layout), at most one scheme and no 58 of a scheme without
    a GUID: that scheme's name or ``"emvco"``. None for any other code (then ``_scan`` decides).
    Every code validated under ``auto`` on the reference engine pays this, so it reads the
    tuples by index and calls nothing for a GUID seen before."""
    scheme: Scheme | None = None
    for obj in tree:
        id = obj[0]
        if id in _ACCOUNT_IDS:
            children = obj[2]
            if children is None:
                continue
            for child in children:  # the first 00 (DataObject.find)
                if child[0] == "00":
                    found = _LOOKUPS.get(child[1]) or _lookup(child[1])
                    known = found[0]
                    if found[1] is not None:
                        return None  # a near miss
                    if known is not None:
                        if known.legacy or id not in known.where:
                            return None  # legacy or misplaced
                        if scheme is None:
                            scheme = known.scheme
                        elif known.scheme is not scheme:
                            return None  # two schemes: precedence decides
                    break
        elif id == "58" and obj[1] in GUIDLESS_COUNTRIES:
            return None
    if _elqr_layout(tree):
        return None
    return "emvco" if scheme is None else scheme.name


def _lookup(guid: str) -> tuple[_Known | None, tuple[_Known, str] | None]:
    """The known GUID ``guid`` is (any case), or the one it is a near miss of: cached by the
    text as found, so a code of a known scheme pays one dict look-up a template."""
    found = _LOOKUPS.get(guid)
    if found is None:
        folded = fold(guid)
        known = _INDEX.get(folded)
        found = known, (_resembles(folded) if known is None else None)
        if len(_LOOKUPS) >= _MAX_LOOKUPS:
            _LOOKUPS.clear()
        _LOOKUPS[guid] = found
    return found


def _scan(
    tree: Tree, accounts: list[MerchantAccount] | None
) -> tuple[list[Scheme], tuple[str, ...], tuple[Issue, ...]]:
    """The schemes of ``tree`` (primary first), their names (eL-QR's first where it has that
    layout), the warnings, and each merchant account appended to ``accounts``."""
    schemes: list[Scheme] = []
    warnings: list[Issue] = []
    misplaced: list[tuple[Issue, Scheme]] = []
    country = None
    for obj in tree:  # one pass: this runs for every code validated under auto
        if obj.id not in _ACCOUNT_IDS:
            if obj.id == "58" and country is None:  # the first, as detect and the pass read
                country = obj.value
            continue
        if obj.children is None:
            continue
        guid = obj.find("00")
        if guid is None:
            if accounts is not None:
                accounts.append(MerchantAccount(obj.id, None, None))
            continue
        known, near = _lookup(guid.value)
        scheme = known.scheme if known is not None and obj.id in known.where else None
        if accounts is not None:
            name = scheme.name if scheme is not None else None
            accounts.append(MerchantAccount(obj.id, guid.value, name))
        if near is not None:
            warnings.append(_near_miss(obj.id, guid, *near))
        elif known is not None and scheme is None:
            misplaced.append((_misplaced(obj.id, guid, known), known.scheme))
            warnings.append(misplaced[-1][0])
        elif scheme is not None and known is not None:
            if not _holds(schemes, scheme):
                schemes.append(scheme)
            if known.legacy:
                warnings.append(_legacy(obj.id, guid, known))
    if country in GUIDLESS_COUNTRIES:
        for detected in _DETECTED:
            if (
                detected.country == country
                and not _holds(schemes, detected)
                and detected.detect
                and detected.detect(tree)
            ):
                schemes.append(detected)
    for issue, named in misplaced:  # a scheme another template (or detect) names is its own
        if _holds(schemes, named):
            warnings = [w for w in warnings if w is not issue]
    if len(schemes) > 1:
        schemes.sort(key=lambda s: -s.precedence)  # stable: ties keep the templates' order
    names = tuple([s.name for s in schemes]) if schemes else ()
    if _elqr_layout(tree):
        names = (ELQR.name, *names)
        warnings.append(_unsupported())
    return schemes, names, tuple(warnings)


def _holds(schemes: list[Scheme], scheme: Scheme) -> bool:
    """Whether ``scheme`` is in ``schemes`` by identity (== would compare every field)."""
    return id(scheme) in map(id, schemes)  # (no generator: this runs for every code)


def _dynamic(tree: Tree, schemes: list[Scheme]) -> bool | None:
    """The first scheme's answer that says, else 01 (EMVCo §4.1: 11 static, 12 dynamic)."""
    said = _first_said(tree, [s.dynamic for s in schemes])
    if said is not None:
        return said
    point = next((obj.value for obj in tree if obj.id == "01"), None)
    return {"11": False, "12": True}.get(point) if point is not None else None


def _expiry(tree: Tree, schemes: list[Scheme]) -> datetime | None:
    return _first_said(tree, [s.expiry for s in schemes])


def _first_said(tree: Tree, readers: list[Callable[[Tree], _T | None] | None]) -> _T | None:
    """The first answer that is not None of the schemes' readers, in the schemes' order."""
    for reader in readers:
        said = reader(tree) if reader is not None else None
        if said is not None:
            return said
    return None


def _elqr_layout(tree: Tree) -> bool:
    """SPEC §4's eL-QR layout: 255 characters, the last object 63 holding five decimal digits."""
    if not tree:
        return False
    last = tree[-1]
    return (
        len(last.value) == 5
        and last.id == "63"
        and last.offset is not None
        and last.offset + 4 + len(last.value) == ELQR_LENGTH
        and _ELQR_CHECK.fullmatch(last.value) is not None
    )


def _shown(known: str, found: str) -> str:
    """The known GUID in the case the code writes GUIDs in (lower case when it has no capital)."""
    return known.lower() if found == found.lower() else known


def _near_miss(template: str, guid: DataObject, known: _Known, why: str) -> Issue:
    path = f"{template}.00"
    expected = _shown(known.guid, guid.value)
    legacy = " (its superseded GUID)" if known.legacy else ""
    return Issue(
        "scheme.near_miss",
        path,
        guid.offset,
        f"expected {expected!r}, the GUID of {known.scheme.title}{legacy}, for ID {path} "
        f"(compared case-insensitively), found {guid.value!r}, {why}: probably a typo, so the "
        f"code is not taken as a {known.scheme.title} code",
    )


def _legacy(template: str, guid: DataObject, known: _Known) -> Issue:
    path = f"{template}.00"
    current = [g for g, where in known.scheme.guids.items() if template in where]
    expected = _shown(fold(current[0]), guid.value) if current else "its current GUID"
    return Issue(
        "scheme.legacy",
        path,
        guid.offset,
        f"expected {expected!r}, the GUID of {known.scheme.title}, for ID {path}, found "
        f"{guid.value!r}, the scheme's superseded (legacy) GUID",
    )


def _misplaced(template: str, guid: DataObject, known: _Known) -> Issue:
    """A known GUID in a template its scheme does not put it in (Pix's in 27): a wallet of the
    scheme looks for it where the scheme says, so the code is not that scheme's."""
    where = sorted(known.where)
    shown = " or ".join(where) if len(where) <= 3 else f"{where[0]}-{where[-1]}"
    legacy = " (its superseded GUID)" if known.legacy else ""
    return Issue(
        "scheme.misplaced",
        f"{template}.00",
        guid.offset,
        f"expected the GUID {guid.value!r} of {known.scheme.title}{legacy} in ID {shown}, where "
        f"that scheme puts it, found it in ID {template}: the code is not taken as a "
        f"{known.scheme.title} code",
    )


def _unsupported() -> Issue:
    return Issue(
        "scheme.unsupported",
        "",
        None,
        f"expected a code of a scheme jpqr has rules for, found the layout of {ELQR.title} "
        f"({ELQR_LENGTH} characters ending in 6305 and five digits instead of 6304 and a CRC): "
        "jpqr has no eL-QR rules because the MIC/eLTAX specification is not published, so it "
        "is checked as EMVCo (not to be confused with Kyrgyzstan's unrelated ELQR)",
    )

"""The human report of ``jpqr validate`` and ``ValidationReport.format()``: what is wrong,
where, with the offending part of the payload marked.

An :class:`~jpqr.report.Issue` gives a character ``offset`` and an ID ``path``; this module turns
them into the part of the payload to mark: the whole data object at that path when the payload
decodes, else the object whose header starts at the offset, else the characters at the offset.

>>> payload = "0002010102116304AD0B"
>>> locate(payload, "crc.mismatch", "63", 12)
(12, 20)
>>> locate(payload, "tlv.trailing_characters", "", 20)
(20, 20)
"""

from __future__ import annotations

import textwrap
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from . import _kernels
from ._terminal import Marker, Style, safe
from .cpm.text import is_cpm
from .dataobject import DataObject
from .errors import DecodeError, JPQRError

if TYPE_CHECKING:
    from .profiles._classify import Classification
    from .report import Issue, ValidationReport

__all__ = [
    "classification_of",
    "explain",
    "explain_code",
    "locate",
    "profile_titles",
    "scheme_line",
]

# Codes whose offset starts a run that lasts to the end of the payload.
_TO_END: Final = frozenset(
    {"tlv.trailing_characters", "tlv.length_overrun", "tlv.truncated_header", "tlv.too_long"}
)


def _objects_at(tree: Iterable[DataObject], path: str) -> list[DataObject]:
    """Every object at ``path`` (more than one when an ID is duplicated)."""
    head, _, rest = path.partition(".")
    found = []
    for obj in tree:
        if obj.id != head:
            continue
        if not rest:
            found.append(obj)
        elif obj.children is not None:
            found.extend(_objects_at(obj.children, rest))
    return found


def _index(tree: Iterable[DataObject], parent: str = "") -> dict[str, list[DataObject]]:
    """Every object of ``tree`` by its path, so that many issues look theirs up in one pass."""
    index: dict[str, list[DataObject]] = {}
    for obj in tree:
        path = f"{parent}.{obj.id}" if parent else obj.id
        index.setdefault(path, []).append(obj)
        if obj.children is not None:
            for key, found in _index(obj.children, path).items():
                index.setdefault(key, []).extend(found)
    return index


def _span(obj: DataObject) -> tuple[int, int]:
    start = obj.offset or 0
    return start, start + 4 + len(obj.value)


def _header_span(payload: str, offset: int) -> tuple[int, int]:
    """The data object whose header starts at ``offset``, as far as the payload holds it; the
    two characters at ``offset`` when there is no readable header there."""
    header = payload[offset : offset + 4]
    if len(header) == 4 and header.isascii() and header.isdigit():
        return offset, min(offset + 4 + int(header[2:]), len(payload))
    return offset, min(offset + 2, len(payload))


def locate(
    payload: str,
    code: str,
    path: str,
    offset: int | None,
    tree: tuple[DataObject, ...] | None = None,
    index: dict[str, list[DataObject]] | None = None,
) -> tuple[int, int] | None:
    """The part ``[start, end)`` of ``payload`` an issue is about, or ``None`` when it has no
    place in the payload (a missing field). ``index`` (from :func:`_index` of ``tree``) saves
    the walk of the tree when one payload has many issues."""
    if offset is not None and not 0 <= offset <= len(payload):
        offset = None
    if offset is not None and (code in _TO_END or code.startswith("crc.")):
        return offset, len(payload)  # the CRC object is the last one
    if path:
        if tree is None:
            try:
                tree = _kernels.decode(payload)
            except JPQRError:
                tree = None
        if index is not None:
            candidates = index.get(path, [])
            if offset is not None and len(candidates) > 1:
                # Objects at one path are disjoint and in payload order: the one that can hold
                # the offset is the last to start at or before it (many duplicates stay linear).
                at = bisect_right(candidates, offset, key=lambda obj: obj.offset or 0)
                candidates = candidates[max(at - 1, 0) : at]
        else:
            candidates = _objects_at(tree, path) if tree is not None else []
        for obj in candidates:
            start, end = _span(obj)
            if offset is None or start <= offset < end:
                # An offset inside the object (at its value, say) narrows the mark to there.
                return (start if offset is None else offset), end
    if offset is None:
        return None
    if offset == len(payload):
        return offset, offset
    return _header_span(payload, offset)


def _where(issue: Issue) -> str:
    parts = []
    if issue.path:
        parts.append(f"ID {issue.path}")
    if issue.offset is not None:
        parts.append(f"offset {issue.offset}")
    return ", ".join(parts)


def _shown(raw: bytes) -> str:
    """A line that is not valid UTF-8, shown with its bad bytes as ``\\xNN``."""
    return raw.decode("utf-8", "backslashreplace")


def _byte_span(raw: bytes, offset: int | None) -> tuple[int, int] | None:
    """The byte at ``offset`` of ``raw`` as a span of the text :func:`_shown` makes of it."""
    if offset is None or not 0 <= offset < len(raw):
        return None
    start = len(_shown(raw[:offset]))
    return start, start + len(_shown(raw[offset : offset + 1]))


def explain(
    label: str, payload: str | bytes, report: ValidationReport, style: Style, marker: Marker
) -> str:
    """The lines a person reads for one payload."""
    counts = []
    if report.errors:
        counts.append(_plural(len(report.errors), "error"))
    if report.warnings:
        counts.append(_plural(len(report.warnings), "warning"))
    verdict = style("valid", "green", "bold") if report.ok else style("INVALID", "red", "bold")
    detail = f"profile {report.profile}, CRC {report.crc}"
    if counts:
        detail += ", " + " and ".join(counts)
    lines = [f"{label}: {verdict} ({detail})"]
    if not (report.errors or report.warnings):
        return "\n".join(lines)
    text = payload if isinstance(payload, str) else _shown(payload)
    # CPM text checked under a merchant profile: its Base64 carries the PAN and track 2, so it
    # is never echoed (issue 14: no PAN unmasked anywhere); the messages still say what is wrong.
    echo = not is_cpm(payload)
    tree: tuple[DataObject, ...] | None = None
    index: dict[str, list[DataObject]] | None = None
    if isinstance(payload, str):
        try:
            tree = _kernels.decode(text)
            index = _index(tree)
        except JPQRError:
            tree = None
    for kind, colour, issues in (
        ("error", "red", report.errors),
        ("warning", "yellow", report.warnings),
    ):
        for issue in issues:
            where = _where(issue)
            heading = f"  {style(kind, colour, 'bold')} {style(issue.code, colour)}"
            lines.append(f"{heading} at {where}" if where else heading)
            lines.extend(_wrap(safe(issue.message), marker.width))
            if isinstance(payload, bytes):
                span = _byte_span(payload, issue.offset)
            else:
                span = locate(text, issue.code, issue.path, issue.offset, tree, index)
            if span is not None and echo:
                lines.extend("    " + row for row in marker.excerpt(text, *span).splitlines())
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    """``text`` indented by four spaces and wrapped to ``width`` columns (long words kept whole,
    so a quoted value is never cut)."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent="    ",
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def profile_titles() -> dict[str, str]:
    """Every registered profile (:data:`jpqr.profiles.PROFILES`) by name, with its title: the
    scheme's where the profile has one, else its table's (``emvco``: "EMVCo MPM").

    >>> profile_titles()["jpqr"]
    'JPQR (Japan, 統一QRコード)'
    """
    from .profiles import PROFILES

    titles = {}
    for name, module in PROFILES.items():
        scheme = getattr(module, "SCHEME", None)
        titles[name] = scheme.title if scheme is not None else module.TABLE.title
    return titles


def scheme_line(classification: Classification) -> str | None:
    """The line ``jpqr validate`` prints under the verdict: the schemes of the code (their
    titles), static or dynamic, and the expiry where the scheme carries one; ``None`` for a code
    of no scheme (plain EMVCo) that is no near miss of one either.

    >>> from jpqr import classify
    >>> scheme_line(classify("00020101021126230019jp.or.paymentsjapan6304XXXX"))
    '  scheme: JPQR (Japan, 統一QRコード), static'
    """
    if not classification.schemes and not classification.warnings:
        return None
    titles = profile_titles()
    names = [titles.get(name, name) for name in classification.schemes] or ["none recognised"]
    parts = ["; ".join(names)]
    if classification.dynamic is not None:
        parts.append("dynamic" if classification.dynamic else "static")
    if classification.expires is not None:
        parts.append(f"expires {classification.expires.isoformat()}")
    label = "schemes" if len(classification.schemes) > 1 else "scheme"
    return f"  {label}: {', '.join(parts)}"


def classification_of(report: ValidationReport) -> Classification | None:
    """What jpqr.classify says of the checked text, or None where it does not decode (the
    report says why)."""
    from .api import classify

    try:
        return classify(report.payload)
    except DecodeError:
        return None


def explain_code(
    label: str, payload: str | bytes, report: ValidationReport, style: Style, marker: Marker
) -> str:
    """:func:`explain` with the scheme line under the verdict (:func:`scheme_line`): what
    ``jpqr validate`` prints and ``ValidationReport.format()`` returns. A near miss of a known
    GUID is a warning of ``auto``; under a profile chosen by name it is shown all the same
    (once), so that a mistyped GUID never passes silently as plain EMVCo."""
    classification = classification_of(report)
    if classification is None:  # the text does not decode: no scheme to name
        return explain(label, payload, report, style, marker)
    known = {(issue.code, issue.path) for issue in report.warnings}
    extra = tuple(i for i in classification.warnings if (i.code, i.path) not in known)
    if extra:
        report = report._replace(warnings=report.warnings + extra)
    text = explain(label, payload, report, style, marker)
    line = scheme_line(classification)
    if line is None:
        return text
    head, newline, rest = text.partition("\n")
    return f"{head}\n{line}{newline}{rest}"

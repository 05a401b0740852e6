"""How ``jpqr validate`` and ``jpqr decode`` show a customer-presented code: a report for a
person, the data objects as a table or JSON. A card number or payment ID is shown masked
(:mod:`.masking`); every other value its table knows as text where its format is text, else as
hex; a value no table knows, or out of its bounds, by its size only.

>>> rows = decode_rows("hQVDUFYwMWEaTwegAAAAVVVVVw8SNFZ4kBI0WNGRIgESNF8=")
>>> [(row["tag"], row["value"]) for row in rows[1]["children"]]
[('4F', 'A0000000555555'), ('57', '123456******3458D*************')]
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any

from .._ber_object import BerObject
from ..errors import DecodeError
from ..report import ValidationReport
from .api import _profile_of, decode
from .masking import mask
from .schema import Profile

__all__ = ["decode_command", "decode_rows", "explain"]


Style = Callable[..., str]


def _plain(text: str, *styles: str) -> str:
    return text


def explain(label: str, report: ValidationReport, style: Style = _plain, width: int = 76) -> str:
    """The human report, laid out as ``jpqr validate`` lays out a merchant-presented one: a
    verdict line, then each issue, where it is (a tag path; a byte offset in the decoded data,
    or a character offset in the Base64 text for ``cpm.base64*``) and its message. ``style``
    is the CLI's colouring (``style(text, "red", "bold")``).

    >>> from jpqr.cpm import validate
    >>> print(explain("payload", validate("hQVDUFYwMQ==")))
    payload: INVALID (profile emv-cpm, customer-presented, no CRC, 1 error)
      error cpm.missing at tag 61
        expected Application Template (tag 61) in the payload, found none
    """
    counts = [
        f"{len(issues)} {kind}{'s' if len(issues) != 1 else ''}"
        for kind, issues in (("error", report.errors), ("warning", report.warnings))
        if issues
    ]
    verdict = style("valid", "green", "bold") if report.ok else style("INVALID", "red", "bold")
    detail = ", ".join([f"profile {report.profile}", "customer-presented", "no CRC", *counts])
    lines = [f"{label}: {verdict} ({detail})"]
    for kind, colour, issues in (
        ("error", "red", report.errors),
        ("warning", "yellow", report.warnings),
    ):
        for issue in issues:
            where = [f"tag {issue.path}"] if issue.path else []
            if issue.offset is not None:
                unit = "character" if issue.code.startswith("cpm.base64") else "byte"
                where.append(f"{unit} {issue.offset}")
            heading = f"  {style(kind, colour, 'bold')} {style(issue.code, colour)}"
            lines.append(f"{heading} at {', '.join(where)}" if where else heading)
            lines += textwrap.wrap(
                issue.message,
                width,
                initial_indent="    ",
                subsequent_indent="    ",
                break_long_words=False,
                break_on_hyphens=False,
            )
    return "\n".join(lines)


def _shown(obj: BerObject, profile: Profile) -> str:
    """A value as the table shows it. Only a value its table knows, within its length and of
    its format, is shown (as text or hex); anything else by its size, since bytes that are not
    what their tag says (a length that swallowed its neighbours) may hold a card number."""
    spec = profile.tags.get(obj.tag)
    value = obj.value
    hidden = f"<{len(value)} bytes>"
    if spec is None or len(value) < spec.min or (spec.max is not None and len(value) > spec.max):
        return hidden
    if spec.sensitive:
        if spec.format == "track2":
            pan, separator, rest = value.hex().upper().partition("D")
            return mask(pan) + separator + "*" * len(rest) if separator else mask(pan)
        if spec.format == "cn":
            return mask(value.hex().upper().rstrip("F"))
        return mask(value.decode("ascii", "replace"))
    if spec.format in ("an", "ans"):
        text = value.decode("ascii", "replace")
        return text if value.isascii() and text.isprintable() else hidden
    return value.hex().upper()


def _rows(objects: tuple[BerObject, ...], profile: Profile) -> list[dict[str, Any]]:
    rows = []
    for obj in objects:
        spec = profile.tags.get(obj.tag)
        children = None if obj.children is None else _rows(obj.children, profile)
        rows.append(
            {
                "tag": obj.tag,
                "name": spec.name if spec is not None else "",
                "length": len(obj.value),
                "value": None if children is not None else _shown(obj, profile),
                "children": children,
            }
        )
    return rows


def decode_rows(payload: str | bytes) -> list[dict[str, Any]]:
    """The data objects as JSON-ready dicts (``tag``, ``name``, ``length``, ``value`` masked
    where sensitive, ``children``); DecodeError where the text does not decode."""
    objects = decode(payload)
    return _rows(objects, _profile_of(objects))


def _table(rows: list[dict[str, Any]], depth: int = 0) -> list[str]:
    lines = []
    for row in rows:
        tag = "  " * depth + row["tag"]
        value = row["value"] if row["value"] is not None else ""
        lines.append(f"{tag:<10} {row['length']:>4}  {row['name']:<42} {value}".rstrip())
        if row["children"] is not None:
            lines += _table(row["children"], depth + 1)
    return lines


def decode_command(payload: str | bytes, as_json: bool) -> tuple[int, str]:
    """``jpqr decode`` of a CPM code: the exit status and the text (for stdout when 0, for
    stderr otherwise)."""
    try:
        rows = decode_rows(payload)
    except DecodeError as exc:
        return 1, f"jpqr decode: {exc.code}: {exc}"
    if as_json:
        return 0, json.dumps(rows, indent=2)
    head = f"{'Tag':<10} {'Len':>4}  {'Name':<42} Value"
    return 0, "\n".join([head, *_table(rows), "customer-presented code (no CRC)"])

"""``jpqr tags``: the data objects a profile knows, read from the schema tables (``jpqr.schema``).

One row per ID, or per run of consecutive IDs that share every column (``26-51``); a template's
sub-objects follow it, with their ID path (``62.05``). Every registered profile has its table:
the presence of a root object is the profile's (``M`` where a row of its table makes it
mandatory, so a scheme that leaves out 52, 59 and 60 shows them ``O``, and JPQR's 61 and 64 are
``M``), and a scheme's table ends with the templates its GUIDs mark. The ``jpqr`` profile adds
the JPQR identifier: the sub-objects of a 26-51 template whose GUID is ``jp.or.paymentsjapan``
(SPEC §4). The rules beyond these columns (JPQR: country JP, currency 392, whole yen, a 7-digit
postal code) are the profile's; docs/profiles.md lists them. Exit status 0.

>>> [row.cells() for row in rows("emvco")[:3]]  # doctest: +NORMALIZE_WHITESPACE
[('00', 'Payload Format Indicator', 'N', '2', 'M'),
 ('01', 'Point of Initiation Method', 'N', '2', 'O'),
 ('02-03', 'Merchant Account Information (Visa)', 'ans', '1-99', 'O')]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

from .._terminal import Style, display_width, wants_colour, writes_utf8
from ..schema import JPQR_GUID, JPQR_IDENTIFIER, MERCHANT_ACCOUNT_IDS, ROOT, Field, field_spec
from .validate import add_profile_option

__all__ = ["add_parser", "rows", "run"]

HEAD = ("ID", "Name", "Format", "Length", "Presence")


def add_parser(commands: Any) -> None:
    """Declare ``jpqr tags`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "tags",
        help="list the data objects of a profile: IDs, names, formats, lengths",
        description=(
            "List the data objects a profile knows, from jpqr's schema tables: ID (or ID path), "
            "name, format (N digits, ans printable ASCII, S any text), length and presence "
            "(M mandatory, O optional, C conditional)."
        ),
    )
    add_profile_option(parser, auto=False, default="jpqr")
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    parser.set_defaults(run=run)


# The first of the merchant account templates (26-51) that may hold the JPQR identifier.
_GUID_TEMPLATES: Final = min(MERCHANT_ACCOUNT_IDS & {key for key, f in ROOT.items() if f.template})


def _sub_table(path: str) -> dict[str, Field]:
    """The sub-objects of the template at ``path``, as the schema names them."""
    found = {}
    for number in range(100):
        key = f"{number:02d}"
        spec = field_spec(f"{path}.{key}")
        if spec is not None:
            found[key] = spec
    return found


class Row(NamedTuple):
    """One line of the table: ``id`` is an ID, a run of IDs (``02-03``) or an ID path
    (``62.50-99.00``)."""

    id: str
    name: str
    format: str
    min_length: int
    max_length: int
    presence: str

    @property
    def length(self) -> str:
        if self.min_length == self.max_length:
            return str(self.max_length)
        return f"{self.min_length}-{self.max_length}"

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.id, self.name, self.format, self.length, self.presence)

    def under(self, parent: str) -> Row:
        return self._replace(id=f"{parent}.{self.id}")


def _rows(
    table: Mapping[str, Field],
    path: str,
    nested: bool = True,
    mandatory: frozenset[str] | None = None,
) -> list[Row]:
    """The rows of ``table`` (the objects at ``path``), each template followed by its objects;
    consecutive IDs that agree in every column, sub-objects included, share one row. With
    ``mandatory`` (the root of a profile), those IDs are ``M`` and no other ID is."""
    groups: list[tuple[str, str, Row, tuple[Row, ...]]] = []  # first ID, last ID, row, children
    for key in sorted(table):
        spec = table[key]
        here = f"{path}.{key}" if path else key
        children = tuple(_rows(_sub_table(here), here)) if spec.template and nested else ()
        presence = spec.presence
        if mandatory is not None and (key in mandatory or presence == "M"):
            presence = "M" if key in mandatory else "O"
        row = Row("", spec.name, spec.format, spec.min_length, spec.max_length, presence)
        if groups:
            first, last, previous, previous_children = groups[-1]
            if int(key) == int(last) + 1 and (previous, previous_children) == (row, children):
                groups[-1] = (first, key, row, children)
                continue
        groups.append((key, key, row, children))
    rows = []
    for first, last, row, children in groups:
        ids = first if first == last else f"{first}-{last}"
        rows.append(row._replace(id=ids))
        rows.extend(child.under(ids) for child in children)
    return rows


def _mandatory(profile: str) -> frozenset[str]:
    """The root IDs the profile's table makes mandatory (its root ``Required`` rows), and the
    CRC, 63, which the engine requires of every code."""
    from ..profiles import PROFILES
    from ..profiles._table import Required

    rows = PROFILES[profile].TABLE.rows
    return frozenset({"63", *(row.path for row in rows if isinstance(row, Required))})


def _ids(members: frozenset[str]) -> str:
    """``26-51`` or ``26``, or ``26, 28``: a set of template IDs as runs."""
    numbers = sorted(int(id) for id in members)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(f"{a:02d}" if a == b else f"{a:02d}-{b:02d}" for a, b in runs)


def notes(profile: str) -> list[str]:
    """The lines under the table: where the profile's scheme puts its GUIDs.

    >>> notes("jpqr")
    ['(JPQR): in the merchant account template whose 00 is jp.or.paymentsjapan']
    >>> notes("emvco")
    []
    """
    from ..profiles import PROFILES

    if profile == "jpqr":
        return [f"(JPQR): in the merchant account template whose 00 is {JPQR_GUID}"]
    scheme = getattr(PROFILES[profile], "SCHEME", None)
    if scheme is None:
        return []
    lines = [
        f"{scheme.title}: template {_ids(where)} whose 00 is {guid}"
        for guid, where in scheme.guids.items()
    ]
    lines += [
        f"{scheme.title}: template {_ids(where)} whose 00 is {guid} (legacy)"
        for guid, where in scheme.legacy.items()
    ]
    return lines


def rows(profile: str) -> list[Row]:
    """The table of ``profile``, from the schema: the EMVCo objects with the presence the
    profile's table gives the root ones, and for ``jpqr`` the JPQR identifier's objects under
    the merchant account templates that may carry it."""
    table = _rows(ROOT, "", mandatory=_mandatory(profile))
    if profile == "jpqr":
        templates = next(row.id for row in table if row.id.startswith(_GUID_TEMPLATES))
        for row in _rows(JPQR_IDENTIFIER, "", nested=False):
            table.append(row.under(templates)._replace(name=f"{row.name} (JPQR)"))
    return table


def run(args: argparse.Namespace) -> int:
    table = rows(args.profile)
    if args.json:
        document = [row._asdict() for row in table]
        sys.stdout.write(json.dumps(document, ensure_ascii=not writes_utf8(sys.stdout)) + "\n")
        return 0
    style = Style(wants_colour(sys.stdout, args.color))
    cells = [row.cells() for row in table]
    widths = [max(display_width(row[i]) for row in [HEAD, *cells]) for i in range(4)]

    def line(row: tuple[str, ...]) -> str:
        padded = [row[i] + " " * (widths[i] - display_width(row[i])) for i in range(4)]
        return "  ".join([*padded, row[4]]).rstrip()

    out = [style(line(HEAD), "bold"), *(line(row) for row in cells), *notes(args.profile)]
    sys.stdout.write("\n".join(out) + "\n")
    return 0

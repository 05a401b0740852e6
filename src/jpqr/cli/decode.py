"""``jpqr decode``: the data objects of a payload, as a table or (``--json``) nested JSON.

Decoding is structure only (``jpqr.decode``): it shows what the payload holds even when the code
breaks EMVCo rules; ``jpqr validate`` judges it. Exit status: 0 when the payload reads as data
objects, 1 when it does not, 2 for a usage or input error.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from typing import Any

from .. import _kernels
from ..cpm.text import is_cpm
from ..dataobject import DataObject
from ..errors import DecodeError
from ._explain import locate
from ._io import add_payload_argument, read_one
from ._names import name_of
from ._terminal import Marker, Style, display_width, safe, wants_colour, writes_utf8

__all__ = ["add_parser", "object_to_dict", "run"]


def add_parser(commands: Any) -> None:
    """Declare ``jpqr decode`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "decode",
        help="show the data objects of a payload",
        description=(
            "Show the data objects of a payload with their EMVCo/JPQR names. Structure only: "
            "use 'jpqr validate' to check the rules."
        ),
    )
    add_payload_argument(parser)
    parser.add_argument(
        "--json", action="store_true", help="print nested JSON: id, name, value, children"
    )
    parser.set_defaults(run=run)


def object_to_dict(
    obj: DataObject, parent: str = "", template: DataObject | None = None
) -> dict[str, Any]:
    """One data object as JSON: ``id``, ``name``, ``value``, ``children`` (``None`` for a
    primitive, or a template whose value is not a sequence of data objects).

    >>> object_to_dict(DataObject("62", "0503***", (DataObject("05", "***", None, 4),), 0))
    ... # doctest: +NORMALIZE_WHITESPACE
    {'id': '62', 'name': 'Additional Data Field Template', 'value': '0503***',
     'children': [{'id': '05', 'name': 'Reference Label', 'value': '***', 'children': None}]}
    """
    path = f"{parent}.{obj.id}" if parent else obj.id
    children = None
    if obj.children is not None:
        children = [object_to_dict(child, path, obj) for child in obj.children]
    name = name_of(path, template)
    return {"id": obj.id, "name": name, "value": obj.value, "children": children}


def _table_rows(
    objects: tuple[DataObject, ...], parent: str, template: DataObject | None
) -> list[list[str]]:
    rows = []
    depth = parent.count(".") + 1 if parent else 0
    for obj in objects:
        path = f"{parent}.{obj.id}" if parent else obj.id
        name = name_of(path, template)
        value = "" if obj.children is not None else obj.value
        rows.append(["  " * depth + obj.id, f"{len(obj.value):02d}", name, value])
        if obj.children is not None:
            rows.extend(_table_rows(obj.children, path, obj))
    return rows


def _table(objects: tuple[DataObject, ...], style: Style) -> str:
    rows = [[safe(cell) for cell in row] for row in _table_rows(objects, "", None)]
    head = ["ID", "Len", "Name", "Value"]
    widths = [max(display_width(row[i]) for row in [head, *rows]) for i in range(3)]

    def line(row: list[str], bold: bool = False) -> str:
        cells = [row[i] + " " * (widths[i] - display_width(row[i])) for i in range(3)]
        text = "  ".join([*cells, row[3]]).rstrip()
        return style(text, "bold") if bold else text

    return "\n".join([line(head, bold=True), *(line(row) for row in rows)])


def run(args: argparse.Namespace) -> int:
    payload = read_one(args.payload)
    if is_cpm(payload):  # customer-presented (issue 14): read and shown by jpqr.cpm
        from ..cpm.render import decode_command

        status, text = decode_command(payload, args.json)
        (sys.stdout if status == 0 else sys.stderr).write(text + "\n")
        return status
    style = Style(wants_colour(sys.stdout))
    try:
        objects = _kernels.decode(payload)
    except DecodeError as exc:
        sys.stderr.write(_failure(payload, exc) + "\n")
        return 1
    if args.json:
        document = [object_to_dict(obj) for obj in objects]
        sys.stdout.write(
            json.dumps(document, ensure_ascii=not writes_utf8(sys.stdout), indent=2) + "\n"
        )
        return 0
    sys.stdout.write(_table(objects, style) + "\n")
    verdict = _kernels.crc_verdict(payload)
    sys.stdout.write(f"CRC {verdict}\n")
    return 0


def _failure(payload: str | bytes, exc: DecodeError) -> str:
    style = Style(wants_colour(sys.stderr))
    lines = [f"jpqr decode: {style(exc.code, 'red', 'bold')}: {safe(str(exc))}"]
    if isinstance(payload, str):
        span = locate(payload, exc.code, exc.path, exc.offset)
        if span is not None:
            marker = Marker(style, width=shutil.get_terminal_size().columns - 4)
            lines.extend("  " + row for row in marker.excerpt(payload, *span).splitlines())
    return "\n".join(lines)

"""``jpqr decode``: the data objects of a payload, as a table or (``--json``) nested JSON.

Decoding is structure only (``jpqr.decode``): it shows what the payload holds even when the code
breaks EMVCo rules; ``jpqr validate`` judges it. ``--file F`` decodes one payload per line (JSON
Lines with ``--json``), in constant memory. Exit status: 0 when every payload reads as data
objects, 1 when one does not, 2 for a usage or input error.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from typing import Any

from .. import _kernels
from .._explain import locate
from .._terminal import Marker, Style, display_width, safe, wants_colour, writes_utf8
from ..cpm.text import is_cpm
from ..dataobject import DataObject
from ..errors import DecodeError
from ._io import InputError, Source, open_input, read_lines, read_one
from ._names import name_of

__all__ = ["add_parser", "error_to_dict", "lenient", "object_to_dict", "run"]


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
    parser.add_argument(
        "payload", metavar="PAYLOAD", nargs="?", help="the payload ('-' reads it from stdin)"
    )
    parser.add_argument(
        "-f", "--file", metavar="F", help="decode each line of F, one payload a line ('-' stdin)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print nested JSON: id, name, value, children (with --file: one object a line)",
    )
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="strip white space and byte order marks before the payload and white space after it, "
        "with a note",
    )
    parser.set_defaults(run=run, parser=parser)


def lenient(payload: str | bytes) -> tuple[str | bytes, str]:
    """``--lenient``: the payload without the transport noise ``validate(lenient=True)`` strips
    (white space and byte order marks before it, white space after it), and what was stripped
    (``""`` when nothing was).

    >>> lenient("\\ufeff0002010102116304AD0A\\r\\n")
    ('0002010102116304AD0A', 'a leading byte order mark and trailing white space')
    >>> lenient("\\t 0002010102116304AD0A")
    ('0002010102116304AD0A', "leading white space '\\\\t '")
    """
    from ..profiles._engine import _describe_leading, _leading_noise

    start = _leading_noise(payload)
    what = [_describe_leading(payload[:start])] if start else []
    rest = payload[start:]
    shorter = rest.rstrip(" \t\r\n" if isinstance(rest, str) else b" \t\r\n")  # type: ignore[arg-type]
    if len(shorter) != len(rest):
        what.append("trailing white space")
    return shorter, " and ".join(what)


def error_to_dict(exc: DecodeError) -> dict[str, Any]:
    """A decoding error as JSON, with the fields of a validation issue.

    >>> error_to_dict(DecodeError("tlv.bad_id", "expected two digits", offset=0))
    {'code': 'tlv.bad_id', 'path': '', 'offset': 0, 'message': 'expected two digits'}
    """
    return {"code": exc.code, "path": exc.path, "offset": exc.offset, "message": exc.message}


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
    if args.file is not None:
        if args.payload is not None:
            raise InputError("give a payload as an argument or with --file, not both")
        return _run_file(args)
    if args.payload is None:
        args.parser.error("the following arguments are required: PAYLOAD (or --file F)")
    payload = _prepared(args, read_one(args.payload), "payload")
    if is_cpm(payload):  # customer-presented (issue 14): read and shown by jpqr.cpm
        from ..cpm.render import decode_command

        status, text = decode_command(payload, args.json)
        (sys.stdout if status == 0 else sys.stderr).write(text + "\n")
        return status
    style = Style(wants_colour(sys.stdout, args.color))
    try:
        objects = _kernels.decode(payload)
    except DecodeError as exc:
        if args.json:
            sys.stdout.write(_json_line({"error": error_to_dict(exc)}) + "\n")
        else:
            sys.stderr.write(_failure(payload, exc, args.color) + "\n")
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


def _prepared(args: argparse.Namespace, payload: str | bytes, label: str) -> str | bytes:
    if not args.lenient:
        return payload
    payload, stripped = lenient(payload)
    if stripped:
        sys.stdout.flush()
        sys.stderr.write(f"jpqr decode: {label}: --lenient stripped {stripped}\n")
    return payload


def _json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=not writes_utf8(sys.stdout))


def _run_file(args: argparse.Namespace) -> int:
    """One payload a line: a table (or a JSON line) each, errors in line with the rest."""
    stream = open_input(args.file)
    name = "stdin" if args.file == "-" else args.file
    style = Style(wants_colour(sys.stdout, args.color))
    total = failed = 0
    try:
        for index, source in enumerate(read_lines(stream, name)):
            total += 1
            failed += not _decode_line(args, index, source, style)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if total == 0:
        raise InputError("no payloads to decode (the input is empty)")
    return 1 if failed else 0


def _decode_line(args: argparse.Namespace, index: int, source: Source, style: Style) -> bool:
    payload = _prepared(args, source.payload, f"line {source.line}")
    record: dict[str, Any] = {"index": index, "line": source.line}
    try:
        objects = _kernels.decode(payload)
    except DecodeError as exc:
        if args.json:
            record["error"] = error_to_dict(exc)
            sys.stdout.write(_json_line(record) + "\n")
        else:
            text = _failure(payload, exc, args.color, sys.stdout)
            sys.stdout.write(f"line {source.line}: {text}\n")
        return False
    if args.json:
        record["objects"] = [object_to_dict(obj) for obj in objects]
        sys.stdout.write(_json_line(record) + "\n")
    else:
        verdict = _kernels.crc_verdict(payload)
        sys.stdout.write(f"line {source.line}:\n{_table(objects, style)}\nCRC {verdict}\n")
    return True


def _failure(payload: str | bytes, exc: DecodeError, colour: str, stream: Any = None) -> str:
    style = Style(wants_colour(stream or sys.stderr, colour))
    # str(exc) is "[code] message (at ID path, offset n)" (jpqr.errors): the code once.
    lines = [f"jpqr decode: {style(safe(str(exc)), 'red')}"]
    if isinstance(payload, str):
        span = locate(payload, exc.code, exc.path, exc.offset)
        if span is not None:
            marker = Marker(style, width=shutil.get_terminal_size().columns - 4)
            lines.extend("  " + row for row in marker.excerpt(payload, *span).splitlines())
    return "\n".join(lines)

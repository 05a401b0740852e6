"""``jpqr render``: the QR image of a payload, as an SVG or PNG file or on the terminal.

The payload is validated first: printing a code that wallets reject helps nobody
(``--no-check`` renders it anyway, to reproduce a broken code). Needs the optional ``qr`` extra.
Exit status: 0 rendered, 1 the payload is invalid, 2 usage or input error or the extra is missing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from .._explain import explain
from .._terminal import Marker, Style, safe, wants_colour
from ._io import InputError, add_payload_argument, read_one

FORMATS = (".svg", ".png")  # as jpqr.render.FORMATS, which needs no import to declare the option

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Declare ``jpqr render`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "render",
        help="draw the QR code of a payload (SVG, PNG or terminal; needs jpqr[qr])",
        description=(
            "Draw the QR code of a payload after checking it. Needs the optional 'qr' extra: "
            'python -m pip install "jpqr[qr]".'
        ),
    )
    add_payload_argument(parser)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "-o", "--output", metavar="FILE", help="write FILE (.svg or .png; '-' for stdout)"
    )
    where.add_argument("--terminal", action="store_true", help="draw it on the terminal")
    parser.add_argument(
        "--format",
        choices=[suffix.lstrip(".") for suffix in FORMATS],
        help="the image format (default: from the file name; svg for -o -)",
    )
    parser.add_argument(
        "--scale", type=int, default=8, help="pixels per module in the image (default 8)"
    )
    parser.add_argument(
        "--no-check", action="store_true", help="render even a payload that does not validate"
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from .. import render, validate

    kind = _kind(args)
    if not 1 <= args.scale <= 100:
        args.parser.error(f"--scale: expected 1 to 100 pixels per module, found {args.scale}")
    try:
        render.require_segno()
    except render.MissingExtraError as exc:
        raise InputError(str(exc)) from None
    payload = read_one(args.payload)
    if not args.no_check:
        report = validate(payload)
        if not report.ok:
            style = Style(wants_colour(sys.stderr, args.color))
            marker = Marker(style, width=shutil.get_terminal_size().columns - 4)
            sys.stderr.write(explain("payload", payload, report, style, marker) + "\n")
            sys.stderr.write("jpqr render: not rendered (--no-check renders it anyway)\n")
            return 1
    if isinstance(payload, bytes):
        raise InputError("the payload is not UTF-8 text, so it cannot be put in a QR code")
    try:
        if args.terminal:
            render.to_terminal(payload, sys.stdout)
            return 0
        if args.output == "-":
            render.write(payload, sys.stdout.buffer, kind, scale=args.scale)
            return 0
        try:
            render.save(payload, args.output, scale=args.scale, kind=kind)
        except OSError as exc:
            raise InputError(f"cannot write {args.output!r}: {exc.strerror or exc}") from None
    except ValueError as exc:  # segno: more data than the largest QR code holds
        sys.stderr.write(f"jpqr render: {safe(str(exc))}\n")
        return 1
    return 0


def _kind(args: argparse.Namespace) -> str:
    """The image format: ``--format``, else the file name's suffix (``svg`` for stdout)."""
    if args.format is not None:
        return str(args.format)
    if args.output is None or args.output == "-":
        return "svg"
    suffix = Path(args.output).suffix.lower()
    if suffix not in FORMATS:
        args.parser.error(
            f"-o: expected a file name ending in .svg or .png (or --format), found {args.output!r}"
        )
    return suffix.lstrip(".")

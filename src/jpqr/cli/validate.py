"""``jpqr validate``: check payloads and say what is wrong, for a person or (``--json``) a program.

Payloads come from the arguments, else one per line from ``--file F`` or stdin. Exit status: 0 when
every payload is valid, 1 when any is invalid, 2 for a usage or input error.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .._explain import classification_of, explain_code, profile_titles, scheme_line
from .._terminal import Marker, Progress, Style, wants_colour, writes_utf8
from ..cpm.text import PROFILE_NAMES as CPM_PROFILES
from ._io import InputError, Source, open_input, read_lines

if TYPE_CHECKING:
    from ..profiles._classify import Classification
    from ..report import ValidationReport

__all__ = [
    "add_check_options",
    "add_parser",
    "add_profile_option",
    "classification_record",
    "profile_titles",
    "run",
    "scheme_line",
]


def add_profile_option(
    parser: argparse.ArgumentParser, *, auto: bool, default: str | None, shown: str = ""
) -> None:
    """``--profile NAME``, its choices and help made from the registered profiles (and ``auto``
    where the command validates codes): ``validate``, ``scan``, ``build`` and ``tags``;
    ``shown`` says the default in the help where it is not ``default`` itself."""
    titles = profile_titles()
    listed = ", ".join(f"{name} ({title})" for name, title in titles.items())
    if auto:
        listed = f"auto (the scheme jpqr.classify names, else emvco), {listed}"
    text = f"the profile (default {shown or default}): {listed}; 'jpqr profiles' lists them"
    parser.add_argument(
        "--profile",
        choices=(("auto",) if auto else ()) + tuple(titles),
        default=default,
        metavar="NAME",
        help=text.replace("%", "%%"),  # argparse formats help with %: a title may hold one
    )


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that validates codes (``validate``, ``scan``)."""
    add_profile_option(parser, auto=True, default="auto")
    parser.add_argument(
        "--strict", action="store_true", help="treat a lower-case CRC as an error, not a warning"
    )
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="strip white space and byte order marks before each payload and white space after "
        "it, with a warning",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per payload (JSON Lines)"
    )


def _classification_warns(report: ValidationReport) -> bool:
    """Whether the human report shows a classification warning (a near miss of a known GUID)
    that the profile's report does not carry: a profile chosen by name does not report it, and
    ``--quiet`` must not hide a code whose report shows it (docs/cli.md)."""
    if report.profile in CPM_PROFILES:
        return False
    found = classification_of(report)
    return found is not None and bool(found.warnings)


def classification_record(classification: Classification) -> dict[str, Any]:
    """What ``jpqr validate --json`` says of the code's schemes (:func:`jpqr.classify`).

    >>> from jpqr import classify
    >>> record = classification_record(classify("00020101021226230019jp.or.paymentsjapan6304XXXX"))
    >>> record["schemes"], record["profile"], record["dynamic"], record["expires"]
    (['jpqr'], 'jpqr', True, None)
    """
    expires = classification.expires
    return {
        "schemes": list(classification.schemes),
        "profile": classification.profile,
        "dynamic": classification.dynamic,
        "expires": expires.isoformat() if expires is not None else None,
        "accounts": [
            {"id": account.id, "guid": account.guid, "scheme": account.scheme}
            for account in classification.accounts
        ],
        "warnings": [issue.to_dict() for issue in classification.warnings],
    }


def add_parser(commands: Any) -> None:
    """Declare ``jpqr validate`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "validate",
        help="check payloads: structure, CRC and every rule of their scheme's profile",
        description=(
            "Check merchant-presented QR payloads. Payloads come from the arguments, else one per "
            "line from --file or stdin (line endings are stripped, empty lines skipped). Exit "
            "status: 0 all valid, 1 any invalid, 2 usage or input error."
        ),
    )
    parser.add_argument("payloads", nargs="*", metavar="PAYLOAD", help="payloads to check")
    parser.add_argument(
        "-f", "--file", metavar="F", help="read payloads from F, one per line ('-' for stdin)"
    )
    add_check_options(parser)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="human output: show only payloads with issues"
    )
    parser.set_defaults(run=run)


def _sources(args: argparse.Namespace) -> tuple[Iterator[Source], Any]:
    """The payloads to check, and the binary stream they are read from (``None`` for arguments)."""
    if args.payloads and args.file is not None:
        raise InputError("give payloads as arguments or with --file, not both")
    if args.payloads == ["-"]:  # as for decode and render: '-' is stdin
        args.payloads, args.file = [], "-"
    if args.payloads:
        return (Source(p) for p in args.payloads), None
    if args.file is None and sys.stdin.isatty():
        sys.stderr.write("reading payloads from the terminal, one per line; end with Ctrl-D\n")
    name = "-" if args.file is None else args.file
    stream = open_input(name)
    return read_lines(stream, "stdin" if name == "-" else name), stream


def run(args: argparse.Namespace) -> int:
    from .. import validate  # the schema layer: loaded only by the commands that need it

    sources, stream = _sources(args)
    style = Style(wants_colour(sys.stdout, args.color))
    marker = Marker(style, width=shutil.get_terminal_size().columns - 4)
    progress = None
    if stream is not None and sys.stderr.isatty():
        progress = Progress(sys.stderr, stream)
    total = invalid = 0
    try:
        for index, source in enumerate(sources):
            report = validate(
                source.payload, args.profile, strict=args.strict, lenient=args.lenient
            )
            total += 1
            invalid += not report.ok
            text = _render(args, index, source, report, style, marker)
            if text is not None:
                if progress is not None:
                    progress.clear()
                sys.stdout.write(text + "\n")
            if progress is not None:
                progress.update(total, invalid)
    finally:
        if progress is not None:
            progress.clear()
        if stream is not None and stream is not sys.stdin.buffer:
            stream.close()
    if total == 0:
        raise InputError("no payloads to check (the input is empty)")
    if not args.json and total > 1:
        summary = f"{total} payloads: {total - invalid} valid, {invalid} invalid"
        sys.stdout.write(style(summary, "bold") + "\n")
    return 1 if invalid else 0


def _render(
    args: argparse.Namespace,
    index: int,
    source: Source,
    report: ValidationReport,
    style: Style,
    marker: Marker,
) -> str | None:
    if args.json:
        record: dict[str, Any] = {"index": index}
        if source.line is not None:
            record["line"] = source.line
        record.update(report.to_dict())
        if report.profile not in CPM_PROFILES:
            found = classification_of(report)
            record["classification"] = None if found is None else classification_record(found)
        return json.dumps(record, ensure_ascii=not writes_utf8(sys.stdout))
    # Under "auto" the report carries the classification's warnings already.
    if (
        args.quiet
        and report.ok
        and not report.warnings
        and (args.profile == "auto" or not _classification_warns(report))
    ):
        return None
    if source.line is not None:
        label = f"line {source.line}"
    else:
        label = "payload" if len(args.payloads) == 1 else f"argument {index + 1}"
    if report.profile in CPM_PROFILES:  # customer-presented (issue 14): shown by jpqr.cpm
        from ..cpm.render import explain as explain_cpm

        return explain_cpm(label, report, style, marker.width)
    return explain_code(label, source.payload, report, style, marker)

"""``jpqr crc TEXT``: the CRC of a payload and where it goes (EMVCo §4.7.3, SPEC §2).

The CRC (ID 63) is CRC-16/CCITT-FALSE over the whole payload up to and including the ``6304`` of
its own ID and length, written as four upper-case hex digits at the very end. ``TEXT`` may be a
payload without ID 63, one that ends with ``6304``, or a whole payload whose CRC is to be checked or
replaced: a trailing ``6304`` and four characters are taken as its CRC. Exit status 0, or 2 for a
usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Final

from .. import _kernels
from .._crc_py import CRC_MARKER, format_crc
from .._terminal import Style, safe, wants_colour
from ..errors import JPQRError
from ._io import InputError, add_payload_argument, read_one

__all__ = ["add_parser", "place_crc", "run"]

_HEX: Final = frozenset("0123456789abcdefABCDEF")


def add_parser(commands: Any) -> None:
    """Declare ``jpqr crc`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "crc",
        help="compute the CRC of a payload and show where it goes",
        description=(
            "Compute the CRC (ID 63, CRC-16/CCITT-FALSE) of a payload and print the payload with "
            "it in place. TEXT is a payload without ID 63, one ending in 6304, or a whole payload "
            "(its last four characters after 6304 are taken as the CRC it carries)."
        ),
    )
    add_payload_argument(parser)
    parser.set_defaults(run=run)


def place_crc(text: str) -> tuple[str, str, str | None]:
    """The part the CRC covers, the CRC, and the CRC ``text`` carried (``None`` if it had none).

    >>> place_crc("000201010211")
    ('0002010102116304', 'AD0A', None)
    >>> place_crc("0002010102116304")
    ('0002010102116304', 'AD0A', None)
    >>> place_crc("0002010102116304ad0b")
    ('0002010102116304', 'AD0A', 'ad0b')
    """
    carried = None
    if text[-8:-4] == CRC_MARKER and set(text[-4:]) <= _HEX:
        text, carried = text[:-4], text[-4:]
    elif not text.endswith(CRC_MARKER):
        text += CRC_MARKER
    return text, format_crc(_kernels.crc16(text)), carried


def run(args: argparse.Namespace) -> int:
    payload = read_one(args.payload)
    if isinstance(payload, bytes):
        raise InputError("the payload is not UTF-8 text, so its CRC is not defined")
    try:
        covered, crc, carried = place_crc(payload)
    except (JPQRError, UnicodeEncodeError) as exc:  # lone surrogates from a mis-encoded argument
        raise InputError(f"cannot compute the CRC: {safe(str(exc))}") from None
    style = Style(wants_colour(sys.stdout, args.color))
    length = len(covered)
    lines = [
        f"CRC {style(crc, 'bold')} goes at offset {length} (CRC-16/CCITT-FALSE of characters "
        f"0-{length - 1}, through 6304)"
    ]
    if carried is not None and carried != crc:
        if carried.upper() == crc:
            lines.append(f"the payload carries {carried}: right, but EMVCo writes it in upper case")
        else:
            lines.append(f"the payload carries {safe(carried)}: wrong, {crc} replaces it")
    elif carried is not None:
        lines.append("the payload carries it already")
    lines.append(safe(covered) + style(crc, "green"))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0

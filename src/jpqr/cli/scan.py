"""``jpqr scan IMAGE...``: read the QR codes in PNG or JPEG images and validate each payload.

Needs the optional ``scan`` extra (zxing-cpp reads the codes, pillow loads the images). Each
payload is reported as ``jpqr validate`` reports it, labelled with its file (and its position when
an image holds several codes). The payload is the code's bytes read as UTF-8 (EMVCo MPM: the
payload is UTF-8), not the reader's guess at a character set. An image is decoded only when it is
at most :data:`MAX_IMAGE_BYTES` and :data:`MAX_PIXELS`, so memory stays bounded. Exit status: 0
every payload valid, 1 any invalid, 2 a usage or input error (a file that cannot be read, is not
an image, or holds no QR code; the other files are still scanned) or the extra is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import dataclass
from typing import Any, Final

from .._explain import explain
from .._terminal import Marker, Style, safe, wants_colour, writes_utf8
from ._io import InputError
from .validate import add_check_options

__all__ = ["MAX_IMAGE_BYTES", "MAX_PIXELS", "Scanned", "add_parser", "read_codes", "run"]

# A phone photo is 2-10 MB and 12-50 megapixels; past these an image is refused unread.
MAX_IMAGE_BYTES: Final = 64 * 1024 * 1024
MAX_PIXELS: Final = 64_000_000
MISSING_EXTRA: Final = (
    "reading images needs the optional 'scan' extra (zxing-cpp, pillow): "
    'python -m pip install "jpqr[scan]"'
)


@dataclass(frozen=True)
class Scanned:
    """The payloads of the QR codes found in one image file, in the reader's order."""

    path: str
    payloads: tuple[str | bytes, ...]


def add_parser(commands: Any) -> None:
    """Declare ``jpqr scan`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "scan",
        help="read QR codes from PNG/JPEG images and validate them (needs jpqr[scan])",
        description=(
            "Read the QR codes in images (PNG, JPEG) and validate each payload, naming its file. "
            "Needs the optional 'scan' extra: python -m pip install \"jpqr[scan]\"."
        ),
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files to read")
    add_check_options(parser)
    parser.set_defaults(run=run)


def _as_text(raw: bytes) -> str | bytes:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw  # validation reports where the UTF-8 breaks


def read_codes(path: str) -> Scanned:
    """The QR codes in the image at ``path``; :class:`InputError` if it cannot be read, is too
    large, is not an image or holds none; :class:`ImportError` without the ``scan`` extra."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        size = os.stat(path).st_size
        if os.path.isdir(path):
            raise InputError(f"cannot read {path!r}: it is a directory, not an image")
        if size > MAX_IMAGE_BYTES:
            raise InputError(
                f"{path!r}: expected an image of at most {MAX_IMAGE_BYTES:,} bytes, found {size:,}"
            )
        with Image.open(path) as image:  # reads the header only
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InputError(
                    f"{path!r}: expected at most {MAX_PIXELS:,} pixels, found {width}x{height}"
                )
            image.load()
            qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
            found = zxingcpp.read_barcodes(image, formats=qr)
    except OSError as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise InputError(f"cannot read {path!r}: not a PNG or JPEG image") from None
        raise InputError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    except (ValueError, Image.DecompressionBombError) as exc:  # a corrupt image
        raise InputError(f"cannot read {path!r}: {exc}") from None
    payloads = tuple(_as_text(bytes(code.bytes)) for code in found if code.valid)
    if not payloads:
        raise InputError(f"{path!r}: expected a QR code in the image, found none")
    return Scanned(path, payloads)


def run(args: argparse.Namespace) -> int:
    try:
        import PIL  # noqa: F401
        import zxingcpp  # noqa: F401
    except ImportError:
        raise InputError(MISSING_EXTRA) from None
    from .. import validate

    style = Style(wants_colour(sys.stdout, args.color))
    marker = Marker(style, width=shutil.get_terminal_size().columns - 4)
    index = invalid = unreadable = 0
    for path in args.images:
        try:
            scanned = read_codes(path)
        except InputError as exc:
            sys.stdout.flush()
            sys.stderr.write(f"jpqr scan: error: {safe(str(exc))}\n")
            unreadable += 1
            continue
        for number, payload in enumerate(scanned.payloads, 1):
            report = validate(payload, args.profile, strict=args.strict, lenient=args.lenient)
            invalid += not report.ok
            label = safe(path)
            if len(scanned.payloads) > 1:
                label += f" (code {number} of {len(scanned.payloads)})"
            if args.json:
                record: dict[str, Any] = {"index": index, "file": path, "code": number}
                record.update(report.to_dict())
                text = json.dumps(record, ensure_ascii=not writes_utf8(sys.stdout))
            else:
                text = explain(label, payload, report, style, marker)
            sys.stdout.write(text + "\n")
            index += 1
    if unreadable:
        return 2
    return 1 if invalid else 0

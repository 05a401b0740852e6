"""QR images of payloads: SVG, PNG, or text for a terminal. Needs the optional ``qr`` extra
(``python -m pip install "jpqr[qr]"``, which brings `segno <https://pypi.org/project/segno/>`_).

The payload is put in the QR code as UTF-8 text (EMVCo MPM: the payload is UTF-8), with no ECI
header, which some wallet scanners do not read: a code with Japanese text in template 64 decodes to
the same characters. segno picks the mode (numeric, alphanumeric or byte) that holds the text, the
smallest version, and for that version the strongest error correction level that fits
(``boost_error``); Micro QR is never used, as payment apps do not read it.

>>> qr_code("0002016003xxx64180002JA0108メルペイ カフェ").is_micro
False
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final, TextIO

if TYPE_CHECKING:
    import segno

__all__ = [
    "FORMATS",
    "MAX_QR_CHARACTERS",
    "MissingExtraError",
    "qr_code",
    "require_segno",
    "save",
    "to_terminal",
    "write",
]

# The image formats offered, by file suffix.
FORMATS = (".svg", ".png")
# The most any QR code holds: 7089 digits in numeric mode, version 40 at error correction level L
# (ISO/IEC 18004 Table 7; 2953 bytes in byte mode). A longer text is refused before any encoding
# work; segno judges the texts below this against the mode they need.
MAX_QR_CHARACTERS: Final = 7089


class MissingExtraError(ImportError):
    """segno is not installed: the ``qr`` extra is needed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def require_segno() -> None:
    """Raise :class:`MissingExtraError`, saying how to install it, when segno is missing."""
    try:
        import segno  # noqa: F401
    except ImportError:
        raise MissingExtraError(
            "QR images need the optional 'qr' extra (segno): python -m pip install \"jpqr[qr]\""
        ) from None


def qr_code(payload: str) -> segno.QRCode:
    """The QR code (a ``segno.QRCode``) holding ``payload`` as UTF-8 text; ``ValueError`` when
    it does not fit, at once when the text is longer than :data:`MAX_QR_CHARACTERS`.

    >>> qr_code("1" * 8000)
    Traceback (most recent call last):
    ...
    ValueError: the payload is too large for a QR code: expected at most 7089 characters, found 8000
    """
    if len(payload) > MAX_QR_CHARACTERS:
        raise ValueError(
            "the payload is too large for a QR code: expected at most "
            f"{MAX_QR_CHARACTERS} characters, found {len(payload)}"
        )
    require_segno()
    import segno

    return segno.make_qr(payload, encoding="utf-8", eci=False, boost_error=True)


def save(
    payload: str, path: str | Path, *, scale: int = 8, border: int = 4, kind: str | None = None
) -> None:
    """Write the QR code of ``payload`` to ``path``; the suffix (``.svg`` or ``.png``) picks the
    format unless ``kind`` (``"svg"`` or ``"png"``) does. ``scale`` is pixels (SVG units) per
    module; ``border`` the quiet zone in modules (the QR standard asks for 4)."""
    suffix = f".{kind}" if kind is not None else Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"expected a file name ending in .svg or .png, found {str(path)!r}")
    qr_code(payload).save(str(path), kind=suffix[1:], scale=scale, border=border)


def write(payload: str, out: BinaryIO, kind: str, *, scale: int = 8, border: int = 4) -> None:
    """Write the QR code of ``payload`` to the binary stream ``out`` as ``kind``, ``"svg"`` or
    ``"png"`` (``jpqr render -o -`` writes to stdout so)."""
    if f".{kind}" not in FORMATS:
        raise ValueError(f"expected the format svg or png, found {kind!r}")
    qr_code(payload).save(out, kind=kind, scale=scale, border=border)


def to_terminal(payload: str, out: TextIO, *, border: int = 2) -> None:
    """Draw the QR code of ``payload`` on a terminal with block characters, two rows per line."""
    qr_code(payload).terminal(out=out, border=border, compact=True)

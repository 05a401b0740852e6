"""Builder of customer-presented test codes (EMV QRCPS and JPQR CPM), as Base64 text.

Every code is checked by :func:`jpqr.cpm.validate` before it is returned: a value that would
make an invalid code is a :class:`~jpqr.errors.BuildError` naming the tag and the rule (its
message masks a PAN like every other).

>>> code = (Builder().application("A0000000555555", label="Product1", pan="1234567890123458")
...         .build())
>>> code
'hQVDUFYwMWEdTwegAAAAVVVVUAhQcm9kdWN0MVoIEjRWeJASNFg='
>>> Builder.jpqr("12345678", "87654321").build()
'hQVKUFFSMWEUTwgxMjM0NTY3OFcIODc2NTQzMjE='
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from typing import Final

from .. import _kernels
from .._ber_object import BerObject
from ..errors import BuildError
from .api import validate

__all__ = ["Builder"]

_TRACK2_SEPARATORS: Final = ("D", "=")


def _digits(value: str, what: str, tag: str) -> str:
    if not (value.isascii() and value.isdigit()):
        raise BuildError("cpm.format", f"expected {what} as decimal digits", path=tag)
    return value


def _hex(value: str, tag: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise BuildError("cpm.format", f"expected tag {tag}'s value as hex", path=tag) from None


def _pan_bytes(pan: str) -> bytes:
    """5A: compressed numeric (EMV Book 3 §4.3), padded on the right with F to whole bytes."""
    digits = _digits(pan, "the PAN", "5A")
    return bytes.fromhex(digits + "F" * (len(digits) % 2))


def _track2_bytes(track2: str) -> bytes:
    """57: PAN, D, YYMM, service code, discretionary data, F to pad (``=`` reads as D)."""
    text = track2.upper().replace("=", "D")
    pan, separator, rest = text.partition("D")
    if not separator:
        raise BuildError("cpm.track2", "expected the separator D (or =) after the PAN", path="57")
    _digits(pan, "the PAN of the track 2", "57")
    _digits(rest.removesuffix("F"), "the digits after the separator", "57")
    nibbles = pan + "D" + rest.removesuffix("F")
    return bytes.fromhex(nibbles + "F" * (len(nibbles) % 2))


class Builder:
    """Builds a code step by step; :meth:`build` returns its Base64 text.

    ``Builder()`` starts an EMV QRCPS code (85 ``CPV01``); :meth:`jpqr` a JPQR CPM one.
    """

    def __init__(self, payload_format: str = "CPV01") -> None:
        self._format = payload_format
        self._applications: list[BerObject] = []
        self._common: BerObject | None = None
        self._profile = "emv-cpm"

    @classmethod
    def jpqr(cls, provider_id: str, payment_id: str, free_area: str | None = None) -> Builder:
        """A JPQR CPM code: 85 ``JPQR1``, 61 with 4F (provider), 57 (payment ID), 99."""
        builder = cls("JPQR1")
        builder._profile = "jpqr-cpm"
        children = [
            BerObject("4F", provider_id.encode("utf-8")),
            BerObject("57", payment_id.encode("utf-8")),
        ]
        if free_area is not None:
            children.append(BerObject("99", free_area.encode("utf-8")))
        builder._applications.append(BerObject("61", b"", tuple(children)))
        return builder

    @staticmethod
    def _account(
        pan: str | None,
        track2: str | None,
        cardholder_name: str | None,
        language: str | None,
        transparent: Mapping[str, str] | None,
        transparent_tag: str,
    ) -> list[BerObject]:
        children = []
        if track2 is not None:
            children.append(BerObject("57", _track2_bytes(track2)))
        if pan is not None:
            children.append(BerObject("5A", _pan_bytes(pan)))
        if cardholder_name is not None:
            children.append(BerObject("5F20", cardholder_name.encode("utf-8")))
        if language is not None:
            children.append(BerObject("5F2D", language.encode("utf-8")))
        if transparent:
            inner = tuple(BerObject(tag, _hex(v, tag)) for tag, v in transparent.items())
            children.append(BerObject(transparent_tag, b"", inner))
        return children

    def application(
        self,
        aid: str,
        *,
        label: str | None = None,
        pan: str | None = None,
        track2: str | None = None,
        cardholder_name: str | None = None,
        language: str | None = None,
        transparent: Mapping[str, str] | None = None,
    ) -> Builder:
        """Add an application template (61): AID (4F, hex), label (50), PAN (5A, digits),
        track 2 (57, ``PAN D YYMM SSS ...``), name (5F20), languages (5F2D), and the
        transparent template 63 as ``{tag: hex}``."""
        children = [BerObject("4F", _hex(aid, "4F"))]
        if label is not None:
            children.append(BerObject("50", label.encode("utf-8")))
        children += self._account(pan, track2, cardholder_name, language, transparent, "63")
        self._applications.append(BerObject("61", b"", tuple(children)))
        return self

    def common(
        self,
        *,
        pan: str | None = None,
        track2: str | None = None,
        cardholder_name: str | None = None,
        language: str | None = None,
        transparent: Mapping[str, str] | None = None,
    ) -> Builder:
        """Set the common data template (62); the transparent template is 64."""
        children = self._account(pan, track2, cardholder_name, language, transparent, "64")
        self._common = BerObject("62", b"", tuple(children))
        return self

    def objects(self) -> tuple[BerObject, ...]:
        """The data objects the code will hold, in order."""
        objects = [BerObject("85", self._format.encode("utf-8")), *self._applications]
        if self._common is not None:
            objects.append(self._common)
        return tuple(objects)

    def build(self) -> str:
        """The code as Base64 text, checked; BuildError for its first error."""
        data = _kernels.ber_encode(self.objects())
        text = binascii.b2a_base64(data, newline=False).decode("ascii")
        report = validate(text, self._profile)
        if report.errors:
            first = report.errors[0]
            raise BuildError(first.code, first.message, offset=first.offset, path=first.path)
        return text

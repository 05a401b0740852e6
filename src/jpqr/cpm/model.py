"""The typed customer-presented codes: what :func:`jpqr.cpm.parse` returns.

Frozen dataclasses with slots. A card number, a track 2 and a JPQR payment ID are held in
:class:`Masked`, whose ``repr`` and ``str`` show only what PCI DSS allows (:mod:`.masking`); the
full value is read on purpose, as ``.value``.

>>> pan = Masked("1234567890123458")
>>> pan, str(pan), pan.value
(Masked('123456******3458'), '123456******3458', '1234567890123458')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._ber_object import BerObject
from .masking import mask

__all__ = [
    "Application",
    "CommonData",
    "ConsumerPresentedCode",
    "JPQRConsumerCode",
    "Masked",
    "Track2",
    "from_tree",
]


@dataclass(frozen=True, slots=True, repr=False)
class Masked:
    """A secret value (PAN digits, a payment ID): shown masked, read as ``.value``."""

    value: str

    @property
    def masked(self) -> str:
        """The value as it may be shown."""
        return mask(self.value)

    def __repr__(self) -> str:
        return f"Masked({self.masked!r})"

    def __str__(self) -> str:
        return self.masked


@dataclass(frozen=True, slots=True)
class Track2:
    """Track 2 Equivalent Data (tag 57, EMV Book 3 Annex A): PAN, ``D``, expiry date (YYMM),
    service code, discretionary data. ``discretionary`` is masked whole (it may hold card
    verification values).

    >>> Track2(Masked("1234567890123458"), "1912", "201", Masked("12345"))
    Track2(pan=Masked('123456******3458'), expiry='1912', service_code='201', discretionary=Masked('*****'))
    """  # noqa: E501

    pan: Masked
    expiry: str
    service_code: str
    discretionary: Masked


@dataclass(frozen=True, slots=True)
class CommonData:
    """The account data an application template (61) or the common data template (62) holds
    (QRCPS §7); ``transparent`` the transparent template's objects (63 or 64) as
    ``(tag, hex value)``, ``other`` the objects no table knows, likewise. Those two are left
    out of the ``repr``: bytes no table describes may hold a card number."""

    pan: Masked | None = None
    track2: Track2 | None = None
    cardholder_name: str | None = None
    language_preference: str | None = None
    issuer_url: str | None = None
    pan_sequence_number: str | None = None
    application_version: str | None = None
    token_requestor_id: str | None = None
    payment_account_reference: str | None = None
    last4: str | None = None
    transparent: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    other: tuple[tuple[str, str], ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class Application:
    """One application template (61): its AID (tag 4F, hex), label (50) and account data."""

    aid: str
    label: str | None
    data: CommonData


@dataclass(frozen=True, slots=True)
class ConsumerPresentedCode:
    """An EMV QRCPS customer-presented code: payload format (85, ``"CPV01"``), the
    applications (61, in order) and the common data (62, or None)."""

    payload_format: str
    applications: tuple[Application, ...]
    common: CommonData | None
    profile: str = "emv-cpm"


@dataclass(frozen=True, slots=True)
class JPQRConsumerCode:
    """A JPQR customer-presented code: payload format (85, ``"JPQR1"``), provider ID (61.4F),
    payment ID (61.57, masked) and the free area (61.99, its UTF-8 text, or None)."""

    payload_format: str
    provider_id: str
    payment_id: Masked
    free_area: str | None
    profile: str = "jpqr-cpm"


def from_tree(tree: Sequence[BerObject], profile: str) -> ConsumerPresentedCode | JPQRConsumerCode:
    """The typed code of a tree that has passed the rules of ``profile`` (its name)."""
    indicator = _first(tree, "85")
    assert indicator is not None
    payload_format = indicator.value.decode("ascii")
    if profile == "jpqr-cpm":
        template = _first(tree, "61")
        assert template is not None and template.children is not None
        provider, payment = template.find("4F"), template.find("57")
        assert provider is not None and payment is not None
        free = template.find("99")
        return JPQRConsumerCode(
            payload_format,
            provider.value.decode("ascii"),
            Masked(payment.value.decode("ascii")),
            None if free is None else free.value.decode("utf-8", "replace"),
        )
    applications = []
    for obj in tree:
        if obj.tag == "61" and obj.children is not None:
            aid = obj.find("4F")
            label = obj.find("50")
            applications.append(
                Application(
                    aid.value.hex().upper() if aid is not None else "",
                    label.value.decode("ascii") if label is not None else None,
                    _common(obj.children, "63"),
                )
            )
    common = _first(tree, "62")
    return ConsumerPresentedCode(
        payload_format,
        tuple(applications),
        None if common is None else _common(common.children or (), "64"),
    )


def _first(objects: Sequence[BerObject], tag: str) -> BerObject | None:
    return next((obj for obj in objects if obj.tag == tag), None)


_TEXT_FIELDS = {
    "5F20": "cardholder_name",
    "5F2D": "language_preference",
    "5F50": "issuer_url",
    "9F24": "payment_account_reference",
}
_HEX_FIELDS = {
    "5F34": "pan_sequence_number",
    "9F08": "application_version",
    "9F19": "token_requestor_id",
    "9F25": "last4",
}


def _common(children: Sequence[BerObject], transparent_tag: str) -> CommonData:
    values: dict[str, Any] = {}
    transparent: tuple[tuple[str, str], ...] = ()
    other = []
    for child in children:
        tag = child.tag
        if tag == "5A":
            values["pan"] = Masked(child.value.hex().upper().rstrip("F"))
        elif tag == "57":
            values["track2"] = _track2(child.value)
        elif tag in _TEXT_FIELDS:
            values[_TEXT_FIELDS[tag]] = child.value.decode("ascii")
        elif tag in _HEX_FIELDS:
            values[_HEX_FIELDS[tag]] = child.value.hex().upper()
        elif tag == transparent_tag and child.children is not None:
            transparent = tuple((c.tag, c.value.hex().upper()) for c in child.children)
        elif tag not in ("4F", "50"):
            other.append((tag, child.value.hex().upper()))
    return CommonData(**values, transparent=transparent, other=tuple(other))


def _track2(value: bytes) -> Track2:
    nibbles = value.hex().upper()
    pan, _, rest = nibbles.partition("D")
    rest = rest.removesuffix("F")
    return Track2(Masked(pan), rest[:4], rest[4:7], Masked(rest[7:]))

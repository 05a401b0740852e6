"""``decode``, ``validate`` and ``parse`` of customer-presented codes, and the profile choice.

``profile="auto"`` applies ``jpqr-cpm`` when the payload format indicator (85) begins with
``JPQR``, else ``emv-cpm``. Offsets in a report are character offsets in the Base64 text for
the ``cpm.base64*`` issues and byte offsets in the decoded data for every ``ber.*`` and other
``cpm.*`` issue. A CPM code has no CRC: ``report.crc`` is ``"none"``.

>>> report = validate("hQVDUFYwMWEaTwegAAAAVVVVVw8SNFZ4kBI0WNGRIgESNF8=")
>>> report.ok, report.profile, report.crc
(True, 'emv-cpm', 'none')
>>> parse("hQVDUFYwMWEaTwegAAAAVVVVVw8SNFZ4kBI0WNGRIgESNF8=").applications[0].data.track2.pan
Masked('123456******3458')
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import _kernels
from .._ber_object import BerObject
from ..errors import DecodeError, ValidationError
from ..report import Issue, ValidationReport
from .model import ConsumerPresentedCode, JPQRConsumerCode, from_tree
from .schema import EMV, JPQR, PROFILES, Profile
from .text import strip, to_data, to_text

__all__ = [
    "PROFILES",
    "ConsumerReport",
    "decode",
    "detect_profile",
    "is_valid",
    "parse",
    "validate",
]

Payload = str | bytes | bytearray | memoryview
CRC = "none"


class ConsumerReport(ValidationReport):
    """The :class:`~jpqr.report.ValidationReport` of a customer-presented code: the same fields
    and ``to_dict()``; its ``repr`` leaves ``payload`` out, since that Base64 text carries the
    card number (``report.payload`` still gives it to code that asks).

    >>> validate("hQVDUFYwMQ==")
    ConsumerReport(ok=False, profile='emv-cpm', crc='none', codes=('cpm.missing',), payload=<12 characters, not shown>)
    """  # noqa: E501

    __slots__ = ()

    def __repr__(self) -> str:
        return (
            f"ConsumerReport(ok={self.ok!r}, profile={self.profile!r}, crc={self.crc!r}, "
            f"codes={self.codes!r}, payload=<{len(self.payload)} characters, not shown>)"
        )

    __str__ = __repr__

    def format(self, *, label: str = "payload", color: bool = False, width: int = 76) -> str:
        """The human report, as ``jpqr validate`` prints it for CPM text (no value of a
        sensitive tag is shown).

        >>> print(validate("hQVDUFYwMQ==").format())
        payload: INVALID (profile emv-cpm, customer-presented, no CRC, 1 error)
          error cpm.missing at tag 61
            expected Application Template (tag 61) in the payload, found none
        """
        from .._terminal import Style
        from .render import explain

        return explain(label, self, Style(color), width)


def decode(payload: Payload) -> tuple[BerObject, ...]:
    """The BER-TLV tree of a customer-presented code's Base64 text (structure only).

    >>> [o.tag for o in decode("hQVDUFYwMWEaTwegAAAAVVVVVw8SNFZ4kBI0WNGRIgESNF8=")]
    ['85', '61']
    """
    return _kernels.ber_decode(to_data(to_text(payload)))


def _profile_of(tree: Sequence[BerObject]) -> Profile:
    indicator = next((obj for obj in tree if obj.tag == "85"), None)
    if indicator is not None and indicator.value.startswith(b"JPQR"):
        return JPQR
    return EMV


def detect_profile(payload: Payload) -> str:
    """The profile ``auto`` applies: ``"jpqr-cpm"`` or ``"emv-cpm"``.

    >>> detect_profile("hQVKUFFSMQ==")
    'jpqr-cpm'
    """
    try:
        return _profile_of(decode(payload)).name
    except (DecodeError, TypeError):
        return EMV.name


def _issue(exc: DecodeError) -> Issue:
    return Issue(exc.code, exc.path, exc.offset, exc.message)


def _run(
    payload: Payload, profile: str, strict: bool, lenient: bool
) -> tuple[ValidationReport, tuple[BerObject, ...] | None, Profile]:
    if profile != "auto" and profile not in PROFILES:
        known = ", ".join(map(repr, PROFILES))
        raise ValueError(f"unknown CPM profile {profile!r}; expected 'auto', {known}")
    chosen = PROFILES.get(profile, EMV)
    warnings: list[Issue] = []
    text = ""
    try:
        text = to_text(payload)
        if lenient:
            text, stripped = strip(text)
            if stripped:
                warnings.append(
                    Issue(
                        "cpm.stripped",
                        "",
                        None,
                        "expected Base64 text alone, found a BOM, spaces or line ends around "
                        "it; they were stripped",
                    )
                )
        tree = _kernels.ber_decode(to_data(text))
    except DecodeError as exc:
        report = ConsumerReport(False, chosen.name, CRC, (_issue(exc),), tuple(warnings), text)
        return report, None, chosen
    if profile == "auto":
        chosen = _profile_of(tree)
    errors, found = check_tree(tree, chosen)
    warnings.extend(found)
    del strict  # no rule of CPM depends on it: there is no CRC whose case it judges
    report = ConsumerReport(not errors, chosen.name, CRC, tuple(errors), tuple(warnings), text)
    return report, tree, chosen


def check_tree(tree: Sequence[BerObject], profile: Profile) -> tuple[list[Issue], list[Issue]]:
    from .rules import check

    return check(tree, profile)


def validate(
    payload: Payload, profile: str = "auto", *, strict: bool = False, lenient: bool = False
) -> ValidationReport:
    """Check a customer-presented code and report every issue found; never raises on bad
    input (TypeError for what is not text, ValueError for an unknown profile).

    ``lenient=True`` strips a leading BOM and surrounding spaces and line ends, with the
    warning ``cpm.stripped``. ``strict`` is accepted for the shape of :func:`jpqr.validate`.

    >>> validate("hQVDUFYwMQ==").codes
    ('cpm.missing',)
    >>> validate("hQVDUFYwMQ").errors[0].code
    'cpm.base64_length'
    """
    return _run(payload, profile, strict, lenient)[0]


def is_valid(payload: Payload, profile: str = "auto", *, lenient: bool = False) -> bool:
    """Whether a customer-presented code has no errors."""
    return validate(payload, profile, lenient=lenient).ok


def parse(
    payload: Payload, profile: str = "auto", *, strict: bool = False, lenient: bool = False
) -> ConsumerPresentedCode | JPQRConsumerCode:
    """The typed code; :class:`~jpqr.errors.DecodeError` when the text is not Base64 of
    BER-TLV, :class:`~jpqr.errors.ValidationError` for the first other error.

    >>> parse("hQVKUFFSMQ==")
    Traceback (most recent call last):
      ...
    jpqr.errors.ValidationError: [cpm.missing] expected Application Template (tag 61) in the payload, found none (at ID 61)
    """  # noqa: E501
    report, tree, chosen = _run(payload, profile, strict, lenient)
    if report.errors:
        first = report.errors[0]
        cls = ValidationError if tree is not None else DecodeError
        raise cls(first.code, first.message, offset=first.offset, path=first.path)
    assert tree is not None
    return from_tree(tree, chosen.name)

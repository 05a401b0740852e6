"""``validate``, ``parse`` and ``is_valid``: the checking entry points, with profile selection.

``profile="auto"`` applies ``jpqr`` when a merchant account template (26-51) carries the GUID
``jp.or.paymentsjapan`` (any case), else ``emvco`` (DESIGN.md "Profiles").

>>> import jpqr
>>> report = jpqr.validate("00020101021129370016A000000677010111011300668012345675802TH530376463046197")
>>> report.profile, report.ok, report.crc
('emvco', False, 'ok')
>>> [e.code for e in report.errors]
['field.missing', 'field.missing', 'field.missing']
>>> jpqr.is_valid("0002010102116304AD0B")
False
"""  # noqa: E501

from __future__ import annotations

from . import _kernels
from .errors import DecodeError, ValidationError
from .model import MerchantPresentedCode, from_tree
from .profiles import PROFILES, jpqr
from .profiles._engine import Rules, run
from .report import ValidationReport

__all__ = ["detect_profile", "is_valid", "parse", "parse_with", "validate"]

Payload = str | bytes | bytearray | memoryview


def detect_profile(payload: Payload) -> str:
    """The profile ``auto`` applies: ``"jpqr"`` when the JPQR identifier is there, else ``"emvco"``.

    >>> detect_profile("26230019JP.OR.PAYMENTSJAPAN")
    'jpqr'
    """
    try:
        tree = _kernels.decode(payload)
    except (DecodeError, TypeError):
        return "emvco"
    return "jpqr" if jpqr.find_identifier(tree) is not None else "emvco"


def _rules(profile: str, payload: Payload) -> tuple[str, Rules]:
    if profile == "auto":
        profile = detect_profile(payload)
    module = PROFILES.get(profile)
    if module is None:
        raise ValueError(
            f"unknown profile {profile!r}; expected 'auto', {', '.join(map(repr, PROFILES))}"
        )
    return profile, module.check


def validate(
    payload: Payload, profile: str = "auto", *, strict: bool = False, lenient: bool = False
) -> ValidationReport:
    """Check ``payload`` and report every issue found; never raises on bad input.

    ``strict=True`` makes a lower-case CRC an error; ``lenient=True`` strips a leading BOM and
    trailing CR, LF and spaces with a warning instead of reporting them as errors.

    >>> [issue.code for issue in validate("0002010102116304ad0a").warnings]
    ['crc.lowercase']
    >>> strict = validate("0002010102116304ad0a", strict=True)
    >>> "crc.lowercase" in [issue.code for issue in strict.errors]
    True
    """
    name, rules = _rules(profile, _stripped_for_detection(payload, lenient))
    return run(payload, rules, name, strict=strict, lenient=lenient)[0]


def is_valid(
    payload: Payload, profile: str = "auto", *, strict: bool = False, lenient: bool = False
) -> bool:
    """Whether ``payload`` has no errors under ``profile``."""
    return validate(payload, profile, strict=strict, lenient=lenient).ok


def parse(
    payload: Payload, profile: str = "auto", *, strict: bool = False, lenient: bool = False
) -> MerchantPresentedCode:
    """The typed code; raises :class:`~jpqr.errors.DecodeError` when the text does not read as
    data objects, :class:`~jpqr.errors.ValidationError` for the first other error.

    >>> parse("0002010102116304AD0A").payload_format
    Traceback (most recent call last):
      ...
    jpqr.errors.ValidationError: expected ID 52 (Merchant Category Code), found none (at ID 52)
    """
    name, rules = _rules(profile, _stripped_for_detection(payload, lenient))
    return parse_with(payload, rules, name, strict=strict, lenient=lenient)


def parse_with(
    payload: Payload, rules: Rules, profile: str, *, strict: bool, lenient: bool
) -> MerchantPresentedCode:
    """``parse`` with given profile rules (what the profile modules' ``parse`` call)."""
    report, tree = run(payload, rules, profile, strict=strict, lenient=lenient)
    if report.errors:
        first = report.errors[0]
        cls = ValidationError if tree is not None else DecodeError
        raise cls(first.code, first.message, offset=first.offset, path=first.path)
    assert tree is not None
    return from_tree(tree)


def _stripped_for_detection(payload: Payload, lenient: bool) -> Payload:
    if not lenient:
        return payload
    if isinstance(payload, str):
        return payload.removeprefix("\ufeff").rstrip(" \r\n")
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload).removeprefix(b"\xef\xbb\xbf").rstrip(b" \r\n")
    return payload

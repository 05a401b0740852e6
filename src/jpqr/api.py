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

from typing import TYPE_CHECKING

from . import _kernels
from .cpm.text import PROFILE_NAMES as _CPM_PROFILES
from .cpm.text import is_cpm as _is_cpm
from .errors import DecodeError
from .profiles import PROFILES, emvco, jpqr
from .profiles._classify import Classification, classify_tree
from .profiles._compiled import clean_report, read_tree, verdict
from .profiles._engine import Rules, Tree, read, run
from .report import ValidationReport

if TYPE_CHECKING:
    from .model import MerchantPresentedCode

__all__ = ["classify", "detect_profile", "is_valid", "parse", "validate"]

Payload = str | bytes | bytearray | memoryview


def classify(payload: Payload) -> Classification:
    """The schemes ``payload`` belongs to (by the GUIDs of its merchant account templates),
    whether it is dynamic, and the profile ``auto`` applies.

    >>> code = "00020101021226230019jp.or.paymentsjapan6304XXXX"
    >>> classify(code).schemes, classify(code).profile, classify(code).dynamic
    (('jpqr',), 'jpqr', True)
    """
    try:
        tree = _kernels.decode(payload)
    except DecodeError:
        return Classification((), "emvco", None, None, ())
    return classify_tree(tree)


def detect_profile(payload: Payload) -> str:
    """The profile ``auto`` applies: ``"jpqr"`` when the JPQR identifier is there, else ``"emvco"``.

    >>> detect_profile("26230019JP.OR.PAYMENTSJAPAN")
    'jpqr'
    """
    try:
        tree = _kernels.decode(payload)
    except (DecodeError, TypeError):
        return "emvco"
    return _select(tree)[0]


def _select(tree: Tree) -> tuple[str, Rules]:
    if jpqr.find_identifier(tree) is not None:
        return jpqr.NAME, jpqr.check
    return emvco.NAME, emvco.check


def _run(
    payload: Payload, profile: str, strict: bool, lenient: bool
) -> tuple[ValidationReport, Tree | None]:
    if profile == "auto":
        return run(payload, emvco.check, emvco.NAME, strict=strict, lenient=lenient, select=_select)
    module = PROFILES.get(profile)
    if module is None:
        known = ", ".join(map(repr, PROFILES))
        raise ValueError(f"unknown profile {profile!r}; expected 'auto', {known}")
    return run(payload, module.check, profile, strict=strict, lenient=lenient)


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
    if profile in _CPM_PROFILES:  # customer-presented (issue 14)
        return _validate_cpm(payload, profile, strict, lenient)
    report = clean_report(payload, profile, lenient)  # the compiled pass, if it is sure
    if report is not None:
        return report
    if profile == "auto" and _is_cpm(payload):  # only once the text is no clean MPM code
        return _validate_cpm(payload, profile, strict, lenient)
    return _run(payload, profile, strict, lenient)[0]


def _validate_cpm(payload: Payload, profile: str, strict: bool, lenient: bool) -> ValidationReport:
    from .cpm.api import validate as validate_cpm  # loaded with the first CPM code

    return validate_cpm(payload, profile, strict=strict, lenient=lenient)


def is_valid(
    payload: Payload, profile: str = "auto", *, strict: bool = False, lenient: bool = False
) -> bool:
    """Whether ``payload`` has no errors under ``profile``."""
    if profile in _CPM_PROFILES:
        return _validate_cpm(payload, profile, strict, lenient).ok
    sure = verdict(payload, profile, lenient)
    if sure == 1:  # the compiled pass is sure it is clean: no report is made
        return True
    # Before a sure "invalid": that is the verdict on the text as a merchant code, and under
    # "auto" CPM text is judged as a customer-presented one (as validate does).
    if profile == "auto" and _is_cpm(payload):
        return _validate_cpm(payload, profile, strict, lenient).ok
    if sure:
        return False
    return _run(payload, profile, strict, lenient)[0].ok


def parse(
    payload: Payload, profile: str = "auto", *, strict: bool = False, lenient: bool = False
) -> MerchantPresentedCode:
    """The typed code; raises :class:`~jpqr.errors.DecodeError` when the text does not read as
    data objects, :class:`~jpqr.errors.ValidationError` for the first other error.

    >>> parse("0002010102116304AD0A").payload_format
    Traceback (most recent call last):
      ...
    jpqr.errors.ValidationError: [field.missing] expected ID 52 (Merchant Category Code), ...
    """
    if verdict(payload, profile, lenient) == 1:  # clean: read the tree, no report
        code: MerchantPresentedCode = read_tree(_kernels.decode(payload))
        return code
    return read(*_run(payload, profile, strict, lenient))

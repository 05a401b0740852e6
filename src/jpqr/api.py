"""``validate``, ``parse`` and ``is_valid``: the checking entry points, with profile selection.

``profile="auto"`` applies the profile of the code's scheme as :func:`classify` names it (``jpqr``
when a merchant account template, 26-51, carries the GUID ``jp.or.paymentsjapan`` in any case),
else ``emvco``, and adds the classification's warnings (a near miss of a known GUID, a legacy GUID,
the eL-QR layout) to the report; a profile chosen by name keeps its own verdict.

>>> import jpqr
>>> promptpay = "00020101021129370016A000000677010111011300668012345675802TH530376463046197"
>>> report = jpqr.validate(promptpay)  # a PromptPay code: 52, 59 and 60 are not required
>>> report.profile, report.ok, report.crc
('promptpay', True, 'ok')
>>> [e.code for e in jpqr.validate(promptpay, "emvco").errors]  # EMVCo's own verdict
['field.missing', 'field.missing', 'field.missing']
>>> jpqr.is_valid("0002010102116304AD0B")
False
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _kernels
from .cpm.text import PROFILE_NAMES as _CPM_PROFILES
from .cpm.text import is_cpm as _is_cpm
from .errors import DecodeError
from .profiles import PROFILES, emvco
from .profiles._classify import Classification, classify_tree, select
from .profiles._compiled import clean_report, read_tree, verdict
from .profiles._engine import Checker, Rules, Tree, read, run
from .report import Issue, ValidationReport

if TYPE_CHECKING:
    from .model import MerchantPresentedCode

__all__ = ["Classification", "classify", "detect_profile", "is_valid", "parse", "validate"]

Payload = str | bytes | bytearray | memoryview


def classify(payload: Payload) -> Classification:
    """The schemes ``payload`` belongs to, the primary first (by the GUIDs or AIDs of its merchant
    account templates 26-51, compared case-insensitively, or by layout), the profile ``auto``
    applies, whether the code is dynamic, when it expires (where its scheme says), its merchant
    accounts, and the warnings ``auto`` adds (``scheme.near_miss``, ``scheme.legacy``,
    ``scheme.misplaced``, ``scheme.unsupported``): docs/validation.md "Classification".

    ``payload`` is read as :func:`jpqr.decode` reads it (``str``, UTF-8 ``bytes``, a subclass as
    its plain content). Classification needs the decoded structure: text that does not decode
    raises that :class:`~jpqr.errors.DecodeError` (a ``ValueError``, with its code and offset)
    and any other type a ``TypeError``. The CRC and the rules are not checked: that is
    :func:`validate`'s work.

    >>> code = "00020101021226230019jp.or.paymentsjapan6304XXXX"
    >>> found = classify(code)
    >>> found.schemes, found.profile, found.dynamic
    (('jpqr',), 'jpqr', True)
    >>> [(account.id, account.scheme) for account in found.accounts]
    [('26', 'jpqr')]
    >>> typo = classify(code.replace(".or.", ".co."))
    >>> typo.schemes, typo.profile, [(w.code, w.path, w.offset) for w in typo.warnings]
    ((), 'emvco', [('scheme.near_miss', '26.00', 16)])
    >>> classify("0002010102")
    Traceback (most recent call last):
      ...
    jpqr.errors.DecodeError: [tlv.length_overrun] expected 2 characters of value for ID 01, ...
    """
    return classify_tree(_kernels.decode(payload))


def detect_profile(payload: Payload) -> str:
    """The profile ``auto`` applies to ``payload`` (``classify(payload).profile``); ``"emvco"``
    where the text does not decode or is of another type.

    >>> detect_profile("26230019JP.OR.PAYMENTSJAPAN")
    'jpqr'
    >>> detect_profile("26230019JP.CO.PAYMENTSJAPAN"), detect_profile(b"0002")
    ('emvco', 'emvco')
    """
    try:
        tree = _kernels.decode(payload)
    except (DecodeError, TypeError):
        return "emvco"
    return _select(tree)[0]


def _select(tree: Tree) -> tuple[str, Rules]:
    """Profile "auto": the profile of the code's classification, and its rules preceded by the
    classification's warnings."""
    profile, warnings = select(tree)
    module = PROFILES.get(profile)
    if module is None:  # a scheme whose profile is not registered
        profile, module = emvco.NAME, emvco
    check: Rules = module.check
    if not warnings:
        return profile, check
    return profile, _Warned(check, warnings, module.TABLE.primitives)


class _Warned:
    """A profile's rules preceded by the classification's warnings (``auto``); ``primitives``
    are the profile's, for the structure check (``_engine.primitives_of``)."""

    __slots__ = ("check", "primitives", "warnings")

    def __init__(self, check: Rules, warnings: tuple[Issue, ...], primitives: frozenset[str]):
        self.check, self.warnings, self.primitives = check, warnings, primitives

    def __call__(self, checker: Checker, tree: Tree) -> None:
        checker.warnings.extend(self.warnings)
        self.check(checker, tree)


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

    ``strict=True`` makes a lower-case CRC an error; ``lenient=True`` strips transport noise
    (white space and byte order marks before the payload, white space after it) with a warning
    for each end instead of reporting it as errors.

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

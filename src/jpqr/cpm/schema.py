"""The data objects of customer-presented codes, as tables: what each tag is, how its value is
written, and which template may hold it, for EMV QRCPS and JPQR CPM.

Sources: [QRCPS] EMVCo QR Code Specification for Payment Systems, Consumer-Presented Mode v1.0,
§7 (data objects of the payload, the application template 61, the common data template 62, the
transparent templates 63 and 64), as its tags and names are quoted by mvallim/emv-qrcode
(``model/cpm/constants``) and the worked example of its annex; [B3] EMV Book 3 v4.3 Annex A (the
formats and lengths of the EMV data objects) and §4.3 (the formats an, ans, b, cn, n);
[JPQR] the JPQR customer-presented layout as suzzshin/jpqr-cpm (``jpqrcpm/cpm.go``) and
kenmaz/JPQRReader write and read it: 85 "JPQR1", then 61 with 4F (provider), 57 (payment ID),
99 (free area). The JPQR formats and lengths are not confirmed by a primary source: they are a
documented choice (printable ASCII for 4F, at most 16 bytes, and 57, at most 64; any bytes for
99).

>>> TAGS["5A"].name, TAGS["5A"].sensitive, TRANSPARENT["9F26"].min, TRANSPARENT["9F26"].max
('Application PAN', True, 8, 8)
>>> EMV.templates["61"]["4F"].required
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .text import PROFILE_NAMES

__all__ = [
    "EMV",
    "JPQR",
    "JPQR_TAGS",
    "PROFILES",
    "TAGS",
    "TRANSPARENT",
    "Placement",
    "Profile",
    "Spec",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Spec:
    """One data object: ``format`` is an EMV format (``b``, ``an``, ``ans``, ``n``, ``cn``),
    ``track2`` or ``template``; ``min``/``max`` its length in bytes (``max`` None: no limit but
    the code's); ``sensitive``: a card number or payment ID, never shown unmasked."""

    tag: str
    name: str
    format: str
    min: int
    max: int | None
    source: str
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a tag may stand in a template: ``required`` at least once, ``repeat`` more than
    once."""

    required: bool = False
    repeat: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    """A CPM profile: its name, the tag specs it uses, the children each template may hold
    (``""`` is the payload's top level), and the templates whose content is transparent (passed
    on to the issuer: any tag, only known ones checked)."""

    name: str
    tags: dict[str, Spec]
    templates: dict[str, dict[str, Placement]]
    transparent: frozenset[str]


def _table(*specs: Spec) -> dict[str, Spec]:
    return {spec.tag: spec for spec in specs}


Q = "QRCPS §7"
B = "EMV Book 3 Annex A"

#: The EMV QRCPS data objects (payload, application and common data templates).
TAGS: Final = _table(
    Spec("85", "Payload Format Indicator", "ans", 5, 5, Q),
    Spec("61", "Application Template", "template", 0, None, Q),
    Spec("62", "Common Data Template", "template", 0, None, Q),
    Spec("63", "Application Specific Transparent Template", "template", 0, None, Q),
    Spec("64", "Common Data Transparent Template", "template", 0, None, Q),
    Spec("4F", "Application Definition File (ADF) Name", "b", 5, 16, f"{Q}; {B}"),
    Spec("50", "Application Label", "ans", 1, 16, f"{Q}; {B}"),
    Spec("57", "Track 2 Equivalent Data", "track2", 1, 19, f"{Q}; {B}", sensitive=True),
    Spec("5A", "Application PAN", "cn", 1, 10, f"{Q}; {B}", sensitive=True),
    Spec("5F20", "Cardholder Name", "ans", 2, 26, f"{Q}; {B}"),
    Spec("5F2D", "Language Preference", "an", 2, 8, f"{Q}; {B}"),
    Spec("5F34", "Application PAN Sequence Number", "n", 1, 1, B),
    Spec("5F50", "Issuer URL", "ans", 1, None, f"{Q}; {B}"),
    Spec("9F08", "Application Version Number", "b", 2, 2, f"{Q}; {B}"),
    Spec("9F19", "Token Requestor ID", "n", 6, 6, f"{Q}; EMV Payment Tokenisation"),
    Spec("9F24", "Payment Account Reference", "an", 29, 29, f"{Q}; EMV Payment Tokenisation"),
    Spec("9F25", "Last 4 Digits of PAN", "n", 2, 2, f"{Q}; EMV Payment Tokenisation"),
)

#: Data objects of the transparent templates 63 and 64 (transaction data for the issuer).
TRANSPARENT: Final = _table(
    Spec("82", "Application Interchange Profile", "b", 2, 2, B),
    Spec("95", "Terminal Verification Results", "b", 5, 5, B),
    Spec("9A", "Transaction Date", "n", 3, 3, B),
    Spec("9C", "Transaction Type", "n", 1, 1, B),
    Spec("5F2A", "Transaction Currency Code", "n", 2, 2, B),
    Spec("5F34", "Application PAN Sequence Number", "n", 1, 1, B),
    Spec("9F02", "Amount, Authorised", "n", 6, 6, B),
    Spec("9F03", "Amount, Other", "n", 6, 6, B),
    Spec("9F10", "Issuer Application Data", "b", 1, 32, f"{Q}; {B}"),
    Spec("9F1A", "Terminal Country Code", "n", 2, 2, B),
    Spec("9F26", "Application Cryptogram", "b", 8, 8, f"{Q}; {B}"),
    Spec("9F27", "Cryptogram Information Data", "b", 1, 1, f"{Q}; {B}"),
    Spec("9F33", "Terminal Capabilities", "b", 3, 3, B),
    Spec("9F34", "Cardholder Verification Method (CVM) Results", "b", 3, 3, B),
    Spec("9F35", "Terminal Type", "n", 1, 1, B),
    Spec("9F36", "Application Transaction Counter (ATC)", "b", 2, 2, f"{Q}; {B}"),
    Spec("9F37", "Unpredictable Number", "b", 4, 4, f"{Q}; {B}"),
    Spec("9F7C", "Customer Exclusive Data", "b", 1, 32, B),
)

J = "JPQR CPM (suzzshin/jpqr-cpm, kenmaz/JPQRReader)"
#: The JPQR CPM data objects.
JPQR_TAGS: Final = _table(
    Spec("85", "Payload Format Indicator", "ans", 5, 5, J),
    Spec("61", "Application Template", "template", 0, None, J),
    Spec("4F", "Provider ID", "ans", 1, 16, J),
    Spec("57", "Payment ID", "ans", 1, 64, J, sensitive=True),
    Spec("99", "Free Area", "b", 0, None, J),
)

_ONE = Placement()
_REQUIRED = Placement(required=True)
# QRCPS §7: the same data objects may stand in an application template or the common one.
_ACCOUNT_DATA = {
    tag: _ONE
    for tag in ("57", "5A", "5F20", "5F2D", "5F34", "5F50", "9F08", "9F19", "9F24", "9F25")
}

EMV: Final = Profile(
    "emv-cpm",
    {**TAGS, **{tag: spec for tag, spec in TRANSPARENT.items() if tag not in TAGS}},
    {
        "": {"85": _REQUIRED, "61": Placement(required=True, repeat=True), "62": _ONE},
        "61": {"4F": _REQUIRED, "50": _ONE, **_ACCOUNT_DATA, "63": _ONE},
        "62": {**_ACCOUNT_DATA, "64": _ONE},
        "63": {tag: _ONE for tag in TRANSPARENT},
        "64": {tag: _ONE for tag in TRANSPARENT},
    },
    frozenset({"63", "64"}),
)

JPQR: Final = Profile(
    "jpqr-cpm",
    JPQR_TAGS,
    {
        "": {"85": _REQUIRED, "61": _REQUIRED},
        "61": {"4F": _REQUIRED, "57": _REQUIRED, "99": _ONE},
    },
    frozenset(),
)

PROFILES: Final = {EMV.name: EMV, JPQR.name: JPQR}
if tuple(PROFILES) != PROFILE_NAMES:
    raise ImportError("jpqr.cpm: text.PROFILE_NAMES must name the profiles of schema.PROFILES")

"""DuitNow QR (Malaysia, PayNet): the ``emvco`` table with PayNet's Payload Format Indicator, and
the DuitNow rows, as a table.

Source: PayNet, *DuitNow QR: QR Generation Specification: Merchant Presented Mode* V1.5, page
"QR Data Object" (https://docs.developer.paynet.my/docs/duitNow-QR/integration/QR-generation-
specification/merchant-presented-mode/qr-data-object), read as an excerpt [doc, official]: its
root table up to ID 56. The sub-table of the merchant account (26) was not in the excerpt, nor
were the rows from 58 on; what the excerpt does not say is EMVCo's (the page builds on EMV
QRCPS-MPM), and no DuitNow rule is made of what published codes merely have in common.

Documented choices (tests/data/schemes/README.md, "duitnow"):

- 00: PayNet says "Version 02"; published codes carry ``01`` too (17 of the 818 donation codes
  of khrnchn/sedekah-je). ``02`` is clean, ``01`` a warning ``duitnow.payload_format`` (an error
  with ``strict=True``), anything else an error.
- 53: PayNet says "As defined in ISO4217. Use 458 for Malaysian Ringgit"; read as 458 only
  (a reading, not PayNet's words; every published code has 458).
- 54 = ``00.00`` (static donation codes printed with a zero amount: in khrnchn/sedekah-je
  @7df02ef3, 17 codes, every one of them with 00 = ``01``: one generator's habit): no
  DuitNow text allows a zero amount, so EMVCo's ``amount.zero`` stands (SPEC §3: not zero;
  absent when the payer enters the amount).
- 82 with a hex value (natsu90's ``DUITNOW_REF82``): EMVCo makes 80-99 templates and the
  engine's structure check says ``tlv.template_not_tlv``; its meaning is unsourced, so this
  profile has no row for it (the departure is listed in ``SCHEME``).

>>> from jpqr.profiles import duitnow
>>> paynet = ("00020201021126410014A000000615000101065016640209123456789520499995303458540510.00"
...           "5802MY5909QRCSDNBHD6005BANGI6304343F")
>>> duitnow.is_valid(paynet)
True
>>> [issue.code for issue in duitnow.validate(paynet.replace("5303458", "5303702")).errors]
['duitnow.currency', 'crc.mismatch']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _engine, emvco
from ._scheme import Scheme
from ._table import Allowed, Level, Required, Rule, _find, join

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = ["NAME", "SCHEME", "TABLE", "check", "is_valid", "parse", "payload_format", "validate"]

NAME = "duitnow"
PAYNET = "PayNet DuitNow QR MPM V1.5, QR Data Object [doc]"
# PayNet's application identifier, in 26-00 of every published code (README "duitnow").
PAYNET_AID = "A0000006150001"


def payload_format(checker: Checker, level: Level, row: Rule) -> None:
    """ID 00 (PayNet V1.5: "Version 02"): ``options["version"]`` is clean; one of
    ``options["accepted"]`` (``01``, which published DuitNow codes carry) is the warning
    ``duitnow.payload_format``, an error in strict mode; any other value is that error."""
    obj = _find(level, row.path)
    if obj is None or not obj.value:
        return  # absent: field.missing; length 00: tlv.zero_length
    version = row.options["version"]
    if obj.value == version:
        return
    path = join(level.path, row.path)
    message = (
        f"expected Payload Format Indicator {version!r} for ID {path} in a DuitNow code "
        f"(PayNet V1.5), found {obj.value!r}"
    )
    if obj.value in row.options["accepted"] and not checker.strict:
        checker.warn(
            "duitnow.payload_format",
            path,
            obj.offset,
            f"{message}, which published DuitNow codes carry too",
        )
    else:
        checker.error("duitnow.payload_format", path, obj.offset, message)


TABLE = emvco.TABLE.without("payload format").extend(
    NAME,
    "DuitNow QR",
    (
        Rule(
            function=payload_format,
            path="00",
            options={"version": "02", "accepted": frozenset({"01"})},
            source=f"{PAYNET}, ID 00 'Version 02'; 01 seen in published codes (README duitnow)",
        ),
        Required(
            path="01",
            code="duitnow.point_of_initiation",
            message="expected ID 01 (Point of Initiation Method), mandatory in a DuitNow code, "
            "found none",
            source=f"{PAYNET}, ID 01 M: 11 static, 12 dynamic",
        ),
        Required(
            path="26",
            code="duitnow.account",
            message="expected ID 26 (Merchant Account Information), mandatory in a DuitNow code "
            "(27 is RFU), found none",
            source=f"{PAYNET}, IDs 26-27 M, ID 27 RFU",
        ),
        Allowed(
            path="53",
            values=frozenset({"458"}),
            code="duitnow.currency",
            message="expected currency '458' (MYR) for ID 53 in a DuitNow code, found {found!r}",
            source=f"{PAYNET}, ID 53 'Use 458 for Malaysian Ringgit'",
        ),
    ),
    source=PAYNET,
    # Published DuitNow codes carry a 32- or 64-character hex value in 82, a primitive where
    # EMVCo has a template (32 of 853 codes in khrnchn/sedekah-je; natsu90/duitnowqr-test's
    # "DUITNOW_REF82") [lib]; what the value means is unsourced, so nothing more is checked.
    primitives=("82",),
)

SCHEME = Scheme(
    NAME,
    "DuitNow QR (Malaysia, PayNet)",
    "MY",
    guids={PAYNET_AID: frozenset({"26"})},
    near_misses=frozenset({"A000000615001", "A00000061500001", "A0000006150010"}),
    sources=(
        "PayNet DuitNow QR MPM V1.5, QR Data Object (docs.developer.paynet.my) [doc]",
        "khrnchn/sedekah-je app/data/institutions.ts (published codes)",
        "natsu90/duitnowqr-test",
    ),
    departures=(
        "00 = 02 (PayNet 'Version 02'; 01 a warning)",
        "01 and 26 mandatory; 53 = 458",
        "82 holds a hex primitive in published codes (EMVCo: 80-99 are templates)",
    ),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

"""FPS (Hong Kong, Faster Payment System of HKICL): the ``emvco`` table plus the FPS rows, as a
table.

The specifications (HKMA/HKICL *Payee-presented QR Code Specification for FPS* v1.2, 2019, and
the *Common QR Code Specification for Retail Payments in Hong Kong* v1.0, 2017, which it builds
on) were not read here beyond their title pages; the rows come from libraries, as
tests/data/schemes/README.md ("fps") records them: DemChing/hkqr-fps @35da0db9 (which cites the
Common QR spec §4.2 for the template IDs), pulsely/hkqr, odoo ``l10n_hk`` [lib].

FPS departs from EMVCo in nothing: every row narrows it. Left out as disputed or unsourced
(README "fps"): the FPS ID length (DemChing 7-9 digits, pulsely's example 12), the currencies
(odoo HKD or CNY, DemChing also TWD and USD), 58 = HK, and "one of 26-02/03/04" (every sample
has one; no source says it must).

>>> from jpqr.profiles import fps
>>> odoo = ("00020101021226330012hk.com.hkicl0313+852-678912345204000053033445403100"
...         "5802HK5914company_1_data6002HK62170513INV/TEST/00016304A154")
>>> fps.is_valid(odoo)
True
>>> [issue.code for issue in fps.validate(odoo.replace("+852-", "+853-")).errors]
['fps.mobile', 'crc.mismatch']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..dataobject import DataObject
from . import _engine, emvco
from ._scheme import Scheme
from ._table import Level, Pattern, Row, Rule, ids

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = ["NAME", "SCHEME", "TABLE", "account_rows", "check", "is_valid", "parse", "validate"]
__all__ += ["scheme_account"]

NAME = "fps"
GUID = "hk.com.hkicl"
DEMCHING = "DemChing/hkqr-fps @35da0db9 [lib]"
_ACCOUNT_IDS = ids(26, 51)


def _accounts(objects: tuple[DataObject, ...]) -> list[tuple[DataObject, str]]:
    """The 26-51 templates with a GUID, and the GUID in lower case (EMVCo §4.7.11.2 [CR]:
    GUIDs are compared case-insensitively)."""
    found = []
    for obj in objects:
        if obj.id in _ACCOUNT_IDS and obj.children is not None:
            guid = next((child.value for child in obj.children if child.id == "00"), None)
            if guid is not None:
                found.append((obj, guid.lower()))
    return found


def scheme_account(checker: Checker, level: Level, row: Rule) -> None:
    """The scheme's merchant account: a 26-51 template whose GUID is one of
    ``options["guids"]`` (lower-case GUID -> the template ID the scheme gives it), in that
    template. ``options["code"]`` when there is none (at the first ID of the table) or when one
    sits in another template (at that template); ``options["scheme"]`` names the code."""
    guids: dict[str, str] = row.options["guids"]
    code, scheme = row.options["code"], row.options["scheme"]
    found = [(obj, guid) for obj, guid in _accounts(level.objects) if guid in guids]
    if not found:
        wanted = " or ".join(f"template {id} with GUID {guid!r}" for guid, id in guids.items())
        checker.error(
            code,
            next(iter(guids.values())),
            None,
            f"expected a merchant account {wanted} in {scheme}, found none",
        )
    for obj, guid in found:
        if obj.id != guids[guid]:
            checker.error(
                code,
                obj.id,
                obj.offset,
                f"expected GUID {guid!r} in template {guids[guid]} in {scheme}, found it in "
                f"template {obj.id}",
            )


def account_rows(checker: Checker, level: Level, row: Rule) -> None:
    """The rows ``options["rows"]`` run inside every 26-51 template whose GUID is
    ``options["guid"]`` (any case), wherever it sits: the sub-ID rules of one scheme's merchant
    account, which must not judge another scheme's template at the same ID."""
    rows: tuple[Row, ...] = row.options["rows"]
    for obj, guid in _accounts(level.objects):
        if guid == row.options["guid"]:
            inner = Level(obj.children or (), obj.id)
            for step in rows:
                step.apply(checker, inner)


TABLE = emvco.TABLE.extend(
    NAME,
    "FPS",
    (
        Rule(
            function=scheme_account,
            options={"guids": {GUID: "26"}, "code": "fps.account", "scheme": "an FPS code"},
            source=f"{DEMCHING} MERCHANT_ACCOUNT.md (Common QR spec §4.2: 26 is FPS), "
            "src/FPS/index.ts:32-36; GUID hk.com.hkicl also pulsely/hkqr, odoo l10n_hk",
        ),
        Rule(
            function=account_rows,
            options={
                "guid": GUID,
                "rows": (
                    Pattern(
                        path="01",
                        pattern=re.compile(r"[0-9]{3}"),
                        code="fps.participant",
                        message="expected a 3-digit FPS participant (clearing) code for ID "
                        "26.01, found {found!r}",
                        source=f"{DEMCHING} src/lib/constant.ts:32, src/FPS/config.ts:67 (the "
                        "participant list, 3 digits), src/FPS/index.ts:461-464",
                    ),
                    Pattern(
                        path="02",
                        pattern=re.compile(r"[0-9]+"),
                        code="fps.fps_id",
                        message="expected an FPS Identifier of digits for ID 26.02, "
                        "found {found!r}",
                        source=f"{DEMCHING} src/FPS/index.ts:465-468 (digits only; the "
                        "length, 7-9 there, is disputed by pulsely/hkqr README.md:27)",
                    ),
                    Pattern(
                        path="03",
                        pattern=re.compile(r"\+852-[0-9]{8}"),
                        code="fps.mobile",
                        message="expected a mobile number as '+852-' and 8 digits for ID 26.03, "
                        "found {found!r}",
                        source=f"{DEMCHING} src/FPS/index.ts:473-485 (+852-XXXXXXXX); odoo "
                        "l10n_hk test_emv_qr_vals writes +852-67891234",
                    ),
                    Pattern(
                        path="04",
                        pattern=re.compile(r"[^@\s]+@[^@\s]+"),
                        code="fps.email",
                        message="expected an e-mail address for ID 26.04, found {found!r}",
                        source=f"{DEMCHING} src/lib/constant.ts:36, src/FPS/index.ts:486-489",
                    ),
                ),
            },
            source=f"{DEMCHING} src/lib/constant.ts:32-36: 26-01 participant, 02 FPS ID, "
            "03 mobile, 04 e-mail",
        ),
    ),
    source=f"{DEMCHING}, pulsely/hkqr, odoo l10n_hk (the HKMA/HKICL specifications unread)",
)

SCHEME = Scheme(
    NAME,
    "FPS (Hong Kong, Faster Payment System)",
    "HK",
    guids={GUID.upper(): frozenset({"26"})},
    near_misses=frozenset({"HK.COM.HKICL.FPS", "HK.COM.HKIC", "HK.ORG.HKICL", "COM.HKICL.HK"}),
    sources=(
        "HKMA/HKICL Payee-presented QR Code Specification for FPS v1.2 (2019; not read)",
        "Common QR Code Specification for Retail Payments in Hong Kong v1.0 (2017; not read)",
        "DemChing/hkqr-fps",
        "pulsely/hkqr",
        "odoo l10n_hk",
    ),
    departures=("26 is the FPS account (hk.com.hkicl); its 01-04 have FPS formats",),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

"""EMVCo merchant-presented mode, the generic profile (EMV QRCPS-MPM v1.1, SPEC.md §1-3): a table.

Every code is checked against it; national profiles (``jpqr``) add their own rows on top. The
standard itself is not public: SPEC.md names the verbatim copies its rules were read from ([PM]
PayMaya's copy of MPM v1.1, [CR] Chromium's parser, which quotes the section numbers), so rows
cite SPEC.md and the EMVCo section; page numbers of the PDF are not known here.

The rows run in order (the order of the issues); the structure (00 first, 63 last, duplicates,
zero lengths, templates that hold data objects) and the CRC are the engine's, for every profile.

>>> from jpqr.profiles import emvco
>>> promptpay = "00020101021129370016A000000677010111011300668012345675802TH530376463046197"
>>> emvco.is_valid(promptpay)  # PromptPay leaves out 52, 59 and 60
False
>>> [issue.path for issue in emvco.validate(promptpay).errors]
['52', '59', '60']
>>> code = ("00020101021229300012D156000000000510A93FO3230Q31280012D156000000010308123456785204"
...         "41115303156540523.725502015802CN5914BEST TRANSPORT6007BEIJING6233030412340603***0708"
...         "A60086670902ME64200002ZH0104最佳运输0202北京6304B1D8")
>>> emvco.validate(code).ok
False
>>> emvco.validate(code).errors[0].code
'crc.mismatch'
"""

from __future__ import annotations

import re

from ..schema import (
    ADDITIONAL_DATA,
    COUNTRIES,
    GUID_TEMPLATE,
    LANGUAGE,
    MERCHANT_ACCOUNT_IDS,
    PAYMENT_SYSTEM_TEMPLATE,
    ROOT,
    UNRESERVED_TEMPLATE,
)
from . import _engine
from ._functions import AMOUNT, PERCENTAGE, amount, check_amount, consumer_data, convenience_fee
from ._functions import currency as iso4217_currency
from ._table import (
    Allowed,
    AnyPresent,
    Fields,
    GuidFirst,
    Pattern,
    Profile,
    Required,
    Row,
    Rule,
    Templates,
    ids,
)

__all__ = ["AMOUNT", "NAME", "PERCENTAGE", "TABLE", "check", "check_amount", "is_valid", "parse"]
__all__ += ["validate"]

NAME = "emvco"
T35 = "SPEC §3; EMVCo MPM v1.1 §3.2 Table 3.5 [PM]"  # the data objects of the root
T37 = "SPEC §3; EMVCo MPM v1.1 Table 3.7 [PM]"  # the Additional Data Field Template, 62
T38 = "SPEC §3; EMVCo MPM v1.1 Table 3.8 [PM]"  # the Language Template, 64
GUID = "SPEC §3; EMVCo MPM v1.1 §4.7.11.2 [CR]"  # templates start with a GUID in 00

# 26-51 and 80-99 start with a GUID (ans ≤ 32, published vector 4); 62-50..99 likewise, their
# data format S (SPEC §3).
_GUID_TEMPLATE_ROWS: tuple[Row, ...] = (
    Fields(table=GUID_TEMPLATE, source=f"{T35}; GUID ans ≤ 32"),
    Required(path="00", why=" (the template's owner)", source=GUID),
    GuidFirst(source=f"{GUID}; a warning: readers find it anywhere"),
)
_UNRESERVED_ROWS: tuple[Row, ...] = (
    Fields(table=UNRESERVED_TEMPLATE, source=f"{T35}; 80-99 format S"),
    Required(path="00", why=" (the template's owner)", source=GUID),
    GuidFirst(source=f"{GUID}; a warning: readers find it anywhere"),
)
_PAYMENT_SYSTEM_ROWS: tuple[Row, ...] = (
    Required(path="00", why=" (the template's owner)", source=GUID),
    Fields(table=PAYMENT_SYSTEM_TEMPLATE, source=f"{T37}; 62-50..99 format S, GUID ans"),
    GuidFirst(source=f"{GUID}; a warning: readers find it anywhere"),
)
_ADDITIONAL_DATA_ROWS: tuple[Row, ...] = (
    Fields(table=ADDITIONAL_DATA, source=T37),
    Rule(function=consumer_data, path="09", source=f"{T37}; 62-09: A, M, E, each once"),
    Templates(rows=((ids(50, 99), _PAYMENT_SYSTEM_ROWS),), nonempty=False, source=T37),
)
_LANGUAGE_ROWS: tuple[Row, ...] = (
    Fields(table=LANGUAGE, source=T38),
    Required(path="00", source=f"{T38}; 64-00 mandatory"),
    Required(path="01", source=f"{T38}; 64-01 mandatory"),
    Pattern(
        path="00",
        pattern=re.compile(r"[A-Za-z]{2}"),
        message="expected a 2-letter ISO 639 language code for ID 64.00, found {found!r}",
        source=f"{T38}; ISO 639-1 alpha-2, any case in the wild (JA, ZH, km)",
    ),
)

TABLE = Profile(
    NAME,
    "EMVCo MPM",
    (
        Fields(table=ROOT, source=f"{T35}; SPEC §1 formats N, ans, S"),
        # Mandatory objects; 63 missing is crc.missing, the engine's.
        Required(path="00", key="required 00", source=f"{T35}; first (the engine's)"),
        Required(path="52", key="required 52", source=f"{T35}; ISO 18245 MCC"),
        Required(path="53", key="required 53", source=f"{T35}; ISO 4217 numeric"),
        Required(path="58", key="required 58", source=f"{T35}; ISO 3166-1 alpha-2"),
        Required(path="59", key="required 59", source=T35),
        Required(path="60", key="required 60", source=T35),
        AnyPresent(
            ids=MERCHANT_ACCOUNT_IDS,
            code="account.missing",
            message="expected at least one merchant account (IDs 02-51), found none",
            source=f"{T35}; at least one of 02-51",
        ),
        Allowed(
            path="00",
            values=frozenset({"01"}),
            message="expected Payload Format Indicator '01' (the only version EMVCo MPM "
            "defines), found {found!r}",
            key="payload format",
            source=f"{T35}; 00 = 01 (DuitNow writes 02, SPEC §6)",
        ),
        Allowed(
            path="01",
            values=frozenset({"11", "12"}),
            message="expected Point of Initiation Method '11' (static) or '12' (dynamic), "
            "found {found!r}",
            source=f"{T35}; 11 static, 12 dynamic",
        ),
        Rule(function=iso4217_currency, path="53", source=f"{T35}; ISO 4217 list one"),
        Rule(function=amount, path="54", source=f"{T35}; SPEC §3 ID 54 amount grammar"),
        Allowed(
            path="55",
            values=frozenset({"01", "02", "03"}),
            message="expected Tip or Convenience Indicator '01', '02' or '03', found {found!r}",
            source=f"{T35}; 01 prompt, 02 fixed, 03 percentage",
        ),
        Rule(function=convenience_fee, path="55", source=f"{T35}; 56 iff 55=02, 57 iff 55=03"),
        Allowed(
            path="58",
            values=COUNTRIES,
            code="country.unknown",
            message="expected an ISO 3166-1 alpha-2 country code in upper case for ID 58, "
            "found {found!r}",
            source=f"{T35}; ISO 3166-1 alpha-2 (schema/countries.py)",
        ),
        Templates(
            rows=(
                (ids(26, 51), _GUID_TEMPLATE_ROWS),
                (frozenset({"62"}), _ADDITIONAL_DATA_ROWS),
                (frozenset({"64"}), _LANGUAGE_ROWS),
                (ids(80, 99), _UNRESERVED_ROWS),
            ),
            source=f"{T35}; EMVCo MPM v1.1 §4.5 templates",
        ),
    ),
    source="EMV QRCPS-MPM v1.1 as SPEC.md §1-3 quotes it",
)


check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

"""EMVCo merchant-presented mode: the generic profile (EMV QRCPS-MPM v1.1, SPEC.md §1-3).

Every code is checked against it; national profiles (``jpqr``) add their own rules on top.
The standard itself is not public; SPEC.md names the verbatim copies its rules were read from.

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
from dataclasses import replace
from decimal import Decimal

from ..dataobject import DataObject
from ..schema import (
    ADDITIONAL_DATA,
    LANGUAGE,
    MERCHANT_ACCOUNT_IDS,
    PAYMENT_SYSTEM_TEMPLATE,
    ROOT,
    SUB_TABLES,
    Currency,
    by_alpha,
    by_numeric,
    is_country,
)
from . import _engine
from ._engine import Checker, Tree, by_id, check_fields, describe, join, require

__all__ = ["NAME", "check", "is_valid", "parse", "validate"]

NAME = "emvco"

# SPEC §3, ID 54/56: digits with at most one "." ("98", "98.73", "98." valid; "98,73" not).
AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
# SPEC §3, ID 57: 00.01-99.99, no "%".
PERCENTAGE = re.compile(r"[0-9]{1,2}(\.[0-9]{1,2})?")
# ISO 639-1 alpha-2; the case varies in the wild ("JA", "ZH", "km"), SPEC §3.
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2}")
# 63 absent is reported as crc.missing by the engine.
MANDATORY = sorted(id for id, spec in ROOT.items() if spec.presence == "M" and id != "63")
POINT_OF_INITIATION = {"11": "static", "12": "dynamic"}
TIP_INDICATORS = {"01": "prompt", "02": "fixed", "03": "percentage"}


def check(checker: Checker, tree: Tree) -> None:
    """The EMVCo rules over a decoded tree (structure is checked before, by the engine)."""
    check_fields(checker, tree, ROOT, "")
    objects = by_id(tree)
    for id in MANDATORY:
        require(checker, objects, id, "")
    if MERCHANT_ACCOUNT_IDS.isdisjoint(objects):
        checker.error(
            "account.missing",
            "",
            None,
            "expected at least one merchant account (IDs 02-51), found none",
        )
    _check_fixed_values(checker, objects)
    currency = objects.get("53")
    exponent = _check_currency(checker, currency)
    _check_amount(checker, objects.get("54"), exponent, "54")
    _check_tip(checker, objects, exponent)
    country = objects.get("58")
    if country is not None and country.value and not is_country(country.value):
        checker.error(
            "country.unknown",
            "58",
            country.offset,
            f"expected an ISO 3166-1 alpha-2 country code in upper case for ID 58, "
            f"found {country.value!r}",
        )
    for obj in tree:
        if obj.children is not None and obj.value:
            _check_template(checker, obj)


def _check_fixed_values(checker: Checker, objects: dict[str, DataObject]) -> None:
    pfi = objects.get("00")
    if pfi is not None and pfi.value and pfi.value != "01":
        checker.error(
            "field.value",
            "00",
            pfi.offset,
            f"expected Payload Format Indicator '01' (the only version EMVCo MPM defines), "
            f"found {pfi.value!r}",
        )
    poi = objects.get("01")
    if poi is not None and poi.value and poi.value not in POINT_OF_INITIATION:
        checker.error(
            "field.value",
            "01",
            poi.offset,
            f"expected Point of Initiation Method '11' (static) or '12' (dynamic), "
            f"found {poi.value!r}",
        )


def _check_currency(checker: Checker, obj: DataObject | None) -> int | None:
    if obj is None or not obj.value:
        return None
    currency = by_numeric(obj.value)
    if currency is None:
        if len(obj.value) == 3 and obj.value.isdigit():
            checker.error(
                "currency.unknown",
                "53",
                obj.offset,
                f"expected an ISO 4217 numeric currency code for ID 53 (JPY is 392), "
                f"found {obj.value!r}, which ISO 4217 does not assign",
            )
        alpha = by_alpha(obj.value)
        if alpha is not None:
            _hint_alphabetic_currency(checker, alpha)
        return None
    return currency.exponent


def _hint_alphabetic_currency(checker: Checker, currency: Currency) -> None:
    """53 = "JPY": the usual mistake. Extend the field.format error of the schema check with the
    numeric code to write instead (one finding, one issue)."""
    for index, issue in enumerate(checker.errors):
        if (issue.code, issue.path) == ("field.format", "53"):
            message = (
                f"{issue.message}; ID 53 takes the ISO 4217 numeric code: "
                f"{currency.numeric} for {currency.alpha}"
            )
            checker.errors[index] = replace(issue, message=message)


def check_amount(value: str) -> str | None:
    """Why ``value`` is not an EMVCo amount (SPEC §3, ID 54), or ``None`` when it is one.

    >>> check_amount("98.73") is None, check_amount("98.") is None
    (True, True)
    >>> check_amount("98,73")
    "expected digits with at most one '.', found '98,73'"
    """
    if not AMOUNT.fullmatch(value):
        return f"expected digits with at most one '.', found {value!r}"
    if Decimal(value) == 0:
        return f"expected an amount above zero, found {value!r}"
    return None


def _check_amount(checker: Checker, obj: DataObject | None, exponent: int | None, id: str) -> None:
    if obj is None or not obj.value:
        return
    problem = check_amount(obj.value)
    if problem is not None:
        code = "amount.zero" if "above zero" in problem else "amount.format"
        checker.error(code, id, obj.offset, f"{problem} for {describe(id)}")
        return
    decimals = len(obj.value.partition(".")[2])
    if exponent is not None and decimals > exponent:
        checker.warn(
            "amount.decimals",
            id,
            obj.offset,
            f"expected {_decimals(exponent)} for {describe(id)} (the currency's minor "
            f"unit), found {decimals} in {obj.value!r}",
        )


def _decimals(exponent: int) -> str:
    """``no decimals`` or ``at most 2 decimals``: how messages say a currency's minor unit."""
    return "no decimals" if exponent == 0 else f"at most {exponent} decimals"


def _check_tip(checker: Checker, objects: dict[str, DataObject], exponent: int | None) -> None:
    indicator = objects.get("55")
    kind = None
    if indicator is not None and indicator.value:
        kind = TIP_INDICATORS.get(indicator.value)
        if kind is None:
            checker.error(
                "field.value",
                "55",
                indicator.offset,
                f"expected Tip or Convenience Indicator '01', '02' or '03', "
                f"found {indicator.value!r}",
            )
    for id, wanted, value in (("56", "fixed", "02"), ("57", "percentage", "03")):
        obj = objects.get(id)
        if kind == wanted and obj is None:
            checker.error(
                "field.missing",
                id,
                None,
                f"expected {describe(id)} because ID 55 is {value!r}, found none",
            )
        elif obj is not None and kind != wanted:
            found = f"ID 55 {indicator.value!r}" if indicator is not None else "no ID 55"
            checker.error(
                "tip.unexpected",
                id,
                obj.offset,
                f"expected {describe(id)} only when ID 55 is {value!r}, found {found}",
            )
    fee = objects.get("56")
    if fee is not None and kind == "fixed":
        # The fee is an amount in the transaction currency too (SPEC §3: "amount format").
        _check_amount(checker, fee, exponent, "56")
    percentage = objects.get("57")
    if percentage is not None and kind == "percentage" and percentage.value:
        value = percentage.value
        if not PERCENTAGE.fullmatch(value) or not Decimal("0.01") <= Decimal(value) <= Decimal(
            "99.99"
        ):
            checker.error(
                "tip.percentage",
                "57",
                percentage.offset,
                f"expected a percentage from 00.01 to 99.99 without '%' for ID 57, found {value!r}",
            )


def _check_template(checker: Checker, template: DataObject) -> None:
    path = template.id
    children = template.children or ()
    table = SUB_TABLES.get(path)
    if table is None:
        return
    check_fields(checker, children, table, path)
    if table is LANGUAGE:
        objects = by_id(children)
        for id in ("00", "01"):
            require(checker, objects, id, path)
        language = objects.get("00")
        if language is not None and language.value and not LANGUAGE_CODE.fullmatch(language.value):
            checker.error(
                "field.value",
                "64.00",
                language.offset,
                f"expected a 2-letter ISO 639 language code for ID 64.00, found {language.value!r}",
            )
        return
    if table is ADDITIONAL_DATA:
        _check_consumer_data(checker, template.find("09"))
        for child in children:
            if child.children is not None:
                _check_guid_template(checker, child, join(path, child.id))
        return
    _check_guid_template(checker, template, path)


def _check_guid_template(checker: Checker, template: DataObject, path: str) -> None:
    """26-51, 80-99 and 62-50..99 start with a GUID in 00 (EMVCo §4.7.11.2 [CR])."""
    children = template.children or ()
    objects = by_id(children)
    require(checker, objects, "00", path, " (the template's owner)")
    if path.startswith("62."):
        check_fields(checker, children, PAYMENT_SYSTEM_TEMPLATE, path)
    guid = objects.get("00")
    if guid is not None and children[0].id != "00":
        checker.warn(
            "position.guid",
            join(path, "00"),
            guid.offset,
            f"expected the GUID (ID 00) first in template {path}, found ID {children[0].id} first",
        )


def _check_consumer_data(checker: Checker, obj: DataObject | None) -> None:
    """62-09: up to three of the letters A, M, E, each at most once (SPEC §3)."""
    if obj is None or not obj.value:
        return
    value = obj.value
    if not set(value) <= set("AME") or len(set(value)) != len(value):
        checker.error(
            "additional.consumer_data",
            "62.09",
            obj.offset,
            f"expected up to three of the letters A, M, E, each once, for ID 62.09, "
            f"found {value!r}",
        )


# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(NAME, check, "EMVCo MPM")

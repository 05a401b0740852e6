"""The named rule functions: what a table row cannot say (cross-field rules, value grammars).

Each is ``function(checker, level, row)``: it reads the objects of ``level`` (the root, or a
template) at ``row.path`` and ``row.options``, and reports through ``checker``. A :class:`Rule`
row of a table says where one applies; the compiled engine (``_rules.pyx``) has a C twin of each
function's "nothing to report" test, and leaves any other function to this reference engine.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import TYPE_CHECKING

from ..dataobject import DataObject
from ..schema import JPQR_GUID, Currency, by_alpha, by_numeric
from ._formats import check_length, describe, join
from ._table import Level, Rule, _find

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = [
    "AMOUNT",
    "PERCENTAGE",
    "amount",
    "check_amount",
    "consumer_data",
    "convenience_fee",
    "currency",
    "find_identifier",
    "jpqr_identifier",
    "whole_yen",
]

# SPEC §3, ID 54/56: digits with at most one "." ("98", "98.73", "98." valid; "98,73" not).
AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
# SPEC §3, ID 57: 00.01-99.99, no "%".
PERCENTAGE = re.compile(r"[0-9]{1,2}(\.[0-9]{1,2})?")
_TIP_KINDS = {"01": "prompt", "02": "fixed", "03": "percentage"}
# SPEC §3, 62-09: each order of one, two or all three of A, M, E (15 values).
_CONSUMER_DATA = frozenset(
    "".join(letters) for size in (1, 2, 3) for letters in itertools.permutations("AME", size)
)


def currency(checker: Checker, level: Level, row: Rule) -> None:
    """ID 53 (SPEC §3, ISO 4217 numeric): ``currency.unknown`` for 3 digits ISO does not
    assign; an alphabetic code ("JPY") extends the schema's ``field.format`` error with the
    numeric code to write instead. Sets ``checker.exponent``, the minor unit the amount rules
    compare decimals with."""
    obj = _find(level, row.path)
    if obj is None or not obj.value:
        return
    found = by_numeric(obj.value)
    if found is None:
        if len(obj.value) == 3 and obj.value.isdigit():
            checker.error(
                "currency.unknown",
                join(level.path, row.path),
                obj.offset,
                f"expected an ISO 4217 numeric currency code for ID 53 (JPY is 392), "
                f"found {obj.value!r}, which ISO 4217 does not assign",
            )
        alpha = by_alpha(obj.value)
        if alpha is not None:
            _hint_alphabetic_currency(checker, alpha, join(level.path, row.path))
        return
    checker.exponent = found.exponent


def _hint_alphabetic_currency(checker: Checker, currency: Currency, path: str) -> None:
    """53 = "JPY": the usual mistake. One finding, one issue: the field.format error of the
    schema check says what to write."""
    for index, issue in enumerate(checker.errors):
        if (issue.code, issue.path) == ("field.format", path):
            message = (
                f"{issue.message}; ID 53 takes the ISO 4217 numeric code: "
                f"{currency.numeric} for {currency.alpha}"
            )
            checker.errors[index] = issue._replace(message=message)


def check_amount(value: str) -> str | None:
    """Why ``value`` is not an EMVCo amount (SPEC §3, ID 54), or ``None`` when it is one.

    >>> check_amount("98.73") is None, check_amount("98.") is None
    (True, True)
    >>> check_amount("98,73")
    "expected digits with at most one '.', found '98,73'"
    """
    if not AMOUNT.fullmatch(value):
        return f"expected digits with at most one '.', found {value!r}"
    if not value.strip("0."):  # digits and one "." (AMOUNT): zero when every digit is 0
        return f"expected an amount above zero, found {value!r}"
    return None


def amount(checker: Checker, level: Level, row: Rule) -> None:
    """An amount (ID 54; 56 through :func:`convenience_fee`), SPEC §3: ``amount.format``,
    ``amount.zero``, and the warning ``amount.decimals`` for more decimals than the currency's
    minor unit (``checker.exponent``, from :func:`currency`)."""
    obj = _find(level, row.path)
    if obj is not None and obj.value:
        _check_amount(checker, obj, checker.exponent, join(level.path, row.path))


def _check_amount(checker: Checker, obj: DataObject, exponent: int | None, id: str) -> None:
    value = obj.value
    if not value:
        return
    if value.isdigit() and value.isascii() and value.strip("0"):
        return  # a whole amount above zero: no decimals to compare with the minor unit
    problem = check_amount(value)
    if problem is not None:
        code = "amount.zero" if "above zero" in problem else "amount.format"
        checker.error(code, id, obj.offset, f"{problem} for {describe(id)}")
        return
    decimals = len(value.partition(".")[2])
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


def convenience_fee(checker: Checker, level: Level, row: Rule) -> None:
    """IDs 56 and 57 by the tip or convenience indicator 55 (SPEC §3): 56 present iff 55 = 02
    (and an amount, non-zero), 57 present iff 55 = 03 (00.01 to 99.99, no "%"). The value of
    55 itself is an :class:`Allowed` row."""
    by_id = level.by_id
    indicator = by_id.get("55")
    if (
        "56" not in by_id
        and "57" not in by_id
        and (indicator is None or indicator[1] not in ("02", "03"))
    ):
        return  # no fee, no percentage, and none asked for (the usual case: 55 absent or 01)
    kind = _TIP_KINDS.get(indicator.value) if indicator is not None and indicator.value else None
    for id, wanted, value in (("56", "fixed", "02"), ("57", "percentage", "03")):
        obj = level.by_id.get(id)
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
    fee = level.by_id.get("56")
    if fee is not None and kind == "fixed":
        # The fee is an amount in the transaction currency too (SPEC §3: "amount format").
        _check_amount(checker, fee, checker.exponent, "56")
    percentage = level.by_id.get("57")
    if percentage is not None and kind == "percentage" and percentage.value:
        text = percentage.value
        if not PERCENTAGE.fullmatch(text) or not Decimal("0.01") <= Decimal(text) <= Decimal(
            "99.99"
        ):
            checker.error(
                "tip.percentage",
                "57",
                percentage.offset,
                f"expected a percentage from 00.01 to 99.99 without '%' for ID 57, found {text!r}",
            )


def consumer_data(checker: Checker, level: Level, row: Rule) -> None:
    """62-09 (SPEC §3): up to three of the letters A, M, E, each at most once."""
    obj = _find(level, row.path)
    if obj is None or not obj.value:
        return
    value = obj.value
    if value not in _CONSUMER_DATA:
        checker.error(
            "additional.consumer_data",
            join(level.path, row.path),
            obj.offset,
            f"expected up to three of the letters A, M, E, each once, for ID 62.09, "
            f"found {value!r}",
        )


def find_identifier(tree: tuple[DataObject, ...]) -> DataObject | None:
    """The 26-51 template whose GUID is ``jp.or.paymentsjapan`` (compared case-insensitively)."""
    for obj in tree:
        children = obj[2]
        if children is not None and "26" <= obj[0] <= "51":
            for child in children:  # the first 00 (DataObject.find)
                if child[0] == "00":
                    if child[1].lower() == JPQR_GUID:
                        return obj
                    break
    return None


def jpqr_identifier(checker: Checker, level: Level, row: Rule) -> None:
    """The JPQR identifier (SPEC §4 [ME]): a 26-51 template with GUID ``jp.or.paymentsjapan``
    (any case) holding the four levels of ``options["levels"]`` (a field table) at their exact
    lengths (``field.length``), each present (``jpqr.identifier``)."""
    levels = row.options["levels"]
    template = find_identifier(level.objects)
    if template is None:
        checker.error(
            "jpqr.identifier",
            "26",
            None,
            f"expected a merchant account template (26-51) with GUID {JPQR_GUID!r}, found none",
        )
        return
    children = template.children or ()
    path = template.id
    # The emvco rows already checked the levels as ans (GUID_TEMPLATE); JPQR fixes lengths.
    present = set()
    for child in children:
        id, value = child[0], child[1]
        present.add(id)
        spec = levels.get(id)
        if (
            spec is not None
            and value
            and not spec.template
            and not spec.min_length <= len(value) <= spec.max_length
        ):
            check_length(checker, spec, path, child)
    if len(present) >= len(levels) and present.issuperset(levels):
        return
    for id, spec in levels.items():
        if id not in present:
            checker.error(
                "jpqr.identifier",
                join(path, id),
                None,
                f"expected ID {join(path, id)} ({spec.name}, {spec.max_length} characters) in "
                f"the JPQR identifier, found none",
            )


def whole_yen(checker: Checker, level: Level, row: Rule) -> None:
    """SPEC §4: where 53 is ``options["currency"]`` (392, JPY, no minor unit), the amount at
    ``row.path`` (54, or the fixed fee 56) has no decimals (``jpqr.amount``)."""
    currency = level.by_id.get("53")
    if currency is None or currency.value != row.options["currency"]:
        return
    obj = _find(level, row.path)
    if obj is None or "." not in obj.value or check_amount(obj.value) is not None:
        return  # absent, whole, or amount.format / amount.zero says what is wrong
    _, _, decimals = obj.value.partition(".")
    if decimals:
        checker.error(
            "jpqr.amount",
            obj.id,
            obj.offset,
            f"expected a whole number of yen for {describe(obj.id)} (JPY has no "
            f"minor unit), found {obj.value!r}",
        )

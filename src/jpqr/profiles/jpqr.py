"""JPQR (統一QRコード), Payments Japan's unified merchant-presented code: EMVCo MPM plus JPQR rules.

SPEC.md §4, from the only executable JPQR validator found (mercari/go-emv-code, mpm/jpqr) and
JPQRReader: a 26-51 template with GUID ``jp.or.paymentsjapan`` and the four levels of the unified
store identifier (13, 4, 6 and 6 characters), country JP, currency 392, a 7-digit postal code,
and the Japanese merchant name in template 64 with language JA (no 64-02). Amounts are whole yen.

>>> from jpqr.profiles import jpqr
>>> mercari = ("0002016003xxx01021129300012D156000000000510A93FO3230Q31280012D1560000000103081234"
...            "567826680019jp.or.paymentsjapan0113000000000000102040001030600000104060000015303392"
...            "5903xxx64180002JA0108メルペイ カフェ520441115802JP610710661436304DEE9")
>>> jpqr.is_valid(mercari)
True
>>> jpqr.parse(mercari).jpqr.level1
'0000000000001'
>>> emvco_example = mercari.replace("5802JP", "5802CN")  # same length; the CRC no longer fits
>>> [issue.code for issue in jpqr.validate(emvco_example).errors]
['jpqr.country', 'crc.mismatch']
"""

from __future__ import annotations

from ..dataobject import DataObject
from ..schema import JPQR_GUID, JPQR_IDENTIFIER
from . import _engine, emvco
from ._engine import Checker, Tree, by_id, check_lengths, join

__all__ = ["NAME", "check", "find_identifier", "is_valid", "parse", "validate"]

NAME = "jpqr"
JAPAN = "JP"
YEN = "392"
POSTAL_CODE_LENGTH = 7
_NAMES = {YEN: " (JPY)"}


def find_identifier(tree: Tree) -> DataObject | None:
    """The 26-51 template whose GUID is ``jp.or.paymentsjapan`` (compared case-insensitively)."""
    for obj in tree:
        if "26" <= obj.id <= "51" and obj.children is not None:
            guid = obj.find("00")
            if guid is not None and guid.value.lower() == JPQR_GUID:
                return obj
    return None


def check(checker: Checker, tree: Tree) -> None:
    """The EMVCo rules, then the JPQR rules."""
    emvco.check(checker, tree)
    objects = by_id(tree)
    _check_identifier(checker, tree)
    _check_equals(checker, objects.get("58"), JAPAN, "jpqr.country", "country code")
    _check_equals(checker, objects.get("53"), YEN, "jpqr.currency", "currency")
    postal = objects.get("61")
    if postal is None:
        checker.error(
            "jpqr.postal_code",
            "61",
            None,
            "expected ID 61 (Postal Code) in a JPQR code, found none",
        )
    elif postal.value and not _is_postal_code(postal.value):  # empty: tlv.zero_length says it
        checker.error(
            "jpqr.postal_code",
            "61",
            postal.offset,
            f"expected a 7-digit Japanese postal code without hyphen for ID 61, "
            f"found {postal.value!r}",
        )
    _check_language(checker, objects.get("64"))
    currency = objects.get("53")
    if currency is not None and currency.value == YEN:
        # The amount and the fixed fee (55 = 02) are both yen, which has no minor unit.
        for id in ("54", "56"):
            _check_whole_yen(checker, objects.get(id))


def _check_whole_yen(checker: Checker, amount: DataObject | None) -> None:
    if amount is None or emvco.check_amount(amount.value) is not None:
        return  # absent, or amount.format / amount.zero says what is wrong
    _, _, decimals = amount.value.partition(".")
    if decimals:
        checker.error(
            "jpqr.amount",
            amount.id,
            amount.offset,
            f"expected a whole number of yen for {_engine.describe(amount.id)} (JPY has no "
            f"minor unit), found {amount.value!r}",
        )


def _is_postal_code(value: str) -> bool:
    return len(value) == POSTAL_CODE_LENGTH and value.isascii() and value.isdigit()


def _check_identifier(checker: Checker, tree: Tree) -> None:
    template = find_identifier(tree)
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
    # The emvco rules already checked the levels as ans (GUID_TEMPLATE); JPQR fixes lengths.
    check_lengths(checker, children, JPQR_IDENTIFIER, path)
    present = {child.id for child in children}
    for id, spec in JPQR_IDENTIFIER.items():
        if id not in present:
            checker.error(
                "jpqr.identifier",
                join(path, id),
                None,
                f"expected ID {join(path, id)} ({spec.name}, {spec.max_length} characters) in "
                f"the JPQR identifier, found none",
            )
    # field.length from check_lengths already says when a level has the wrong length.


def _check_equals(
    checker: Checker, obj: DataObject | None, expected: str, code: str, what: str
) -> None:
    if obj is not None and obj.value and obj.value != expected:
        checker.error(
            code,
            obj.id,
            obj.offset,
            f"expected {what} {expected!r}{_NAMES.get(expected, '')} in a JPQR code, "
            f"found {obj.value!r}",
        )


def _check_language(checker: Checker, template: DataObject | None) -> None:
    if template is None:
        checker.error(
            "jpqr.language",
            "64",
            None,
            "expected ID 64 (Language Template) with the Japanese merchant name in a JPQR code, "
            "found none",
        )
        return
    language = template.find("00")
    if language is not None and language.value.upper() != "JA":
        checker.error(
            "jpqr.language",
            "64.00",
            language.offset,
            f"expected language 'JA' for ID 64.00 in a JPQR code, found {language.value!r}",
        )
    city = template.find("02")
    if city is not None:
        checker.error(
            "jpqr.language",
            "64.02",
            city.offset,
            f"expected no ID 64.02 (city in Japanese) in a JPQR code, found {city.value!r}",
        )


# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(NAME, check, "JPQR")

"""JPQR (統一QRコード), Payments Japan's unified merchant-presented code: the ``emvco`` table plus
the JPQR rows, as a table.

SPEC.md §4, from the only executable JPQR validator found ([ME] mercari/go-emv-code, mpm/jpqr)
and [KZ] JPQRReader: a 26-51 template with GUID ``jp.or.paymentsjapan`` and the four levels of
the unified store identifier (13, 4, 6 and 6 characters), country JP, currency 392, a 7-digit
postal code, and the Japanese merchant name in template 64 with language JA (no 64-02). Amounts
are whole yen. The JPQR guideline itself is not reachable here, so rows cite SPEC.md and [ME].

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

import re

from ..schema import JPQR_IDENTIFIER
from . import _engine, emvco
from ._functions import find_identifier, jpqr_identifier, whole_yen
from ._scheme import Scheme
from ._table import Absent, Allowed, Pattern, Required, Rule, ids

__all__ = ["NAME", "SCHEME", "TABLE", "check", "find_identifier", "is_valid", "parse", "validate"]

NAME = "jpqr"
ME = "SPEC §4 [ME] mpm/jpqr"
YEN = "392"

TABLE = emvco.TABLE.extend(
    NAME,
    "JPQR",
    (
        Rule(
            function=jpqr_identifier,
            options={"levels": JPQR_IDENTIFIER},
            source=f"{ME}; the identifier template 2668, levels of 13, 4, 6, 6 [KZ]",
        ),
        Allowed(
            path="58",
            values=frozenset({"JP"}),
            code="jpqr.country",
            message="expected country code 'JP' in a JPQR code, found {found!r}",
            source=f"{ME}; 58 = JP",
        ),
        Allowed(
            path="53",
            values=frozenset({YEN}),
            code="jpqr.currency",
            message="expected currency '392' (JPY) in a JPQR code, found {found!r}",
            source=f"{ME}; 53 = 392",
        ),
        Required(
            path="61",
            code="jpqr.postal_code",
            message="expected ID 61 (Postal Code) in a JPQR code, found none",
            source=f"{ME}; 61 present",
        ),
        Pattern(
            path="61",
            pattern=re.compile(r"[0-9]{7}"),
            code="jpqr.postal_code",
            message="expected a 7-digit Japanese postal code without hyphen for ID 61, "
            "found {found!r}",
            source=f"{ME}; 7 digits, no hyphen",
        ),
        Required(
            path="64",
            code="jpqr.language",
            message="expected ID 64 (Language Template) with the Japanese merchant name in a "
            "JPQR code, found none",
            source=f"{ME}; 64 present, the Japanese name in 64-01",
        ),
        Allowed(
            path="64.00",
            values=frozenset({"JA"}),
            code="jpqr.language",
            message="expected language 'JA' for ID 64.00 in a JPQR code, found {found!r}",
            fold_case=True,
            empty=True,
            source=f"{ME}; 64-00 = JA, compared case-insensitively",
        ),
        Absent(
            path="64.02",
            code="jpqr.language",
            message="expected no ID 64.02 (city in Japanese) in a JPQR code, found {found!r}",
            source=f"{ME}; no 64-02",
        ),
        Rule(function=whole_yen, path="54", options={"currency": YEN}, source=f"{ME}; SPEC §4"),
        Rule(function=whole_yen, path="56", options={"currency": YEN}, source=f"{ME}; SPEC §4"),
    ),
    source="SPEC.md §4: the JPQR rules of mercari/go-emv-code and JPQRReader",
)

SCHEME = Scheme(
    NAME,
    "JPQR (Japan, 統一QRコード)",
    "JP",
    guids={"JP.OR.PAYMENTSJAPAN": ids(26, 51)},
    near_misses=frozenset({"JP.OR.JPQR"}),  # SPEC §4: "not JP.OR.JPQR"; README near misses
    precedence=10,
    sources=("SPEC.md §4", "mercari/go-emv-code mpm/jpqr", "JPQRReader"),
    departures=("61 (7-digit postal code) and 64 (Japanese name, language JA) are mandatory",),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

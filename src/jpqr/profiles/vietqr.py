"""VietQR, NAPAS's merchant-presented code for NAPAS247 fast transfers (Vietnam): the ``emvco``
table without the rows VietQR departs from, plus the VietQR rows, as a table.

Source, read in full: NAPAS, *Tài liệu quy định về định dạng mã VietQR trong dịch vụ chuyển
nhanh NAPAS247*, v1.0, 2021-09 (copy: subiz/vietqr ``spec/QR_Format_T&C_v1.0_VN_092021.pdf``
@5a7c8607; "p." below is the page number printed on the page). Its root table (Bảng 1, pp. 8-9)
makes 01 and 38 mandatory and 52, 59 and 60 optional (also §5.2.4 p. 16, §5.2.11-12 p. 22): the
published examples (§6.1 pp. 29-33) have none of the three, so this profile drops EMVCo's rows for
them, and ``emvco`` keeps its own verdict on such a code. Template 38 holds the GUID
``A000000727``, the beneficiary (a template of the bank's BIN and the account or card number) and
the service code (Bảng 4 pp. 14-15).

The amount (§5.2.6 p. 19) is EMVCo's grammar (digits, at most one ".", "50000." valid, not zero:
``_functions.amount`` already reports those), and "the number of digits after the decimal point
must match the exponent of the currency in ISO 4217": EMVCo only warns (``amount.decimals``) when
there are more; here a decimal part of another length than the exponent is ``vietqr.amount`` (a
"." with nothing after it stays valid: the spec's own example "50000.").

Left out, with why: 62 is "C" in Bảng 1 but "O" in §5.2.14 p. 23 (disputed within the spec, so
no presence rule); the condition under which 38-02 is required is not stated (C, no rule); 53 =
704 and 58 = VN are not required (Bảng 6 p. 18 and Bảng 7 p. 21 list foreign values); the service
codes ``QRPUSH``/``QRCASH`` of a later v1.5.2 (not read) are not accepted: this is v1.0's list.

>>> from jpqr.profiles import vietqr
>>> napas = ("00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC"
...          "53037045802VN63044F52")  # §6.1.2 p. 30: static, to a card
>>> vietqr.is_valid(napas)
True
>>> other = napas.replace("QRIBFTTC", "QRIBFTTX")  # same length; the CRC no longer fits
>>> [issue.code for issue in vietqr.validate(other).errors]
['vietqr.service', 'crc.mismatch']

The spec's §6.1.1 string (p. 29) declares 38-01-01 with length 12 for the 13 characters of its
own field table, so its 38-01 does not read as data objects (``vietqr.beneficiary``); its CRC
was computed over the typo.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import _kernels
from ..errors import DecodeError
from . import _engine, emvco
from ._functions import check_amount
from ._scheme import Scheme
from ._table import Allowed, Level, Pattern, Required, Rule, Templates, describe, join, plan

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = ["NAME", "SCHEME", "TABLE", "check", "exponent_amount", "is_valid", "parse"]
__all__ += ["validate"]

NAME = "vietqr"
DOC = "NAPAS VietQR v1.0 (2021-09) [spec]"
GUID = "A000000727"
SERVICE_CODES = frozenset({"QRIBFTTA", "QRIBFTTC"})


def nested_template(checker: Checker, level: Level, row: Rule) -> None:
    """The object at ``row.path`` read as data objects (VietQR 38-01, Bảng 4 p. 14: "a
    combination of data objects"), which EMVCo does not decode: ``options["code"]`` when its
    value is not ID/length/value to its end, else ``options["rows"]`` run over them at their
    own level (paths ``38.01.00``)."""
    obj = level.by_id.get(row.path)
    if obj is None or not obj.value:
        return
    path = join(level.path, row.path)
    try:
        children = _kernels.decode(obj.value)
    except DecodeError as exc:
        checker.error(
            row.options["code"],
            path,
            obj.offset,
            f"expected data objects (ID, length, value) in {describe(path)}, found "
            f"{obj.value!r}: {exc.message}",
        )
        return
    if obj.offset is not None:  # offsets in the payload, not in the value
        start = obj.offset + 4
        children = tuple(
            child._replace(offset=None if child.offset is None else start + child.offset)
            for child in children
        )
    inner = Level(children, path)
    plan(row.options["rows"])(checker, inner)


def exponent_amount(checker: Checker, level: Level, row: Rule) -> None:
    """The decimals of the amount at ``row.path`` (54) match the currency's ISO 4217 exponent
    (``checker.exponent``, set by the currency row): none, or exactly that many (VietQR §5.2.6
    p. 19; QRIS 4.7.8.1 says the same). An amount EMVCo's grammar rejects is left to
    ``amount.format``/``amount.zero``; an unknown currency to ``currency.unknown``. Reports
    ``options["code"]`` naming ``options["scheme"]``."""
    obj = level.by_id.get(row.path)
    exponent = checker.exponent
    if obj is None or exponent is None or check_amount(obj.value) is not None:
        return
    decimals = len(obj.value.partition(".")[2])
    if decimals not in (0, exponent):
        path = join(level.path, row.path)
        wanted = "no decimals" if exponent == 0 else f"no decimals or exactly {exponent}"
        checker.error(
            row.options["code"],
            path,
            obj.offset,
            f"expected {wanted} for {describe(path)} in a {row.options['scheme']} code (the "
            f"currency's ISO 4217 exponent), found {decimals} in {obj.value!r}",
        )


# Bảng 4 p. 14 and §5.2.3.2.2 p. 15: 38-01 is two sub-objects, the bank's BIN issued by the State
# Bank of Vietnam (6, e.g. 970403) and the merchant or consumer ID (ans, ≤ 19).
_BENEFICIARY_ROWS = (
    Required(
        path="00",
        code="vietqr.beneficiary",
        message="expected ID 38.01.00 (the bank's BIN, 6 digits) in a VietQR code, found none",
        source=f"{DOC} Bảng 4 p. 14; §5.2.3.2.2 p. 15: two parts",
    ),
    Pattern(
        path="00",
        pattern=re.compile(r"[0-9]{6}"),
        code="vietqr.beneficiary",
        message="expected the bank's 6-digit BIN for ID 38.01.00 in a VietQR code, found {found!r}",
        source=f"{DOC} Bảng 4 p. 14: length 6; §5.2.3.2.2 p. 15: the SBV's BIN (970403)",
    ),
    Required(
        path="01",
        code="vietqr.beneficiary",
        message="expected ID 38.01.01 (the account or card number) in a VietQR code, found none",
        source=f"{DOC} Bảng 4 p. 14; §5.2.3.2.2 p. 15: two parts",
    ),
    Pattern(
        path="01",
        pattern=re.compile(r"[ -~]{1,19}"),
        code="vietqr.beneficiary",
        message="expected at most 19 characters (ans) for ID 38.01.01 in a VietQR code, "
        "found {found!r}",
        source=f"{DOC} Bảng 4 p. 14: ≤ 19; §5.2.3.2.2 p. 15: ANS, ≤ 19",
    ),
)

_ACCOUNT_ROWS = (
    Allowed(
        path="00",
        values=frozenset({GUID}),
        code="vietqr.guid",
        message=f"expected the NAPAS AID {GUID!r} for ID 38.00 in a VietQR code, found {{found!r}}",
        fold_case=True,
        source=f"{DOC} Bảng 4 p. 14: 'always A000000727'; §5.2.3.2.1 p. 15",
    ),
    Required(
        path="01",
        code="vietqr.beneficiary",
        message="expected ID 38.01 (the beneficiary: bank BIN and account) in a VietQR code, "
        "found none",
        source=f"{DOC} Bảng 4 p. 14: 01 M",
    ),
    Rule(
        function=nested_template,
        path="01",
        options={"code": "vietqr.beneficiary", "rows": _BENEFICIARY_ROWS},
        source=f"{DOC} Bảng 4 p. 14: 38-01 a combination of data objects",
    ),
    Allowed(
        path="02",
        values=SERVICE_CODES,
        code="vietqr.service",
        message="expected service code 'QRIBFTTA' (to an account) or 'QRIBFTTC' (to a card) "
        "for ID 38.02 in a VietQR code, found {found!r}",
        source=f"{DOC} Bảng 4 p. 15; §5.2.3.2.3 p. 15",
    ),
)

TABLE = emvco.TABLE.without("required 52", "required 59", "required 60").extend(
    NAME,
    "VietQR",
    (
        Required(
            path="01",
            code="vietqr.point_of_initiation",
            message="expected ID 01 (Point of Initiation Method) in a VietQR code, found none",
            source=f"{DOC} Bảng 1 p. 8: 01 M; §5.2.2 p. 13",
        ),
        Required(
            path="38",
            code="vietqr.account",
            message=f"expected ID 38 (the NAPAS merchant account, GUID {GUID!r}) in a VietQR "
            "code, found none",
            source=f"{DOC} Bảng 1 p. 8: 38 M; §5.2.3.2 p. 14: ID 38 is VietQR's",
        ),
        Templates(rows=((frozenset({"38"}), _ACCOUNT_ROWS),), source=f"{DOC} Bảng 4 pp. 14-15"),
        Rule(
            function=exponent_amount,
            path="54",
            options={"code": "vietqr.amount", "scheme": "VietQR"},
            source=f"{DOC} §5.2.6 p. 19: decimals match the ISO 4217 exponent",
        ),
    ),
    source=f"{DOC}, subiz/vietqr spec/QR_Format_T&C_v1.0_VN_092021.pdf @5a7c8607",
)

SCHEME = Scheme(
    NAME,
    "VietQR (Vietnam, NAPAS247)",
    "VN",
    guids={GUID: frozenset({"38"})},
    near_misses=frozenset({"A00000727", "A0000007270", "A000000772", "A000000725"}),
    precedence=20,
    sources=(
        "NAPAS, Tài liệu quy định về định dạng mã VietQR trong dịch vụ chuyển nhanh NAPAS247, "
        "v1.0, 2021-09 (subiz/vietqr spec/QR_Format_T&C_v1.0_VN_092021.pdf)",
    ),
    departures=(
        "52, 59, 60 optional (Bảng 1 pp. 8-9)",
        "01 and 38 mandatory",
        "54 decimals must match the currency's exponent (an error, not a warning)",
    ),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

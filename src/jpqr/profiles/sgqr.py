"""SGQR, Singapore's unified merchant-presented code, with the PayNow and NETS merchant accounts
it carries: the ``emvco`` table plus the rows of those three templates, as a table.

Neither the *SGQR Specifications* (MAS / IMDA) nor the ABS PayNow QR format was reachable, so
every row here is from an operator-style web document or a library, tagged as such: [doc] the
PayNow field table of http://francolifeproject.com/PayNowQR/index.html (unofficial), [lib]
lee-ratinan/emv-qr @e92eec33 (``src/EmvMerchant.php``, ``src/EmvMerchantDecoder.php``), checked
against the published codes of zionsg/sgqr-parser, pyraxo/sgqr-parser and xkjyeah/sgqr-inspector
(tests/data/schemes/sgqr.jsonl). The rows apply to the template whose GUID names it, wherever in
26-51 it is: ``SG.PAYNOW`` (26 in every sample), ``SG.SGQR`` (51), ``SG.COM.NETS`` (26 or 28).
Any of the three names the code for ``classify``, PayNow anywhere in 26-51, SGQR in 51 only; an
SGQR code also carries wallets' templates (Grab, Dash, Fave, WeChat Pay), so this scheme's
precedence is above any other scheme whose template it carries: the SGQR code is the whole code.

Left out, with why: the PayNow mobile and UEN patterns of 26-02 and "26-03 = 0 on a static code
is an error" (one library each: unsourced); 26-05 (seen once, meaning unknown); NETS 26-02 as 15
digits and 26-01 as 23 digits (lee-ratinan's regexes, against every published NETS code: 11
characters in 02, a letter in 01: disputed; the library marks its NETS code "no good example");
Payload Format Indicator ``00`` (no such payload found). Expiry (26-04) is reported by
``classify`` and not judged here: whether a code has expired depends on the clock.

Expiry, a documented choice (no source gives a time zone): 26-04 is Singapore time (UTC+08:00,
as lee-ratinan compares it), and a date without a time (``YYYYMMDD``) is valid to the end of that
day; :func:`expiry` returns it as an aware UTC datetime.

>>> from jpqr.profiles import sgqr
>>> odoo = ("00020101021226400009SG.PAYNOW010120213200002150HWCF030105204000053037025403100"
...         "5802SG5914company_1_data6009Singapore62170113INV/TEST/0001630416C8")
>>> sgqr.is_valid(odoo)  # odoo l10n_sg test_emv_qr_vals
True
>>> [issue.code for issue in sgqr.validate(odoo.replace("5303702", "5303840")).errors]
['sgqr.currency', 'crc.mismatch']
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from ..dataobject import DataObject
from . import _engine, emvco
from ._scheme import Scheme, Tree
from ._table import Allowed, Level, Pattern, Required, Row, Rule, describe, ids, join, plan

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = ["NAME", "SCHEME", "TABLE", "check", "expiry", "is_valid", "parse", "validate"]

NAME = "sgqr"
FRANCO = "[doc] francolifeproject.com/PayNowQR (PayNow field table, unofficial)"
LEE = "[lib] lee-ratinan/emv-qr @e92eec33"
PAYNOW, SGQR, NETS = "SG.PAYNOW", "SG.SGQR", "SG.COM.NETS"
SINGAPORE_TIME = timezone(timedelta(hours=8))
ACCOUNT_IDS = ids(26, 51)


def account(tree: Tree, guid: str) -> DataObject | None:
    """The first 26-51 template whose GUID (00) is ``guid`` (compared upper-cased)."""
    return next((obj for obj in tree if _guid(obj) == guid), None)


def _guid(obj: DataObject) -> str | None:
    """The upper-cased GUID of a 26-51 template, else None."""
    if obj.id not in ACCOUNT_IDS or obj.children is None:
        return None
    guid = next((child for child in obj.children if child.id == "00"), None)
    return guid.value.upper() if guid is not None else None


def accounts(checker: Checker, level: Level, row: Rule) -> None:
    """Each 26-51 template whose GUID (any case) is a key of ``options["rows"]`` gets those
    rows at its own level, and where a code has one, the rows of ``options["root"]`` for that
    GUID run at the root (PayNow: 53 = 702). SGQR codes put PayNow, NETS and the SGQR template
    where the merchant chose, so the rows follow the GUID, not an ID."""
    by_guid, seen = row.options["rows"], set()
    for obj in level.objects:
        guid = _guid(obj) if obj.value else None
        rows = by_guid.get(guid) if guid is not None else None
        if rows is None:
            continue
        seen.add(guid)
        inner = Level(obj.children or (), join(level.path, obj.id))
        plan(rows)(checker, inner)
    for guid, rows in row.options["root"].items():
        if guid in seen:
            plan(rows)(checker, level)


def _parse_date(value: str, time: bool = True) -> datetime | None:
    """``YYYYMMDD`` (or with ``time`` ``YYYYMMDDHHMMSS``) as a naive datetime, else None."""
    if not (len(value) == 8 or (time and len(value) == 14)):
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    clock = (
        (int(value[8:10]), int(value[10:12]), int(value[12:14])) if len(value) > 8 else (0, 0, 0)
    )
    try:  # the constructor, not strptime (ten times slower): the same calendar checks
        return datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), *clock)
    except ValueError:  # 20211301: digits, but no such date
        return None


def date_value(checker: Checker, level: Level, row: Rule) -> None:
    """The value at ``row.path`` is a real date ``YYYYMMDD`` (or, with ``options["time"]``,
    ``YYYYMMDDHHMMSS`` too): else ``options["code"]``."""
    obj = level.by_id.get(row.path)
    if obj is None or not obj.value:
        return
    value = obj.value
    parsed = _parse_date(value, row.options["time"])
    if parsed is None:
        path = join(level.path, row.path)
        shape = "YYYYMMDD or YYYYMMDDHHMMSS" if row.options["time"] else "YYYYMMDD"
        checker.error(
            row.options["code"],
            path,
            obj.offset,
            f"expected a date {shape} for {describe(path)} in an SGQR code, found {value!r}",
        )


def expiry(tree: Tree) -> datetime | None:
    """When a PayNow code expires (26-04), as an aware UTC datetime; None without a readable
    26-04. Singapore time; a bare date lasts to the end of the day (see the module docstring).

    >>> import jpqr
    >>> tree = jpqr.decode("00020101021226470009SG.PAYNOW010120208123456780301004082026030452"
    ...                    "040000530370254040.995802SG5911testcompany6009Singapore62270123"
    ...                    "testordernumber1234567863040047")
    >>> str(expiry(tree))  # 26-04 = 20260304: to the end of 4 March 2026, Singapore time
    '2026-03-04 15:59:59+00:00'
    """
    template = account(tree, PAYNOW)
    children = template.children or () if template is not None else ()
    found = next((child for child in children if child.id == "04"), None)
    if found is None:
        return None
    parsed = _parse_date(found.value)
    if parsed is None:
        return None
    if len(found.value) == 8:
        parsed += timedelta(days=1, seconds=-1)
    try:
        return parsed.replace(tzinfo=SINGAPORE_TIME).astimezone(timezone.utc)
    except OverflowError:  # 00010101000000 in Singapore is before 1 January of year 1 in UTC
        return None


_PAYNOW_ROWS: tuple[Row, ...] = (
    Required(
        path="01",
        code="sgqr.paynow_proxy",
        message="expected sub-ID 01 (the proxy type) in the PayNow template, found none",
        source=f"{FRANCO}; {LEE} EmvMerchantDecoder.php:686-715 (missing proxy type)",
    ),
    Allowed(
        path="01",
        values=frozenset({"0", "2"}),
        code="sgqr.paynow_proxy",
        message="expected proxy type '0' (mobile) or '2' (UEN) in the PayNow template, "
        "found {found!r}",
        source=f"{FRANCO}; {LEE} EmvMerchant.php:720-723",
    ),
    Required(
        path="02",
        code="sgqr.paynow_proxy",
        message="expected sub-ID 02 (the proxy value: mobile number or UEN) in the PayNow "
        "template, found none",
        source=f"{FRANCO}; {LEE} EmvMerchantDecoder.php:690",
    ),
    Allowed(
        path="03",
        values=frozenset({"0", "1"}),
        code="sgqr.paynow_editable",
        message="expected amount-editable flag '0' or '1' in the PayNow template, found {found!r}",
        source=f"{FRANCO}; {LEE} EmvMerchant.php:724-727, EmvMerchantDecoder.php:736-740",
    ),
    Rule(
        function=date_value,
        path="04",
        options={"code": "sgqr.paynow_expiry", "time": True},
        source=f"{FRANCO}: YYYYMMDD or YYYYMMDDHHMMSS; {LEE} EmvMerchantDecoder.php:742-758",
    ),
)

_SGQR_ROWS: tuple[Row, ...] = (
    Pattern(
        path="02",
        pattern=re.compile(r"[0-9]{2}\.[0-9]{4}"),
        code="sgqr.version",
        message="expected an SGQR version NN.NNNN for the SGQR template's sub-ID 02, "
        "found {found!r}",
        source=f"{LEE} EmvMerchantDecoder.php:947-951; every published SGQR (01.0001, 00.0021)",
    ),
    Pattern(
        path="03",
        pattern=re.compile(r"[0-9]{6}"),
        code="sgqr.postal_code",
        message="expected a 6-digit Singapore postal code for the SGQR template's sub-ID 03, "
        "found {found!r}",
        source=f"{LEE} EmvMerchantDecoder.php:953-957",
    ),
    Rule(
        function=date_value,
        path="07",
        options={"code": "sgqr.date", "time": False},
        source=f"{LEE} EmvMerchantDecoder.php:977-982 (new version date, YYYYMMDD)",
    ),
)

_NETS_ROWS: tuple[Row, ...] = (
    Pattern(
        path="03",
        pattern=re.compile(r"[0-9]{8}"),
        code="sgqr.nets",
        message="expected an 8-digit terminal ID for the NETS template's sub-ID 03, "
        "found {found!r}",
        source=f"{LEE} EmvMerchantDecoder.php:899-904",
    ),
    Pattern(
        path="99",
        pattern=re.compile(r"[A-Z0-9]{8}"),
        code="sgqr.nets",
        message="expected an 8-character signature (upper-case hex) for the NETS template's "
        "sub-ID 99, found {found!r}",
        source=f"{LEE} EmvMerchantDecoder.php:911-913",
    ),
)

_PAYNOW_ROOT_ROWS: tuple[Row, ...] = (
    Allowed(
        path="53",
        values=frozenset({"702"}),
        code="sgqr.currency",
        message="expected currency '702' (SGD) in a code with a PayNow template (PayNow "
        "accepts SGD only), found {found!r}",
        source=f"{FRANCO}: 53 = 702, SGD only",
    ),
)

TABLE = emvco.TABLE.extend(
    NAME,
    "SGQR",
    (
        Rule(
            function=accounts,
            options={
                "rows": {PAYNOW: _PAYNOW_ROWS, SGQR: _SGQR_ROWS, NETS: _NETS_ROWS},
                "root": {PAYNOW: _PAYNOW_ROOT_ROWS},
            },
            source=f"{FRANCO}; {LEE}: the PayNow, SGQR and NETS templates",
        ),
    ),
    source=f"{FRANCO}; {LEE} (the SGQR specification itself was not reachable)",
)

SCHEME = Scheme(
    NAME,
    "SGQR (Singapore, with PayNow and NETS)",
    "SG",
    guids={PAYNOW: ACCOUNT_IDS, SGQR: frozenset({"51"}), NETS: ACCOUNT_IDS},
    near_misses=frozenset(
        {
            "SG.PAYN0W",
            "SGPAYNOW",
            "SG.PAY.NOW",
            "SG.PAYNOW.",
            "SG.SQGR",
            "SGQR",
            "SG.SGQR.",
            "SG.NETS",
            "COM.SG.NETS",
            "SG.COM.NET",
        }
    ),
    expiry=expiry,
    # An SGQR code carries many wallets' templates (Grab, Dash, WeChat Pay, ...): the SGQR, PayNow
    # and NETS GUIDs name the whole code, so it wins over any other scheme's template in it.
    precedence=30,
    sources=(
        "SGQR Specifications (MAS / IMDA) and the ABS PayNow QR format: not read",
        "francolifeproject.com/PayNowQR (PayNow field table, unofficial)",
        "lee-ratinan/emv-qr @e92eec33 src/EmvMerchant.php, src/EmvMerchantDecoder.php",
    ),
    departures=(
        "none from EMVCo: the PayNow (26-01 0/2, 26-03 0/1, 26-04 a date; 53 = 702), SGQR "
        "(51-02 NN.NNNN, 51-03 6 digits, 51-07 a date) and NETS (03, 99) rows narrow it",
        "expiry in PayNow 26-04 (YYYYMMDD or YYYYMMDDHHMMSS, Singapore time)",
    ),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

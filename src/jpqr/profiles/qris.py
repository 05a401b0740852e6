"""QRIS, Indonesia's national merchant-presented code (Bank Indonesia / ASPI, *Standar Nasional
QR Code Pembayaran*): the ``emvco`` table plus the QRIS rows, as a table.

The standard itself was not read; its sections are quoted in the Javadoc of astrapay/spring-qris
@5fbdda73 (AstraPay, a licensed Indonesian e-money issuer), files under
``src/main/java/com/astrapay/qris/``: rows cite the section and the file that quotes it
([spec-quote]); a rule the library only states as an annotation is marked [lib].

A QRIS code names the national repository in template 51 (GUID ``ID.CO.QRIS.WWW``, the older
``ID.OR.GPNQR.WWW`` in earlier codes) and its acquirers in 26-45 (Tabel 4.3): those carry the
merchant PAN (N ≤ 19), the merchant ID (≤ 15, no ``|``) and the criteria (Tabel 4.6). A QRIS
transfer code (Tabel 3.20, 4.2: template 40 with purpose 62-08 ``BOOK``/``DMCT``/``XBCT``) has a
transfer account in 40 instead, a customer PAN of 16-19 digits; it must be dynamic, and its 52,
if there, is ``4829``.

``classify`` knows a QRIS code by 51's GUID (the legacy one with the warning ``scheme.legacy``),
or by :func:`detect` where 51 is not there (dynamic and transfer codes, 26-00 = ``00``): 58 =
``ID`` with a domestic acquirer's template. Its precedence is above the acquirers' and any
international scheme's template a code may carry: the national template names the whole code.

The amount (4.7.8.1) is EMVCo's grammar ("1000.00", "1000" and "1000." valid; "1000,00",
"1.000", "1 000" not: ``_functions.amount`` reports those), and the decimals "must match the
exponent of the currency in ISO 4217" (IDR: 2): a decimal part of another length is
``qris.amount`` (EMVCo only warns when there are more).

Left out, with why: 26-45-03 criteria "M" (Tabel 4.3) against Tabel 4.6's "if 03 is absent the
issuer fills in URE" (disputed: only the value is checked); the NNS prefix of the merchant PAN
(4.7.5.5; the library's own check is commented out and the NNS list is not available); 62-99 ≤ 91
(4.8.1.4) against the library's ``max = 95`` (disputed); 58 = ``ID`` (4.7.12.1 only requires an
ISO 3166 code; QRIS rules that depend on Indonesia are conditional on 58 = ID, as quoted).

>>> from jpqr.profiles import qris
>>> dana = ("00020101021126570011ID.DANA.WWW011893600915300060605702090006060570303UMI51440014"
...         "ID.CO.QRIS.WWW0215ID10190046990790303UMI5204481453033605802ID5912Saifullah.id6014"
...         "Kota Pontianak61057812463045F72")  # astrapay QrisMapperTest.java:31
>>> qris.is_valid(dana)
True
>>> [issue.code for issue in qris.validate(dana.replace("0303UMI5144", "0303UMX5144")).errors]
['qris.criteria', 'crc.mismatch']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import _engine, emvco
from ._scheme import Scheme, Tree
from ._table import (
    Allowed,
    Level,
    Pattern,
    Required,
    Row,
    Rule,
    Templates,
    describe,
    ids,
    join,
    plan,
)
from .vietqr import exponent_amount

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = ["NAME", "SCHEME", "TABLE", "check", "detect", "is_valid", "parse", "validate"]

NAME = "qris"
AP = "QRIS standard [spec-quote] astrapay/spring-qris @5fbdda73"
MPM = "mpm/object/QrisPayload.java"  # Tabel 3.6, the root, and the 4.x sections about it
DATA = "mpm/object/QrisDataObject.java"  # Tabel 4.3 and the template annotations
TRANSFER = "mpm/object/QrisTransferPayload.java"  # 4.2, Tabel 3.20
GUID = "ID.CO.QRIS.WWW"
LEGACY_GUID = "ID.OR.GPNQR.WWW"
RUPIAH = "360"
INDONESIA = "ID"
# Tabel 4.6 (MerchantCriteria.java): micro, small, medium, large, regular, public service
# obligation, public service agency.
CRITERIA = frozenset({"UMI", "UKE", "UME", "UBE", "URE", "PSO", "BLU"})
# Tabel 3.23 via QrisType.java / QrisTransferPayload.java: the purposes of a transfer code.
TRANSFER_PURPOSES = frozenset({"BOOK", "DMCT", "XBCT"})
NO_PIPE = re.compile(r"[^|]*")
ACQUIRER_IDS = ids(26, 45)


def is_transfer(level: Level) -> bool:
    """A QRIS transfer code: template 40 and purpose 62-08 ``BOOK``, ``DMCT`` or ``XBCT``
    (QrisType.java, "ditandai dengan Transfer Account Information (ID 40) dan Purpose of
    Transaction (62-08)")."""
    if level.path or "40" not in level.by_id:
        return False
    purpose = level.find("62.08")
    return purpose is not None and purpose.value in TRANSFER_PURPOSES


def accounts(checker: Checker, level: Level, row: Rule) -> None:
    """Each merchant account template of ``options["ids"]`` (26-45) gets ``options["rows"]`` at
    its own level; in a transfer code (:func:`is_transfer`) template 40 gets
    ``options["transfer"]`` instead (Tabel 3.20: the transfer account, not an acquirer)."""
    members, transfer = row.options["ids"], is_transfer(level)
    for obj in level.objects:
        if obj.id not in members or obj.children is None or not obj.value:
            continue
        rows = row.options["transfer"] if transfer and obj.id == "40" else row.options["rows"]
        inner = Level(obj.children, join(level.path, obj.id))
        plan(rows)(checker, inner)


def when_indonesia(checker: Checker, level: Level, row: Rule) -> None:
    """Where 58 is ``ID`` (Indonesia): ``options["rows"]`` (53 = 360, 4.7.7.1; 61 mandatory,
    Tabel 3.6). A code of another country is left to EMVCo's rules."""
    country = level.by_id.get("58")
    if country is None or country.value != INDONESIA:
        return
    plan(row.options["rows"])(checker, level)


def when_transfer(checker: Checker, level: Level, row: Rule) -> None:
    """In a transfer code (:func:`is_transfer`): ``options["rows"]`` (4.2: 01 = 12, 52 = 4829)."""
    if is_transfer(level):
        plan(row.options["rows"])(checker, level)


def static_needs_national(checker: Checker, level: Level, row: Rule) -> None:
    """4.7.7 (quoted in MerchantAccountInformation51ExistValidator.java): 51 "wajib ditampilkan"
    (must be there) when 01 is ``11``: ``qris.national``."""
    point = level.by_id.get("01")
    if point is not None and point.value == "11" and "51" not in level.by_id:
        checker.error(
            "qris.national",
            "51",
            None,
            f"expected ID 51 (the national QRIS template, GUID {GUID!r}) in a static QRIS "
            "code (ID 01 '11'), found none",
        )


def detect(tree: Tree) -> bool:
    """A QRIS code without the national GUID: 58 is ``ID`` and a domestic acquirer's template
    (26-45, 4.7.5.1: "wajib digunakan untuk acquirer domestik") is there. Dynamic codes need no
    51 (4.7.7 asks for it in static ones), transfer codes have 40 only (Tabel 3.20), and 26-00
    may be the default ``00`` (4.7.5.3), so the GUIDs alone miss them."""
    country = next((obj.value for obj in tree if obj.id == "58"), None)
    return country == INDONESIA and any(
        obj.id in ACQUIRER_IDS and obj.children is not None for obj in tree
    )


def _no_pipe(path: str) -> Pattern:
    return Pattern(
        path=path,
        pattern=NO_PIPE,
        code="qris.pipe",
        message=f"expected no '|' in {describe(path)} of a QRIS code, found {{found!r}}",
        source=f"{AP} {MPM}: Tabel 3.6, {path} '*exclude | pipe karakter'",
    )


# Tabel 4.3 (QrisDataObject.java): the acquirer's template, 26-45.
_ACQUIRER_ROWS: tuple[Row, ...] = (
    Required(
        path="01",
        code="qris.merchant_pan",
        message="expected sub-ID 01 (the merchant PAN) in a QRIS merchant account (26-45), "
        "found none",
        source=f"{AP} {DATA}: Tabel 4.3, 01 PAN M",
    ),
    Pattern(
        path="01",
        pattern=re.compile(r"[0-9]{1,19}"),
        code="qris.merchant_pan",
        message="expected a merchant PAN of at most 19 digits in a QRIS merchant account, "
        "found {found!r}",
        source=f"{AP} {DATA}: Tabel 4.3, 01 N var. up to 19; 4.7.5.4",
    ),
    Required(
        path="02",
        code="qris.merchant_id",
        message="expected sub-ID 02 (the acquirer's merchant ID) in a QRIS merchant account "
        "(26-45), found none",
        source=f"{AP} {DATA}: Tabel 4.3, 02 ID M",
    ),
    Pattern(
        path="02",
        pattern=re.compile(r"[^|]{1,15}"),
        code="qris.merchant_id",
        message="expected a merchant ID of at most 15 characters without '|' in a QRIS "
        "merchant account, found {found!r}",
        source=f"{AP} {DATA}: Tabel 4.3, 02 ans var. up to 15, exclude '|'",
    ),
    Allowed(
        path="03",
        values=CRITERIA,
        code="qris.criteria",
        message="expected a merchant criteria of Tabel 4.6 (UMI, UKE, UME, UBE, URE, PSO, BLU) "
        "in a QRIS merchant account, found {found!r}",
        source=f"{AP} MerchantCriteria.java: Tabel 4.6; {DATA}: 03 length 3",
    ),
)

# Tabel 3.20 (QrisTransferPayload.java): the transfer account, 40, in a transfer code.
_TRANSFER_ACCOUNT_ROWS: tuple[Row, ...] = (
    Required(
        path="01",
        code="qris.transfer",
        message="expected sub-ID 01 (the customer PAN) in the transfer account 40 of a QRIS "
        "transfer code, found none",
        source=f"{AP} {TRANSFER}: Tabel 3.20, 40-01 M",
    ),
    Pattern(
        path="01",
        pattern=re.compile(r"[0-9]{16,19}"),
        code="qris.transfer",
        message="expected a customer PAN of 16 to 19 digits for ID 40.01 of a QRIS transfer "
        "code, found {found!r}",
        source=f"{AP} {TRANSFER}: 40-01 Customer PAN 16-19 digits (numeric)",
    ),
    Required(
        path="02",
        code="qris.transfer",
        message="expected sub-ID 02 (the beneficiary ID) in the transfer account 40 of a QRIS "
        "transfer code, found none",
        source=f"{AP} {TRANSFER}: Tabel 3.20, 40-02 M",
    ),
    Pattern(
        path="02",
        pattern=re.compile(r".{1,15}"),
        code="qris.transfer",
        message="expected a beneficiary ID of at most 15 characters for ID 40.02 of a QRIS "
        "transfer code, found {found!r}",
        source=f"{AP} {TRANSFER}: 40-02 var. up to 15",
    ),
)

_NATIONAL_ROWS: tuple[Row, ...] = (
    Required(
        path="02",
        code="qris.nmid",
        message="expected sub-ID 02 (the National Merchant ID, NMID) in template 51 of a QRIS "
        "code, found none",
        source=f"[lib] astrapay {DATA}: @MerchantAccountInformationMandatoryField(51, id=2)",
    ),
    Pattern(
        path="02",
        pattern=re.compile(r".{1,15}"),
        code="qris.nmid",
        message="expected a National Merchant ID of at most 15 characters for ID 51.02 of a "
        "QRIS code, found {found!r}",
        source=f"[lib] astrapay {DATA}: @MerchantAccountInformationCharLength(51, id=2, 15)",
    ),
    Allowed(
        path="03",
        values=CRITERIA,
        code="qris.criteria",
        message="expected a merchant criteria of Tabel 4.6 (UMI, UKE, UME, UBE, URE, PSO, BLU) "
        "for ID 51.03 of a QRIS code, found {found!r}",
        source=f"{AP} MerchantCriteria.java: Tabel 4.6 (every published 51 carries one)",
    ),
)

_INDONESIA_ROWS: tuple[Row, ...] = (
    Allowed(
        path="53",
        values=frozenset({RUPIAH}),
        code="qris.currency",
        message="expected currency '360' (IDR) in a QRIS code of Indonesia (ID 58 'ID'), "
        "found {found!r}",
        source=f"{AP} validation/TransactionCurrencyValidator.java: 4.7.7.1",
    ),
    Required(
        path="61",
        code="qris.postal_code",
        message="expected ID 61 (Postal Code) in a QRIS code of Indonesia (ID 58 'ID'), found none",
        source=f"{AP} {MPM}: Tabel 3.6, 61 'M if 58 is ID'",
    ),
)

_TRANSFER_ROWS: tuple[Row, ...] = (
    Allowed(
        path="01",
        values=frozenset({"12"}),
        code="qris.transfer",
        message="expected Point of Initiation Method '12' (dynamic) in a QRIS transfer code, "
        "found {found!r}",
        source=f"{AP} {TRANSFER}: 4.2 item 1, 01 'WAJIB = 12'",
    ),
    Required(
        path="01",
        code="qris.transfer",
        message="expected ID 01 (Point of Initiation Method '12') in a QRIS transfer code, "
        "found none",
        source=f"{AP} {TRANSFER}: 4.2 item 1, 01 'wajib ada'",
    ),
    Allowed(
        path="52",
        values=frozenset({"4829"}),
        code="qris.transfer",
        message="expected Merchant Category Code '4829' (transfer) in a QRIS transfer code, "
        "found {found!r}",
        source=f"{AP} {TRANSFER}: 4.2 item 3, MCC 4829",
    ),
)

TABLE = emvco.TABLE.extend(
    NAME,
    "QRIS",
    (
        Rule(
            function=accounts,
            options={
                "ids": ACQUIRER_IDS,
                "rows": _ACQUIRER_ROWS,
                "transfer": _TRANSFER_ACCOUNT_ROWS,
            },
            source=f"{AP} {DATA}: 4.7.5.1-2, Tabel 4.3; {TRANSFER}: Tabel 3.20",
        ),
        Templates(rows=((frozenset({"51"}), _NATIONAL_ROWS),), source=f"{AP} {DATA}"),
        Rule(
            function=static_needs_national,
            source=f"{AP} validation/MerchantAccountInformation51ExistValidator.java: 4.7.7",
        ),
        Rule(function=when_indonesia, options={"rows": _INDONESIA_ROWS}, source=f"{AP} {MPM}"),
        Rule(function=when_transfer, options={"rows": _TRANSFER_ROWS}, source=f"{AP} {TRANSFER}"),
        Rule(
            function=exponent_amount,
            path="54",
            options={"code": "qris.amount", "scheme": "QRIS"},
            source=f"{AP} validation/TransactionAmountValidator.java: 4.7.8.1",
        ),
        _no_pipe("59"),
        _no_pipe("60"),
        _no_pipe("61"),
    ),
    source=f"{AP}: the QRIS sections quoted in its Javadoc",
)

SCHEME = Scheme(
    NAME,
    "QRIS (Indonesia)",
    "ID",
    guids={GUID: frozenset({"51"})},
    legacy={LEGACY_GUID: frozenset({"51"})},
    detect=detect,
    near_misses=frozenset(
        {"ID.CO.QRIS.COM", "ID.CO.QRIS", "ID.QRIS.WWW", "ID.OR.QRIS.WWW", "ID.CO.QRLS.WWW"}
    ),
    # 51 names the whole code; the acquirers' GUIDs in 26-45 are only its merchant accounts.
    precedence=30,
    sources=(
        "Bank Indonesia / ASPI, Standar Nasional QR Code Pembayaran (QRIS), PADG No. "
        "21/18/PADG/2019: not read; sections quoted by astrapay/spring-qris @5fbdda73",
    ),
    departures=(
        "61 mandatory and 53 = 360 where 58 = ID",
        "51 mandatory in a static code",
        "54 decimals must match the currency's exponent (an error, not a warning)",
    ),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

"""KHQR (Cambodia, Bakong): the ``emvco`` table plus the KHQR rows, as a table.

The National Bank of Cambodia's KHQR content guideline was not read (the versions libraries
cite disagree). The rows come from fidele007/bakong-khqr-php @274ba40d, a port of NBC's own SDK
(npm ``bakong-khqr``), read in a fetched snapshot ([BK] below, tagged [lib]): what its
``verify()`` rejects (``src/BakongKHQR.php`` ``decodeKHQRValidation``, the models of
``src/Models/``), with the SDK's error names in the sources.

KHQR has **no GUID**: 29 (individual) and 30 (merchant) hold the Bakong account ``name@bank``
in sub-ID 00; a code is recognised by such an account and 58 = KH (``SCHEME.detect``).
``kh.gov.nbc.bakong`` is the SDK's Java package name, not an identifier.

Template 99 is the timestamp template: 00 creation, 01 expiry, in milliseconds since the epoch.
A dynamic code (01 = 12) needs an amount and an expiry that is 13 digits, not before the
creation and **not in the past**. That last rule reads a clock: :func:`validate`,
:func:`is_valid` and :func:`parse` compare with the system clock (UTC) at the time of the call,
as the SDK does; :func:`validate_at` takes the time as an argument (reports that do not change
with the day they are made). The expiry is ``SCHEME.expiry`` for ``classify``.

Departures from EMVCo: none (every row narrows it). Left out (README "khqr"): the 64 Khmer
language (EMVCo's rows already accept ``km`` in lower case); 99 in codes that are not dynamic
(a multi-scheme code uses 99 for something else, DecodeTest "Decode Test 5"), which the SDK does
not check either. The README examples of the SDK that show a dynamic code with a creation time
only passing are contradicted by its code and tests (``Timestamp.php``, ValidTest.php:36): here
such a code gets ``khqr.expiry``.

>>> from datetime import datetime, timezone
>>> from jpqr.profiles import khqr
>>> sdk = ("00020101021229180014jonhsmith@nbcq52045999530311654035005802KH5910Jonh Smith6010"
...        "PHNOM PENH993400131742250594187011317422506541846304EA38")
>>> khqr.validate_at(sdk, datetime(2025, 3, 17, 22, 0, tzinfo=timezone.utc)).ok
True
>>> [issue.code for issue in khqr.validate(sdk).errors]  # expired on 2025-03-17 at 22:30 UTC
['khqr.expired']
>>> khqr.SCHEME.expiry(khqr.parse_tree(sdk))
datetime.datetime(2025, 3, 17, 22, 30, 54, 184000, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .. import _kernels
from ..dataobject import DataObject
from ..report import ValidationReport
from . import _engine, emvco
from ._scheme import Scheme, Tree
from ._table import Allowed, Level, Pattern, Profile, Rule, Templates

if TYPE_CHECKING:
    from ._engine import Checker, Payload

__all__ = ["NAME", "SCHEME", "TABLE", "check", "detect", "expiry", "is_valid", "khqr_account"]
__all__ += ["parse", "parse_tree", "table_at", "timestamps", "validate", "validate_at"]

NAME = "khqr"
BK = "bakong-khqr-php @274ba40d"
ACCOUNTS = frozenset({"29", "30"})
KEY = "khqr timestamps"  # the row table_at() gives its time
TIMESTAMP_DIGITS = 13  # EMV.php:98 INVALID_LENGTH_TIMESTAMP


def _account(tree: Tree) -> DataObject | None:
    """The first 29 or 30 template."""
    return next((obj for obj in tree if obj.id in ACCOUNTS and obj.children is not None), None)


def khqr_account(checker: Checker, level: Level, row: Rule) -> None:
    """A Bakong account template, 29 (individual) or 30 (merchant): [BK] ``KHQRData.php``
    ``KHQRTag`` (29 required) and ``BakongKHQR.php:257-262`` (30 read as 29); else
    ``khqr.account``. Its sub-IDs are :class:`Pattern` rows."""
    if ACCOUNTS.isdisjoint(level.by_id):
        checker.error(
            "khqr.account",
            "29",
            None,
            "expected a Bakong account template, 29 (individual) or 30 (merchant), in a KHQR "
            "code, found neither",
        )


def _ms(obj: DataObject | None) -> int | None:
    """A 13-digit timestamp in milliseconds, or None. ASCII digits only: str.isdigit() is true
    for "²" (which int() refuses) and "١" (which int() reads), neither a digit of a timestamp."""
    value = obj.value if obj is not None else ""
    if len(value) != TIMESTAMP_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def timestamps(checker: Checker, level: Level, row: Rule) -> None:
    """The amount and the 99 timestamp template of a dynamic code, as [BK] ``verify()`` checks
    them (``BakongKHQR.php:274-286``, ``src/Models/Timestamp.php:17-37``):

    - 01 = 12 needs 54 (``INVALID_DYNAMIC_KHQR``): ``khqr.amount``;
    - 01 = 12, or an amount, needs 99 (``EXPIRATION_TIMESTAMP_REQUIRED``): ``khqr.expiry``;
    - where 01 = 12, 99-01 must be there (``EXPIRATION_TIMESTAMP_REQUIRED``), 13 characters
      (``EXPIRATION_TIMESTAMP_LENGTH_INVALID``), digits (``INVALID_DYNAMIC_KHQR``) and not
      before 99-00 (``EXPIRATION_TIMESTAMP_IN_THE_PAST``): ``khqr.expiry``;
    - and not before now (``KHQR_EXPIRED``): ``khqr.expired``, where now is
      ``options["now"]``, or the system clock when that is None.
    """
    point = level.by_id.get("01")
    dynamic = point is not None and point.value == "12"
    amount = level.by_id.get("54")
    stamps = level.by_id.get("99")
    if dynamic and amount is None:
        checker.error(
            "khqr.amount",
            "54",
            None,
            "expected ID 54 (Transaction Amount) in a dynamic KHQR code (ID 01 is '12'), "
            "found none",
        )
    if stamps is None:
        if dynamic or amount is not None:
            why = "a dynamic KHQR code (ID 01 is '12')" if dynamic else "a KHQR code with ID 54"
            checker.error(
                "khqr.expiry",
                "99",
                None,
                f"expected ID 99 (timestamp template, 01 the expiry) in {why}, found none",
            )
        return
    if not dynamic or stamps.children is None:
        return  # a static code's 99 is not read; a 99 that is no template: the engine's
    children = {child.id: child for child in stamps.children}
    created, expires = children.get("00"), children.get("01")
    if expires is None:
        checker.error(
            "khqr.expiry",
            "99.01",
            None,
            "expected ID 99.01 (expiry, milliseconds since the epoch) in a dynamic KHQR code, "
            "found none",
        )
        return
    end = _ms(expires)
    if end is None:
        checker.error(
            "khqr.expiry",
            "99.01",
            expires.offset,
            f"expected {TIMESTAMP_DIGITS} digits (milliseconds since the epoch) for ID 99.01 "
            f"in a KHQR code, found {expires.value!r}",
        )
        return
    start = _ms(created)
    if start is not None and end < start:
        checker.error(
            "khqr.expiry",
            "99.01",
            expires.offset,
            f"expected the expiry in ID 99.01 not before the creation in ID 99.00 "
            f"({_when(start)}), found {_when(end)}",
        )
        return
    now: datetime = row.options.get("now") or datetime.now(timezone.utc)
    if end < now.timestamp() * 1000:
        checker.error(
            "khqr.expired",
            "99.01",
            expires.offset,
            # The message names no "now": the same code gets the same report all day long.
            f"expected an expiry in ID 99.01 that has not passed, found {_when(end)}: the "
            "KHQR code has expired",
        )


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat()


def _length(id: str, name: str, source: str) -> Pattern:
    return Pattern(
        path=id,
        pattern=re.compile(r"(?s:.{1,32})"),
        code="khqr.account",
        message=f"expected at most 32 characters for ID {id} ({name}) of the Bakong account "
        "template, found {found!r}",
        source=source,
    )


_ACCOUNT_ROWS = (
    Pattern(
        path="00",
        pattern=re.compile(r"(?s:.*@.*)"),
        code="khqr.account",
        message="expected a Bakong account ID 'name@bank' in sub-ID 00 of the Bakong account "
        "template, found {found!r}",
        source=f"{BK} src/Models/GlobalUniqueIdentifier.php:125,132 (BAKONG_ACCOUNT_ID_INVALID) "
        "[lib]; its length ≤ 32 (:127) is EMVCo's GUID rule",
    ),
    _length(
        "01",
        "account information or merchant ID",
        f"{BK} src/Models/GlobalUniqueIdentifier.php:143,157; src/Helpers/EMV.php:112,118 [lib]",
    ),
    _length(
        "02",
        "acquiring bank",
        f"{BK} src/Models/GlobalUniqueIdentifier.php:171; src/Helpers/EMV.php:114 [lib]",
    ),
)

TABLE = emvco.TABLE.extend(
    NAME,
    "KHQR",
    (
        Rule(function=khqr_account, source=f"{BK} src/Helpers/KHQRData.php:53 [lib]"),
        Templates(
            rows=((ACCOUNTS, _ACCOUNT_ROWS),), source=f"{BK} src/Helpers/EMV.php:19-29 [lib]"
        ),
        Allowed(
            path="53",
            values=frozenset({"116", "840"}),
            code="khqr.currency",
            message="expected currency '116' (KHR) or '840' (USD) in a KHQR code, found {found!r}",
            source=f"{BK} src/Models/TransactionCurrency.php:23, src/Helpers/KHQRData.php:24-26 "
            "(UNSUPPORTED_CURRENCY) [lib]",
        ),
        Rule(
            function=timestamps,
            options={"now": None},
            key=KEY,
            source=f"{BK} src/BakongKHQR.php:274-286, src/Models/Timestamp.php:17-37 [lib]; "
            "tests/Feature/Timestamp/ValidTest.php:13-44",
        ),
    ),
    source="NBC KHQR as the official SDK's PHP port bakong-khqr-php applies it [lib] "
    "(tests/data/schemes/README.md, khqr)",
)


def table_at(now: datetime) -> Profile:
    """The KHQR table with "now" fixed at ``now`` (an aware datetime) for ``khqr.expired``."""
    if now.tzinfo is None:
        raise ValueError(f"expected an aware datetime for now, found {now!r}")
    return replace(
        TABLE,
        rows=tuple(
            replace(row, options={"now": now}) if isinstance(row, Rule) and row.key == KEY else row
            for row in TABLE.rows
        ),
    )


def validate_at(
    payload: Payload, now: datetime, *, strict: bool = False, lenient: bool = False
) -> ValidationReport:
    """:func:`validate` with the time of the ``khqr.expired`` rule given (an aware datetime)."""
    return _engine.run(payload, table_at(now).check, NAME, strict=strict, lenient=lenient)[0]


def parse_tree(payload: str) -> Tree:
    """The decoded objects of ``payload`` (no checks): what ``SCHEME`` reads."""
    return _kernels.decode(payload)


def detect(tree: Tree) -> bool:
    """Whether a decoded code is a KHQR code: a 29 or 30 template whose 00 holds a Bakong
    account ``name@bank`` ([BK] EMV.php:19-23), and 58 = KH (there is no GUID)."""
    account = _account(tree)
    if account is None:
        return False
    owner = account.find("00")
    country = next((obj for obj in tree if obj.id == "58"), None)
    return (
        owner is not None and "@" in owner.value and country is not None and (country.value == "KH")
    )


def expiry(tree: Tree) -> datetime | None:
    """When the code expires: 99-01, milliseconds since the epoch (13 digits), in UTC."""
    stamps = next((obj for obj in tree if obj.id == "99" and obj.children is not None), None)
    end = _ms(stamps.find("01")) if stamps is not None else None
    return None if end is None else datetime.fromtimestamp(end / 1000, timezone.utc)


SCHEME = Scheme(
    NAME,
    "KHQR (Cambodia, Bakong)",
    "KH",
    detect=detect,
    expiry=expiry,
    sources=(
        "National Bank of Cambodia, KHQR content guideline (not read)",
        "fidele007/bakong-khqr-php @274ba40d, a port of NBC's SDK npm bakong-khqr [lib]",
    ),
    departures=(
        "no GUID: 29/30 hold the Bakong account name@bank in 00",
        "99 is a timestamp template: 00 creation, 01 expiry (ms since the epoch)",
        "a dynamic code needs 54 and an expiry in 99-01 that has not passed",
    ),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

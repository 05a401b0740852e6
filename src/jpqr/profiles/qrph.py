"""QR Ph (Philippines, BSP / PPMI), person-to-merchant (P2M) and person-to-person (P2P): the
``emvco`` table plus the QR Ph rows, as a table.

No QR Ph specification was found (tests/data/schemes/README.md, "qrph"): every row here is from
an operator's or a PSP's published document [doc] (the afcsblog series, which dissects real
codes field by field, https://afcsblog.ingonoka.com/post/qrph4-qrcode/qrphpart4; PayMongo's API
reference, https://developers.paymongo.com/reference/qr-transfer-resource) or from the fixtures
of a library that parses them [lib], and only where those agree. Left out as unsourced: the
values of 27-02 (``99964403``, ``99960300``: no list), the MCC (6016 in PayMongo's example only),
the GUID in 62-00 (``ph.ppmi.qrph``, ``com.p2pqrpay``, but also ``com.paymaya.qr``,
``ph.starpay`` or none in published codes) and the 88 template.

QR Ph's 62 opens with a GUID in 62-00, which EMVCo's Table 3.7 does not define: the ``emvco``
table leaves an unknown sub-ID of 62 alone, so that needs no departure here.

>>> from jpqr.profiles import qrph
>>> paymongo = (  # PayMongo API reference, QR Transfer Resource
...     "00020101021227770012com.p2pqrpay0111PAEYPHM2XXX02089996440304129858893861530514+"
...     "63-99137298615204601653036085406123.455802PH5913ENG-19818-ged6006Manila62980012c"
...     "om.p2pqrpay0103***0214+63-99137298620303***0408LOYALTY10506test120605cust1070812"
...     "3456780803***6304ED03"
... )
>>> qrph.is_valid(paymongo)
True
>>> [issue.code for issue in qrph.validate(paymongo.replace("5802PH", "5802SG")).errors]
['qrph.country', 'crc.mismatch']
"""

from __future__ import annotations

import re

from . import _engine, emvco
from ._scheme import Scheme
from ._table import Allowed, Pattern, Rule
from .fps import account_rows, scheme_account

__all__ = ["NAME", "SCHEME", "TABLE", "check", "is_valid", "parse", "validate"]

NAME = "qrph"
P2M, P2P = "ph.ppmi.p2m", "com.p2pqrpay"
AFCS = "afcsblog.ingonoka.com QRPh Part 4 [doc]"
PAYMONGO = "PayMongo API reference, QR Transfer Resource [doc]"
FIXTURE = "QRPH fixtures, search-index id 32474225911 [lib]"
# ISO 9362 BIC of 11 characters (bank 4 letters, country 2, location 2, branch 3): every
# acquirer in the sources has 11 (RCBCPHMMXXX, GXCHPHM2XXX, BNORPHMMXXX).
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{5}")


def _bic(id: str, source: str) -> Pattern:
    return Pattern(
        path="01",
        pattern=_BIC,
        code="qrph.bic",
        message=f"expected the acquirer's 11-character BIC for ID {id}.01, found {{found!r}}",
        source=source,
    )


TABLE = emvco.TABLE.extend(
    NAME,
    "QR Ph",
    (
        Rule(
            function=scheme_account,
            options={
                "guids": {P2M: "28", P2P: "27"},
                "code": "qrph.account",
                "scheme": "a QR Ph code",
            },
            source=f"{AFCS} (P2M: 28 ph.ppmi.p2m); {PAYMONGO} (P2P: 27 com.p2pqrpay); {FIXTURE}",
        ),
        Rule(
            function=account_rows,
            options={
                "guid": P2M,
                "rows": (
                    _bic("28", f"{AFCS}: 28-01 acquirer BIC; {FIXTURE} (QRPH, parsed)"),
                    Pattern(
                        path="05",
                        pattern=re.compile(r"[0-9]{3}"),
                        code="qrph.payment_type",
                        message="expected a 3-digit code for ID 28.05, found {found!r}",
                        source=f"{AFCS}: 28-05 '310'; {FIXTURE}: 28-05 payment type '000'",
                    ),
                ),
            },
            source=f"{AFCS}; {FIXTURE}: the P2M template 28",
        ),
        Rule(
            function=account_rows,
            options={
                "guid": P2P,
                "rows": (
                    _bic("27", f"{PAYMONGO}: 27-01 PAEYPHM2XXX; {FIXTURE} (QRPH_INSTAPAY)"),
                    Pattern(
                        path="05",
                        pattern=re.compile(r"\+63-[0-9]+"),
                        code="qrph.mobile",
                        message="expected a mobile number as '+63-' and digits for ID 27.05, "
                        "found {found!r}",
                        source=f"{PAYMONGO}: 27-05 +63-9913729861; Kotlin decode test, "
                        "search-index id 5129033026 [lib]: +63-9178817912",
                    ),
                ),
            },
            source=f"{PAYMONGO}; {FIXTURE}: the P2P template 27",
        ),
        Allowed(
            path="53",
            values=frozenset({"608"}),
            code="qrph.currency",
            message="expected currency '608' (PHP) for ID 53 in a QR Ph code, found {found!r}",
            source=f"{AFCS}; {PAYMONGO}: 53 = 608 in every code they show",
        ),
        Allowed(
            path="58",
            values=frozenset({"PH"}),
            code="qrph.country",
            message="expected country code 'PH' for ID 58 in a QR Ph code, found {found!r}",
            source=f"{AFCS}; {PAYMONGO}: 58 = PH in every code they show",
        ),
    ),
    source=f"{AFCS}; {PAYMONGO}; library fixtures (no QR Ph specification found)",
)

SCHEME = Scheme(
    NAME,
    "QR Ph (Philippines, P2M and P2P)",
    "PH",
    guids={P2M.upper(): frozenset({"28"}), P2P.upper(): frozenset({"27"})},
    near_misses=frozenset(
        {
            "PH.DPMI.P2M",  # seen: fixture MODIFIED_QRPH
            "PH.PPMI.P2P",
            "PH.PPMI.QRPH",  # QR Ph's GUID of 62-00 and 88, not of a merchant account
            "PH.PPMI.P2MICRO",  # seen once in a real seed file; status unknown, so a warning
            "COM.P2PQRPY",
            "PH.P2PQRPAY",
            "COM.P2P.QRPAY",
        }
    ),
    sources=(
        "afcsblog.ingonoka.com, QRPh Part 4 (real codes dissected)",
        "PayMongo API reference, QR Transfer Resource and Execute a transfer",
        "library fixtures (search-index ids 32474225911, 5129033026, 52645720473)",
    ),
    departures=("62 opens with a GUID in 62-00 (EMVCo Table 3.7 defines no 62-00)",),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

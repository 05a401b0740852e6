"""QR Ph (Philippines, BSP / PPMI), person-to-merchant (P2M) and person-to-person (P2P): the
``emvco`` table plus the QR Ph rows, as a table.

No QR Ph specification was found (tests/data/schemes/README.md, "qrph"): every row here is from
an operator's or a PSP's published document [doc] (the afcsblog series, which dissects real
codes field by field, https://afcsblog.ingonoka.com/post/qrph4-qrcode/qrphpart4; PayMongo's API
reference, https://developers.paymongo.com/reference/qr-transfer-resource) or from the fixtures
of a library that parses them [lib], and only where those agree. Left out as unsourced (only
values seen, no rule stated): 28-05 (3 digits, ``000`` or ``310``; "Unknown" to afcsblog, a
"payment type" to one fixture), the format of 27-05 (``+63-`` and digits in two examples of a
"merchant mobile number"), the values of 27-02 (``99964403``, ``99960300``: no list), the MCC
(6016 in PayMongo's example only), the GUID in 62-00 (``ph.ppmi.qrph``, ``com.p2pqrpay``, but
also ``com.paymaya.qr``, ``ph.starpay`` or none in published codes) and the 88 template.
A documented choice: 53 = 608 and 58 = PH, which no text states as a rule, but which the
README lists as QR Ph's: every code the documents dissect has them, and QR Ph is the national
standard of the Philippines (BSP Circular No. 1055, as the BSP's "QR Ph P2M FAQs" say).

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
# 27-01 and 28-01 are named a BIC ("Acquirer Bank Swift Code", afcsblog; "merchant_bic",
# PayMongo): ISO 9362, 4 letters (institution), 2 (country), 2 letters or digits (location),
# optionally 3 more (branch). Every code in the sources has the 11-character form.
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")


def _bic(id: str, source: str) -> Rule:
    """The BIC row of the P2M (``id`` 28) or the P2P (27) account template."""
    guid = P2M if id == "28" else P2P
    return Rule(
        function=account_rows,
        options={
            "guid": guid,
            "rows": (
                Pattern(
                    path="01",
                    pattern=_BIC,
                    code="qrph.bic",
                    message=f"expected an ISO 9362 BIC (8 or 11 characters, upper case) for "
                    f"ID {id}.01, found {{found!r}}",
                    source=source,
                ),
            ),
        },
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
        _bic("28", f"{AFCS}: 28-01 'Acquirer Bank Swift Code'; {FIXTURE} (QRPH, parsed)"),
        _bic("27", f"{PAYMONGO}: 27-01 'merchant_bic'; {FIXTURE} (QRPH_INSTAPAY)"),
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
        "BSP, QR Ph P2M FAQs (PSOD-202110-063): QR Ph, the national standard (Circular 1055)",
        "library fixtures (search-index ids 32474225911, 5129033026, 52645720473)",
    ),
    departures=(
        "the account is 28 (P2M, ph.ppmi.p2m) or 27 (P2P, com.p2pqrpay); 53 = 608, 58 = PH",
        "62 opens with a GUID in 62-00 (EMVCo Table 3.7 defines no 62-00)",
    ),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

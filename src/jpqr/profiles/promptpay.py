"""PromptPay (Thailand, Thai QR Payment): the ``emvco`` table without its 52, 59 and 60 rows,
plus the PromptPay rows, as a table.

The specification is the Bank of Thailand's *Policy Guideline: Standardized Thai QR Code for
Payment Transactions* (data structure on pp. 15-20); it was not read here. The rows come from
the libraries tests/data/schemes/README.md ("promptpay") lists [lib]: maythiwat/promptparse
@388d0359 (``[PP]``: its validators ``src/validate/promptpay/AnyID.ts`` and ``BillPayment.ts``
and its generator ``src/generate/promptpay/AnyID.ts``, read in a fetched snapshot),
dtinth/promptpay-qr and lee-ratinan/emv-qr ``src/EmvMerchant.php``.

The departure: PromptPay codes leave out 52, 59 and 60, which EMVCo makes mandatory (every
dtinth and promptparse output; SPEC §6 lists it), so this profile drops those three rows, and
``emvco`` keeps its own verdict on the same code. Left out, and why (README "promptpay"):

- 53 = 764 and 58 = TH: every generator writes them, no validator or document read requires
  them: **unsourced** as rules;
- the AID ``A000000677010114`` (OTA credit transfer or customer-presented): **disputed**; the
  AIDs ``A000000677012006`` and ``A000000677012004``: **unsourced**; none counts as PromptPay;
- 80 = "VAT TQRC": **unsourced**.

TrueMoney codes carry a UTF-16BE hex message as a primitive in 81 ([PP] index.test.ts:85),
where EMVCo has a template: the engine's structure check says ``tlv.template_not_tlv`` and this
profile cannot change that (the structure checks are the engine's).

>>> from jpqr.profiles import promptpay
>>> phone = "00020101021129370016A000000677010111011300668012345675802TH530376463046197"
>>> promptpay.is_valid(phone)
True
>>> [issue.code for issue in promptpay.validate(phone.replace("010111", "010114")).errors]
['promptpay.account', 'crc.mismatch']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..dataobject import DataObject
from . import _engine, emvco
from ._scheme import Scheme, Tree
from ._table import AnyPresent, Level, Pattern, Required, Row, Rule, plan

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = ["NAME", "SCHEME", "TABLE", "account_rows", "check", "is_valid", "parse"]
__all__ += ["promptpay_account", "validate"]

NAME = "promptpay"
PP = "promptparse @388d0359"
LR = "lee-ratinan/emv-qr src/EmvMerchant.php"
# The AID of each PromptPay merchant account template (sub-ID 00), README "promptpay".
CREDIT_TRANSFER = "A000000677010111"  # 29: credit transfer to a proxy (mobile, ID, e-wallet)
BILL_PAYMENT = "A000000677010112"  # 30: domestic bill payment
PAYMENT_INNOVATION = "A000000677010113"  # 31: "payment innovation" (K SHOP)
AIDS = {CREDIT_TRANSFER: "29", BILL_PAYMENT: "30", PAYMENT_INNOVATION: "31"}


def _accounts(tree: Tree) -> list[tuple[DataObject, str]]:
    """The 26-51 templates with a GUID, and the GUID upper-cased (EMVCo §4.7.11.2 [CR])."""
    found = []
    for obj in tree:
        if "26" <= obj.id <= "51" and obj.children is not None:
            guid = next((child for child in obj.children if child.id == "00"), None)
            if guid is not None:
                found.append((obj, guid.value.upper()))
    return found


def promptpay_account(checker: Checker, level: Level, row: Rule) -> None:
    """A PromptPay merchant account: template 29 with AID ``A000000677010111`` (credit
    transfer), 30 with ``A000000677010112`` (bill payment) or 31 with ``A000000677010113``
    ([PP] validate AnyID.ts:13-18, BillPayment.ts:13-19; [LR]:830-832, :853-855; the 31 of a
    K SHOP code), else ``promptpay.account``; the same where one of these AIDs sits in another
    template (at that template)."""
    accounts = [(obj, guid) for obj, guid in _accounts(level.objects) if guid in AIDS]
    if not accounts:
        wanted = ", ".join(f"{id} with AID {aid}" for aid, id in AIDS.items())
        found = [f"{obj.id} with {guid!r}" for obj, guid in _accounts(level.objects)]
        checker.error(
            "promptpay.account",
            "29",
            None,
            f"expected a PromptPay merchant account ({wanted}), found {', '.join(found) or 'none'}",
        )
    for obj, guid in accounts:
        if obj.id != AIDS[guid]:
            checker.error(
                "promptpay.account",
                obj.id,
                obj.offset,
                f"expected AID {guid} in template {AIDS[guid]} of a PromptPay code, found it "
                f"in template {obj.id}",
            )


def account_rows(checker: Checker, level: Level, row: Rule) -> None:
    """The rows ``options["rows"]`` run inside every template ``options["id"]`` whose AID is
    ``options["aid"]``: the sub-ID rules of a PromptPay account, which must not judge another
    scheme's template under the same ID."""
    rows: tuple[Row, ...] = row.options["rows"]
    for obj, guid in _accounts(level.objects):
        if obj.id == row.options["id"] and guid == row.options["aid"]:
            inner = Level(obj.children or (), obj.id)
            plan(rows)(checker, inner)


def _digits(id: str, name: str, count: int, source: str) -> Pattern:
    return Pattern(
        path=id,
        pattern=re.compile(f"[0-9]{{{count}}}"),
        code="promptpay.proxy",
        message=f"expected {count} digits for ID 29.{id} ({name}) in a PromptPay code, "
        "found {found!r}",
        source=source,
    )


# 29: one proxy of 01-04 ([PP] ProxyType, generate AnyID.ts:3-15; validate AnyID.ts:21-27).
_CREDIT_TRANSFER_ROWS: tuple[Row, ...] = (
    AnyPresent(
        ids=frozenset({"01", "02", "03", "04"}),
        code="promptpay.proxy",
        message="expected a proxy in template 29 of a PromptPay code (01 mobile, 02 national "
        "or tax ID, 03 e-wallet ID, 04 bank account), found none",
        source=f"{PP} src/validate/promptpay/AnyID.ts:21-27 [lib]; {LR}:833-841 [lib]",
    ),
    _digits(
        "01",
        "mobile number, 0066 and the number without its leading 0",
        13,
        f"{PP} src/generate/promptpay/AnyID.ts:34-36 [lib]; {LR}:833-841; dtinth index.test.js",
    ),
    _digits(
        "02",
        "national ID or tax ID",
        13,
        f"{PP} src/generate/promptpay/AnyID.ts:7-8 [lib]; {LR}:833-841; dtinth index.test.js:45-60",
    ),
    _digits(
        "03",
        "e-wallet ID",
        15,
        f"{PP} src/generate/promptpay/AnyID.ts:10-11 [lib]; {LR}:833-841; dtinth index.test.js:69",
    ),
)
# 30: the biller ID and reference 1 ([PP] validate BillPayment.ts:14-19).
_BILL_PAYMENT_ROWS: tuple[Row, ...] = tuple(
    Required(
        path=id,
        code="promptpay.bill",
        message=f"expected ID 30.{id} ({name}) in a PromptPay bill payment, found none",
        source=f"{PP} src/validate/promptpay/BillPayment.ts:14-19 [lib]; {LR}:856-859 [lib]",
    )
    for id, name in (("01", "biller ID"), ("02", "reference 1"))
)

TABLE = emvco.TABLE.without("required 52", "required 59", "required 60").extend(
    NAME,
    "PromptPay",
    (
        Rule(
            function=promptpay_account,
            source=f"{PP} src/validate/promptpay/AnyID.ts:13-18, BillPayment.ts:13-19 "
            f"[lib]; {LR}:830-832,853-855 [lib]",
        ),
        Rule(
            function=account_rows,
            options={"id": "29", "aid": CREDIT_TRANSFER, "rows": _CREDIT_TRANSFER_ROWS},
            source=f"{PP} src/generate/promptpay/AnyID.ts:38-41 [lib]",
        ),
        Rule(
            function=account_rows,
            options={"id": "30", "aid": BILL_PAYMENT, "rows": _BILL_PAYMENT_ROWS},
            source=f"{PP} src/generate/promptpay/BillPayment.ts [lib]",
        ),
    ),
    source="Bank of Thailand Thai QR Code guideline as promptparse, dtinth/promptpay-qr "
    "and lee-ratinan/emv-qr apply it [lib] (tests/data/schemes/README.md, promptpay); "
    "52, 59, 60 optional (SPEC §6)",
    # TrueMoney codes carry a message in 81 as UTF-16BE hex, a primitive where EMVCo has a
    # template (promptparse index.test.ts:85; thai-qr-payment's spec page) [lib]
    primitives=("81",),
)

SCHEME = Scheme(
    NAME,
    "PromptPay (Thailand, Thai QR Payment)",
    "TH",
    guids={aid: frozenset({id}) for aid, id in AIDS.items()},
    near_misses=frozenset({"A00000677010111", "A0000006770101111", "A000000767010111"}),
    sources=(
        "Bank of Thailand, Policy Guideline: Standardized Thai QR Code for Payment "
        "Transactions (not read)",
        "maythiwat/promptparse @388d0359 [lib]",
        "dtinth/promptpay-qr @a9e4f2d1 [lib]",
        "lee-ratinan/emv-qr src/EmvMerchant.php [lib]",
    ),
    departures=(
        "52, 59, 60 optional",
        "81 is a primitive in TrueMoney codes (a UTF-16BE hex message) where EMVCo has a template",
    ),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)

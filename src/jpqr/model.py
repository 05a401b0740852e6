"""Typed merchant-presented codes: what a decoded tree means, as frozen dataclasses.

:func:`from_tree` reads a tree (from :func:`jpqr.decode`) into a :class:`MerchantPresentedCode`;
it keeps the tree, so :meth:`MerchantPresentedCode.to_payload` gives the original text back.
``jpqr.parse`` validates first; ``from_tree`` itself only reads.

>>> from jpqr import decode
>>> code = from_tree(decode("00020101021129370016A000000677010111011300668012345675802TH530376463046197"))
>>> code.point_of_initiation, code.currency.alpha, code.merchant_accounts[0].guid
('static', 'THB', 'A000000677010111')
>>> code.to_payload()
'00020101021129370016A000000677010111011300668012345675802TH530376463046197'
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from . import _kernels
from .dataobject import DataObject
from .schema import JPQR_GUID, Currency, by_numeric

__all__ = [
    "AdditionalData",
    "Currency",
    "JPQRIdentifier",
    "LanguageTemplate",
    "MerchantAccount",
    "MerchantPresentedCode",
    "Template",
    "TipOrConvenience",
    "from_tree",
]

PointOfInitiation = Literal["static", "dynamic"]
_POINT_OF_INITIATION: Mapping[str, PointOfInitiation] = {"11": "static", "12": "dynamic"}
_TIP_KINDS = {"01": "prompt", "02": "fixed", "03": "percentage"}


def _values(objects: tuple[DataObject, ...] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for obj in objects or ():
        values.setdefault(obj.id, obj.value)
    return values


@dataclass(frozen=True)
class MerchantAccount:
    """A merchant account: a card-network primitive (02-25, ``guid`` None) or a template
    (26-51) whose ``values`` map sub-IDs to text, ``guid`` being ``values["00"]``."""

    id: str
    value: str
    guid: str | None = None
    values: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class JPQRIdentifier:
    """The JPQR unified store identifier (SPEC §4): four levels in a 26-51 template."""

    level1: str
    level2: str
    level3: str
    level4: str
    template_id: str = "26"


@dataclass(frozen=True)
class TipOrConvenience:
    """ID 55-57: ``kind`` "prompt" (55=01), "fixed" (02, ``fixed_fee``), "percentage" (03)."""

    kind: str
    fixed_fee: Decimal | None = None
    percentage: Decimal | None = None


@dataclass(frozen=True)
class Template:
    """A template with a GUID: unreserved (80-99) or payment-system specific (62-50..99)."""

    id: str
    guid: str | None
    values: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class AdditionalData:
    """ID 62, the Additional Data Field Template (EMVCo Table 3.7)."""

    bill_number: str | None = None
    mobile_number: str | None = None
    store_label: str | None = None
    loyalty_number: str | None = None
    reference_label: str | None = None
    customer_label: str | None = None
    terminal_label: str | None = None
    purpose: str | None = None
    consumer_data_request: str | None = None
    merchant_tax_id: str | None = None
    merchant_channel: str | None = None
    rfu: Mapping[str, str] = field(default_factory=dict, hash=False)
    templates: tuple[Template, ...] = ()


# Sub-ID of 62 -> attribute of AdditionalData (names from EMVCo Table 3.7).
ADDITIONAL_DATA_FIELDS: Mapping[str, str] = {
    "01": "bill_number",
    "02": "mobile_number",
    "03": "store_label",
    "04": "loyalty_number",
    "05": "reference_label",
    "06": "customer_label",
    "07": "terminal_label",
    "08": "purpose",
    "09": "consumer_data_request",
    "10": "merchant_tax_id",
    "11": "merchant_channel",
}


@dataclass(frozen=True)
class LanguageTemplate:
    """ID 64: the merchant's name and city in another language (Japanese, for JPQR)."""

    language_preference: str
    merchant_name: str
    merchant_city: str | None = None
    rfu: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class MerchantPresentedCode:
    """A merchant-presented code read into named, typed fields; ``objects`` is the raw tree."""

    payload_format: str
    point_of_initiation: PointOfInitiation | None
    merchant_accounts: tuple[MerchantAccount, ...]
    jpqr: JPQRIdentifier | None
    merchant_category_code: str | None
    currency: Currency | None
    amount: Decimal | None
    tip_or_convenience: TipOrConvenience | None
    country: str | None
    merchant_name: str | None
    merchant_city: str | None
    postal_code: str | None
    additional_data: AdditionalData | None
    language: LanguageTemplate | None
    unreserved: tuple[Template, ...]
    rfu: Mapping[str, str] = field(hash=False)
    crc: str | None = None
    objects: tuple[DataObject, ...] = field(default=(), repr=False)

    @property
    def is_dynamic(self) -> bool:
        """Whether the code is made for one payment (ID 01 = 12)."""
        return self.point_of_initiation == "dynamic"

    def to_payload(self) -> str:
        """The code as text: exactly the text it was read from (the CRC object kept as is)."""
        return _kernels.encode(self.objects)


def _decimal(value: str | None) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except ArithmeticError:
        return None


def _template(obj: DataObject) -> Template:
    values = _values(obj.children)
    return Template(obj.id, values.get("00"), values)


def _accounts(objects: tuple[DataObject, ...]) -> tuple[MerchantAccount, ...]:
    accounts = []
    for obj in objects:
        if 2 <= int(obj.id) <= 25:
            accounts.append(MerchantAccount(obj.id, obj.value))
        elif 26 <= int(obj.id) <= 51:
            values = _values(obj.children)
            accounts.append(MerchantAccount(obj.id, obj.value, values.get("00"), values))
    return tuple(accounts)


def find_jpqr(accounts: tuple[MerchantAccount, ...]) -> MerchantAccount | None:
    """The 26-51 template whose GUID is ``jp.or.paymentsjapan`` (any case), if there is one."""
    for account in accounts:
        if account.guid is not None and account.guid.lower() == JPQR_GUID:
            return account
    return None


def _jpqr(accounts: tuple[MerchantAccount, ...]) -> JPQRIdentifier | None:
    account = find_jpqr(accounts)
    if account is None:
        return None
    v = account.values
    return JPQRIdentifier(
        v.get("01", ""), v.get("02", ""), v.get("03", ""), v.get("04", ""), account.id
    )


def _tip(values: Mapping[str, str]) -> TipOrConvenience | None:
    kind = _TIP_KINDS.get(values.get("55", ""))
    if kind is None:
        return None
    return TipOrConvenience(kind, _decimal(values.get("56")), _decimal(values.get("57")))


def _additional(obj: DataObject | None) -> AdditionalData | None:
    if obj is None or obj.children is None:
        return None
    named: dict[str, str] = {}
    rfu: dict[str, str] = {}
    templates = []
    for child in obj.children:
        if child.children is not None:
            templates.append(_template(child))
        elif child.id in ADDITIONAL_DATA_FIELDS:
            named.setdefault(ADDITIONAL_DATA_FIELDS[child.id], child.value)
        else:
            rfu.setdefault(child.id, child.value)
    return AdditionalData(**named, rfu=rfu, templates=tuple(templates))


def _language(obj: DataObject | None) -> LanguageTemplate | None:
    if obj is None or obj.children is None:
        return None
    values = _values(obj.children)
    rfu = {k: v for k, v in values.items() if k not in ("00", "01", "02")}
    return LanguageTemplate(values.get("00", ""), values.get("01", ""), values.get("02"), rfu)


def from_tree(objects: tuple[DataObject, ...]) -> MerchantPresentedCode:
    """Read a decoded tree into a :class:`MerchantPresentedCode` (no validation)."""
    values = _values(objects)
    by_id: dict[str, DataObject] = {}
    for obj in objects:
        by_id.setdefault(obj.id, obj)
    accounts = _accounts(objects)
    currency_code = values.get("53")
    return MerchantPresentedCode(
        payload_format=values.get("00", ""),
        point_of_initiation=_POINT_OF_INITIATION.get(values.get("01", "")),
        merchant_accounts=accounts,
        jpqr=_jpqr(accounts),
        merchant_category_code=values.get("52"),
        currency=by_numeric(currency_code) if currency_code else None,
        amount=_decimal(values.get("54")),
        tip_or_convenience=_tip(values),
        country=values.get("58"),
        merchant_name=values.get("59"),
        merchant_city=values.get("60"),
        postal_code=values.get("61"),
        additional_data=_additional(by_id.get("62")),
        language=_language(by_id.get("64")),
        unreserved=tuple(_template(o) for o in objects if o.id >= "80" and o.children is not None),
        rfu={k: v for k, v in values.items() if "65" <= k <= "79"},
        crc=values.get("63"),
        objects=objects,
    )

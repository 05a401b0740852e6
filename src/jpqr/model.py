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

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from typing import Any, Literal, TypeVar

from . import _kernels
from .dataobject import DataObject, find_path
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
_LANGUAGE_FIELDS = frozenset({"00", "01", "02"})


_T = TypeVar("_T")


def _light(cls: type[_T]) -> type[_T]:
    """A frozen dataclass whose ``__init__`` sets the instance's attributes in one step.

    The ``__init__`` that ``dataclass(frozen=True)`` writes calls ``object.__setattr__`` once a
    field (frozen classes refuse their own ``__setattr__``): 18 calls for a
    :class:`MerchantPresentedCode`, most of the cost of :func:`from_tree`. This one has the same
    signature and defaults and gives the instance its whole ``__dict__`` at once; everything
    else (repr, equality, hash, pickling, ``dataclasses.replace``, FrozenInstanceError) is the
    dataclass's own, unchanged.
    """
    names, params, factories = [], [], {}
    for spec in fields(cls):  # type: ignore[arg-type]
        names.append(spec.name)
        if spec.default is not MISSING:
            params.append(f"{spec.name}=_defaults[{spec.name!r}]")
        elif spec.default_factory is not MISSING:
            params.append(f"{spec.name}=_MISSING")
            factories[spec.name] = spec.default_factory
        else:
            params.append(spec.name)
    body = [f"    if {name} is _MISSING: {name} = _factories[{name!r}]()" for name in factories]
    items = ", ".join(f"{name!r}: {name}" for name in names)
    body.append(f"    _set(self, '__dict__', {{{items}}})")
    source = f"def __init__(self, {', '.join(params)}) -> None:\n" + "\n".join(body)
    scope: dict[str, Any] = {
        "_defaults": {f.name: f.default for f in fields(cls)},  # type: ignore[arg-type]
        "_factories": factories,
        "_MISSING": MISSING,
        "_set": object.__setattr__,
    }
    exec(source, scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010 - the class is made; mypy sees its own __init__
    return cls


def _values(objects: tuple[DataObject, ...] | None) -> dict[str, str]:
    """Sub-ID to value in the order of the objects; of duplicates, the first wins."""
    if not objects:
        return {}
    values = {obj[0]: obj[1] for obj in objects}
    if len(values) != len(objects):  # duplicates (an invalid code): the first wins
        values = {}
        for obj in objects:
            values.setdefault(obj[0], obj[1])
    return values


def _first_of_each(objects: tuple[DataObject, ...]) -> dict[str, DataObject]:
    """ID to object in the order of the objects; of duplicates, the first wins."""
    by_id = {obj[0]: obj for obj in objects}
    if len(by_id) != len(objects):
        by_id = {}
        for obj in objects:
            by_id.setdefault(obj[0], obj)
    return by_id


@_light
@dataclass(frozen=True)
class MerchantAccount:
    """A merchant account: a card-network primitive (02-25, ``guid`` None) or a template
    (26-51) whose ``values`` map sub-IDs to text, ``guid`` being ``values["00"]``."""

    id: str
    value: str
    guid: str | None = None
    values: Mapping[str, str] = field(default_factory=dict, hash=False)


@_light
@dataclass(frozen=True)
class JPQRIdentifier:
    """The JPQR unified store identifier (SPEC §4): four levels in a 26-51 template."""

    level1: str
    level2: str
    level3: str
    level4: str
    template_id: str = "26"


@_light
@dataclass(frozen=True)
class TipOrConvenience:
    """ID 55-57: ``kind`` "prompt" (55=01), "fixed" (02, ``fixed_fee``), "percentage" (03)."""

    kind: str
    fixed_fee: Decimal | None = None
    percentage: Decimal | None = None


@_light
@dataclass(frozen=True)
class Template:
    """A template with a GUID: unreserved (80-99) or payment-system specific (62-50..99)."""

    id: str
    guid: str | None
    values: Mapping[str, str] = field(default_factory=dict, hash=False)


@_light
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


@_light
@dataclass(frozen=True)
class LanguageTemplate:
    """ID 64: the merchant's name and city in another language (Japanese, for JPQR)."""

    language_preference: str
    merchant_name: str
    merchant_city: str | None = None
    rfu: Mapping[str, str] = field(default_factory=dict, hash=False)


@_light
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

    def get(self, path: str) -> str | None:
        """The raw value at the ID path ``path`` (``"59"``, ``"62.05"``), as read; ``None`` when
        the code has no such object (see :func:`jpqr.dataobject.find_path`).

        >>> code = from_tree(_kernels.decode(
        ...     "00020101021129370016A000000677010111011300668012345675802TH530376463046197"))
        >>> code.get("29.01"), code.get("58"), code.get("62.05")
        ('0066801234567', 'TH', None)
        """
        found = find_path(self.objects, path)
        return None if found is None else found.value

    def to_dynamic(
        self,
        *,
        amount: Decimal | int | str | None = None,
        reference: str | None = None,
        terminal: str | None = None,
    ) -> MerchantPresentedCode:
        """This code made dynamic (01 = 12) with ``amount`` (54), ``reference`` (62-05) and
        ``terminal`` (62-07), built anew: :meth:`jpqr.Builder.to_dynamic`, whose rules apply.
        """
        from .builder import Builder  # the builder sits above the model

        builder = Builder.from_code(self)
        return builder.to_dynamic(amount=amount, reference=reference, terminal=terminal).build()

    def to_static(self) -> MerchantPresentedCode:
        """This code made static (01 = 11, no 54, no 62-05 reference):
        :meth:`jpqr.Builder.to_static`."""
        from .builder import Builder

        return Builder.from_code(self).to_static().build()


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
        id = obj.id
        if "02" <= id <= "25":
            accounts.append(MerchantAccount(id, obj.value))
        elif "26" <= id <= "51":
            values = _values(obj.children)
            accounts.append(MerchantAccount(id, obj.value, values.get("00"), values))
    return tuple(accounts) if accounts else ()


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
    children = obj.children if obj is not None else None
    if children is None:
        return None
    values = _values(children)
    get = values.get
    rfu: dict[str, str] = {}
    templates = []
    for child in children:
        if child.children is not None:
            templates.append(_template(child))
        elif child.id not in ADDITIONAL_DATA_FIELDS:
            rfu.setdefault(child.id, child.value)
    return AdditionalData(  # 01-11 in the order of ADDITIONAL_DATA_FIELDS
        get("01"),
        get("02"),
        get("03"),
        get("04"),
        get("05"),
        get("06"),
        get("07"),
        get("08"),
        get("09"),
        get("10"),
        get("11"),
        rfu,
        tuple(templates) if templates else (),
    )


def _language(obj: DataObject | None) -> LanguageTemplate | None:
    if obj is None or obj.children is None:
        return None
    values = _values(obj.children)
    get = values.get
    rfu = {k: v for k, v in values.items() if k not in _LANGUAGE_FIELDS}
    return LanguageTemplate(get("00", ""), get("01", ""), get("02"), rfu)


def from_tree(objects: tuple[DataObject, ...]) -> MerchantPresentedCode:
    """Read a decoded tree into a :class:`MerchantPresentedCode` (no validation)."""
    by_id = _first_of_each(objects)
    values = {id: obj[1] for id, obj in by_id.items()}
    get = values.get
    accounts = _accounts(objects)
    currency_code = get("53")
    return MerchantPresentedCode(
        get("00", ""),
        _POINT_OF_INITIATION.get(get("01", "")),
        accounts,
        _jpqr(accounts),
        get("52"),
        by_numeric(currency_code) if currency_code else None,
        _decimal(get("54")),
        _tip(values) if "55" in values else None,
        get("58"),
        get("59"),
        get("60"),
        get("61"),
        _additional(by_id.get("62")),
        _language(by_id.get("64")),
        tuple([_template(o) for o in objects if o.id >= "80" and o.children is not None]),
        {k: v for k, v in values.items() if "65" <= k <= "79"},
        get("63"),
        objects,
    )

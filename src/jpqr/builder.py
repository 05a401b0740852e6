"""Build merchant-presented codes that wallets accept: a fluent :class:`Builder`.

Output is canonical (DESIGN.md): ID 00, then 01, then ascending IDs, sub-objects in ascending
order, the CRC last in upper-case hex; S-format text is normalised to NFC. A value that would make
an invalid code is refused with :class:`~jpqr.errors.BuildError` naming the field and the rule, at
the setter where the value alone decides, else at :meth:`Builder.build`, which also validates its
own output under the profile as a final guard.

A builder works under one profile (any of :data:`jpqr.profiles.PROFILES`): a JPQR builder starts
with country ``JP`` and currency JPY (SPEC §4), a national profile's with what its table fixes;
everything else is yours.

>>> import jpqr
>>> code = (jpqr.Builder()
...     .dynamic()
...     .jpqr_identifier("0000000000001", "0001", "000001", "000001")
...     .merchant_category_code("5999")
...     .amount(1500)
...     .merchant_name("EV CHARGE")
...     .merchant_city("TOKYO")
...     .postal_code("1066143")
...     .language("JA", "EV充電ステーション")
...     .reference_label("S-20261121-0042")
...     .terminal_label("EVSE-1")
...     .build())
>>> code.to_payload()[:40]
'00020101021226680019jp.or.paymentsjapan0'
>>> code.amount, code.additional_data.reference_label, jpqr.is_valid(code.to_payload())
(Decimal('1500'), 'S-20261121-0042', True)
>>> jpqr.Builder().merchant_name("Café Ünïcode")
Traceback (most recent call last):
  ...
jpqr.errors.BuildError: [field.charset] expected printable ASCII (format ans) for merchant_name, found 'é'; put non-ASCII names in .language() (at ID 59)
"""  # noqa: E501

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from . import _kernels
from ._crc_py import exact_str
from .dataobject import MAX_INPUT_LENGTH, DataObject
from .errors import BuildError
from .model import ADDITIONAL_DATA_FIELDS, MerchantPresentedCode, from_tree
from .report import Issue
from .schema import (
    ADDITIONAL_DATA,
    GUID_TEMPLATE,
    JPQR_GUID,
    JPQR_IDENTIFIER,
    LANGUAGE,
    MAX_PAYLOAD_LENGTH,
    PAYMENT_SYSTEM_TEMPLATE,
    ROOT,
    UNRESERVED_TEMPLATE,
    Currency,
    Field,
    by_alpha,
    by_numeric,
    is_country,
)

__all__ = ["Builder"]

_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")
# What an amount given as text may look like: the EMVCo form (SPEC §3, ID 54), sign-less.
_AMOUNT_TEXT = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
_PERCENTAGE = re.compile(r"[0-9]{1,2}(\.[0-9]{1,2})?")
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2}")
_FIELD_OF_ADDITIONAL = {name: id for id, name in ADDITIONAL_DATA_FIELDS.items()}
# The profiles whose builder offers the JPQR conveniences (jpqr_identifier): a code built under
# emvco with the JPQR identifier is read as JPQR, and must pass its rules (build() checks that).
_JPQR_FAMILY = frozenset({"jpqr", "emvco"})
#: Names that are no profile, and why neither a profile nor a builder is offered (issue 12: no
#: eL-QR); ``jpqr profiles`` says it too.
UNBUILDABLE = {
    "elqr": "eL-QR (Japan, 地方税統一QRコード) has a fixed 255-character layout whose "
    "specification (MIC / eLTAX) is not reachable, so jpqr neither validates nor builds it",
}


def _text(value: object, spec: Field, name: str, path: str) -> str:
    """Check one value against its schema entry; S text is normalised to NFC first."""
    if not issubclass(type(value), str):  # type(): isinstance() believes a lying __class__
        raise BuildError(
            "build.type", f"expected text for {name}, found {type(value).__name__}", path=path
        )
    length = str.__len__(value)  # type: ignore[arg-type]
    if length > MAX_INPUT_LENGTH:
        # NFC composes at most 4 code points into one, and no field holds 99 or more: refused
        # before normalising (or copying) 100 MB of text.
        raise BuildError(
            "field.length",
            f"expected at most {spec.max_length} characters for {name}, found {length}",
            path=path,
        )
    value = unicodedata.normalize("NFC", exact_str(value))  # type: ignore[arg-type]
    if spec.format == "N" and not (value.isascii() and value.isdigit()):
        raise BuildError(
            "field.format",
            f"expected digits only (format N) for {name}, found {_shown(value)}",
            path=path,
        )
    if spec.format == "ans":
        bad = next((c for c in value if not " " <= c <= "~"), None)
        if bad is not None:
            hint = "; put non-ASCII names in .language()" if path in ("59", "60") else ""
            raise BuildError(
                "field.charset",
                f"expected printable ASCII (format ans) for {name}, found {bad!r}{hint}",
                path=path,
            )
    elif any(unicodedata.category(c) == "Cc" for c in value):
        raise BuildError(
            "field.charset", f"expected text without control characters for {name}", path=path
        )
    elif any(unicodedata.category(c) == "Cs" for c in value):
        raise BuildError(
            "field.charset",
            f"expected text that UTF-8 can encode for {name}, found a lone surrogate",
            path=path,
        )
    if not spec.min_length <= len(value) <= spec.max_length:
        bounds = (
            str(spec.max_length)
            if spec.min_length == spec.max_length
            else f"{spec.min_length} to {spec.max_length}"
        )
        raise BuildError(
            "field.length",
            f"expected {bounds} characters for {name}, found {len(value)} ({value!r})",
            path=path,
        )
    return value


def _decimal(value: object, name: str, path: str) -> Decimal:
    if isinstance(value, bool) or not issubclass(type(value), (Decimal, int, str)):
        raise BuildError(
            "build.type",
            f"expected a Decimal, int or str for {name}, found {type(value).__name__}",
            path=path,
        )
    if issubclass(type(value), str):
        if str.__len__(value) > MAX_INPUT_LENGTH:  # type: ignore[arg-type]
            raise BuildError(
                "field.length",
                f"expected at most {ROOT[path].max_length} characters for {name}, "
                f"found {str.__len__(value)}",  # type: ignore[arg-type]
                path=path,
            )
        value = exact_str(value)  # type: ignore[arg-type]
    elif type(value) is not int and issubclass(type(value), int):
        value = int.__index__(value)  # type: ignore[arg-type]  # its value, not its __str__
    if isinstance(value, str) and not _AMOUNT_TEXT.fullmatch(value):
        # Decimal() would also read " 5", "5_000", "１５" and "1e3": not how EMVCo writes one.
        raise BuildError(
            "amount.format",
            f"expected digits with at most one '.' for {name}, found {_shown(value)}",
            path=path,
        )
    try:
        number = Decimal(value)  # type: ignore[arg-type]
    except InvalidOperation:
        raise BuildError(
            "amount.format",
            f"expected a decimal number for {name}, found {_shown(value)}",
            path=path,
        ) from None
    if not number.is_finite() or number <= 0:
        raise BuildError(
            "amount.zero" if number == 0 else "amount.format",
            f"expected a positive amount for {name}, found {_shown(value)}",
            path=path,
        )
    return number


def _amount_text(number: Decimal, name: str, path: str) -> str:
    limit = ROOT[path].max_length
    if number.adjusted() >= limit or number.as_tuple().exponent <= -limit:  # type: ignore[operator]
        # Too many digits before or after the point to fit: say so without writing them all out
        # ("1e99999999" would be 100 MB of text).
        raise BuildError(
            "field.length",
            f"expected at most {limit} characters for {name}, found {number}",
            path=path,
        )
    text = format(number, "f")
    if not _AMOUNT.fullmatch(text) or len(text) > ROOT[path].max_length:
        raise BuildError(
            "field.length",
            f"expected at most {ROOT[path].max_length} characters for {name}, found {text!r}",
            path=path,
        )
    return text


def _plain(value: object) -> Any:
    """A ``str`` of any subclass as a plain ``str`` (its characters, never its own methods);
    anything else as it is. type(), not isinstance(): isinstance() believes a lying __class__."""
    return exact_str(value) if issubclass(type(value), str) else value  # type: ignore[arg-type]


def _shown(value: object) -> str:
    """``repr`` of a value in a message, without calling a user's ``__repr__``: text and plain
    numbers as they are, anything else by its type."""
    value = _plain(value)
    if type(value) in (str, int, float, bool, Decimal) or value is None:
        return repr(value)
    return f"a {type(value).__name__}"


def _two_digits(id: object) -> TypeGuard[str]:
    # ASCII only: "²²".isdigit() is true and int() refuses it; "٣٣" is 33 to int() but no ID.
    id = _plain(id)
    return type(id) is str and len(id) == 2 and id.isascii() and id.isdigit()


class _Problems:
    """Collects the BuildErrors of several checks, to raise them as one that lists them all."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        """Run one check; a BuildError it raises is kept and the caller carries on."""
        try:
            yield
        except BuildError as exc:
            self.issues.extend(exc.issues)

    def add(self, code: str, message: str, path: str = "", offset: int | None = None) -> None:
        self.issues.append(Issue(code, path, offset, message))

    def raise_any(self) -> None:
        """Raise one BuildError for every problem kept: the first as its code and message."""
        if self.issues:
            first = self.issues[0]
            raise BuildError(
                first.code, first.message, offset=first.offset, path=first.path, issues=self.issues
            )


def _nested(values: Mapping[str, str], spec: Field, path: str) -> str:
    """The value of a template nested in a merchant account template (VietQR's 38-01): its
    sub-values, each checked as the format of ``spec`` allows, encoded in ascending ID order."""
    problems = _Problems()
    children = {}
    for key, value in values.items():
        with problems.check():
            sub = _sub_id(key, path)
            inner = Field(sub, spec.name, spec.format, 1, spec.max_length)
            children[sub] = _text(value, inner, f"ID {path}.{sub}", f"{path}.{sub}")
    problems.raise_any()
    if not children:
        raise BuildError(
            "build.spec", f"expected sub-values in the template nested at {path}", path=path
        )
    return DataObject.template(path, [DataObject(k, v) for k, v in sorted(children.items())]).value


def _sub_id(key: str, path: str) -> str:
    if not (len(key) == 2 and key.isascii() and key.isdigit()):
        raise BuildError(
            "build.sub_id",
            f"expected 2-digit sub-IDs in template {path}, found {_shown(key)}",
            path=path,
        )
    return key


def _root_rows(module: Any) -> tuple[Any, ...]:
    """The rows of a profile's table that run at the root of the code."""
    return tuple(module.TABLE.rows)


def _root_fields(module: Any) -> Mapping[str, Field]:
    """The formats and lengths the profile's table gives the root objects (its first root
    ``Fields`` row: EMVCo's ROOT table, unless a scheme's table says otherwise)."""
    from .profiles._table import Fields

    rows = _root_rows(module)
    found = next((row for row in rows if isinstance(row, Fields) and not row.lengths_only), None)
    return found.table if found is not None else ROOT


def _payload_format(module: Any) -> str:
    """The payload format indicator (ID 00) a new code of the profile carries: the one value a
    root row of its table allows (EMVCo: ``01``, the only version MPM v1.1 defines), or the
    ``version`` a rule function on 00 takes (DuitNow: ``02``, PayNet V1.5)."""
    from .profiles._table import Allowed, Rule

    for row in _root_rows(module):
        if isinstance(row, Allowed) and row.path == "00" and len(row.values) == 1:
            return str(next(iter(row.values)))
        if isinstance(row, Rule) and row.path == "00" and "version" in row.options:
            return str(row.options["version"])
    return "01"


def _presets(module: Any) -> tuple[str | None, str | None]:
    """The country and currency a builder of the profile ``module`` starts with, read from its
    table: the scheme's country where a root row makes ID 58 mandatory, and a currency only
    where a root row allows one value alone for ID 53 (no currency is guessed from a country)."""
    from .profiles._table import Allowed, Required

    rows = _root_rows(module)
    required = {row.path for row in rows if isinstance(row, Required)}
    scheme = getattr(module, "SCHEME", None)
    country = scheme.country if scheme is not None and "58" in required else None
    currency = None
    if "53" in required:
        allowed = [row for row in rows if isinstance(row, Allowed) and row.path == "53"]
        if len(allowed) == 1 and len(allowed[0].values) == 1:
            currency = next(iter(allowed[0].values))
    return country, currency


class Builder:
    """A fluent builder of one merchant-presented code under ``profile``: any name of
    :data:`jpqr.profiles.PROFILES` (``"jpqr"``, ``"emvco"``, the national profiles).

    A profile with a scheme starts with its country where its table makes ID 58 mandatory, and
    with its currency only where a row of its table allows one currency alone (JPQR: ``JP`` and
    JPY, SPEC §4); everything else is yours. Every setter returns the builder; a setter called
    twice keeps the last value.

    >>> Builder("emvco").to_payload()
    Traceback (most recent call last):
      ...
    jpqr.errors.BuildError: [field.missing] expected ID 52 (Merchant Category Code), found none (at ID 52); and [field.missing] expected ID 53 (Transaction Currency), found none (at ID 53); and [field.missing] expected ID 58 (Country Code), found none (at ID 58); and [field.missing] expected ID 59 (Merchant Name), found none (at ID 59); and [field.missing] expected ID 60 (Merchant City), found none (at ID 60); and [account.missing] expected at least one merchant account (IDs 02-51), found none
    >>> Builder("elqr")
    Traceback (most recent call last):
      ...
    jpqr.errors.BuildError: [build.profile] expected a profile jpqr can build, found 'elqr': eL-QR (Japan, 地方税統一QRコード) has a fixed 255-character layout whose specification (MIC / eLTAX) is not reachable, so jpqr neither validates nor builds it
    """  # noqa: E501

    def __init__(self, profile: str = "jpqr") -> None:
        from .profiles import PROFILES

        profile = _plain(profile)
        if type(profile) is str and profile in UNBUILDABLE:
            raise BuildError(
                "build.profile",
                f"expected a profile jpqr can build, found {profile!r}: {UNBUILDABLE[profile]}",
            )
        if type(profile) is not str or profile not in PROFILES:
            known = ", ".join(map(repr, PROFILES))
            raise BuildError(
                "build.profile", f"expected one of the profiles {known}, found {_shown(profile)}"
            )
        self.profile = profile
        # What a root setter checks a value against: the profile's own field table.
        self._fields = _root_fields(PROFILES[profile])
        # The unreserved IDs 80-99 the profile reads as primitive values (Profile.primitives).
        self._primitives: frozenset[str] = PROFILES[profile].TABLE.primitives
        self._root: dict[str, str] = {}
        self._templates: dict[str, dict[str, str]] = {}
        self._additional: dict[str, str] = {}
        self._additional_templates: dict[str, dict[str, str]] = {}
        self._language: dict[str, str] = {}
        self._amount: Decimal | None = None
        self._fee: Decimal | None = None
        self._currency: Currency | None = None
        # ID 00, the payload format indicator: the version the profile's table states.
        self._format = _payload_format(PROFILES[profile])
        country, currency = _presets(PROFILES[profile])
        if country is not None:
            self.country(country)
        if currency is not None:
            self.currency(currency)

    # -- from an existing code -----------------------------------------------------------------

    @classmethod
    def from_code(
        cls,
        code: MerchantPresentedCode | str | bytes | bytearray | memoryview,
        profile: str | None = None,
    ) -> Builder:
        """A builder holding every object of an existing ``code``: a typed code, or payload text
        (read with :func:`jpqr.parse`, which raises on an invalid one).

        ``build()`` then gives the code back in canonical form: the same objects with the same
        values (RFU objects kept; the language preference in its own case), ascending IDs, the
        CRC recomputed in upper case. The profile is the one :func:`jpqr.classify` names for the
        code (``"jpqr"`` for a code with the JPQR identifier, a national profile for a code of
        its scheme, else ``"emvco"``); every value is checked as its setter checks it, and a
        :class:`~jpqr.errors.BuildError` lists every problem in ``issues``.

        >>> Builder.from_code("0002010102116304AD0A")
        Traceback (most recent call last):
          ...
        jpqr.errors.ValidationError: [field.missing] expected ID 52 (Merchant Category Code), found none (at ID 52)
        >>> text = Builder().static().jpqr_identifier("0000000000001", "0001", "000001", "000001"
        ...     ).merchant_category_code("5999").merchant_name("SHOP").merchant_city("TOKYO"
        ...     ).postal_code("1066143").language("JA", "店").to_payload()
        >>> Builder.from_code(text).build().to_payload() == text
        True
        >>> Builder.from_code(text).merchant_name("SHOP 2").build().merchant_name
        'SHOP 2'
        """  # noqa: E501
        from .api import parse

        if not issubclass(type(code), MerchantPresentedCode):  # not a lying __class__
            if not issubclass(type(code), (str, bytes, bytearray, memoryview)):
                raise BuildError(
                    "build.type",
                    f"expected a MerchantPresentedCode or payload text, found {_shown(code)}",
                )
            code = parse(_plain(code), profile or "auto")
        # The class's own to_payload, not an override's: the text it was read from.
        payload = MerchantPresentedCode.to_payload(code)  # type: ignore[arg-type]  # checked
        if type(payload) is not str:
            raise BuildError(
                "build.type", f"expected the code's payload as text, found {_shown(payload)}"
            )
        tree = _kernels.decode(payload)
        if profile is None:  # the scheme of the code, as jpqr.classify names it
            from .profiles._classify import classify_tree

            profile = classify_tree(tree).profile
        builder = cls(profile)
        builder._root.clear()  # the code's own 58 and 53, not the JPQR defaults
        builder._currency = None
        root = {obj.id: obj.value for obj in reversed(tree)}  # the first of each ID, as read
        problems = _Problems()
        seen: set[str] = set()
        for obj in tree:
            with problems.check():
                if obj.id in seen:
                    raise BuildError(
                        "duplicate.id", f"expected ID {obj.id} once, found it again", path=obj.id
                    )
                seen.add(obj.id)
                builder._read(obj, root)
        problems.raise_any()
        return builder

    def _read(self, obj: DataObject, root: Mapping[str, str]) -> None:
        """Take one root object of an existing code through the setter that checks it."""
        id, value, number = obj.id, obj.value, int(obj.id)
        if id == "00":  # kept as read (DuitNow writes 02): build() judges it under the profile
            self._format = _text(value, self._fields.get(id, ROOT[id]), "ID 00", id)
        elif id == "01":
            if value not in _POINT_OF_INITIATION:
                raise BuildError(
                    "field.value",
                    f"expected point of initiation 11 or 12, found {value!r}",
                    path=id,
                )
            getattr(self, _POINT_OF_INITIATION[value])()
        elif 2 <= number <= 25:
            self.merchant_account(id, value=value)
        elif 26 <= number <= 51:
            guid, values = _guid_and_values(obj)
            self.merchant_account(id, guid, **values)
        elif id in _ROOT_SETTERS:
            getattr(self, _ROOT_SETTERS[id])(value)
        elif id == "55":
            self._read_tip(value, root)
        elif id in ("56", "57"):
            if root.get("55") != _TIP_OF[id]:
                raise BuildError(
                    "tip.unexpected",
                    f"expected ID {id} only when ID 55 is {_TIP_OF[id]!r}, "
                    f"found {'ID 55 ' + repr(root['55']) if '55' in root else 'no ID 55'}",
                    path=id,
                )
        elif id == "62":
            self._read_additional(obj)
        elif id == "64":
            self._read_language(obj)
        elif 65 <= number <= 79:  # RFU for EMVCo: kept as read, checked as format S
            self._root[id] = _text(value, self._fields.get(id, ROOT[id]), f"ID {id}", id)
        elif number >= 80 and obj.children is None and id in self._primitives:
            self.unreserved_value(id, value)
        elif number >= 80:
            guid, values = _guid_and_values(obj)
            self.unreserved(id, guid, **values)
        # 63, the CRC, is recomputed by build().

    def _read_tip(self, indicator: str, root: Mapping[str, str]) -> None:
        if indicator == "01":
            self.tip_prompt()
            return
        if indicator not in ("02", "03"):
            raise BuildError(
                "field.value", f"expected ID 55 '01', '02' or '03', found {indicator!r}", path="55"
            )
        id = "56" if indicator == "02" else "57"
        if id not in root:
            raise BuildError(
                "field.missing",
                f"expected ID {id} when ID 55 is {indicator!r}, found none",
                path=id,
            )
        if id == "56":
            self.convenience_fee(root[id])
        else:
            self.convenience_percentage(root[id])

    def _read_additional(self, obj: DataObject) -> None:
        problems = _Problems()
        for child, path in _children(obj):
            with problems.check():
                if child.id in ADDITIONAL_DATA_FIELDS:
                    getattr(self, ADDITIONAL_DATA_FIELDS[child.id])(child.value)
                elif int(child.id) >= 50:
                    guid, values = _guid_and_values(child, path)
                    self.payment_system_template(child.id, guid, **values)
                else:  # 12-49 (RFU for EMVCo) and 00 (undefined): kept as read, as format S
                    spec = ADDITIONAL_DATA.get(child.id, _UNDEFINED)
                    self._additional[child.id] = _text(child.value, spec, f"ID {path}", path)
        problems.raise_any()

    def _read_language(self, obj: DataObject) -> None:
        values = dict(_children_values(obj))
        if "00" not in values or "01" not in values:
            missing = "00" if "00" not in values else "01"
            raise BuildError(
                "field.missing",
                f"expected ID 64.{missing} ({LANGUAGE[missing].name}), found none",
                path=f"64.{missing}",
            )
        preference = values.pop("00")
        self.language(preference, values.pop("01"), values.pop("02", None))
        # Kept in its own case ("km" is as valid as "KM": SPEC §3, ID 64), not upper-cased.
        self._language["00"] = preference
        for id, value in values.items():  # 03-99, RFU for EMVCo
            self._language[id] = _text(value, LANGUAGE[id], f"ID 64.{id}", f"64.{id}")

    # -- root objects ---------------------------------------------------------------------------

    def _set(self, id: str, value: object, name: str) -> Builder:
        self._root[id] = _text(value, self._fields.get(id, ROOT[id]), name, id)
        return self

    def static(self) -> Builder:
        """Point of initiation 11: one code printed for many payments."""
        self._root["01"] = "11"
        return self

    def dynamic(self) -> Builder:
        """Point of initiation 12: a new code for each payment (a charging session)."""
        self._root["01"] = "12"
        return self

    def jpqr_identifier(
        self, level1: str, level2: str, level3: str, level4: str, template_id: str = "26"
    ) -> Builder:
        """The JPQR unified store identifier (SPEC §4): levels of 13, 4, 6 and 6 characters.

        JPQR's own: a builder of a national profile refuses it (its code would be read as JPQR).

        >>> Builder("emvco").jpqr_identifier("0000000000001", "0001", "000001", "000001").build()
        Traceback (most recent call last):
          ...
        jpqr.errors.BuildError: [field.missing] expected ID 52 (Merchant Category Code), found none (at ID 52); and [field.missing] expected ID 53 (Transaction Currency), found none (at ID 53); and [field.missing] expected ID 58 (Country Code), found none (at ID 58); and [field.missing] expected ID 59 (Merchant Name), found none (at ID 59); and [field.missing] expected ID 60 (Merchant City), found none (at ID 60); and [jpqr.postal_code] expected ID 61 (Postal Code) in a JPQR code, found none (at ID 61); and [jpqr.language] expected ID 64 (Language Template) with the Japanese merchant name in a JPQR code, found none (at ID 64)
        """  # noqa: E501
        if self.profile not in _JPQR_FAMILY:
            raise BuildError(
                "build.profile",
                f"expected profile 'jpqr' or 'emvco' for jpqr_identifier (the JPQR store "
                f"identifier), found profile {self.profile!r}",
                path=_plain(template_id) if _two_digits(template_id) else "",
            )
        self._check_account_id(template_id, templates=True)
        values = {"00": JPQR_GUID}
        problems = _Problems()  # every bad level at once
        for id, level in zip(
            ("01", "02", "03", "04"), (level1, level2, level3, level4), strict=True
        ):
            with problems.check():
                values[id] = _text(
                    level,
                    JPQR_IDENTIFIER[id],
                    f"jpqr_identifier level{int(id)}",
                    f"{template_id}.{id}",
                )
        problems.raise_any()
        # A setter called twice keeps the last value: drop an identifier set before elsewhere.
        for id in [i for i, v in self._templates.items() if v["00"].lower() == JPQR_GUID]:
            del self._templates[id]
        self._templates[template_id] = values
        return self

    def merchant_account(
        self,
        id: str,
        guid: str | None = None,
        *,
        value: str | None = None,
        **sub_values: str | Mapping[str, str],
    ) -> Builder:
        """A card-network account (02-25, ``value=``) or a merchant account template (26-51):
        its GUID or AID (sub-ID 00) and its other sub-values by 2-digit ID, each text or, for a
        template nested in it, a mapping of its own sub-values by ID (encoded in ascending order).

        Pix (BR Code) puts its key in 26-01 under ``br.gov.bcb.pix``; VietQR (NAPAS, Bảng 4
        p. 14) a template in 38-01 holding the bank's BIN (00) and the account (01), and the
        service code in 38-02. Built, the published examples come back (stone-payments/
        ex-pix-brcode decoder_test.exs:11; odoo l10n_vn test_l10n_vn_emv_qr.py):

        >>> pix = (Builder("emvco")
        ...     .merchant_account("26", "br.gov.bcb.pix",
        ...                       **{"01": "123e4567-e12b-12d1-a456-426655440000"})
        ...     .merchant_category_code("0000").currency("BRL").country("BR")
        ...     .merchant_name("Fulano de Tal").merchant_city("BRASILIA").reference_label("***"))
        >>> pix.to_payload()
        '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D'
        >>> vietqr = (Builder("emvco").dynamic()
        ...     .merchant_account("38", "A000000727",
        ...                       **{"01": {"00": "970422", "01": "660704060000129"},
        ...                          "02": "QRIBFTTA"})
        ...     .merchant_category_code("0000").currency("VND").amount(100).country("VN")
        ...     .merchant_name("company_1_data").merchant_city("Vietnam").purpose("INVTEST0001"))
        >>> vietqr.to_payload()
        '00020101021238590010A0000007270129000697042201156607040600001290208QRIBFTTA52040000530370454031005802VN5914company_1_data6007Vietnam62150811INVTEST000163042656'
        """  # noqa: E501
        self._check_account_id(id, templates=None)
        if int(id) <= 25:
            if guid is not None or sub_values or value is None:
                raise BuildError(
                    "build.account",
                    f"expected value= (and no GUID) for card-network account ID {id}",
                    path=id,
                )
            return self._set(id, value, f"merchant_account {id}")
        if value is not None or guid is None:
            raise BuildError(
                "field.missing",
                f"expected a GUID (and sub-values, not value=) for template ID {id}",
                path=f"{id}.00",
            )
        self._templates[id] = self._guid_template(id, guid, sub_values, GUID_TEMPLATE)
        return self

    def unreserved(self, id: str, guid: str, **values: str) -> Builder:
        """An unreserved template (80-99) owned by ``guid``; sub-values by 2-digit ID."""
        if not (_two_digits(id) and 80 <= int(id) <= 99):
            raise BuildError(
                "build.id",
                f"expected an unreserved template ID 80-99, found {_shown(id)}",
                path=_plain(id) if type(_plain(id)) is str else "",
            )
        self._templates[id] = self._guid_template(id, guid, values, UNRESERVED_TEMPLATE)
        return self

    def unreserved_value(self, id: str, value: str) -> Builder:
        """A primitive value in an unreserved ID 80-99, where the profile reads that ID so
        (``Profile.primitives``: DuitNow's 82, TrueMoney's 81 under ``promptpay``); EMVCo makes
        80-99 templates, so any other profile refuses it.

        >>> Builder("duitnow").unreserved_value("82", "7FFC1AC00E99EA2D")._root["82"]
        '7FFC1AC00E99EA2D'
        >>> Builder("emvco").unreserved_value("82", "7FFC1AC00E99EA2D")
        Traceback (most recent call last):
        ...
        jpqr.errors.BuildError: [build.id] expected an unreserved ID that profile 'emvco' reads ...
        """
        if not (_two_digits(id) and id in self._primitives):
            allowed = ", ".join(sorted(self._primitives)) or "none"
            raise BuildError(
                "build.id",
                f"expected an unreserved ID that profile {self.profile!r} reads as a primitive "
                f"value ({allowed}), found {_shown(id)}",
                path=_plain(id) if type(_plain(id)) is str else "",
            )
        self._root[id] = _text(value, _PRIMITIVE_UNRESERVED, f"ID {id}", id)
        return self

    @staticmethod
    def _guid_template(
        id: str,
        guid: str,
        values: Mapping[str, str | Mapping[str, str]],
        table: Mapping[str, Field],
    ) -> dict[str, str]:
        problems = _Problems()  # the GUID and every sub-value checked, each problem reported
        result = {}
        with problems.check():
            result["00"] = _text(guid, table["00"], f"GUID of template {id}", f"{id}.00")
        for key, value in values.items():
            with problems.check():
                sub = _sub_id(key, id)
                if sub == "00":
                    raise BuildError(
                        "duplicate.id",
                        f"expected the GUID only once in template {id}",
                        path=f"{id}.00",
                    )
                path = f"{id}.{sub}"
                if isinstance(value, Mapping):
                    value = _nested(value, table[sub], path)
                result[sub] = _text(value, table[sub], f"ID {path}", path)
        problems.raise_any()
        return result

    def _check_account_id(self, id: object, *, templates: bool | None) -> None:
        low = 26 if templates else 2
        if not (_two_digits(id) and low <= int(id) <= 51):
            raise BuildError(
                "build.id",
                f"expected a merchant account ID from {low:02d} to 51, found {_shown(id)}",
                path=_plain(id) if type(_plain(id)) is str else "",
            )

    def merchant_category_code(self, code: str) -> Builder:
        """ID 52: the ISO 18245 merchant category code, 4 digits (5999, 5541 for fuel)."""
        return self._set("52", code, "merchant_category_code")

    def currency(self, code: str) -> Builder:
        """ID 53: an ISO 4217 currency by alphabetic ("JPY") or numeric ("392") code."""
        code = _plain(code)
        if type(code) is not str:
            raise BuildError(
                "build.type", f"expected text for currency, found {type(code).__name__}", path="53"
            )
        currency = by_numeric(code) if code.isdigit() else by_alpha(code)
        if currency is None:
            raise BuildError(
                "currency.unknown", f"expected an ISO 4217 currency code, found {code!r}", path="53"
            )
        self._currency = currency
        self._root["53"] = currency.numeric
        return self

    def amount(self, amount: Decimal | int | str | None) -> Builder:
        """ID 54: the amount (``None`` leaves it out, so the wallet asks for it)."""
        self._amount = None if amount is None else _decimal(amount, "amount", "54")
        return self

    def tip_prompt(self) -> Builder:
        """ID 55 = 01: the wallet asks the payer for a tip."""
        self._root["55"] = "01"
        self._fee = None
        self._root.pop("57", None)
        return self

    def convenience_fee(self, fee: Decimal | int | str) -> Builder:
        """ID 55 = 02 and 56: a fixed convenience fee."""
        self._root["55"] = "02"
        self._fee = _decimal(fee, "convenience_fee", "56")
        self._root.pop("57", None)
        return self

    def convenience_percentage(self, percentage: Decimal | int | str) -> Builder:
        """ID 55 = 03 and 57: a convenience fee in percent, 0.01 to 99.99."""
        try:
            text = format(_decimal(percentage, "convenience_percentage", "57"), "f")
        except BuildError as exc:
            if exc.code == "build.type":
                raise
            text = str(percentage)  # "5%", 0, -1: what validate calls tip.percentage too
        if not _PERCENTAGE.fullmatch(text) or Decimal(text) == 0:
            raise BuildError(
                "tip.percentage",
                f"expected a percentage from 0.01 to 99.99 with at most 2 decimals, found {text!r}",
                path="57",
            )
        self._root["55"] = "03"
        self._root["57"] = text
        self._fee = None
        return self

    def country(self, code: str) -> Builder:
        """ID 58: the ISO 3166-1 alpha-2 country code ("JP")."""
        code = _plain(code)
        if type(code) is not str:
            raise BuildError(
                "build.type", f"expected text for country, found {type(code).__name__}", path="58"
            )
        if not is_country(code.upper()):
            raise BuildError(
                "country.unknown",
                f"expected an ISO 3166-1 alpha-2 country code, found {code!r}",
                path="58",
            )
        self._root["58"] = code.upper()
        return self

    def merchant_name(self, name: str) -> Builder:
        """ID 59: the merchant name in printable ASCII, at most 25 characters."""
        return self._set("59", name, "merchant_name")

    def merchant_city(self, city: str) -> Builder:
        """ID 60: the merchant city in printable ASCII, at most 15 characters."""
        return self._set("60", city, "merchant_city")

    def postal_code(self, code: str) -> Builder:
        """ID 61: the postal code (JPQR: 7 digits, no hyphen)."""
        return self._set("61", code, "postal_code")

    def language(
        self, language_preference: str, merchant_name: str, merchant_city: str | None = None
    ) -> Builder:
        """ID 64: the merchant's name (and city) in another language; JPQR: "JA" and no city."""
        language_preference = _plain(language_preference)
        if type(language_preference) is not str or not _LANGUAGE_CODE.fullmatch(
            language_preference
        ):
            raise BuildError(
                "field.value",
                f"expected a 2-letter ISO 639 language code, found {_shown(language_preference)}",
                path="64.00",
            )
        values = {"00": language_preference.upper()}
        values["01"] = _text(merchant_name, LANGUAGE["01"], "language merchant_name", "64.01")
        if merchant_city is not None:
            values["02"] = _text(merchant_city, LANGUAGE["02"], "language merchant_city", "64.02")
        self._language = values
        return self

    # -- ID 62, additional data -----------------------------------------------------------------

    def _additional_field(self, name: str, value: str) -> Builder:
        id = _FIELD_OF_ADDITIONAL[name]
        self._additional[id] = _text(value, ADDITIONAL_DATA[id], name, f"62.{id}")
        return self

    def bill_number(self, value: str) -> Builder:
        """62-01: the invoice or bill number (``"***"`` asks the payer)."""
        return self._additional_field("bill_number", value)

    def mobile_number(self, value: str) -> Builder:
        """62-02: a mobile number (for top-ups)."""
        return self._additional_field("mobile_number", value)

    def store_label(self, value: str) -> Builder:
        """62-03: the store."""
        return self._additional_field("store_label", value)

    def loyalty_number(self, value: str) -> Builder:
        """62-04: a loyalty card number."""
        return self._additional_field("loyalty_number", value)

    def reference_label(self, value: str) -> Builder:
        """62-05: the merchant's reference for this payment (a charging session ID)."""
        return self._additional_field("reference_label", value)

    def customer_label(self, value: str) -> Builder:
        """62-06: the customer (an account or a subscriber ID)."""
        return self._additional_field("customer_label", value)

    def terminal_label(self, value: str) -> Builder:
        """62-07: the terminal (for EV charging: the EVSE)."""
        return self._additional_field("terminal_label", value)

    def purpose(self, value: str) -> Builder:
        """62-08: the purpose of the transaction."""
        return self._additional_field("purpose", value)

    def merchant_tax_id(self, value: str) -> Builder:
        """62-10: the merchant's tax ID."""
        return self._additional_field("merchant_tax_id", value)

    def merchant_channel(self, value: str) -> Builder:
        """62-11: the merchant channel, exactly 3 characters."""
        return self._additional_field("merchant_channel", value)

    def consumer_data_request(self, letters: str) -> Builder:
        """62-09: what the wallet should ask for: A (address), M (mobile), E (e-mail)."""
        letters = _plain(letters)
        if type(letters) is not str or not (
            letters and set(letters) <= set("AME") and len(set(letters)) == len(letters)
        ):
            raise BuildError(
                "additional.consumer_data",
                f"expected up to three of the letters A, M, E, each once, found {_shown(letters)}",
                path="62.09",
            )
        self._additional["09"] = letters
        return self

    def payment_system_template(self, id: str, guid: str, **values: str) -> Builder:
        """62-50..99: a payment system's own template inside ID 62, owned by ``guid``."""
        if not (_two_digits(id) and 50 <= int(id) <= 99):
            raise BuildError(
                "build.id", f"expected a template ID 50-99 inside 62, found {_shown(id)}", path="62"
            )
        path = f"62.{id}"
        self._additional_templates[id] = self._guid_template(
            path, guid, values, PAYMENT_SYSTEM_TEMPLATE
        )
        return self

    # -- output ---------------------------------------------------------------------------------

    def _objects(self) -> list[DataObject]:
        root = dict(self._root)
        root["00"] = self._format
        if self._amount is not None:
            root["54"] = self._amount_for_currency(self._amount, "amount", "54")
        if self._fee is not None:
            root["56"] = self._amount_for_currency(self._fee, "convenience_fee", "56")
        objects = {id: DataObject(id, value) for id, value in root.items()}
        for id, values in self._templates.items():
            objects[id] = _template(id, values)
        if self._additional or self._additional_templates:
            children = {k: DataObject(k, v) for k, v in self._additional.items()}
            for k, values in self._additional_templates.items():
                children[k] = _template(k, values)
            objects["62"] = DataObject.template("62", [children[k] for k in sorted(children)])
        if self._language:
            objects["64"] = _template("64", self._language)
        # Canonical order: 00, 01, then ascending IDs (DESIGN "Builder").
        return [objects[id] for id in sorted(objects)]

    def _amount_for_currency(self, number: Decimal, name: str, path: str) -> str:
        exponent = self._currency.exponent if self._currency else None
        if exponent is not None:
            decimals = max(0, -number.as_tuple().exponent)  # type: ignore[operator]
            if decimals > exponent:
                unit = "whole yen" if self._currency and self._currency.alpha == "JPY" else ""
                raise BuildError(
                    "amount.decimals",
                    f"expected {'no decimals' if exponent == 0 else f'at most {exponent} decimals'}"
                    f" for {name} in {self._currency.alpha}"  # type: ignore[union-attr]
                    f"{' (' + unit + ')' if unit else ''}, found {number}",
                    path=path,
                )
        return _amount_text(number, name, path)

    # -- static and dynamic ---------------------------------------------------------------------

    def _copy(self) -> Builder:
        """An independent builder with the same values (its own dicts; values are immutable)."""
        result = copy.copy(self)
        result._root = dict(self._root)
        result._templates = {id: dict(values) for id, values in self._templates.items()}
        result._additional = dict(self._additional)
        result._additional_templates = {
            id: dict(values) for id, values in self._additional_templates.items()
        }
        result._language = dict(self._language)
        return result

    def to_dynamic(
        self,
        *,
        amount: Decimal | int | str | None = None,
        reference: str | None = None,
        terminal: str | None = None,
    ) -> Builder:
        """A new builder for one payment made from this one (which is left as it is): point of
        initiation 12, the ``amount`` in 54, the payment's ``reference`` in 62-05 and the
        ``terminal`` (the EVSE) in 62-07; each left as it was when ``None`` (no amount at all:
        the wallet asks for it, the authorisation model). The amount must fit the currency
        now: whole yen under JPY (SPEC §4). Every bad argument is in the error's ``issues``.

        >>> shop = (Builder().static().jpqr_identifier("0000000000001", "0001", "000001", "000001")
        ...     .merchant_category_code("5999").merchant_name("EV CHARGE").merchant_city("TOKYO")
        ...     .postal_code("1066143").language("JA", "EV充電"))
        >>> code = shop.to_dynamic(amount=1500, reference="SESSION-0042").build()
        >>> code.point_of_initiation, code.amount, code.additional_data.reference_label
        ('dynamic', Decimal('1500'), 'SESSION-0042')
        >>> shop.build().point_of_initiation
        'static'
        >>> shop.to_dynamic(amount="1500.50", reference="R" * 26)
        Traceback (most recent call last):
          ...
        jpqr.errors.BuildError: [amount.decimals] expected no decimals for amount in JPY (whole yen), found 1500.50 (at ID 54); and [field.length] expected 1 to 25 characters for reference_label, found 26 ('RRRRRRRRRRRRRRRRRRRRRRRRRR') (at ID 62.05)
        """  # noqa: E501
        result = self._copy()
        result._root["01"] = "12"
        problems = _Problems()
        if amount is not None:
            with problems.check():
                number = _decimal(amount, "amount", "54")
                result._amount_for_currency(number, "amount", "54")  # whole yen, said now
                result._amount = number
        if reference is not None:
            with problems.check():
                result.reference_label(reference)
        if terminal is not None:
            with problems.check():
                result.terminal_label(terminal)
        problems.raise_any()
        return result

    def to_static(self) -> Builder:
        """A new builder for a code printed once and paid many times, made from this one (which
        is left as it is): point of initiation 11, no amount (54: the wallet asks for it), and
        no reference label (62-05 names one payment) unless it is ``***``, which asks the wallet
        to prompt for one (SPEC §3, ID 62). Every other object is kept: 62-07 (the terminal) and
        the tip or convenience fee (55-57: SPEC ties 56 and 57 to ID 55, not to the point of
        initiation, so the merchant's fee policy stays).

        >>> dynamic = Builder.from_code("00020101021229370016A000000677010111011300668012345675204"
        ...     "5999530376454031005802TH5904SHOP6007BANGKOK62090505INV-4630428B0")
        >>> static = dynamic.to_static().build()
        >>> static.point_of_initiation, static.amount, static.additional_data
        ('static', None, None)
        """
        result = self._copy()
        result._root["01"] = "11"
        result._amount = None
        if result._additional.get("05") != "***":
            result._additional.pop("05", None)
        return result

    def to_payload(self) -> str:
        """The code as text (validated; see :meth:`build`)."""
        return self.build().to_payload()

    def build(self) -> MerchantPresentedCode:
        """Assemble the code, check it under the profile and return it typed.

        A :class:`~jpqr.errors.BuildError` lists in ``issues`` every error the profile finds in
        the assembled code (a mandatory object missing among them), and where the code claims a
        scheme, every error of the profile :func:`jpqr.classify` names for it (what
        ``jpqr.validate`` applies by default): an ``emvco`` build that carries the JPQR GUID is
        read as JPQR, so it must pass the JPQR rules too.
        """
        objects = self._objects()
        try:
            payload = _kernels.encode(objects)
        except ValueError as exc:  # an EncodeError: a template over 99 characters
            code = getattr(exc, "code", "build.encode")
            message = getattr(exc, "message", str(exc))  # str(exc) already says where
            raise BuildError(code, message, path=getattr(exc, "path", "")) from None
        if len(payload) > MAX_PAYLOAD_LENGTH:
            raise BuildError(
                "payload.too_long",
                f"expected at most {MAX_PAYLOAD_LENGTH} characters, found {len(payload)}",
            )
        from .api import validate
        from .profiles._classify import classify_tree

        tree = _kernels.decode(payload)
        found = _Problems()
        seen: set[tuple[str, str, str]] = set()
        # The profile classify names where the code claims a scheme (what jpqr.validate applies
        # by default); a code that claims none is judged by the builder's profile alone.
        classification = classify_tree(tree)
        claimed = (classification.profile,) if classification.schemes else ()
        for profile in dict.fromkeys((self.profile, *claimed)):
            for issue in validate(payload, profile).errors:
                # Both profiles find the emvco errors; the path names the field (an offset into
                # a payload the caller never saw would not).
                if (issue.code, issue.path, issue.message) not in seen:
                    seen.add((issue.code, issue.path, issue.message))
                    found.add(issue.code, issue.message, issue.path)
        found.raise_any()
        return from_tree(tree)

    # -- JSON specs -----------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Builder:
        """A builder from a JSON spec whose keys are the setter names (what ``jpqr build`` reads).

        >>> spec = {"profile": "emvco", "static": True, "merchant_account": {"id": "02",
        ...         "value": "4000123456789012"}, "merchant_category_code": "5999",
        ...         "currency": "USD", "country": "US", "merchant_name": "SHOP",
        ...         "merchant_city": "NYC", "terminal_label": "T1"}
        >>> Builder.from_dict(spec).to_payload()
        '000201010211021640001234567890125204599953038405802US5904SHOP6003NYC62060702T16304...'
        >>> Builder.from_dict({"colour": "red"})
        Traceback (most recent call last):
          ...
        jpqr.errors.BuildError: [build.spec] expected spec keys named like the Builder's setters, found 'colour'
        """  # noqa: E501
        if not isinstance(spec, Mapping):
            raise BuildError("build.spec", f"expected a JSON object, found {type(spec).__name__}")
        problems = _Problems()  # every bad field of the spec, in the spec's order
        builder = None
        with problems.check():
            builder = cls(spec.get("profile", "jpqr"))
        if builder is None:  # an unknown profile: still check the fields, under the default
            builder = cls()
        for key, value in spec.items():
            if key == "profile":
                continue
            with problems.check():
                try:
                    builder._apply(key, value)
                except (TypeError, AttributeError) as exc:  # wrong shapes: a list for a str, …
                    raise BuildError(
                        "build.spec",
                        f"expected a value of the right shape for {_shown(key)}: {exc}",
                    ) from None
        problems.raise_any()
        return builder

    def _apply(self, key: str, value: Any) -> None:
        if key == "point_of_initiation":
            if value not in ("static", "dynamic"):
                raise BuildError(
                    "field.value",
                    f"expected point_of_initiation 'static' or 'dynamic', found {_shown(value)}",
                    path="01",
                )
            key, value = value, True
        if key in ("static", "dynamic", "tip_prompt"):
            if value is True:
                getattr(self, key)()
            return
        if key in (
            "merchant_account",
            "merchant_accounts",
            "unreserved",
            "payment_system_template",
        ):
            items = value if isinstance(value, list) else [value]
            method = {
                "unreserved": self.unreserved,
                "payment_system_template": self.payment_system_template,
            }.get(key, self.merchant_account)
            for item in items:
                if not isinstance(item, Mapping):
                    raise BuildError(
                        "build.spec", f"expected an object for {_shown(key)}, found {_shown(item)}"
                    )
                args = dict(item)
                sub = args.pop("values", {})
                method(**args, **sub)
            return
        if key in ("jpqr_identifier", "language"):
            if not isinstance(value, Mapping):
                raise BuildError(
                    "build.spec", f"expected an object for {_shown(key)}, found {_shown(value)}"
                )
            getattr(self, key)(**value)
            return
        if key not in _SINGLE_VALUE:
            raise BuildError(
                "build.spec",
                f"expected spec keys named like the Builder's setters, found {_shown(key)}",
            )
        getattr(self, key)(value)


_SINGLE_VALUE = frozenset(
    [
        "merchant_category_code",
        "currency",
        "amount",
        "convenience_fee",
        "convenience_percentage",
        "country",
        "merchant_name",
        "merchant_city",
        "postal_code",
        "consumer_data_request",
        *_FIELD_OF_ADDITIONAL,
    ]
)


# What from_code reads through which setter.
_POINT_OF_INITIATION = {"11": "static", "12": "dynamic"}
_ROOT_SETTERS = {
    "52": "merchant_category_code",
    "53": "currency",
    "54": "amount",
    "58": "country",
    "59": "merchant_name",
    "60": "merchant_city",
    "61": "postal_code",
}
# An unreserved ID a profile reads as a primitive (Profile.primitives): DuitNow's and
# TrueMoney's values there are hex, in the ans alphabet.
_PRIMITIVE_UNRESERVED = Field("80", "Unreserved (primitive value)", "ans", 1, 99)
# A sub-ID that no table defines (62-00, seen in published QRIS codes): text, format S.
_UNDEFINED = Field("00", "Undefined", "S", 1, 99)
_TIP_OF = {"56": "02", "57": "03"}  # the ID 55 value each fee object belongs to


def _children(obj: DataObject, path: str | None = None) -> Iterator[tuple[DataObject, str]]:
    """The sub-objects of a template with their paths; a template that holds no data objects, or
    holds one ID twice, cannot be rebuilt."""
    path = obj.id if path is None else path
    if obj.children is None:
        raise BuildError(
            "tlv.template_not_tlv",
            f"expected data objects inside template {path}, found {_shown(obj.value[:24])}",
            path=path,
        )
    seen: set[str] = set()
    for child in obj.children:
        if child.id in seen:
            raise BuildError(
                "duplicate.id",
                f"expected ID {child.id} once in template {path}, found it again",
                path=f"{path}.{child.id}",
            )
        seen.add(child.id)
        yield child, f"{path}.{child.id}"


def _children_values(obj: DataObject, path: str | None = None) -> Iterator[tuple[str, str]]:
    for child, _ in _children(obj, path):
        yield child.id, child.value


def _guid_and_values(obj: DataObject, path: str | None = None) -> tuple[str, dict[str, str]]:
    """A GUID template's GUID (its 00) and its other sub-values by ID."""
    values = dict(_children_values(obj, path))
    if "00" not in values:
        where = obj.id if path is None else path
        raise BuildError(
            "field.missing",
            f"expected a GUID (ID 00) in template {where}, found none",
            path=f"{where}.00",
        )
    return values.pop("00"), values


def _template(id: str, values: Mapping[str, str]) -> DataObject:
    children = [DataObject(k, v) for k, v in sorted(values.items())]
    return DataObject.template(id, children)

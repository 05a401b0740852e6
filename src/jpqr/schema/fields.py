"""The data objects of a merchant-presented code as data: ID, name, format, length bounds, presence.

EMVCo MPM v1.1 §3.2 and Tables 3.5-3.8 as quoted in SPEC.md §3 ([PM]), plus the JPQR identifier
template of SPEC.md §4 ([ME]). The validator and the builder read these tables; no tag number is
a rule spread across if-statements.

>>> ROOT["59"].name, ROOT["59"].format, ROOT["59"].max_length
('Merchant Name', 'ans', 25)
>>> ROOT["26"].template, ROOT["02"].template
(True, False)
>>> field_spec("62.05").name
'Reference Label'
>>> field_spec("62.50.00").name
'Globally Unique Identifier'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "ADDITIONAL_DATA",
    "ANS",
    "GUID_TEMPLATE",
    "JPQR_GUID",
    "JPQR_IDENTIFIER",
    "LANGUAGE",
    "MAX_PAYLOAD_LENGTH",
    "MERCHANT_ACCOUNT_IDS",
    "PAYMENT_SYSTEM_TEMPLATE",
    "ROOT",
    "SUB_TABLES",
    "UNRESERVED_TEMPLATE",
    "Field",
    "Format",
    "Presence",
    "field_spec",
]

Format = Literal["N", "ans", "S"]
# M mandatory, O optional, C conditional (a rule elsewhere says when).
Presence = Literal["M", "O", "C"]

# EMVCo §4.1 ([PM]): the whole payload "should not exceed 512 characters".
MAX_PAYLOAD_LENGTH: Final = 512
# The JPQR identifier's GUID (SPEC §4; compared case-insensitively, EMVCo §4.7.11.2 [CR]).
JPQR_GUID: Final = "jp.or.paymentsjapan"
# Printable ASCII, the EMV common character set of format ans (SPEC §1; 0x7F excluded).
ANS: Final = frozenset(chr(c) for c in range(0x20, 0x7F))


@dataclass(frozen=True, slots=True)
class Field:
    """One data object's rules: ``format`` N (digits), ans (printable ASCII) or S (any NFC text)."""

    id: str
    name: str
    format: Format
    min_length: int
    max_length: int
    presence: Presence = "O"
    template: bool = False


def _ids(first: int, last: int) -> list[str]:
    return [f"{n:02d}" for n in range(first, last + 1)]


def _table(*fields: Field) -> Mapping[str, Field]:
    return {f.id: f for f in fields}


_NETWORKS = (
    [(i, "Visa") for i in _ids(2, 3)]
    + [(i, "Mastercard") for i in _ids(4, 5)]
    + [(i, "EMVCo") for i in _ids(6, 8)]
    + [(i, "Discover") for i in _ids(9, 10)]
    + [(i, "Amex") for i in _ids(11, 12)]
    + [(i, "JCB") for i in _ids(13, 14)]
    + [(i, "UnionPay") for i in _ids(15, 16)]
    + [(i, "EMVCo") for i in _ids(17, 25)]
)

# IDs 02-51: at least one must be present (SPEC §3).
MERCHANT_ACCOUNT_IDS: Final = frozenset(_ids(2, 51))

ROOT: Final[Mapping[str, Field]] = _table(
    Field("00", "Payload Format Indicator", "N", 2, 2, "M"),
    Field("01", "Point of Initiation Method", "N", 2, 2),
    *(
        Field(i, f"Merchant Account Information ({network})", "ans", 1, 99)
        for i, network in _NETWORKS
    ),
    *(Field(i, "Merchant Account Information", "ans", 1, 99, template=True) for i in _ids(26, 51)),
    Field("52", "Merchant Category Code", "N", 4, 4, "M"),
    Field("53", "Transaction Currency", "N", 3, 3, "M"),
    Field("54", "Transaction Amount", "ans", 1, 13, "C"),
    Field("55", "Tip or Convenience Indicator", "N", 2, 2),
    Field("56", "Value of Convenience Fee Fixed", "ans", 1, 13, "C"),
    Field("57", "Value of Convenience Fee Percentage", "ans", 1, 5, "C"),
    Field("58", "Country Code", "ans", 2, 2, "M"),
    Field("59", "Merchant Name", "ans", 1, 25, "M"),
    Field("60", "Merchant City", "ans", 1, 15, "M"),
    Field("61", "Postal Code", "ans", 1, 10),
    Field("62", "Additional Data Field Template", "S", 1, 99, template=True),
    Field("63", "CRC", "ans", 4, 4, "M"),
    Field("64", "Merchant Information - Language Template", "S", 1, 99, template=True),
    *(Field(i, "RFU for EMVCo", "S", 1, 99) for i in _ids(65, 79)),
    *(Field(i, "Unreserved Template", "S", 1, 99, template=True) for i in _ids(80, 99)),
)

# The first object of every GUID template (26-51, 80-99, 62-50..99). EMVCo gives the GUID "ans
# var. up to 32"; go-emv-code rejects a longer one (published vector 4).
_GUID = Field("00", "Globally Unique Identifier", "ans", 1, 32, "M")

# Sub-objects of 26-51 and 80-99 and of 62-50..99: a GUID then context-specific data.
GUID_TEMPLATE: Final[Mapping[str, Field]] = _table(
    _GUID, *(Field(i, "Context Specific Data", "ans", 1, 99) for i in _ids(1, 99))
)
# Unreserved templates are format S (SPEC §3), so their data may be any text.
UNRESERVED_TEMPLATE: Final[Mapping[str, Field]] = _table(
    _GUID, *(Field(i, "Context Specific Data", "S", 1, 99) for i in _ids(1, 99))
)
# 62-50..99 sit in ID 62, format S (SPEC §3; EMVCo Table 3.7 gives them format S too): only
# their GUID is ans, their data may be any text, as in an unreserved template.
PAYMENT_SYSTEM_TEMPLATE: Final = UNRESERVED_TEMPLATE

ADDITIONAL_DATA: Final[Mapping[str, Field]] = _table(
    Field("01", "Bill Number", "ans", 1, 25),
    Field("02", "Mobile Number", "ans", 1, 25),
    Field("03", "Store Label", "ans", 1, 25),
    Field("04", "Loyalty Number", "ans", 1, 25),
    Field("05", "Reference Label", "ans", 1, 25),
    Field("06", "Customer Label", "ans", 1, 25),
    Field("07", "Terminal Label", "ans", 1, 25),
    Field("08", "Purpose of Transaction", "ans", 1, 25),
    Field("09", "Additional Consumer Data Request", "ans", 1, 3),
    Field("10", "Merchant Tax ID", "ans", 1, 20),
    Field("11", "Merchant Channel", "ans", 3, 3),
    *(Field(i, "RFU for EMVCo", "S", 1, 99) for i in _ids(12, 49)),
    *(
        Field(i, "Payment System Specific Template", "S", 1, 99, template=True)
        for i in _ids(50, 99)
    ),
)

LANGUAGE: Final[Mapping[str, Field]] = _table(
    Field("00", "Language Preference", "ans", 2, 2, "M"),
    Field("01", "Merchant Name - Alternate Language", "S", 1, 25, "M"),
    Field("02", "Merchant City - Alternate Language", "S", 1, 15),
    *(Field(i, "RFU for EMVCo", "S", 1, 99) for i in _ids(3, 99)),
)

# SPEC §4 ([ME]): the four levels of the unified store identifier; exact lengths, all mandatory.
JPQR_IDENTIFIER: Final[Mapping[str, Field]] = _table(
    Field("00", "Globally Unique Identifier", "ans", 19, 19, "M"),
    Field("01", "Store Identifier Level 1", "ans", 13, 13, "M"),
    Field("02", "Store Identifier Level 2", "ans", 4, 4, "M"),
    Field("03", "Store Identifier Level 3", "ans", 6, 6, "M"),
    Field("04", "Store Identifier Level 4", "ans", 6, 6, "M"),
)

# The sub-object table of each root template (the JPQR identifier is chosen by its GUID).
SUB_TABLES: Final[Mapping[str, Mapping[str, Field]]] = {
    **{i: GUID_TEMPLATE for i in _ids(26, 51)},
    "62": ADDITIONAL_DATA,
    "64": LANGUAGE,
    **{i: UNRESERVED_TEMPLATE for i in _ids(80, 99)},
}


def field_spec(path: str) -> Field | None:
    """The rules of the object at ``path`` (``"59"``, ``"62.05"``, ``"62.50.01"``), or ``None``.

    >>> field_spec("64.00").name
    'Language Preference'
    >>> field_spec("59.01") is None
    True
    """
    parts = path.split(".")
    table: Mapping[str, Field] | None = ROOT
    spec: Field | None = None
    parent = ""
    for part in parts:
        if table is None:
            return None
        spec = table.get(part)
        if spec is None:
            return None
        parent = f"{parent}.{part}" if parent else part
        table = SUB_TABLES.get(parent) if "." not in parent else _nested(parent)
    return spec


def _nested(path: str) -> Mapping[str, Field] | None:
    # Only 62-50..99 are templates below the root (EMVCo Table 3.7).
    parent, _, child = path.rpartition(".")
    if parent == "62" and 50 <= int(child) <= 99:
        return PAYMENT_SYSTEM_TEMPLATE
    return None

"""The schema layer: SPEC.md's tables as data (data objects, ISO 4217, ISO 3166 countries).

>>> from jpqr import schema
>>> schema.ROOT["53"].name, schema.by_numeric("392").alpha
('Transaction Currency', 'JPY')
"""

from __future__ import annotations

from .countries import COUNTRIES, is_country
from .currencies import CURRENCIES, Currency, by_alpha, by_numeric
from .fields import (
    ADDITIONAL_DATA,
    ANS,
    GUID_TEMPLATE,
    JPQR_GUID,
    JPQR_IDENTIFIER,
    LANGUAGE,
    MAX_PAYLOAD_LENGTH,
    MERCHANT_ACCOUNT_IDS,
    PAYMENT_SYSTEM_TEMPLATE,
    ROOT,
    SUB_TABLES,
    UNRESERVED_TEMPLATE,
    Field,
    field_spec,
)

__all__ = [
    "ADDITIONAL_DATA",
    "ANS",
    "COUNTRIES",
    "CURRENCIES",
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
    "Currency",
    "Field",
    "by_alpha",
    "by_numeric",
    "field_spec",
    "is_country",
]

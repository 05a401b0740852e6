"""Names of data objects for ``jpqr decode``, from the schema tables (SPEC.md §3 and §4).

The sub-objects of a merchant account template are named by its GUID: under
``jp.or.paymentsjapan`` they are the four levels of the JPQR store identifier.

>>> name_of("62.05"), name_of("81"), name_of("59.01")
('Reference Label', 'Unreserved Template', '')
>>> from jpqr.dataobject import DataObject
>>> name_of("26.01", DataObject("26", "", (DataObject("00", "JP.OR.PAYMENTSJAPAN"),)))
'Store Identifier Level 1'
"""

from __future__ import annotations

from ..dataobject import DataObject
from ..schema import JPQR_GUID, JPQR_IDENTIFIER, MERCHANT_ACCOUNT_IDS, field_spec

__all__ = ["name_of"]


def _is_jpqr_identifier(template: DataObject | None) -> bool:
    if template is None or template.id not in MERCHANT_ACCOUNT_IDS:
        return False
    guid = template.find("00")
    return guid is not None and guid.value.lower() == JPQR_GUID


def name_of(path: str, template: DataObject | None = None) -> str:
    """The name of the object at ``path`` (``"62.05"``) inside ``template`` (its parent, when it
    has one); ``""`` where the tables name none."""
    if _is_jpqr_identifier(template) and path.count(".") == 1:
        spec = JPQR_IDENTIFIER.get(path.rpartition(".")[2])
    else:
        spec = field_spec(path)
    return spec.name if spec is not None else ""

"""Names of data objects for ``jpqr decode``, by ID path (SPEC.md §3, EMVCo MPM v1.1 Table 3.x).

>>> name_of("26.00"), name_of("62.05"), name_of("64.01"), name_of("81")
('Globally Unique Identifier', 'Reference Label', 'Merchant Name—Alternate Language', 'Unreserved Template')
"""  # noqa: E501

from __future__ import annotations

from typing import Final

__all__ = ["name_of"]

_ROOT: Final = {
    "00": "Payload Format Indicator",
    "01": "Point of Initiation Method",
    "52": "Merchant Category Code",
    "53": "Transaction Currency",
    "54": "Transaction Amount",
    "55": "Tip or Convenience Indicator",
    "56": "Value of Convenience Fee Fixed",
    "57": "Value of Convenience Fee Percentage",
    "58": "Country Code",
    "59": "Merchant Name",
    "60": "Merchant City",
    "61": "Postal Code",
    "62": "Additional Data Field Template",
    "63": "CRC",
    "64": "Merchant Information—Language Template",
}
_ADDITIONAL_DATA: Final = {
    "01": "Bill Number",
    "02": "Mobile Number",
    "03": "Store Label",
    "04": "Loyalty Number",
    "05": "Reference Label",
    "06": "Customer Label",
    "07": "Terminal Label",
    "08": "Purpose of Transaction",
    "09": "Additional Consumer Data Request",
    "10": "Merchant Tax ID",
    "11": "Merchant Channel",
}
_LANGUAGE: Final = {
    "00": "Language Preference",
    "01": "Merchant Name—Alternate Language",
    "02": "Merchant City—Alternate Language",
}
_GUID: Final = "Globally Unique Identifier"


def _root_name(id: str) -> str:
    number = int(id)
    if id in _ROOT:
        return _ROOT[id]
    if 2 <= number <= 51:
        return "Merchant Account Information"
    if 65 <= number <= 79:
        return "RFU for EMVCo"
    if 80 <= number <= 99:
        return "Unreserved Template"
    return "Unknown"


def name_of(path: str) -> str:
    """The name of the data object at ``path`` (``"62.05"``); ``""`` where EMVCo names none."""
    ids = path.split(".")
    if not all(len(id) == 2 and id.isdigit() for id in ids):
        return ""
    if len(ids) == 1:
        return _root_name(ids[0])
    parent, child = ids[0], ids[1]
    if len(ids) == 2:
        if parent == "62":
            if child in _ADDITIONAL_DATA:
                return _ADDITIONAL_DATA[child]
            return "Payment System Specific Template" if int(child) >= 50 else "RFU for EMVCo"
        if parent == "64":
            return _LANGUAGE.get(child, "RFU for EMVCo")
        if child == "00":
            return _GUID
        return "Payment Network Specific"
    if len(ids) == 3 and parent == "62" and ids[2] == "00":
        return _GUID
    return "Payment System Specific"

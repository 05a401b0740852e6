"""Customer-presented codes (CPM): EMV QRCPS and JPQR CPM, read and checked on both twins.

A wallet shows a customer-presented code and a merchant terminal scans it: Base64 text of
BER-TLV data (EMVCo QR Code Specification for Payment Systems, Consumer-Presented Mode). A JPQR
code of that kind begins ``hQVKUFFS`` (tag 85, length 5, ``JPQR1``). :func:`validate` returns
the :class:`~jpqr.report.ValidationReport` that ``jpqr.validate`` returns for merchant codes;
``jpqr.validate(text)`` routes CPM text here by itself. No PAN or track 2 appears unmasked in
a message, repr or str.

>>> from jpqr import cpm
>>> text = "hQVDUFYwMWEaTwegAAAAVVVVVw8SNFZ4kBI0WNGRIgESNF8="
>>> cpm.is_cpm(text), cpm.validate(text).ok
(True, True)
>>> cpm.parse(text).applications[0].aid
'A0000000555555'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._ber_object import BerObject
from .text import is_cpm

if TYPE_CHECKING:
    from .api import ConsumerReport, decode, detect_profile, is_valid, parse, validate
    from .builder import Builder
    from .masking import mask
    from .model import (
        Application,
        CommonData,
        ConsumerPresentedCode,
        JPQRConsumerCode,
        Masked,
        Track2,
    )
    from .schema import PROFILES

__all__ = [
    "PROFILES",
    "Application",
    "BerObject",
    "Builder",
    "CommonData",
    "ConsumerPresentedCode",
    "ConsumerReport",
    "JPQRConsumerCode",
    "Masked",
    "Track2",
    "decode",
    "detect_profile",
    "is_cpm",
    "is_valid",
    "mask",
    "parse",
    "validate",
]

# The layers load on first use (PEP 562): telling CPM text from MPM text (is_cpm) costs none
# of their dataclasses, so the CLI and jpqr.validate can ask it of every payload.
_LAYERS = {
    # One line a layer (a list literal would not fit the model's): noqa SIM905 for that.
    "api": "ConsumerReport decode detect_profile is_valid parse validate".split(),  # noqa: SIM905
    "builder": ["Builder"],
    "masking": ["mask"],
    "model": "Application CommonData ConsumerPresentedCode JPQRConsumerCode Masked Track2".split(),  # noqa: SIM905
    "schema": ["PROFILES"],
}


def __getattr__(name: str) -> Any:
    layer = next((module for module, names in _LAYERS.items() if name in names), None)
    if layer is None:
        raise AttributeError(f"module 'jpqr.cpm' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{layer}"), name)
    globals()[name] = value  # once: later look-ups find it without this function
    return value

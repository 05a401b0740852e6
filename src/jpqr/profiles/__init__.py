"""Validation profiles, one module per standard, each with ``validate``, ``is_valid``, ``parse``
and ``check`` (its rules over a decoded tree): ``emvco`` (generic EMVCo MPM) and ``jpqr``.

A new national profile (eL-QR, Pix, PromptPay) is one new module registered in :data:`PROFILES`.

>>> sorted(PROFILES)
['emvco', 'jpqr']
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from . import emvco, jpqr

__all__ = ["PROFILES", "emvco", "jpqr"]

PROFILES: Mapping[str, ModuleType] = {"emvco": emvco, "jpqr": jpqr}

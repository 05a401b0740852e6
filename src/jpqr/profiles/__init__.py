"""Validation profiles, one module per standard, each a rule table (``TABLE``, rows of
``_table.py``) with ``validate``, ``is_valid``, ``parse`` and ``check`` (its rows over a decoded
tree): ``emvco`` (generic EMVCo MPM) and ``jpqr`` (``emvco`` plus the JPQR rows).

A new national profile (eL-QR, Pix, PromptPay) is one new table module registered in
:data:`PROFILES`; ``_engine.py`` runs every table (and ``_rules.pyx`` compiles them).

>>> sorted(PROFILES)
['emvco', 'jpqr', 'khqr', 'pix', 'promptpay']
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from . import _classify, emvco, jpqr, khqr, pix, promptpay
from ._scheme import Scheme

__all__ = ["PROFILES", "SCHEMES", "emvco", "jpqr"]

PROFILES: Mapping[str, ModuleType] = {
    "emvco": emvco,
    "jpqr": jpqr,
    "pix": pix,
    "promptpay": promptpay,
    "khqr": khqr,
}
# The schemes of the national profiles (their SCHEME), which classify() and "auto" recognise.
SCHEMES: tuple[Scheme, ...] = tuple(m.SCHEME for m in PROFILES.values() if hasattr(m, "SCHEME"))
_classify.index(SCHEMES)

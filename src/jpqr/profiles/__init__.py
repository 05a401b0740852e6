"""Validation profiles, one module per standard, each a rule table (``TABLE``, rows of
``_table.py``) with ``validate``, ``is_valid``, ``parse`` and ``check`` (its rows over a decoded
tree): ``emvco`` (generic EMVCo MPM), ``jpqr`` (``emvco`` plus the JPQR rows) and the national
schemes, each ``emvco`` narrowed or departed from as its sources say (docs/validation.md).

A new national profile is one new table module with a ``SCHEME`` registered in
:data:`PROFILES`; ``_engine.py`` runs every table (and ``_rules.pyx`` compiles those it can).

>>> sorted(PROFILES)
['duitnow', 'emvco', 'fps', 'jpqr', 'khqr', 'pix', 'promptpay', 'qris', 'qrph', 'sgqr', 'vietqr']
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from . import _classify, duitnow, emvco, fps, jpqr, khqr, pix, promptpay, qris, qrph, sgqr, vietqr
from ._scheme import Scheme

__all__ = ["PROFILES", "SCHEMES", "emvco", "jpqr"]

PROFILES: Mapping[str, ModuleType] = {
    "emvco": emvco,
    "jpqr": jpqr,
    "pix": pix,
    "promptpay": promptpay,
    "khqr": khqr,
    "vietqr": vietqr,
    "qris": qris,
    "sgqr": sgqr,
    "duitnow": duitnow,
    "fps": fps,
    "qrph": qrph,
}
# The schemes of the national profiles (their SCHEME), which classify() and "auto" recognise.
SCHEMES: tuple[Scheme, ...] = tuple(m.SCHEME for m in PROFILES.values() if hasattr(m, "SCHEME"))
_classify.index(SCHEMES)

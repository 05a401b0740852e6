"""Masking of card numbers and payment IDs: what any message, repr or log line may show.

PCI DSS v4.0 requirement 3.4.1: at most the first six and the last four digits of a PAN may be
displayed. Shorter values show less, so that no short value is shown nearly whole: from 16
characters the first 6 and the last 4, from 10 the last 4, below that nothing.

>>> mask("1234567890123458")
'123456******3458'
>>> mask("1234567890"), mask("12345")
('******7890', '*****')
"""

from __future__ import annotations

__all__ = ["mask"]


def mask(value: str) -> str:
    """``value`` with every character PCI DSS does not let us show replaced by ``*``."""
    size = len(value)
    if size >= 16:
        return value[:6] + "*" * (size - 10) + value[-4:]
    if size >= 10:
        return "*" * (size - 4) + value[-4:]
    return "*" * size

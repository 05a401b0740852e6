"""The life of one QR payment at one EVSE: its states and the only transitions allowed.

::

    created ──shown──▶ shown ──(refreshed: same state, same message id)
       │                 │
       ├──pay/authorise──┴──▶ paid (prepaid) | authorised (authorisation)
       │                            │──started──▶ charging ──ended──▶ captured | released | refunded
       │                            │──ended (no Started seen)───────▶ the same
       │                            └──failed──▶ failed ──returned──▶ refunded | released
       ├──cancel (driver, refusal)──▶ cancelled
       └──expire (lifetime over)───▶ expired

The end of a prepaid session is ``refunded`` (the unused part went back) or ``captured`` (nothing
was left); of an authorisation ``captured`` (the cost taken, the rest released) or ``released``
(nothing taken). ``cancelled``, ``expired``, ``captured``, ``released`` and ``refunded`` are
final. An event that does not fit raises ``ocpp.session_state``, so a replayed webhook or a second
TransactionEvent Ended is recognised, never applied twice.

>>> state = advance("authorisation", "created", "shown")
>>> state = advance("authorisation", state, "authorise")
>>> advance("authorisation", advance("authorisation", state, "started"), "ended", cost=1234)
'captured'
>>> advance("prepaid", "shown", "authorise")
Traceback (most recent call last):
...
jpqr.ocpp.errors.OCPPError: ...a prepaid payment cannot take 'authorise' in state 'shown'
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from .errors import OCPPError

__all__ = ["FINAL_STATES", "PAYABLE_STATES", "FlowEvent", "FlowState", "advance", "can"]

FlowState = Literal[
    "created",
    "shown",
    "paid",
    "authorised",
    "charging",
    "captured",
    "released",
    "refunded",
    "cancelled",
    "expired",
    "failed",
]
FlowEvent = Literal[
    "shown",
    "refreshed",
    "pay",
    "authorise",
    "started",
    "ended",
    "failed",
    "returned",
    "cancel",
    "expire",
]

FINAL_STATES: frozenset[str] = frozenset(
    {"captured", "released", "refunded", "cancelled", "expired"}
)
# States in which the code is (or is about to be) on the screen, waiting for the driver.
PAYABLE_STATES: frozenset[str] = frozenset({"created", "shown"})
_MONEY_IN: frozenset[str] = frozenset({"paid", "authorised"})

_SIMPLE: dict[tuple[str, str], str] = {
    ("created", "shown"): "shown",
    ("shown", "shown"): "shown",  # shown again after a reconnect
    ("created", "refreshed"): "created",
    ("shown", "refreshed"): "shown",
    ("created", "cancel"): "cancelled",
    ("shown", "cancel"): "cancelled",
    ("created", "expire"): "expired",
    ("shown", "expire"): "expired",
    ("paid", "started"): "charging",
    ("authorised", "started"): "charging",
    ("paid", "failed"): "failed",
    ("authorised", "failed"): "failed",
}


def can(model: str, state: str, event: str) -> bool:
    """Whether ``event`` is legal for a ``model`` payment in ``state``."""
    try:
        advance(model, state, event, cost=Decimal(0), amount=Decimal(1))
    except OCPPError:
        return False
    return True


def advance(
    model: str,
    state: str,
    event: str,
    *,
    cost: Decimal | int | None = None,
    amount: Decimal | int | None = None,
) -> FlowState:
    """The state after ``event``; raises ``ocpp.session_state`` if it is not allowed.

    ``cost`` (for ``ended``): the final cost; with ``amount`` it decides between the two ends
    of a prepaid session (anything left to refund or not). ``pay`` is the prepaid event,
    ``authorise`` the authorisation one.
    """
    if model not in ("prepaid", "authorisation"):
        raise OCPPError(
            "ocpp.session", f"model must be 'prepaid' or 'authorisation', not {model!r}"
        )
    found = _SIMPLE.get((state, event))
    if found is None:
        if event == "pay" and model == "prepaid" and state in PAYABLE_STATES:
            found = "paid"
        elif event == "authorise" and model == "authorisation" and state in PAYABLE_STATES:
            found = "authorised"
        elif event == "ended" and (state == "charging" or state in _MONEY_IN):
            if cost is None:
                raise OCPPError("ocpp.session", "an ended session needs its final cost")
            if model == "authorisation":
                found = "captured" if cost > 0 else "released"
            else:
                left = amount is None or Decimal(amount) - Decimal(cost) > 0
                found = "refunded" if left else "captured"
        elif event == "returned" and state == "failed":
            found = "refunded" if model == "prepaid" else "released"
    if found is None:
        raise OCPPError(
            "ocpp.session_state", f"a {model} payment cannot take {event!r} in state {state!r}"
        )
    return found  # type: ignore[return-value]

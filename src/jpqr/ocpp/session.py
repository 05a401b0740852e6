"""One QR payment at one EVSE as an immutable record: code checks, display and clear requests.

The CSMS flow of docs/ocpp.md keeps its payments in :mod:`jpqr.ocpp.store` and moves them with the
states of :mod:`jpqr.ocpp.flow` (shown, paid/authorised, charging, captured/released/refunded,
failed); this record is the smaller building block for a CSMS that keeps its own storage.

Two payment models (OCA white paper §3): **prepaid**, where the driver pays ``amount`` up front
(the code carries it in 54) and the unused part is refunded; **authorisation**, where ``amount``
is the maximum reserved, the final amount is captured and the rest released (the code carries no
amount, or that maximum). The payment reference sits in 62-05 (Reference Label) of the code.

The record is immutable: each step returns a new one. Its states and transitions are those of
:mod:`jpqr.ocpp.flow`, the same ones the CSMS flow stores (one state machine for a payment,
whoever keeps it); a step that does not fit the state raises ``ocpp.session_state``::

    displayed()      created -> shown (again after a reconnect: shown -> shown)
    refreshed(code)  created | shown -> the same state, a new code under the same message id
    authorised()     created | shown -> paid (prepaid) | authorised (authorisation)
    started()        paid | authorised -> charging
    completed(cost)  paid | authorised | charging -> captured | released | refunded
    failed()         paid | authorised -> failed; returned(): failed -> refunded | released
    cancelled()      created | shown -> cancelled; expired(now): created | shown -> expired

``cancelled``, ``expired``, ``captured``, ``released`` and ``refunded`` are final: a code that
ran out before payment is cancelled at the provider (docs/ocpp.md), and the next code is a new
payment, so a new session.

>>> from datetime import datetime, timezone
>>> from decimal import Decimal
>>> code = ("00020101021226680019jp.or.paymentsjapan0113000000000000102040001030600000104060000"
...         "015204599953033925802JP5911EV CHARGING6005TOKYO6107100000162290515EV20261121-0001"
...         "0706EVSE-164180002JA0108充電ステーション63045B6D")
>>> session = PaymentSession(
...     station_id="CS-0001", evse_id=1, message_id=41, reference="EV20261121-0001",
...     model="authorisation", amount=Decimal(3000), code=code,
...     expires_at=datetime(2026, 11, 21, 17, 30, tzinfo=timezone.utc))
>>> done = session.displayed().authorised().started().completed(Decimal(1234))
>>> done.state, done.capture, done.release
('captured', Decimal('1234'), Decimal('1766'))
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from ._codes import check_code, code_fields
from .display import format_datetime, set_display_message
from .errors import OCPPError
from .flow import FlowEvent, FlowState, advance

__all__ = ["PaymentModel", "PaymentSession", "SessionState"]

PaymentModel = Literal["prepaid", "authorisation"]
# The states of a session are the flow's (jpqr.ocpp.flow).
SessionState = FlowState

_REFERENCE_LIMIT = 25  # 62-05 Reference Label: ans, at most 25 (SPEC.md §3)


@dataclass(frozen=True)
class PaymentSession:
    """A payment session: station, EVSE, display message id, reference (62-05), money, expiry.

    ``amount``: the prepaid amount, or the authorisation maximum, in yen. ``code``: the payment
    code shown now; it must be valid, dynamic (01 = "12"), carry ``reference`` in 62-05 and, for
    prepaid, ``amount`` in 54. ``revision`` counts refreshes.
    """

    station_id: str
    evse_id: int
    message_id: int
    reference: str
    model: PaymentModel
    amount: Decimal
    code: str
    expires_at: datetime
    state: SessionState = "created"
    revision: int = 0
    final_amount: Decimal | None = None
    profile: str = "auto"

    def __post_init__(self) -> None:
        if self.model not in ("prepaid", "authorisation"):
            raise OCPPError(
                "ocpp.session", f"model must be 'prepaid' or 'authorisation', found {self.model!r}"
            )
        if isinstance(self.evse_id, bool) or not isinstance(self.evse_id, int) or self.evse_id < 1:
            raise OCPPError("ocpp.evse_id", f"expected an EVSE id >= 1, found {self.evse_id!r}")
        if not 0 < len(self.reference) <= _REFERENCE_LIMIT:
            raise OCPPError(
                "ocpp.session",
                f"the payment reference (62-05) must have 1 to {_REFERENCE_LIMIT} characters",
            )
        if not isinstance(self.amount, Decimal) or not self.amount > 0:
            raise OCPPError(
                "ocpp.session", f"amount must be a Decimal above zero, found {self.amount!r}"
            )
        if self.state not in get_args(FlowState):
            raise OCPPError(
                "ocpp.session", f"expected a state of jpqr.ocpp.flow, found {self.state!r}"
            )
        format_datetime(self.expires_at)  # refuses a naive datetime
        self._check_code(self.code)

    def _check_code(self, code: str) -> None:
        check_code(code, self.profile)
        fields = code_fields(code)
        if fields.point_of_initiation != "12":
            raise OCPPError(
                "ocpp.session_code", "a payment session needs a dynamic code (01 = '12')"
            )
        if fields.reference_label != self.reference:
            raise OCPPError(
                "ocpp.session_code",
                f"the code's reference label (62-05) is {fields.reference_label!r}, "
                f"the session's {self.reference!r}",
                path="62.05",
            )
        if self.model == "prepaid" and fields.amount != self.amount:
            raise OCPPError(
                "ocpp.session_code",
                f"a prepaid code must carry the amount {self.amount} in 54, found {fields.amount}",
                path="54",
            )
        if self.model == "authorisation" and fields.amount not in (None, self.amount):
            raise OCPPError(
                "ocpp.session_code",
                f"an authorisation code carries no amount or the maximum {self.amount}, "
                f"found {fields.amount}",
                path="54",
            )

    def _step(self, event: FlowEvent, **changes: Any) -> PaymentSession:
        cost = changes.get("final_amount")
        state = advance(self.model, self.state, event, cost=cost, amount=self.amount)
        return replace(self, state=state, **changes)

    def display_request(self, version: str, **options: Any) -> dict[str, Any]:
        """SetDisplayMessageRequest payload for the current code (see :func:`set_display_message`).

        Uses the session's message id and its expiry as ``endDateTime``; ``options`` pass on
        (``qr_code_display``, ``priority``, ``language``, ``transaction_id``, …).
        """
        return set_display_message(
            self.code,
            version=version,
            message_id=self.message_id,
            expires_at=self.expires_at,
            profile=self.profile,
            **options,
        )

    def clear_request(self) -> dict[str, Any]:
        """ClearDisplayMessageRequest payload that takes the code off the screen."""
        return {"id": self.message_id}

    def displayed(self) -> PaymentSession:
        """The station accepted the SetDisplayMessage (status Accepted), again after a reconnect."""
        return self._step("shown")

    def refreshed(self, code: str, expires_at: datetime) -> PaymentSession:
        """A new code from the provider for the same payment, shown under the same message id.

        The station replaces a message whose id it already shows, so the old code disappears.
        """
        format_datetime(expires_at)
        self._check_code(code)
        return self._step("refreshed", code=code, expires_at=expires_at, revision=self.revision + 1)

    def authorised(self) -> PaymentSession:
        """The provider confirmed the payment: prepaid paid (``paid``), or the maximum reserved
        (``authorised``); also before the station's answer to SetDisplayMessage came."""
        return self._step("pay" if self.model == "prepaid" else "authorise")

    def started(self) -> PaymentSession:
        """The station reported the transaction started (TransactionEvent Started)."""
        return self._step("started")

    def failed(self) -> PaymentSession:
        """Paid, but charging could not start (the station refused or did not answer)."""
        return self._step("failed")

    def returned(self) -> PaymentSession:
        """The money of a failed session went back: refunded (prepaid) or released."""
        return self._step("returned")

    def expired(self, now: datetime) -> PaymentSession:
        """The code's time is up before payment; ``now`` must be at or after ``expires_at``."""
        format_datetime(now)
        if now < self.expires_at:
            raise OCPPError(
                "ocpp.session_state",
                f"the code is valid until {format_datetime(self.expires_at)}",
            )
        return self._step("expire")

    def cancelled(self) -> PaymentSession:
        """The driver or the CSMS gave up before payment."""
        return self._step("cancel")

    def completed(self, final_amount: Decimal) -> PaymentSession:
        """Charging ended and cost ``final_amount`` yen (at most ``amount``): ``captured`` or
        ``released`` (authorisation: nothing taken), ``refunded`` or ``captured`` (prepaid:
        nothing left to give back)."""
        if not isinstance(final_amount, Decimal) or not 0 <= final_amount <= self.amount:
            raise OCPPError(
                "ocpp.session",
                f"the final amount must be between 0 and {self.amount}, found {final_amount!r}",
            )
        return self._step("ended", final_amount=final_amount)

    @property
    def capture(self) -> Decimal | None:
        """Amount to capture (authorisation model, once completed); else None."""
        if self.model == "authorisation" and self.final_amount is not None:
            return self.final_amount
        return None

    @property
    def release(self) -> Decimal | None:
        """Reserved amount to release (authorisation model, once completed); else None."""
        if self.model == "authorisation" and self.final_amount is not None:
            return self.amount - self.final_amount
        return None

    @property
    def refund(self) -> Decimal | None:
        """Unused prepaid amount to refund (prepaid model, once completed); else None."""
        if self.model == "prepaid" and self.final_amount is not None:
            return self.amount - self.final_amount
        return None

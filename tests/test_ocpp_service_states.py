"""The payment service under hypothesis' stateful testing: any order of presses, displays,
payments, replays, cancels, expiries, transaction events, disconnects and restarts.

The provider here is an in-memory stand-in that keeps its own books and refuses what a wallet
provider refuses (cancel after payment, a second capture, more than was reserved); the rules
check the books against the white paper's two models after every step: money moves at most once
per operation, an authorisation ends captured + released = the limit, a prepaid payment never
refunds more than was paid, and no EVSE has two open payments.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from jpqr.ocpp import OCPPError
from jpqr.ocpp.provider import CreatedPayment, ProviderModel, sign
from jpqr.ocpp.service import PaymentConfig, QRPaymentService
from jpqr.ocpp.simulator import payment_code
from jpqr.ocpp.store import Store

SECRET = "k"
STATION = "CS-H"


class Books:
    """The provider's books: per reference, model, amount, state and operations."""

    def __init__(self) -> None:
        self.payments: dict[str, dict[str, Any]] = {}

    async def create(
        self,
        reference: str,
        model: ProviderModel,
        amount: Decimal,
        lifetime_s: float,
        terminal: str,
    ) -> CreatedPayment:
        self.payments.setdefault(
            reference, {"model": model, "amount": amount, "state": "created", "ops": []}
        )
        return CreatedPayment(
            reference,
            payment_code(reference, amount, terminal),
            datetime.now(timezone.utc) + timedelta(seconds=lifetime_s),
        )

    async def refresh(self, reference: str, lifetime_s: float) -> CreatedPayment:
        payment = self.payments[reference]
        if payment["state"] != "created":
            raise OCPPError("ocpp.provider", "not refreshable")
        return await self.create(
            reference, payment["model"], payment["amount"], lifetime_s, "CS-H-1"
        )

    def _op(self, reference: str, op: str, amount: Decimal) -> None:
        payment = self.payments[reference]
        if any(done == op for done, _ in payment["ops"]):
            return  # idempotent retry
        payment["ops"].append((op, amount))

    async def cancel(self, reference: str, reason: str = "cancelled") -> None:
        payment = self.payments[reference]
        if payment["state"] not in ("created", "cancelled", "expired"):
            raise OCPPError("ocpp.provider", "paid already")
        payment["state"] = "cancelled"
        self._op(reference, "cancel", Decimal(0))

    async def capture(self, reference: str, amount: Decimal) -> None:
        assert self.payments[reference]["state"] == "authorised"
        self._op(reference, "capture", amount)

    async def release(self, reference: str, amount: Decimal) -> None:
        assert self.payments[reference]["state"] == "authorised"
        self._op(reference, "release", amount)

    async def refund(self, reference: str, amount: Decimal) -> None:
        assert self.payments[reference]["state"] == "paid"
        self._op(reference, "refund", amount)

    def pay(self, reference: str) -> bytes | None:
        """The driver pays: the webhook body, or None if the payment is not payable."""
        payment = self.payments[reference]
        if payment["state"] != "created":
            return None
        payment["state"] = "paid" if payment["model"] == "prepaid" else "authorised"
        event = "paid" if payment["model"] == "prepaid" else "authorised"
        return json.dumps(
            {
                "eventId": f"{reference}:{event}",
                "reference": reference,
                "event": event,
                "amount": str(payment["amount"]),
            }
        ).encode()


class Link:
    """A connected station that answers as told and records what it was sent."""

    def __init__(self, version: str, answers: dict[str, str], starts: list[dict[str, Any]]):
        self._version = version
        self.answers = answers  # shared with the test, so they outlive a reconnect
        self.starts = starts

    @property
    def version(self) -> str:
        return self._version

    async def set_display(self, request: dict[str, Any]) -> str:
        return self.answers["display"]

    async def clear_display(self, message_id: int) -> str:
        return "Accepted"

    async def request_start(self, request: dict[str, Any]) -> str:
        self.starts.append(request)
        return self.answers["start"]


class ServiceLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.store = Store(":memory:")
        self.books = Books()
        self.model: ProviderModel = "authorisation"
        self.version = "2.1"
        self.link: Link | None = None
        self.webhooks: list[bytes] = []
        self.answers = {"display": "Accepted", "start": "Accepted"}
        self.starts: list[dict[str, Any]] = []
        self.new_service()
        self.connect()
        self.service.booted(STATION)
        for evse in (1, 2):
            self.service.evse_seen(STATION, evse)

    def teardown(self) -> None:
        self.settle_tasks()
        self.loop.run_until_complete(self.service.stop())
        self.loop.close()
        self.store.close()

    def new_service(self) -> None:
        config = PaymentConfig(model=self.model, code_lifetime_s=300)
        self.service = QRPaymentService(self.store, self.books, config, SECRET)

    def run(self, coroutine: Any) -> Any:
        result = self.loop.run_until_complete(coroutine)
        self.settle_tasks()
        return result

    def settle_tasks(self) -> None:
        for _ in range(5):
            tasks = list(self.service._tasks)
            if not tasks:
                return
            self.loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))

    def connect(self) -> None:
        self.link = Link(self.version, self.answers, self.starts)

        async def attach() -> None:
            assert self.link is not None
            self.service.connected(STATION, self.link)

        self.run(attach())

    @rule(model=st.sampled_from(["prepaid", "authorisation"]))
    def switch_model_on_restart(self, model: ProviderModel) -> None:
        # A restart of the CSMS, possibly with the other model for new payments.
        self.settle_tasks()
        self.loop.run_until_complete(self.service.stop())
        self.model = model
        self.new_service()
        self.service.resume()
        self.connect()

    @rule(evse=st.sampled_from([1, 2, 3]))
    def press(self, evse: int) -> None:
        answer = self.service.trigger(STATION, self.version, evse)
        if answer.data is not None and answer.data.get("pending"):
            return
        if evse == 3:
            assert answer.status == "Rejected"
        if answer.status == "Accepted":
            self.run(self.service.start_payment(STATION, evse))

    @rule(evse=st.sampled_from([1, 2]), wh=st.integers(0, 100_000))
    def a_whole_session(self, evse: int, wh: int) -> None:
        # Press, pay, start, end in one step, so that long runs reach the money often.
        before = len(self.starts)
        self.press(evse)
        record = self.store.open_payment(STATION, evse)
        if record is None or record.state not in ("created", "shown"):
            return
        body = self.books.pay(record.reference)
        if body is None:
            return
        self.webhooks.append(body)
        self.run(self.service.webhook(body, sign(body, SECRET)))
        if len(self.starts) > before:
            start = self.starts[-1]
            for event in ("Started", "Ended"):
                self.send_event(start, event, wh)

    def send_event(self, start: dict[str, Any], event: str, wh: int) -> None:
        payload: dict[str, Any] = {
            "eventType": event,
            "transactionInfo": {
                "transactionId": f"T{start['remoteStartId']}",
                "remoteStartId": start["remoteStartId"],
            },
            "idToken": start["idToken"],
            "meterValue": [
                {
                    "sampledValue": [
                        {
                            "value": wh,
                            "context": "Transaction.End",
                            "measurand": "Energy.Active.Import.Register",
                        }
                    ]
                }
            ],
        }

        async def event_arrives() -> None:  # as in the CSMS: handled inside the loop
            self.service.transaction_event(STATION, self.version, payload)

        self.run(event_arrives())

    @rule(evse=st.sampled_from([1, 2]))
    def cancel(self, evse: int) -> None:
        if self.service.cancel_request(STATION, evse).status == "Accepted":
            self.run(self.service.cancel(STATION, evse))

    @rule(status=st.sampled_from(["Accepted", "Rejected"]))
    def station_answers_display(self, status: str) -> None:
        self.answers["display"] = status

    @rule(status=st.sampled_from(["Accepted", "Rejected"]))
    def station_answers_start(self, status: str) -> None:
        self.answers["start"] = status

    @rule()
    def disconnect(self) -> None:
        if self.link is not None:
            self.service.disconnected(STATION, self.link)
            self.link = None

    @rule()
    def reconnect(self) -> None:
        if self.link is None:
            self.connect()

    @rule(data=st.data())
    def driver_pays(self, data: st.DataObject) -> None:
        open_refs = [r for r, p in self.books.payments.items() if p["state"] == "created"]
        if not open_refs:
            return
        body = self.books.pay(data.draw(st.sampled_from(open_refs)))
        if body is not None:
            self.webhooks.append(body)
            status, _ = self.run(self.service.webhook(body, sign(body, SECRET)))
            assert status == 200

    @rule(data=st.data(), good=st.booleans())
    def webhook_again(self, data: st.DataObject, good: bool) -> None:
        if not self.webhooks:
            return
        body = data.draw(st.sampled_from(self.webhooks))
        status, _ = self.run(self.service.webhook(body, sign(body, SECRET if good else "bad")))
        assert status == (200 if good else 401)

    @rule()
    def expire_everything(self) -> None:
        self.run(self.service.expire_due(datetime.now(timezone.utc) + timedelta(days=1)))

    @rule(data=st.data(), event=st.sampled_from(["Started", "Ended"]), wh=st.integers(0, 100_000))
    def transaction_event(self, data: st.DataObject, event: str, wh: int) -> None:
        if self.link is None or not self.starts:
            return
        self.send_event(data.draw(st.sampled_from(self.starts)), event, wh)

    @invariant()
    def books_balance(self) -> None:
        for reference, payment in self.books.payments.items():
            ops = [op for op, _ in payment["ops"]]
            assert len(ops) == len(set(ops)), (reference, ops)  # each at most once
            amounts = dict(payment["ops"])
            assert sum(amounts.values(), Decimal(0)) <= payment["amount"]
            if "cancel" in ops:
                assert payment["state"] == "cancelled" and ops == ["cancel"]
            record = self.store.payment(reference)
            assert record is not None
            if record.settled and payment["model"] == "authorisation":
                total = amounts.get("capture", Decimal(0)) + amounts.get("release", Decimal(0))
                assert total == payment["amount"], (reference, payment)
            if payment["model"] == "prepaid":
                assert "capture" not in ops and "release" not in ops
            else:
                assert "refund" not in ops

    @invariant()
    def one_open_payment_per_evse(self) -> None:
        for evse in (1, 2):
            open_ones = self.store.payments(
                "evse_id = ? AND state NOT IN ('captured', 'released', 'refunded', "
                "'cancelled', 'expired')",
                evse,
            )
            assert len(open_ones) <= 1, open_ones


ServiceLife.TestCase.settings = settings(max_examples=120, stateful_step_count=25, deadline=None)
TestServiceLife = ServiceLife.TestCase

"""The CSMS's QR payment service: the white paper's nine steps (model 2.2), whatever the transport.

:class:`QRPaymentService` decides and remembers; a :class:`StationLink` per connected station
sends its requests (``jpqr.ocpp.csms`` implements it over the ``ocpp`` package). Every decision
reads and writes the :class:`~jpqr.ocpp.store.Store` first, so a reconnect or a restart of the CSMS
continues where it stopped: a confirmed payment whose RequestStartTransaction never reached the
station is sent when it comes back; an Ended transaction whose money was not settled yet is
settled at the next start. Money moves at most once: the state machine (:mod:`jpqr.ocpp.flow`)
refuses a second Ended or a replayed webhook, and every provider operation is idempotent.

Expiry: a code not paid within its lifetime is **cleared and cancelled** (ClearDisplayMessage,
provider cancel with reason ``expired``); the driver presses the button again for a new one.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from .display import set_display_message
from .errors import OCPPError
from .flow import PAYABLE_STATES, advance
from .provider import PaymentProvider, ProviderModel, read_webhook
from .store import PaymentRecord, Store

__all__ = [
    "MAX_EVSE_ID",
    "Answer",
    "PaymentConfig",
    "QRPaymentService",
    "StationLink",
    "energy_wh",
    "terminal_label",
]

LOG = logging.getLogger("jpqr.ocpp.service")

MAX_EVSE_ID = 64  # no station has more; larger ids are refused, not stored
_TERMINAL_LIMIT = 25  # 62-07 Terminal Label: ans, at most 25
_PLAIN_ID = re.compile(r"[A-Za-z0-9.:*_-]+")  # no "~": it marks the shortened form


def terminal_label(station_id: str, station_seq: int, evse_id: int) -> str:
    """62-07 for an EVSE: ``<station id>-<evse>`` when it fits in 25, else a unique short form.

    The short form keeps the start of the id and adds ``~<station number>``, a number the CSMS
    gave this station id once; ``~`` never appears in the plain form, so no two station ids and
    EVSEs share a label (the plain form reads back by its last ``-``).

    >>> terminal_label("CS-0001", 1, 2)
    'CS-0001-2'
    >>> terminal_label("TOKYO-SHINAGAWA-PARKING-LEVEL-B2-0001", 7, 2)
    'TOKYO-SHINAGAWA-PARKI~7-2'
    """
    plain = f"{station_id}-{evse_id}"
    if len(plain) <= _TERMINAL_LIMIT and _PLAIN_ID.fullmatch(station_id):
        return plain
    tail = f"~{station_seq}-{evse_id}"
    head = "".join(c for c in station_id if _PLAIN_ID.fullmatch(c))
    return head[: _TERMINAL_LIMIT - len(tail)] + tail


@dataclass(frozen=True)
class PaymentConfig:
    """The CSMS's payment settings: model, amount (prepaid or limit), tariff, code lifetime."""

    model: ProviderModel = "authorisation"
    amount: Decimal = Decimal(3000)
    tariff: Decimal = Decimal(50)  # yen per kWh
    code_lifetime_s: float = 300.0
    # A settlement the provider refused is tried again by resume() after this, doubling with
    # each failure up to settle_retry_max_s: a provider that is down is not called every few
    # seconds for every ended session.
    settle_retry_s: float = 2.0
    settle_retry_max_s: float = 300.0

    def final_cost(self, energy_wh: Decimal) -> Decimal:
        """kWh x tariff, rounded half up to whole yen, capped at the amount.

        >>> PaymentConfig().final_cost(Decimal(12345))
        Decimal('617')
        """
        cost = (energy_wh / 1000 * self.tariff).quantize(Decimal(1), ROUND_HALF_UP)
        return min(max(cost, Decimal(0)), self.amount)


class StationLink(Protocol):
    """How the service talks to one connected station; each returns the answer's status."""

    @property
    def version(self) -> str: ...

    async def set_display(self, request: dict[str, Any]) -> str: ...

    async def clear_display(self, message_id: int) -> str: ...

    async def request_start(self, request: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class Answer:
    """A DataTransfer answer: status, an optional reason code and data (JSON)."""

    status: str
    reason: str | None = None
    data: Mapping[str, Any] | None = None

    def to_response(self) -> dict[str, Any]:
        """The DataTransferResponse payload (camelCase)."""
        response: dict[str, Any] = {"status": self.status}
        if self.reason is not None:
            response["statusInfo"] = {"reasonCode": self.reason}
        if self.data is not None:
            response["data"] = dict(self.data)
        return response


class QRPaymentService:
    """The payment flow of every station of one CSMS (see the module docstring)."""

    def __init__(
        self, store: Store, provider: PaymentProvider, config: PaymentConfig, secret: str
    ) -> None:
        self.store = store
        self.provider = provider
        self.config = config
        self.secret = secret
        self.links: dict[str, StationLink] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._creating: set[tuple[str, int]] = set()
        self._cancel_requested: set[tuple[str, int]] = set()
        self._settling: set[str] = set()
        # reference -> (failed settlements, the monotonic time resume() may try it again)
        self._retry: dict[str, tuple[int, float]] = {}
        self.clock = time.monotonic
        self._starting: set[str] = set()  # references with a RequestStartTransaction in flight
        self._showing: set[str] = set()  # references with a SetDisplayMessage in flight
        self._tasks: set[asyncio.Task[None]] = set()

    # --- bookkeeping -----------------------------------------------------------------------

    def spawn(self, coroutine: Any) -> None:
        """Run a step in the background, keeping a reference (the loop holds tasks weakly)."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            LOG.warning("payment step failed: %r", task.exception())

    def _lock(self, station_id: str) -> asyncio.Lock:
        lock = self._locks.get(station_id)
        if lock is None:
            lock = self._locks[station_id] = asyncio.Lock()
        return lock

    async def stop(self) -> None:
        """Cancel background steps (their state is in the database; ``resume`` continues)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def connected(self, station_id: str, link: StationLink) -> None:
        """A station connected; its pending work continues (see :meth:`resume_station`)."""
        self.links[station_id] = link
        self.spawn(self.resume_station(station_id))

    def disconnected(self, station_id: str, link: StationLink) -> None:
        """A station went away: forget its link and lock (its payments stay in the database)."""
        if self.links.get(station_id) is not link:
            return  # an older connection of a station that has already reconnected
        del self.links[station_id]
        lock = self._locks.get(station_id)
        if lock is not None and not lock.locked():
            del self._locks[station_id]
        self._creating = {key for key in self._creating if key[0] != station_id}
        self._cancel_requested = {k for k in self._cancel_requested if k[0] != station_id}

    # --- what the station tells ------------------------------------------------------------

    def booted(self, station_id: str) -> None:
        """BootNotification accepted."""
        self.store.station(station_id)
        self.store.update_station(station_id, booted=1)

    def evse_seen(self, station_id: str, evse_id: object) -> None:
        """An EVSE reported by StatusNotification, NotifyReport or TransactionEvent."""
        if isinstance(evse_id, bool) or not isinstance(evse_id, int):
            return
        if not 1 <= evse_id <= MAX_EVSE_ID:
            return
        record = self.store.station(station_id)
        if evse_id not in record.evses:
            self.store.update_station(station_id, evses=record.evses | {evse_id})

    def supported_formats(self, station_id: str, formats: str) -> None:
        """DisplayMessageCtrlr.SupportedFormats (comma list), from GetVariables or NotifyReport."""
        self.store.station(station_id)
        listed = ",".join(f.strip().upper() for f in formats.split(",") if f.strip())
        self.store.update_station(station_id, formats=listed)

    def content_length(self, station_id: str, value: object) -> None:
        """2.1 OCPPCommCtrlr.FieldLength["MessageContentType.content"]: the longest content."""
        try:
            length = int(str(value))
        except ValueError:
            return
        if 1 <= length <= 1024:  # the schema's maxLength bounds what a station may configure
            self.store.station(station_id)
            self.store.update_station(station_id, content_length=length)

    def qr_display(self, station_id: str, enabled: bool) -> None:
        """The station's QRCodeDisplay.Enabled (2.0.1), from GetVariables or NotifyReport."""
        self.store.station(station_id)
        self.store.update_station(station_id, qr_display=int(enabled))

    # --- the driver's buttons --------------------------------------------------------------

    def trigger(self, station_id: str, version: str, evse_id: int) -> Answer:
        """StartQRPayment for a (checked) EVSE id: decide now, act in :meth:`start_payment`."""
        record = self.store.station(station_id)
        if not record.booted:
            return Answer("Rejected", "NotBooted")
        if evse_id not in record.evses:
            return Answer("Rejected", "UnknownEVSE")
        if version == "2.0.1" and record.qr_display is not True:
            # Unknown yet (GetVariables not answered) or disabled: never Accept and then drop.
            return Answer("Rejected", "NoQRCodeDisplay")
        if version == "2.1" and record.formats is not None and "QRCODE" not in record.formats:
            # The station listed its formats without QRCODE: it could not show the code.
            return Answer("Rejected", "NoQRCodeFormat")
        if (station_id, evse_id) in self._creating:
            return Answer("Accepted", data={"refreshed": False, "pending": True})
        open_payment = self.store.open_payment(station_id, evse_id)
        if open_payment is not None and open_payment.state not in PAYABLE_STATES:
            return Answer("Rejected", "EVSEBusy", {"reference": open_payment.reference})
        self._creating.add((station_id, evse_id))
        if open_payment is not None:
            return Answer(
                "Accepted",
                data={
                    "refreshed": True,
                    "messageId": open_payment.message_id,
                    "reference": open_payment.reference,
                },
            )
        return Answer("Accepted", data={"refreshed": False})

    async def start_payment(self, station_id: str, evse_id: int) -> PaymentRecord | None:
        """Create (or refresh) the payment at an accepted EVSE and show its code."""
        key = (station_id, evse_id)
        try:
            async with self._lock(station_id):
                open_payment = self.store.open_payment(station_id, evse_id)
                if open_payment is None:
                    payment = await self._create(station_id, evse_id)
                elif open_payment.state in PAYABLE_STATES:
                    try:
                        payment = await self._refresh(open_payment)
                    except OCPPError as error:  # paid at the provider, its webhook on the way
                        LOG.info("%s: no refresh: %s", open_payment.reference, error)
                        return open_payment
                else:
                    # Paid between the press and now (F13): the EVSE has its session; a second
                    # code beside the paid one could take the driver's money twice.
                    return open_payment
                if key in self._cancel_requested:
                    # The driver cancelled while the provider was making the code (F4).
                    await self._cancel(payment, "cancelled", clear=False)
                    return self.store.payment(payment.reference)
        finally:
            self._creating.discard(key)
            self._cancel_requested.discard(key)
        await self.show(payment)
        return self.store.payment(payment.reference)

    async def _create(self, station_id: str, evse_id: int) -> PaymentRecord:
        record = self.store.station(station_id)
        now = datetime.now(timezone.utc)
        # 62-05, at most 25: EV, the date, this database's instance (F5), a counter (D7).
        reference = (
            f"EV{now:%Y%m%d}{self.store.instance()}{self.store.next_number('reference'):010d}"
        )
        terminal = terminal_label(station_id, record.seq, evse_id)
        created = await self.provider.create(
            reference,
            self.config.model,
            self.config.amount,
            self.config.code_lifetime_s,
            terminal,
        )
        payment = PaymentRecord(
            reference=reference,
            station_id=station_id,
            evse_id=evse_id,
            message_id=self.store.next_message_id(station_id),
            model=self.config.model,
            amount=self.config.amount,
            state="created",
            code=created.code,
            expires_at=created.expires_at.isoformat(),
            terminal=terminal,
            remote_start_id=None,
            transaction_id=None,
            cost=None,
            start_accepted=False,
            start_sent=0,
            settled=False,
            revision=0,
        )
        self.store.add_payment(payment)
        return payment

    async def _refresh(self, payment: PaymentRecord) -> PaymentRecord:
        fresh = await self.provider.refresh(payment.reference, self.config.code_lifetime_s)
        state = advance(payment.model, payment.state, "refreshed")
        self.store.update_payment(
            payment.reference,
            code=fresh.code,
            expires_at=fresh.expires_at.isoformat(),
            revision=payment.revision + 1,
            state=state,
        )
        found = self.store.payment(payment.reference)
        assert found is not None
        return found

    async def show(self, payment: PaymentRecord) -> None:
        """SetDisplayMessage for the payment's code; a refusal cancels the payment.

        Not answered (the link dropped, F10) or not sent (the station was away, F9): the payment
        stays ``created`` and the code is sent again when the station is back.
        """
        self._showing.add(payment.reference)
        try:
            await self._show(payment)
        finally:
            self._showing.discard(payment.reference)

    async def _show(self, payment: PaymentRecord) -> None:
        link = self.links.get(payment.station_id)
        if link is None:
            return
        options: dict[str, Any] = {}
        if link.version == "2.0.1":
            # No QR format on 2.0.1: UTF8 text to the QRCodeDisplay component (OCA §2.2).
            options.update(qr_code_display=True, message_format="UTF8")
        length = self.store.station(payment.station_id).content_length
        if link.version == "2.1" and length is not None:
            options["max_length"] = length
        try:
            request = set_display_message(
                payment.code,
                version=link.version,
                message_id=payment.message_id,
                expires_at=datetime.fromisoformat(payment.expires_at),
                evse_id=payment.evse_id,
                language="ja",
                **options,
            )
        except OCPPError as error:  # e.g. longer than the station's configured content length
            LOG.warning("%s: cannot show %s: %s", payment.station_id, payment.reference, error)
            async with self._lock(payment.station_id):
                current = self.store.payment(payment.reference)
                if current is not None and current.state in PAYABLE_STATES:
                    await self._cancel(current, "cancelled", clear=False)
            return
        try:
            status = await link.set_display(request)
        except (asyncio.TimeoutError, ConnectionError, OSError) as error:
            LOG.warning("%s: SetDisplayMessage not answered: %r", payment.station_id, error)
            return
        except Exception as error:  # a CallError: the station refused the message
            LOG.warning("%s: SetDisplayMessage failed: %r", payment.station_id, error)
            status = "CallError"
        async with self._lock(payment.station_id):
            current = self.store.payment(payment.reference)
            if current is None or current.state not in PAYABLE_STATES:
                return
            if status == "Accepted":
                self.store.update_payment(
                    payment.reference, state=advance(current.model, current.state, "shown")
                )
                return
            LOG.info(
                "%s: display refused (%s): cancelling %s",
                payment.station_id,
                status,
                payment.reference,
            )
            await self._cancel(current, "cancelled")

    def cancel_request(self, station_id: str, evse_id: int) -> Answer:
        """CancelQRPayment: the driver gives up before paying."""
        if (station_id, evse_id) in self._creating:
            # Accepted a moment ago, the code is being made: cancel it once it exists.
            self._cancel_requested.add((station_id, evse_id))
            return Answer("Accepted", data={"pending": True})
        payment = self.store.open_payment(station_id, evse_id)
        if payment is None or payment.state not in PAYABLE_STATES:
            return Answer("Rejected", "NoPendingPayment")
        return Answer("Accepted", data={"reference": payment.reference})

    async def cancel(self, station_id: str, evse_id: int) -> None:
        """Cancel the EVSE's unpaid payment: provider cancel, then ClearDisplayMessage."""
        async with self._lock(station_id):
            payment = self.store.open_payment(station_id, evse_id)
            if payment is not None and payment.state in PAYABLE_STATES:
                await self._cancel(payment, "cancelled")

    async def _cancel(self, payment: PaymentRecord, reason: str, *, clear: bool = True) -> bool:
        """Cancel at the provider (with the lock held); False if it was paid meanwhile."""
        try:
            await self.provider.cancel(payment.reference, reason)
        except OCPPError as error:
            LOG.info("%s: provider refused to cancel: %s", payment.reference, error)
            return False  # paid in the meantime: the webhook is on its way
        event = "expire" if reason == "expired" else "cancel"
        self.store.update_payment(
            payment.reference, state=advance(payment.model, payment.state, event)
        )
        link = self.links.get(payment.station_id)
        if link is not None and clear:
            self.spawn(self._clear(link, payment))
        elif clear:
            self.store.update_payment(payment.reference, clear_pending=1)  # owed (F8)
        return True

    async def _clear(self, link: StationLink, payment: PaymentRecord) -> None:
        try:
            await link.clear_display(payment.message_id)
        except (asyncio.TimeoutError, ConnectionError, OSError) as error:
            # Owed: sent when the station is back (F8), so no dead code stays on its screen.
            LOG.info("%s: ClearDisplayMessage not answered: %r", payment.station_id, error)
            self.store.update_payment(payment.reference, clear_pending=1)
            return
        except Exception as error:  # refused: nothing to undo, the code is not payable anyway
            LOG.info("%s: ClearDisplayMessage failed: %r", payment.station_id, error)
        self.store.update_payment(payment.reference, clear_pending=0)

    async def expire_due(self, now: datetime | None = None) -> int:
        """Clear and cancel every unpaid code whose lifetime is over; returns how many."""
        now = now or datetime.now(timezone.utc)
        due = [
            p
            for p in self.store.payments("state IN ('created', 'shown')")
            if datetime.fromisoformat(p.expires_at) <= now
        ]
        count = 0
        for payment in due:
            async with self._lock(payment.station_id):
                current = self.store.payment(payment.reference)
                if current is not None and current.state in PAYABLE_STATES:
                    count += await self._cancel(current, "expired")
        return count

    # --- the provider's webhook -----------------------------------------------------------

    async def webhook(self, body: bytes, signature: str | None) -> tuple[int, dict[str, Any]]:
        """``POST /webhooks/payment``: 401 unless signed, 200 for a replay (no second effect)."""
        try:
            event = read_webhook(body, signature, self.secret)
        except OCPPError as error:
            status = 401 if error.code == "ocpp.webhook_signature" else 400
            return status, {"error": error.message}
        payment = self.store.payment(event.reference)
        if payment is None:
            return 404, {"error": "unknown reference"}
        expected = "paid" if payment.model == "prepaid" else "authorised"
        if event.event != expected or event.amount != payment.amount:
            return 409, {"error": f"expected {expected} of {payment.amount}"}
        async with self._lock(payment.station_id):
            payment = self.store.payment(event.reference)
            assert payment is not None
            if not self.store.remember_event(event.event_id) or payment.state not in PAYABLE_STATES:
                return 200, {"reference": payment.reference, "state": payment.state, "replay": True}
            step = "pay" if payment.model == "prepaid" else "authorise"
            remote_start_id = self.store.next_number("remote_start_id")
            self.store.update_payment(
                payment.reference,
                state=advance(payment.model, payment.state, step),
                remote_start_id=remote_start_id,
            )
        self.spawn(self.start_charging(payment.reference))
        return 200, {"reference": payment.reference, "state": step}

    # --- charging ------------------------------------------------------------------------

    async def start_charging(self, reference: str) -> None:
        """RequestStartTransaction for a confirmed payment, then ClearDisplayMessage.

        One at a time per payment: the webhook and a reconnect may both ask for it at once (F7),
        and a second request would be refused by a station already charging for the first.
        """
        if reference in self._starting:
            return
        self._starting.add(reference)
        try:
            await self._start_charging(reference)
        finally:
            self._starting.discard(reference)

    async def _start_charging(self, reference: str) -> None:
        payment = self.store.payment(reference)
        link = self.links.get(payment.station_id) if payment else None
        if payment is None or link is None or payment.start_accepted:
            return
        if payment.state not in ("paid", "authorised"):
            return
        request = {
            "idToken": {"idToken": payment.reference, "type": "Central"},
            "evseId": payment.evse_id,
            "remoteStartId": payment.remote_start_id,
        }
        self.store.update_payment(reference, start_sent=payment.start_sent + 1)
        try:
            status = await link.request_start(request)
        except (asyncio.TimeoutError, ConnectionError, OSError) as error:
            LOG.warning("%s: RequestStartTransaction not answered: %r", reference, error)
            return  # sent again when the station reconnects
        except Exception as error:  # a CallError
            LOG.warning("%s: RequestStartTransaction failed: %r", reference, error)
            status = "CallError"
        if status == "Accepted":
            self.store.update_payment(reference, start_accepted=1)
            await self._clear(link, payment)
            return
        async with self._lock(payment.station_id):
            current = self.store.payment(reference)
            if (
                current is None
                or current.start_accepted  # an earlier request was accepted: it is charging
                or current.state not in ("paid", "authorised")
            ):
                return
            if payment.start_sent > 0:
                # An earlier request went unanswered (the link dropped): the station may be
                # charging for it and refuse this one as busy. Wait for its TransactionEvent
                # rather than give the money back for a session that runs.
                LOG.warning("%s: start refused after an unanswered one: waiting", reference)
                return
            LOG.info("%s: start refused (%s): returning the money", reference, status)
            self.store.update_payment(
                reference, state=advance(current.model, current.state, "failed"), cost="0"
            )
        await self._clear(link, payment)
        await self.settle(reference)

    def transaction_event(
        self, station_id: str, version: str, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        """TransactionEventRequest (camelCase): the response payload; settles after Ended."""
        info = payload.get("transactionInfo") or {}
        evse = payload.get("evse") or {}
        self.evse_seen(station_id, evse.get("id") if isinstance(evse, Mapping) else None)
        payment = self._payment_of(station_id, payload)
        evse_id = evse.get("id") if isinstance(evse, Mapping) else None
        transaction_id = info.get("transactionId") if isinstance(info, Mapping) else None
        if payment is not None and (
            payment.state in ("created", "shown")  # not paid: the reference is public (F11)
            or (evse_id is not None and evse_id != payment.evse_id)  # another EVSE
            # One payment, one transaction: the first after its start, then only that one
            # (a settled payment's token starts nothing new, F12).
            or (payment.transaction_id is not None and transaction_id != payment.transaction_id)
            or (payment.transaction_id is None and payment.state not in ("paid", "authorised"))
        ):
            payment = None
        response: dict[str, Any] = {}
        token = payload.get("idToken")
        if isinstance(token, Mapping):
            # The same answer Authorize gives: Accepted only for the token of a paid session
            # (at its EVSE); a reference of ours in any other case is Invalid, else Unknown.
            known = isinstance(token.get("idToken"), str) and (
                self.store.payment(token["idToken"]) is not None
            )
            ours = payment is not None and token.get("idToken") == payment.reference
            status = "Accepted" if ours else "Invalid" if known else "Unknown"
            response["idTokenInfo"] = {"status": status}
        if payment is None:
            return response
        event_type = payload.get("eventType")
        state = payment.state
        if payment.transaction_id is None and isinstance(info.get("transactionId"), str):
            self.store.update_payment(payment.reference, transaction_id=info["transactionId"])
        if event_type in ("Started", "Updated") and state in ("paid", "authorised"):
            self.store.update_payment(
                payment.reference, state=advance(payment.model, state, "started")
            )
            if version == "2.1" and payment.model == "prepaid":
                # OCPP 2.1 E?? transaction limit: the station stops at the prepaid amount.
                response["transactionLimit"] = {"maxCost": float(payment.amount)}
        elif event_type == "Ended" and (state == "charging" or state in ("paid", "authorised")):
            cost = self.config.final_cost(energy_wh(payload))
            cost = min(cost, payment.amount)
            final = advance(payment.model, state, "ended", cost=cost, amount=payment.amount)
            self.store.update_payment(payment.reference, state=final, cost=cost)
            self.spawn(self.settle(payment.reference))
        return response

    def _payment_of(self, station_id: str, payload: Mapping[str, Any]) -> PaymentRecord | None:
        info = payload.get("transactionInfo") or {}
        remote = info.get("remoteStartId") if isinstance(info, Mapping) else None
        found: list[PaymentRecord] = []
        # A remoteStartId SQLite cannot hold is no id of ours (and would raise OverflowError).
        if isinstance(remote, int) and not isinstance(remote, bool) and abs(remote) < 2**63:
            found = self.store.payments(
                "remote_start_id = ? AND station_id = ?", remote, station_id
            )
        if not found and isinstance(info.get("transactionId"), str):
            found = self.store.payments(
                "transaction_id = ? AND station_id = ?", info["transactionId"], station_id
            )
        token = payload.get("idToken")
        if not found and isinstance(token, Mapping) and isinstance(token.get("idToken"), str):
            found = self.store.payments(
                "reference = ? AND station_id = ?", token["idToken"], station_id
            )
        return found[0] if found else None

    async def settle(self, reference: str) -> None:
        """Move the money of an ended (or failed) session, once: capture+release or refund."""
        self._settling.add(reference)
        try:
            await self._settle(reference)
        except Exception:
            failures = self._retry.get(reference, (0, 0.0))[0] + 1
            delay = self.config.settle_retry_s * 2 ** min(failures - 1, 30)
            wait = min(delay, self.config.settle_retry_max_s)
            self._retry[reference] = (failures, self.clock() + wait)
            raise
        else:
            self._retry.pop(reference, None)
        finally:
            self._settling.discard(reference)
            self._locks.pop(reference, None)

    async def _settle(self, reference: str) -> None:
        async with self._lock(reference):  # one settlement per reference at a time
            payment = self.store.payment(reference)
            if payment is None or payment.settled or payment.cost is None:
                return
            cost, rest = payment.cost, payment.amount - payment.cost
            if payment.model == "authorisation":
                if cost > 0:
                    await self.provider.capture(reference, cost)
                if rest > 0:
                    await self.provider.release(reference, rest)
            elif rest > 0:
                await self.provider.refund(reference, rest)
            state = payment.state
            if state == "failed":
                state = advance(payment.model, state, "returned")
            self.store.update_payment(reference, settled=1, state=state)

    # --- after a reconnect or a restart --------------------------------------------------

    async def resume_station(self, station_id: str) -> None:
        """Send what a station missed while it was away: the ClearDisplayMessages it is owed
        (codes that expired or were paid meanwhile, F8), the codes it never confirmed showing
        (F9, F10), and the starts of confirmed payments (F7)."""
        link = self.links.get(station_id)
        if link is None:
            return
        for payment in self.store.payments("station_id = ? AND clear_pending = 1", station_id):
            await self._clear(link, payment)
        now = datetime.now(timezone.utc)
        for payment in self.store.payments("station_id = ? AND state = 'created'", station_id):
            busy = payment.reference in self._showing or (
                (station_id, payment.evse_id) in self._creating
            )
            if not busy and datetime.fromisoformat(payment.expires_at) > now:
                await self.show(payment)
        for payment in self.store.payments(
            "station_id = ? AND state IN ('paid', 'authorised') AND start_accepted = 0",
            station_id,
        ):
            await self.start_charging(payment.reference)

    def resume(self) -> None:
        """Settle every ended session whose money did not move yet (at start, then now and then,
        so a provider call that failed is tried again, with a growing wait between tries:
        ``PaymentConfig.settle_retry_s``; each operation is idempotent)."""
        now = self.clock()
        for payment in self.store.payments("cost IS NOT NULL AND settled = 0"):
            retry = self._retry.get(payment.reference)
            if payment.reference not in self._settling and (retry is None or retry[1] <= now):
                self.spawn(self.settle(payment.reference))


def energy_wh(payload: Mapping[str, Any]) -> Decimal:
    """Energy delivered, in Wh, from a TransactionEvent's Energy.Active.Import.Register.

    Prefers the sample with context ``Transaction.End``; reads ``unitOfMeasure`` (Wh, kWh).

    >>> energy_wh({"meterValue": [{"sampledValue": [{"value": 12.5,
    ...     "measurand": "Energy.Active.Import.Register", "context": "Transaction.End",
    ...     "unitOfMeasure": {"unit": "kWh"}}]}]})
    Decimal('12500.0')
    """
    best: tuple[int, Decimal] | None = None
    for meter in payload.get("meterValue") or []:
        for sample in (meter.get("sampledValue") or []) if isinstance(meter, Mapping) else []:
            if not isinstance(sample, Mapping):
                continue
            if sample.get("measurand", "Energy.Active.Import.Register") != (
                "Energy.Active.Import.Register"
            ):
                continue
            try:
                value = Decimal(str(sample["value"]))
            except (KeyError, ArithmeticError, ValueError):
                continue
            unit = (sample.get("unitOfMeasure") or {}).get("unit", "Wh")
            multiplier = (sample.get("unitOfMeasure") or {}).get("multiplier", 0)
            if unit == "kWh":
                value *= 1000
            if isinstance(multiplier, int) and -3 <= multiplier <= 6:
                value *= Decimal(10) ** multiplier
            rank = 1 if sample.get("context") == "Transaction.End" else 0
            if best is None or rank >= best[0]:
                best = (rank, value)
    if best is None or not best[1].is_finite():
        return Decimal(0)
    return best[1]

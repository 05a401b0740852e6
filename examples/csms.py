"""A small CSMS that shows dynamic JPQR payment codes on charging stations (OCPP 2.1 and 2.0.1).

The OCA white paper's model 2: the station sends DataTransfer ``StartQRPayment`` for an EVSE, the
CSMS asks the payment provider for a dynamic code (here :class:`DemoPaymentProvider` builds one
with ``jpqr.Builder``), keeps a :class:`jpqr.ocpp.PaymentSession` and sends the code in a
SetDisplayMessageRequest, checked first by jpqr.

Run it (needs ``pip install -e ".[ocpp]"``), then start ``examples/station.py`` in another shell::

    python examples/csms.py --port 9000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from ocpp.routing import after, on
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v201 import ChargePoint as ChargePoint201
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

import jpqr
from jpqr.ocpp import (
    SUBPROTOCOLS,
    OCPPError,
    PaymentSession,
    answer_start_qr_payment,
    qr_code_display_enabled,
)
from jpqr.ocpp.calls import data_transfer_result, set_display_message_call

LOG = logging.getLogger("csms")

# Every wait on the station is bounded: a CALL without answer fails after this many seconds.
RESPONSE_TIMEOUT = 10.0


@dataclass(frozen=True)
class Payment:
    """What the payment provider's API returns for a new payment."""

    reference: str  # the provider's payment id; the code carries it in 62-05
    code: str  # the dynamic merchant-presented payload to show
    expires_at: datetime


class DemoPaymentProvider:
    """Stands in for the provider's API (PayPay, d払い, …): a dynamic JPQR code per payment."""

    def __init__(self, *, amount: Decimal = Decimal(2000), lifetime_s: int = 300) -> None:
        self.amount = amount
        self.lifetime = timedelta(seconds=lifetime_s)
        self._serial = itertools.count(1)

    def create_payment(
        self, station_id: str, evse_id: int, reference: str | None = None
    ) -> Payment:
        """A prepaid payment of ``amount`` yen for one EVSE, as a dynamic JPQR code.

        ``reference``: refresh that payment (a new code, new expiry, same payment id).
        """
        now = datetime.now(timezone.utc)
        reference = reference or f"EV{now:%Y%m%d}-{next(self._serial):04d}"
        code = (
            jpqr.Builder()
            .dynamic()
            .jpqr_identifier("0000000000001", "0001", "000001", "000001")
            .merchant_category_code("5999")
            .currency("JPY")
            .amount(self.amount)
            .country("JP")
            .merchant_name("EV CHARGING")
            .merchant_city("TOKYO")
            .postal_code("1000001")
            .language("JA", "EV充電ステーション")
            .reference_label(reference)  # 62-05: the payment, for the provider's webhook
            .terminal_label(f"{station_id[:18]}-{evse_id}")  # 62-07: the EVSE
            # Real providers put a one-time token in the code, so every code (and every
            # refresh) differs; here an unreserved template 80 under the provider's GUID.
            .unreserved("80", "jp.example.pay", **{"01": secrets.token_hex(8)})
            .to_payload()
        )
        return Payment(reference, code, now + self.lifetime)


class QRPaymentHandlers:
    """The CSMS side of QR payment, mixed into the ocpp package's ChargePoint of each version."""

    version: str
    id: str

    def setup(self, provider: DemoPaymentProvider, evse_ids: Iterable[int] | None) -> None:
        self.provider = provider
        self.evse_ids = set(evse_ids) if evse_ids is not None else None
        self.message_ids = itertools.count(1000)
        self.qr_code_display: bool | None = None  # unknown until the station reports
        self.capabilities_known = asyncio.Event()
        self.sessions: dict[int, PaymentSession] = {}
        # What happened to each StartQRPayment: a PaymentSession or the exception; for logs/tests.
        self.outcomes: asyncio.Queue[PaymentSession | Exception] = asyncio.Queue()
        self._accepted: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _spawn(self, coroutine: Any) -> None:
        # Keep a reference: the event loop holds tasks weakly.
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @on("BootNotification")
    def on_boot_notification(self, **_: Any) -> Any:
        now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        return self._call_result.BootNotification(current_time=now, interval=300, status="Accepted")

    @after("BootNotification")
    def after_boot_notification(self, **_: Any) -> None:
        # An @on handler must not await a CALL (the answer would wait behind it): ask afterwards.
        self._spawn(self.ask_qr_code_display())

    async def ask_qr_code_display(self) -> None:
        """GetVariables QRCodeDisplay.Enabled: 2.0.1 shows a code only where it is true."""
        request = self._call.GetVariables(
            get_variable_data=[
                {"component": {"name": "QRCodeDisplay"}, "variable": {"name": "Enabled"}}
            ]
        )
        try:
            response = await self.call(request, suppress=False)
            self.qr_code_display = qr_code_display_enabled(response.get_variable_result)
        except Exception as error:  # a station that cannot answer has no usable QR display
            LOG.warning("%s: GetVariables failed: %r", self.id, error)
            self.qr_code_display = False
        finally:
            self.capabilities_known.set()
        LOG.info("%s: QRCodeDisplay.Enabled = %s", self.id, self.qr_code_display)

    @on("DataTransfer")
    def on_data_transfer(
        self,
        vendor_id: str,
        call_unique_id: str,  # named here, else the ocpp package does not pass it
        message_id: str | None = None,
        data: Any = None,
        **_: Any,
    ) -> Any:
        # The ocpp package hands over data with rewritten keys ({"evse_id": 1}); jpqr reads both.
        # A 2.0.1 station shows a code only through QRCodeDisplay, when it reported it enabled.
        can_display = self.version == "2.1" or self.qr_code_display is not False
        answer = answer_start_qr_payment(
            vendor_id, message_id, data, evse_ids=self.evse_ids, can_display=can_display
        )
        if answer.accepted:
            self._accepted[call_unique_id] = answer.evse_id
        return data_transfer_result(answer.to_response(), self.version)

    @after("DataTransfer")
    def after_data_transfer(self, call_unique_id: str, **_: Any) -> None:
        evse_id = self._accepted.pop(call_unique_id, None)
        if evse_id is not None:
            self._spawn(self.start_payment(evse_id))

    async def start_payment(self, evse_id: int) -> None:
        """Get a code from the provider and show it at the EVSE (the white paper's steps 3-5)."""
        try:
            if self.version == "2.0.1":
                await asyncio.wait_for(self.capabilities_known.wait(), RESPONSE_TIMEOUT)
            payment = self.provider.create_payment(self.id, evse_id)
            session = PaymentSession(
                station_id=self.id,
                evse_id=evse_id,
                message_id=next(self.message_ids),
                reference=payment.reference,
                model="prepaid",
                amount=self.provider.amount,
                code=payment.code,
                expires_at=payment.expires_at,
            )
            self.sessions[evse_id] = await self.show(session)
            self.outcomes.put_nowait(self.sessions[evse_id])
        except Exception as error:  # jpqr refusal, CallError, timeout: log it, keep serving
            LOG.warning("%s: no QR payment for EVSE %s: %r", self.id, evse_id, error)
            self.outcomes.put_nowait(error)

    async def show(self, session: PaymentSession) -> PaymentSession:
        """Send the session's code in a SetDisplayMessageRequest; displayed() once Accepted."""
        options: dict[str, Any] = {"language": "ja"}
        if self.version == "2.0.1":
            # 2.0.1 has no QRCODE format: text to the QRCodeDisplay component, if enabled.
            options.update(qr_code_display=bool(self.qr_code_display), evse_id=session.evse_id)
        request = session.display_request(self.version, **options)  # jpqr checks it here
        response = await self.call(set_display_message_call(request, self.version), suppress=False)
        if response.status != "Accepted":
            raise OCPPError("ocpp.display_refused", f"the station answered {response.status}")
        return session.displayed()

    async def refresh(self, evse_id: int) -> PaymentSession:
        """A fresh code for the same payment, shown under the same display message id."""
        old = self.sessions[evse_id]
        payment = self.provider.create_payment(self.id, evse_id, reference=old.reference)
        fresh = old.refreshed(payment.code, payment.expires_at)
        self.sessions[evse_id] = await self.show(fresh)
        return self.sessions[evse_id]


class CSMS21(QRPaymentHandlers, ChargePoint21):
    """The CSMS's view of one OCPP 2.1 station."""

    version = "2.1"


class CSMS201(QRPaymentHandlers, ChargePoint201):
    """The CSMS's view of one OCPP 2.0.1 station."""

    version = "2.0.1"


class CentralSystem:
    """The websocket server: negotiates the OCPP version, then serves each station."""

    def __init__(
        self, provider: DemoPaymentProvider | None = None, evse_ids: Iterable[int] | None = None
    ) -> None:
        self.provider = provider or DemoPaymentProvider()
        self.evse_ids = evse_ids
        self.stations: dict[str, QRPaymentHandlers] = {}
        self.connected: asyncio.Queue[QRPaymentHandlers] = asyncio.Queue()

    async def handler(self, connection: ServerConnection) -> None:
        # websockets picked the first of our subprotocols the station offered; no subprotocol
        # means the station offered none we speak, so close instead of guessing a version.
        version = SUBPROTOCOLS.get(connection.subprotocol or "")
        if version is None:
            await connection.close(1002, "expected subprotocol ocpp2.1 or ocpp2.0.1")
            return
        station_id = (connection.request.path if connection.request else "/").strip("/")
        cls = CSMS21 if version == "2.1" else CSMS201
        station = cls(station_id, connection, response_timeout=RESPONSE_TIMEOUT)
        station.setup(self.provider, self.evse_ids)
        self.stations[station_id] = station
        self.connected.put_nowait(station)
        LOG.info("%s connected with OCPP %s", station_id, version)
        try:
            await station.start()
        except ConnectionClosed:
            LOG.info("%s disconnected", station_id)
        finally:
            # Let a payment whose answer already arrived finish; the rest fail on their own
            # within the call timeout, so this wait is bounded too.
            if station._tasks:
                await asyncio.wait(list(station._tasks), timeout=RESPONSE_TIMEOUT)
            for task in list(station._tasks):
                task.cancel()

    def serve(self, host: str, port: int) -> Any:
        """``async with central.serve(host, port) as server``; port 0 lets the OS choose."""
        # Server preference order: OCPP 2.1 first when the station offers both.
        return serve(self.handler, host, port, subprotocols=[*SUBPROTOCOLS])


def bound_port(server: Server) -> int:
    """The TCP port the OS chose for ``serve(host, 0)``."""
    return int(next(iter(server.sockets)).getsockname()[1])


async def main(host: str, port: int) -> None:
    central = CentralSystem()
    async with central.serve(host, port) as server:
        LOG.info("CSMS listening on ws://%s:%s/<station id>", host, bound_port(server))
        reporters = set()
        while True:
            station = await central.connected.get()
            reporters.add(asyncio.ensure_future(report(station)))


async def report(station: QRPaymentHandlers) -> None:
    while True:
        outcome = await station.outcomes.get()
        if isinstance(outcome, PaymentSession):
            LOG.info(
                "%s EVSE %s shows payment %s (message %s, %s yen, until %s)",
                station.id,
                outcome.evse_id,
                outcome.reference,
                outcome.message_id,
                outcome.amount,
                outcome.expires_at.isoformat(timespec="seconds"),
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(args.host, args.port))

"""A charging station written from the OCPP 2.0.1 / 2.1 JSON schemas and the OCA white paper only.

It speaks OCPP-J itself (:mod:`.framing`) over ``websockets`` and checks every payload it sends and
receives against the official schema (:mod:`.schemas`). What it does, step by step of the OCA paper
"OCPP & QR code payment in Japan", section 2.2 (model "PSP's QR code coming from CSMS"):

- Before step 1 (OCPP B01, G01): BootNotification, then StatusNotification per connector, then
  Heartbeat when asked (:meth:`Station.boot`, :meth:`Station.heartbeat`).
- Steps 1-2: the driver's "Pay with QR code" is the paper's DataTransfer ``StartQRPayment``
  (:meth:`Station.press_pay`); ``CancelQRPayment`` is the jpqr extension named in the contract.
- Step 5 (OCPP O02): SetDisplayMessage. A QR message is on 2.1 ``format = QRCODE``; on 2.0.1 the
  paper's ``display = QRCodeDisplay`` with ``format`` text, used only when the device model
  reports ``QRCodeDisplay.Enabled = true``. The station checks the code with
  :func:`jpqr.validate` before it shows it, and refuses (``Rejected``) a code that fails.
- Step 9 (OCPP F01, E02): RequestStartTransaction, then TransactionEvent Started with the
  ``remoteStartId`` and idToken it was given; Updated / Ended with meter values
  (``Energy.Active.Import.Register`` in Wh) from :meth:`Station.end_transaction`.
- Everything else the CSMS may call (B06-B08 device model, F06 TriggerMessage, O03-O04 display
  messages, F03 RequestStopTransaction, ...) is answered per its Response schema; an action the
  version does not define gets CALLERROR ``NotImplemented``, one it defines but this station does
  not do ``NotSupported``.

Whatever the CSMS does that the schemas, the paper or the contract forbid is kept in
:attr:`Station.violations` (the tests assert it stays empty). On demand the station is hostile:
raw frames (:meth:`Station.send_raw`), double presses, unknown EVSEs, reconnects mid-flow, duplicate
Ended events, slow answers (``answer_delay``), display refusals (``display_answer``: a status, a
CALLERROR or silence) and refused remote starts (``start_answer``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

import jpqr
from tests.ocpp_station import framing, schemas
from tests.ocpp_station.device_model import DeviceModel
from tests.ocpp_station.framing import Call, CallError, CallResult, Frame

T = TypeVar("T")
QR_VENDOR = "org.openchargealliance.qrpayment"  # OCA paper 2.2, "Custom DataTransfer message"
Handler = Callable[[dict[str, Any]], tuple[dict[str, Any], Coroutine[Any, Any, None] | None]]


def now() -> str:
    """An RFC 3339 UTC timestamp, as the schemas' ``date-time`` strings want."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ProtocolViolation:
    """Something the CSMS did that the schema, the paper or the contract forbids."""

    rule: str  # a short stable name, e.g. "schema.response", "qr.invalid"
    detail: str


class CallErrorReceived(Exception):
    """The CSMS answered one of our calls with a CALLERROR."""

    def __init__(self, action: str, error: CallError) -> None:
        super().__init__(f"{action}: CALLERROR {error.code} {error.description!r}")
        self.error = error


@dataclass
class ShownMessage:
    """A display message this station shows (SetDisplayMessage accepted)."""

    id: int
    content: str
    format: str
    display: dict[str, Any] | None
    evse: int | None
    is_qr: bool
    reference: str | None = None  # the code's 62-05 when it is a JPQR code
    terminal: str | None = None  # 62-07
    amount: str | None = None  # 54


@dataclass
class Transaction:
    """A transaction on one EVSE (OCPP E01-E06), with its TransactionEvent seqNo counter."""

    transaction_id: str
    evse: int
    id_token: dict[str, Any]
    remote_start_id: int | None
    seq: itertools.count[int] = field(default_factory=itertools.count)
    ended: bool = False
    token_sent: bool = False
    responses: list[dict[str, Any]] = field(default_factory=list)


def additional_data(payload: str) -> dict[str, str]:
    """The 62 sub-objects of a code by ID (e.g. ``{"05": reference, "07": terminal}``)."""
    for item in jpqr.decode(payload):
        if item.id == "62" and item.children is not None:
            return {child.id: child.value for child in item.children}
    return {}


def root_value(payload: str, tag: str) -> str | None:
    return next((item.value for item in jpqr.decode(payload) if item.id == tag), None)


class Station:
    """One charging station with ``evses`` (one connector each) on OCPP ``version``.

    ``qr_code_display`` is the 2.0.1 device model's ``QRCodeDisplay.Enabled`` (None: the
    component is absent; the default: present and true on 2.0.1, absent on 2.1).
    """

    def __init__(
        self,
        station_id: str,
        version: str,
        *,
        evses: tuple[int, ...] = (1, 2),
        qr_code_display: bool | str | None = "default",
        display_answer: str = "Accepted",
        start_answer: str = "Accepted",
        device_model_answer: str = "Normal",
        lose_started: bool = False,
        supported_formats: str | None = None,
        answer_delay: float = 0.0,
        call_timeout: float = 5.0,
    ) -> None:
        assert version in framing.OCPP_VERSIONS
        self.id = station_id
        self.version = version
        self.evses = evses
        if qr_code_display == "default":
            qr_code_display = True if version == "2.0.1" else None
        assert qr_code_display is None or isinstance(qr_code_display, bool)
        self.device_model = DeviceModel(version, evses, qr_code_display, formats=supported_formats)
        # SetDisplayMessage of a QR code: a DisplayMessageStatusEnumType, "CALLERROR", "SILENT"
        # "OFF-SCHEMA" (a CALLRESULT whose status no schema allows) or "MALFORMED" (a CALLERROR
        # frame that part 4 does not allow)
        self.display_answer = display_answer
        self.start_answer = start_answer  # RequestStartStopStatusEnumType, or "CALLERROR"
        # GetVariables: "Normal", "CALLERROR" or "SILENT"
        self.device_model_answer = device_model_answer
        self.lose_started = lose_started  # hostile: never send Started (lost in an offline queue)
        self.answer_delay = answer_delay
        self.call_timeout = call_timeout
        self.violations: list[ProtocolViolation] = []
        self.received: list[Call] = []  # every CSMS-initiated call, in order
        self.stray: list[Frame | str] = []  # replies to nothing we sent, and unreadable frames
        self.shown: dict[int, ShownMessage] = {}
        self.refused: list[ShownMessage] = []  # SetDisplayMessage this station answered Rejected
        self.cleared: list[int] = []
        self.transactions: dict[str, Transaction] = {}
        self.heartbeat_interval: int | None = None
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: dict[str, tuple[str, asyncio.Future[Frame]]] = {}
        self._one_call = asyncio.Lock()  # OCPP-J 4.1.1: one outstanding CALL at a time
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._url = ""
        self.closed_by_peer: int | None = None
        self._handlers: dict[str, Handler] = {
            "SetDisplayMessage": self._on_set_display_message,
            "ClearDisplayMessage": self._on_clear_display_message,
            "GetDisplayMessages": self._on_get_display_messages,
            "RequestStartTransaction": self._on_request_start,
            "RequestStopTransaction": self._on_request_stop,
            "GetVariables": self._on_get_variables,
            "SetVariables": self._on_set_variables,
            "GetBaseReport": self._on_get_base_report,
            "GetReport": self._on_get_report,
            "TriggerMessage": self._on_trigger_message,
            "GetTransactionStatus": self._on_get_transaction_status,
            "CostUpdated": lambda _: ({}, None),
            "ChangeAvailability": lambda _: ({"status": "Accepted"}, None),
            "Reset": lambda _: ({"status": "Rejected"}, None),
            "ClearCache": lambda _: ({"status": "Accepted"}, None),
            "UnlockConnector": lambda _: ({"status": "UnlockFailed"}, None),
            "DataTransfer": lambda _: ({"status": "UnknownVendorId"}, None),
        }

    # -- connection ----------------------------------------------------------------------------

    async def connect(self, url: str) -> None:
        """Open the WebSocket to ``url`` (``ws://host:port/<path>/<station id>``), subprotocol of
        the version; the CSMS must agree on it (OCPP-J 3.1.2)."""
        self._url = url
        self.closed_by_peer = None
        subprotocol = framing.SUBPROTOCOLS[self.version]
        self._ws = await connect(
            url,
            subprotocols=[Subprotocol(subprotocol)],
            open_timeout=5,
            close_timeout=2,
        )
        if self._ws.subprotocol != subprotocol:
            self._violate(
                "handshake.subprotocol", f"asked {subprotocol}, got {self._ws.subprotocol}"
            )
        self._reader = asyncio.create_task(self._read(self._ws))

    async def disconnect(self) -> None:
        """Close the WebSocket (the station's display and transactions stay as they are)."""
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    async def reconnect(self, url: str | None = None, *, boot: bool = True) -> None:
        """Drop the connection and open a new one (to ``url``, default the same), booting again."""
        await self.disconnect()
        await self.connect(url or self._url)
        if boot:
            await self.boot()

    async def close(self) -> None:
        """Disconnect and stop every background task."""
        await self.disconnect()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    @property
    def connected(self) -> bool:
        return self._ws is not None and self.closed_by_peer is None

    # -- sending -------------------------------------------------------------------------------

    async def call(self, action: str, payload: dict[str, Any], timeout: float | None = None) -> Any:
        """Send a CALL and return the CALLRESULT payload, checked against the Response schema.

        Raises :class:`CallErrorReceived` for a CALLERROR and TimeoutError when no answer comes
        (an unanswered call is recorded as a violation: OCPP-J wants every CALL answered).
        """
        problems = schemas.violations(self.version, action, "Request", payload)
        assert not problems, f"station bug: {action} request {problems}"
        async with self._one_call:
            reply = await self._call_unchecked(action, payload, timeout)
        if isinstance(reply, CallError):
            if reply.code not in framing.ERROR_CODES:
                self._violate("callerror.code", f"{action}: unknown error code {reply.code!r}")
            raise CallErrorReceived(action, reply)
        problems = schemas.violations(self.version, action, "Response", reply.payload)
        if problems:
            self._violate("schema.response", f"{action} -> {reply.payload}: {problems}")
        return reply.payload

    async def _call_unchecked(
        self, action: str, payload: Any, timeout: float | None, message_id: str | None = None
    ) -> CallResult | CallError:
        ws = self._ws
        if ws is None:
            raise ConnectionError(f"{self.id}: not connected")
        message_id = message_id or f"{self.id[:20]}-{next(self._ids)}"
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = (action, future)
        try:
            await ws.send(json.dumps([framing.CALL, message_id, action, payload]))
            wait = self.call_timeout if timeout is None else timeout
            try:
                reply = await asyncio.wait_for(future, wait)
            except TimeoutError:
                self._violate("call.unanswered", f"{action} {payload}: no answer in {wait} s")
                raise
        finally:
            self._pending.pop(message_id, None)
        assert isinstance(reply, CallResult | CallError)
        return reply

    async def send_raw(self, text: str | bytes) -> None:
        """Send ``text`` as it is (hostile: malformed frames, unsolicited results, binary ...)."""
        assert self._ws is not None
        await self._ws.send(text)

    async def call_raw(
        self, action: str, payload: Any, timeout: float = 3.0, message_id: str | None = None
    ) -> CallResult | CallError:
        """A CALL whose payload is not checked by the station (hostile), the reply unchecked too."""
        async with self._one_call:
            return await self._call_unchecked(action, payload, timeout, message_id)

    # -- the station's own messages ------------------------------------------------------------

    async def boot(self, *, status: bool = True) -> dict[str, Any]:
        """BootNotification (B01), then StatusNotification Available per connector (B01.FR.02)."""
        reply: dict[str, Any] = await self.call(
            "BootNotification",
            {
                "reason": "PowerUp",
                "chargingStation": {"model": "schema-only-station", "vendorName": "jpqr tests"},
            },
        )
        if reply.get("status") == "Accepted":
            self.heartbeat_interval = reply["interval"]
        if status:
            for evse in self.evses:
                await self.status(evse, "Available")
        return reply

    async def status(self, evse: int, status: str, connector: int = 1) -> dict[str, Any]:
        """StatusNotification for one connector (G01)."""
        return await self.call(  # type: ignore[no-any-return]
            "StatusNotification",
            {
                "timestamp": now(),
                "connectorStatus": status,
                "evseId": evse,
                "connectorId": connector,
            },
        )

    async def heartbeat(self) -> dict[str, Any]:
        """Heartbeat (G02); the CSMS answers with its current time."""
        return await self.call("Heartbeat", {})  # type: ignore[no-any-return]

    async def press_pay(self, evse: Any, *, data_as_string: bool = False) -> dict[str, Any]:
        """The driver presses "Pay with QR code": the paper's DataTransfer ``StartQRPayment``."""
        return await self._qr_data_transfer("StartQRPayment", evse, data_as_string)

    async def cancel_pay(self, evse: int) -> dict[str, Any]:
        """The driver cancels: DataTransfer ``CancelQRPayment`` (jpqr's, contract step 8)."""
        return await self._qr_data_transfer("CancelQRPayment", evse, False)

    async def _qr_data_transfer(self, message: str, evse: Any, as_string: bool) -> dict[str, Any]:
        data: Any = {"evseId": evse}
        reply: dict[str, Any] = await self.call(
            "DataTransfer",
            {
                "vendorId": QR_VENDOR,
                "messageId": message,
                "data": json.dumps(data) if as_string else data,
            },
        )
        if reply.get("status") not in ("Accepted", "Rejected"):
            self._violate(
                "qr.trigger.status", f"{message}: paper allows Accepted/Rejected: {reply}"
            )
        return reply

    def transaction_on(self, evse: int) -> Transaction | None:
        """The open transaction on ``evse``, if any."""
        return next(
            (tx for tx in self.transactions.values() if tx.evse == evse and not tx.ended), None
        )

    async def _transaction_event(
        self,
        tx: Transaction,
        event: str,
        trigger: str,
        energy_wh: float,
        context: str,
        *,
        stopped_reason: str | None = None,
        unit: str = "Wh",
        multiplier: int = 0,
        meter: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        info: dict[str, Any] = {"transactionId": tx.transaction_id}
        if event == "Ended":
            info["stoppedReason"] = stopped_reason or "Local"
            info["chargingState"] = "Idle"
        else:
            info["chargingState"] = "Charging"
        if tx.remote_start_id is not None:
            info["remoteStartId"] = tx.remote_start_id
        payload: dict[str, Any] = {
            "eventType": event,
            "timestamp": now(),
            "triggerReason": trigger,
            "seqNo": next(tx.seq),
            "transactionInfo": info,
            "evse": {"id": tx.evse, "connectorId": 1},
            "meterValue": [
                {
                    "timestamp": now(),
                    "sampledValue": [
                        {
                            "value": energy_wh,
                            "context": context,
                            "measurand": "Energy.Active.Import.Register",
                            "unitOfMeasure": {"unit": unit, "multiplier": multiplier},
                        }
                    ],
                }
            ],
        }
        if meter is not None:  # the caller's own meter values ([]: none at all)
            payload["meterValue"] = meter
            if not meter:
                del payload["meterValue"]
        if not tx.token_sent:  # E03: the idToken goes in the first event after authorisation
            payload["idToken"] = tx.id_token
            tx.token_sent = True
        reply: dict[str, Any] = await self.call("TransactionEvent", payload)
        tx.responses.append(reply)
        self._changed.set()
        return reply

    async def update_transaction(self, evse: int, energy_wh: float) -> dict[str, Any]:
        """TransactionEvent Updated with a periodic meter value (E02.FR.10)."""
        tx = self.transaction_on(evse)
        assert tx is not None, f"no transaction on EVSE {evse}"
        return await self._transaction_event(
            tx, "Updated", "MeterValuePeriodic", energy_wh, "Sample.Periodic"
        )

    async def end_transaction(
        self,
        evse: int,
        energy_wh: float,
        *,
        reason: str = "Local",
        trigger: str = "StopAuthorized",
        unit: str = "Wh",
        multiplier: int = 0,
        meter: list[dict[str, Any]] | None = None,
    ) -> Transaction:
        """TransactionEvent Ended with the energy delivered (contract step 6), connector freed."""
        tx = self.transaction_on(evse)
        assert tx is not None, f"no transaction on EVSE {evse}"
        tx.ended = True
        await self._transaction_event(
            tx,
            "Ended",
            trigger,
            energy_wh,
            "Transaction.End",
            stopped_reason=reason,
            unit=unit,
            multiplier=multiplier,
            meter=meter,
        )
        await self.status(evse, "Available")
        return tx

    async def send_started(self, tx: Transaction) -> dict[str, Any]:
        """TransactionEvent Started for ``tx`` as given (hostile: a forged or repeated start)."""
        return await self._transaction_event(tx, "Started", "RemoteStart", 0, "Transaction.Begin")

    async def resend_ended(self, tx: Transaction, energy_wh: float) -> dict[str, Any]:
        """Hostile: the same Ended again (a station that lost the first answer resends)."""
        return await self._transaction_event(
            tx, "Ended", "StopAuthorized", energy_wh, "Transaction.End", stopped_reason="Local"
        )

    # -- waiting -------------------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """Wait until ``predicate()`` is truthy (bounded), return its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._changed.clear()
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{self.id}: no {what} within {timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def qr_on(self, evse: int) -> ShownMessage | None:
        """The QR code shown for ``evse``, if any."""
        return next((m for m in self.shown.values() if m.is_qr and m.evse == evse), None)

    async def wait_qr(
        self, evse: int, timeout: float = 5.0, *, other_than: str | None = None
    ) -> ShownMessage:
        """The QR code shown for ``evse`` (optionally one whose reference is not ``other_than``)."""

        def shown() -> ShownMessage | None:
            message = self.qr_on(evse)
            if message is not None and message.reference != other_than:
                return message
            return None

        return await self.wait_for(shown, timeout, f"QR code on EVSE {evse}")

    def calls(self, action: str) -> list[dict[str, Any]]:
        """Payloads of the CSMS-initiated calls of ``action`` received so far."""
        return [c.payload for c in self.received if c.action == action]

    # -- reading -------------------------------------------------------------------------------

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for text in ws:
                self._on_frame(text)
        except ConnectionClosed:
            pass
        finally:
            if ws is self._ws:
                self.closed_by_peer = ws.close_code if ws.close_code is not None else -1
            for _, future in list(self._pending.values()):
                if not future.done():
                    future.set_exception(ConnectionError(f"{self.id}: connection closed"))
            self._changed.set()

    def _on_frame(self, text: str | bytes) -> None:
        try:
            frame = framing.decode(text)
        except framing.FrameError as error:
            self._violate("frame.malformed", f"{error}")
            self.stray.append(text if isinstance(text, str) else repr(text))
            self._changed.set()
            return
        if isinstance(frame, Call):
            self._spawn(self._answer(frame))
            return
        pending = self._pending.get(frame.message_id)
        if pending is None or pending[1].done():
            self.stray.append(frame)
        else:
            pending[1].set_result(frame)
        self._changed.set()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, call: Call) -> None:
        """Answer one CSMS call per its schema, then run what the answer promised."""
        ws = self._ws
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        follow_up: Coroutine[Any, Any, None] | None = None
        reply: Frame
        if call.action not in schemas.actions(self.version):
            self._violate(
                "call.unknown_action", f"{call.action} is not an OCPP {self.version} action"
            )
            reply = CallError(call.message_id, "NotImplemented", f"unknown action {call.action}")
        elif problems := schemas.violations(self.version, call.action, "Request", call.payload):
            self._violate("schema.request", f"{call.action} {call.payload}: {problems}")
            reply = CallError(call.message_id, "FormatViolation", "; ".join(problems)[:500])
        elif call.action not in self._handlers:
            reply = CallError(call.message_id, "NotSupported", f"{call.action} is not supported")
        else:
            self.received.append(call)
            payload, follow_up = self._handlers[call.action](call.payload)
            if payload.get("status") in ("CALLERROR", "SILENT", "MALFORMED"):
                self._changed.set()  # the call was received: waiters look again
                if payload["status"] == "SILENT":
                    return  # hostile: this call is never answered
                if payload["status"] == "MALFORMED" and ws is not None:
                    # hostile: a CALLERROR with a number for its code and null for the rest
                    with contextlib.suppress(ConnectionClosed):
                        await ws.send(json.dumps([framing.CALLERROR, call.message_id, 5, None, []]))
                    return
                payload = {"errorCode": "GenericError"}
            problems = schemas.violations(self.version, call.action, "Response", payload)
            if "errorCode" in payload:
                reply = CallError(call.message_id, payload["errorCode"], "refused on purpose")
            elif payload.get("status") == "OFF-SCHEMA":
                reply = CallResult(call.message_id, {"status": "Maybe"})  # hostile, on purpose
            else:
                assert not problems, f"station bug: {call.action} response {problems}"
                reply = CallResult(call.message_id, payload)
        self._changed.set()
        if ws is None:
            return
        with contextlib.suppress(ConnectionClosed):
            await ws.send(framing.encode(reply))
            if follow_up is not None:
                await follow_up
        if follow_up is not None:
            follow_up.close()  # never awaited when the connection had closed

    def _violate(self, rule: str, detail: str) -> None:
        self.violations.append(ProtocolViolation(rule, detail))
        self._changed.set()

    # -- handlers of CSMS-initiated calls ------------------------------------------------------

    def _qr_display_wanted(self, message: dict[str, Any]) -> bool:
        """Whether a MessageInfo asks for a QR code: QRCODE (2.1) or QRCodeDisplay (2.0.1)."""
        display = message.get("display") or {}
        return message["message"]["format"] == "QRCODE" or display.get("name") == "QRCodeDisplay"

    def _on_set_display_message(self, payload: dict[str, Any]) -> tuple[dict[str, Any], None]:
        info = payload["message"]
        content: str = info["message"]["content"]
        display = info.get("display")
        evse = ((display or {}).get("evse") or {}).get("id")
        is_qr = self._qr_display_wanted(info)
        shown = ShownMessage(info["id"], content, info["message"]["format"], display, evse, is_qr)
        status = "Accepted"
        if is_qr:
            status = self._check_qr(shown)
        if status == "Accepted" and is_qr and self.display_answer != "Accepted":
            status = self.display_answer
        if status == "Accepted":
            self.shown[shown.id] = shown
        else:
            self.refused.append(shown)
        return {"status": status}, None

    def _check_qr(self, shown: ShownMessage) -> str:
        """Contract step 3 and the paper: how a QR message must look, and the code itself valid."""
        display = shown.display or {}
        with contextlib.suppress(jpqr.JPQRError):  # read 62-05 first: a refusal names it too
            extra = additional_data(shown.content)
            shown.reference, shown.terminal = extra.get("05"), extra.get("07")
            shown.amount = root_value(shown.content, "54")
        formats = (self.device_model.value("DisplayMessageCtrlr", "SupportedFormats") or "").split(
            ","
        )
        if shown.format not in formats:
            self._violate(
                "qr.format_unsupported", f"{shown.format} not in SupportedFormats {formats}"
            )
            return "NotSupportedMessageFormat"
        if self.version == "2.1":
            if shown.format != "QRCODE":
                self._violate("qr.format", f"2.1 QR message with format {shown.format}")
            if display.get("name") != "EVSE" or shown.evse is None:
                self._violate("qr.display", f"2.1 QR message without display EVSE: {display}")
        else:
            enabled = self.device_model.value("QRCodeDisplay", "Enabled")
            if enabled != "true":
                # OCA paper 2.2: "CSMS will only use this display parameter if ... reported as true"
                self._violate("qr.capability", f"QRCodeDisplay used while Enabled={enabled}")
                return "NotSupportedMessageFormat"
            if shown.format != "UTF8":
                self._violate("qr.format", f"2.0.1 QR message with format {shown.format}")
            if shown.evse is None:
                self._violate("qr.display", f"2.0.1 QR message without display.evse: {display}")
        if shown.evse is not None and shown.evse not in self.evses:
            self._violate("qr.evse", f"QR message for EVSE {shown.evse}, station has {self.evses}")
            return "Rejected"
        report = jpqr.validate(shown.content)
        if not report.ok:
            self._violate("qr.invalid", f"{shown.content!r}: {[e.code for e in report.errors]}")
            return "Rejected"
        if root_value(shown.content, "01") != "12":
            self._violate("qr.static", f"{shown.content!r}: 01 is not 12 (dynamic)")
        if not shown.reference:
            self._violate("qr.reference", f"{shown.content!r}: no 62-05 reference label")
        for other in self.shown.values():
            if other.is_qr and other.evse == shown.evse and other.id != shown.id:
                self._violate(
                    "qr.two_codes",
                    f"EVSE {shown.evse}: message {shown.id} while {other.id} is still shown",
                )
        return "Accepted"

    def _on_clear_display_message(self, payload: dict[str, Any]) -> tuple[dict[str, Any], None]:
        found = self.shown.pop(payload["id"], None)
        self.cleared.append(payload["id"])
        return {"status": "Accepted" if found else "Unknown"}, None

    def _on_get_display_messages(self, payload: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        ids = payload.get("id")
        chosen = [m for m in self.shown.values() if not ids or m.id in ids]
        if not chosen:
            return {"status": "Unknown"}, None
        infos = []
        for m in chosen:
            info: dict[str, Any] = {
                "id": m.id,
                "priority": "InFront",
                "message": {"format": m.format, "content": m.content},
            }
            if m.display:
                info["display"] = m.display
            infos.append(info)
        notify = {"requestId": payload["requestId"], "messageInfo": infos}
        return {"status": "Accepted"}, self._call_quietly("NotifyDisplayMessages", notify)

    def _on_request_start(self, payload: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        evse = payload.get("evseId")
        token = payload["idToken"]
        if token.get("type") != "Central":
            self._violate("start.id_token", f"contract step 5 wants type Central: {token}")
        if evse is None or evse not in self.evses:
            self._violate("start.evse", f"RequestStartTransaction for EVSE {evse}")
            return {"status": "Rejected"}, None
        if self.transaction_on(evse) is not None:
            self._violate("start.busy", f"RequestStartTransaction on busy EVSE {evse}")
            return {"status": "Rejected"}, None
        if self.start_answer != "Accepted":
            return {"status": self.start_answer}, None
        tx = Transaction(str(uuid.uuid4()), evse, token, payload["remoteStartId"])
        self.transactions[tx.transaction_id] = tx
        return {"status": "Accepted"}, self._start(tx)

    async def _start(self, tx: Transaction) -> None:
        """E02 / F01: connector occupied, then TransactionEvent Started for the remote start."""
        with contextlib.suppress(ConnectionError, TimeoutError, CallErrorReceived):
            await self.status(tx.evse, "Occupied")
            if self.lose_started:
                tx.responses.append({})  # hostile: Started "lost" (never sent), as if answered
                self._changed.set()
                return
            await self._transaction_event(tx, "Started", "RemoteStart", 0, "Transaction.Begin")

    def _on_request_stop(self, payload: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        tx = self.transactions.get(payload["transactionId"])
        if tx is None or tx.ended:
            return {"status": "Rejected"}, None
        return {"status": "Accepted"}, self._stop_remotely(tx)

    async def _stop_remotely(self, tx: Transaction) -> None:
        with contextlib.suppress(ConnectionError, TimeoutError, CallErrorReceived):
            await self.end_transaction(tx.evse, 0, reason="Remote", trigger="RemoteStop")

    def _on_get_variables(self, payload: dict[str, Any]) -> tuple[dict[str, Any], None]:
        if self.device_model_answer != "Normal":
            return {"status": self.device_model_answer}, None
        results = []
        for item in payload["getVariableData"]:
            attribute = item.get("attributeType", "Actual")
            status, value = self.device_model.get(item["component"], item["variable"], attribute)
            result: dict[str, Any] = {
                "attributeStatus": status,
                "component": item["component"],
                "variable": item["variable"],
            }
            if "attributeType" in item:
                result["attributeType"] = attribute
            if value is not None:
                result["attributeValue"] = value
            results.append(result)
        return {"getVariableResult": results}, None

    def _on_set_variables(self, payload: dict[str, Any]) -> tuple[dict[str, Any], None]:
        results = []
        for item in payload["setVariableData"]:
            attribute = item.get("attributeType", "Actual")
            status = self.device_model.set(
                item["component"], item["variable"], item["attributeValue"], attribute
            )
            results.append(
                {
                    "attributeStatus": status,
                    "component": item["component"],
                    "variable": item["variable"],
                }
            )
        return {"setVariableResult": results}, None

    def _report(self, request_id: int, data: list[dict[str, Any]]) -> Coroutine[Any, Any, None]:
        """NotifyReport (B07/B08) in parts of at most 20 entries, ``tbc`` on all but the last."""

        async def send() -> None:
            parts = [data[i : i + 20] for i in range(0, len(data), 20)] or [[]]
            for seq, part in enumerate(parts):
                report: dict[str, Any] = {
                    "requestId": request_id,
                    "generatedAt": now(),
                    "seqNo": seq,
                    "tbc": seq < len(parts) - 1,
                }
                if part:
                    report["reportData"] = part
                await self._call_quietly("NotifyReport", report)

        return send()

    def _on_get_base_report(self, payload: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        data = self.device_model.report(payload["reportBase"])
        if not data:
            return {"status": "EmptyResultSet"}, None
        return {"status": "Accepted"}, self._report(payload["requestId"], data)

    def _on_get_report(self, payload: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        wanted = payload.get("componentVariable")
        data = self.device_model.report("FullInventory")
        if wanted:
            names = {
                (w["component"]["name"], (w.get("variable") or {}).get("name")) for w in wanted
            }
            data = [
                d
                for d in data
                if (d["component"]["name"], d["variable"]["name"]) in names
                or (d["component"]["name"], None) in names
            ]
        if not data:
            return {"status": "EmptyResultSet"}, None
        return {"status": "Accepted"}, self._report(payload["requestId"], data)

    def _on_trigger_message(self, payload: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        requested = payload["requestedMessage"]
        evse = (payload.get("evse") or {}).get("id")
        if requested == "BootNotification":
            return {"status": "Accepted"}, self._quietly(self.boot(status=False))
        if requested == "Heartbeat":
            return {"status": "Accepted"}, self._quietly(self.heartbeat())
        if requested == "StatusNotification":
            chosen = [evse] if evse is not None else list(self.evses)
            if any(e not in self.evses for e in chosen):
                return {"status": "Rejected"}, None

            async def statuses() -> None:
                for e in chosen:
                    state = "Occupied" if self.transaction_on(e) else "Available"
                    await self.status(e, state)

            return {"status": "Accepted"}, self._quietly(statuses())
        return {"status": "NotImplemented"}, None

    def _on_get_transaction_status(self, payload: dict[str, Any]) -> tuple[dict[str, Any], None]:
        reply: dict[str, Any] = {"messagesInQueue": False}
        if "transactionId" in payload:
            tx = self.transactions.get(payload["transactionId"])
            reply["ongoingIndicator"] = tx is not None and not tx.ended
        return reply, None

    def _call_quietly(self, action: str, payload: dict[str, Any]) -> Coroutine[Any, Any, None]:
        return self._quietly(self.call(action, payload))

    async def _quietly(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """A follow-up whose failure is already recorded (violation) or harmless (closed)."""
        with contextlib.suppress(ConnectionError, TimeoutError, CallErrorReceived):
            await coroutine

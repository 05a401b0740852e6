"""QR payment handlers for a CSMS built on the ``ocpp`` package (OCPP 2.0.1 and 2.1).

Mount :class:`QRPaymentHandlers` in front of the package's ChargePoint::

    class Station21(QRPaymentHandlers, ocpp.v21.ChargePoint): ...
    class Station201(QRPaymentHandlers, ocpp.v201.ChargePoint): ...

    station = Station21(station_id, connection, response_timeout=10)
    station.attach(service)          # a jpqr.ocpp.service.QRPaymentService
    await station.start()

It answers every standard station-initiated message (your own ``@on`` handlers win), drives the
payment flow through the service, and fixes what the ``ocpp`` package 2.1.0 does not do:

- an action nobody handles gets a CALLERROR ``NotImplemented`` on 2.1 as on 2.0.1 (2.1.0 returns
  silently, so the station waits its whole timeout; fixed upstream in mobilityhouse/ocpp#744,
  not released);
- a malformed frame gets a CALLERROR (``FormatViolation``, ``ProtocolError``, ...) and the
  connection stays (the package's uncaught exceptions end the connection);
- a CallResult or CallError that answers no call of ours is dropped, not queued for good;
- ``DataTransfer.data`` is read as sent (the package rewrites keys inside it: ``evse_id``).

Needs the ``ocpp`` extra (``pip install 'jpqr[ocpp]'``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import ocpp
from ocpp.exceptions import OCPPError as ProtocolCallError
from ocpp.messages import Call, CallError, CallResult, validate_payload
from websockets.exceptions import ConnectionClosed

from .calls import set_display_message_call
from .display import QR_CODE_DISPLAY
from .errors import OCPPError
from .service import MAX_EVSE_ID, Answer, QRPaymentService
from .trigger import START_QR_PAYMENT, VENDOR_ID, read_start_qr_payment

__all__ = ["CANCEL_QR_PAYMENT", "MAX_FRAME", "QRPaymentHandlers", "station_actions"]

LOG = logging.getLogger("jpqr.ocpp.csms")

CANCEL_QR_PAYMENT = "CancelQRPayment"  # jpqr's extension of the white paper's DataTransfer
DISPLAY_CONTROLLER = "DisplayMessageCtrlr"
COMM_CONTROLLER = "OCPPCommCtrlr"
CONTENT_FIELD = "MessageContentType.content"
MAX_FRAME = 256 * 1024  # websocket frame limit to give the server (max_size)
_MAX_UNIQUE_ID = 36  # OCPP-J: the message id is at most 36 characters

Reply = tuple[dict[str, Any], Callable[[], Awaitable[None]] | None]


def station_actions(version: str) -> dict[str, bool]:
    """Every action with a request schema in the ``ocpp`` package, and whether its response
    needs no field (so ``{}`` answers it per the schema)."""
    folder = os.path.join(os.path.dirname(ocpp.__file__), "v" + version.replace(".", ""), "schemas")
    actions: dict[str, bool] = {}
    for name in os.listdir(folder):
        if name.endswith("Request.json"):
            action = name[: -len("Request.json")]
            with open(os.path.join(folder, f"{action}Response.json"), encoding="utf-8-sig") as f:
                actions[action] = not json.load(f).get("required")
    return actions


_ACTIONS = {version: station_actions(version) for version in ("2.0.1", "2.1")}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class QRPaymentHandlers:
    """The CSMS side of QR payment for one connected station (mix in before ChargePoint)."""

    # Provided by the ocpp package's ChargePoint.
    id: str
    _ocpp_version: str
    _call: Any
    _response_queue: asyncio.Queue[Any]
    route_map: dict[str, Any]

    service: QRPaymentService
    _outstanding: set[str]
    _tasks: set[asyncio.Task[None]]
    _callers: set[asyncio.Task[Any]]
    _closed: bool

    @property
    def version(self) -> str:
        """The OCPP version of this connection ("2.1" or "2.0.1")."""
        return "2.0.1" if self._ocpp_version in ("2.0", "2.0.1") else "2.1"

    def attach(self, service: QRPaymentService) -> None:
        """Join the payment service (call before ``start``); it continues pending work."""
        self.service = service
        self._outstanding = set()
        self._tasks = set()
        self._callers: set[asyncio.Task[Any]] = set()
        self._closed = False
        service.connected(self.id, self)
        record = service.store.station(self.id)
        if self.version == "2.0.1" and record.booted and record.qr_display is None:
            self._spawn(self.ask_qr_code_display())

    def detach(self) -> None:
        """The connection ended: release everything kept for it."""
        self._closed = True
        self.service.disconnected(self.id, self)
        for task in list(self._tasks):
            task.cancel()
        for caller in list(self._callers):  # tasks waiting for an answer on this connection
            caller.cancel()
        self._outstanding.clear()
        while not self._response_queue.empty():
            self._response_queue.get_nowait()

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the StationLink the service uses ------------------------------------------------

    async def call(
        self,
        payload: Any,
        suppress: bool = True,
        unique_id: str | None = None,
        skip_schema_validation: bool = False,
    ) -> Any:
        """The package's ``call``, remembering the id so that only its answer is queued.

        A closed connection is a ``ConnectionError`` (not answered, as opposed to refused), and
        a call still waiting when the station goes away ends at once (see :meth:`detach`).
        """
        if self._closed:
            raise ConnectionError(f"{self.id} is disconnected")
        unique_id = unique_id or str(uuid.uuid4())
        self._outstanding.add(unique_id)
        caller = asyncio.current_task()
        if caller is not None:
            self._callers.add(caller)
        try:
            return await super().call(  # type: ignore[misc]
                payload,
                suppress=suppress,
                unique_id=unique_id,
                skip_schema_validation=skip_schema_validation,
            )
        except ConnectionClosed as error:
            raise ConnectionError(f"{self.id} disconnected: {error}") from error
        except asyncio.CancelledError:
            if self._closed:  # detach() ended the wait: the answer will never come
                raise ConnectionError(f"{self.id} disconnected") from None
            raise
        finally:
            self._outstanding.discard(unique_id)
            if caller is not None:
                self._callers.discard(caller)

    async def set_display(self, request: dict[str, Any]) -> str:
        response = await self.call(set_display_message_call(request, self.version), suppress=False)
        return str(response.status)

    async def clear_display(self, message_id: int) -> str:
        response = await self.call(self._call.ClearDisplayMessage(id=message_id), suppress=False)
        return str(response.status)

    async def request_start(self, request: dict[str, Any]) -> str:
        token = request["idToken"]
        response = await self.call(
            self._call.RequestStartTransaction(
                id_token={"id_token": token["idToken"], "type": token["type"]},
                evse_id=request["evseId"],
                remote_start_id=request["remoteStartId"],
            ),
            suppress=False,
        )
        return str(response.status)

    async def ask_qr_code_display(self) -> None:
        """GetVariables QRCodeDisplay.Enabled (2.0.1 shows a code only where it is true)."""
        request = self._call.GetVariables(
            get_variable_data=[
                {"component": {"name": QR_CODE_DISPLAY}, "variable": {"name": "Enabled"}}
            ]
        )
        from .display import qr_code_display_enabled

        try:
            response = await self.call(request, suppress=False)
            enabled = qr_code_display_enabled(response.get_variable_result)
        except Exception as error:  # no answer: no usable QR display
            LOG.warning("%s: GetVariables failed: %r", self.id, error)
            enabled = False
        self.service.qr_display(self.id, enabled)

    async def ask_formats(self) -> None:
        """GetVariables DisplayMessageCtrlr.SupportedFormats (2.1: is QRCODE among them?)."""
        request = self._call.GetVariables(
            get_variable_data=[
                {
                    "component": {"name": DISPLAY_CONTROLLER},
                    "variable": {"name": "SupportedFormats"},
                },
                # 2.1 MessageContentType.content: "Maximum length supported by Charging Station
                # is given in OCPPCommCtrlr.FieldLength["MessageContentType.content"]".
                {
                    "component": {"name": COMM_CONTROLLER},
                    "variable": {"name": "FieldLength", "instance": CONTENT_FIELD},
                },
            ]
        )
        try:
            response = await self.call(request, suppress=False)
        except Exception as error:  # not answered: assume the 2.1 default, QRCODE
            LOG.info("%s: SupportedFormats not known: %r", self.id, error)
            return
        for result in response.get_variable_result or []:
            value = result.get("attribute_value")
            if result.get("attribute_status") != "Accepted" or not isinstance(value, str):
                continue
            if (result.get("component") or {}).get("name") == COMM_CONTROLLER:
                self.service.content_length(self.id, value)
            else:
                self.service.supported_formats(self.id, value)

    # --- frames --------------------------------------------------------------------------

    async def _send_error(self, unique_id: str, code: str, description: str) -> None:
        await self._send(json.dumps([4, unique_id, code, description[:255], {}]))  # type: ignore[attr-defined]

    async def route_message(self, raw_msg: str | bytes) -> None:
        """Route one frame; never lets an exception end the connection."""
        try:
            frame = json.loads(raw_msg)
        except (ValueError, RecursionError):
            await self._send_error("-1", "FormatViolation", "the frame is not JSON")
            return
        if not isinstance(frame, list) or len(frame) < 3:
            await self._send_error("-1", "ProtocolError", "not an OCPP-J CALL/CALLRESULT/CALLERROR")
            return
        if frame[0] not in (2, 3, 4) or isinstance(frame[0], bool):
            known_id = frame[1] if isinstance(frame[1], str) and len(frame[1]) <= 36 else "-1"
            await self._send_error(known_id, "MessageTypeNotSupported", "unknown MessageTypeId")
            return
        unique_id = frame[1]
        if not isinstance(unique_id, str) or not 0 < len(unique_id) <= _MAX_UNIQUE_ID:
            await self._send_error("-1", "ProtocolError", "the message id must be a string of 1-36")
            return
        if frame[0] in (3, 4):
            # Only the answer to a call we are waiting for; anything else would stay queued.
            if unique_id in self._outstanding:
                if frame[0] == 3 and len(frame) == 3 and isinstance(frame[2], dict):
                    self._response_queue.put_nowait(CallResult(unique_id, frame[2]))
                elif frame[0] == 4 and len(frame) == 5:
                    self._response_queue.put_nowait(CallError(unique_id, *frame[2:5]))
            return
        if len(frame) != 4 or not isinstance(frame[2], str) or not isinstance(frame[3], dict):
            await self._send_error(
                unique_id, "ProtocolError", "a CALL is [2, id, action, payload object]"
            )
            return
        try:
            await self._route_call(Call(unique_id, frame[2], frame[3]))
        except ProtocolCallError as error:
            await self._send_error(unique_id, error.code, str(error.description))
        except ConnectionError:
            raise
        except Exception as error:
            LOG.exception("%s: error while handling %s", self.id, frame[2])
            await self._send_error(unique_id, "InternalError", repr(error))

    async def _route_call(self, msg: Call) -> None:
        if msg.action in self.route_map and "_on_action" in self.route_map[msg.action]:
            await self._handle_call(msg)  # type: ignore[attr-defined]  # the CSMS's own handler
            return
        actions = _ACTIONS[self.version]
        handler = getattr(self, f"_qr_{msg.action}", None)
        if msg.action not in actions:
            # OCPP-J: NotImplemented is "Requested Action is not known by receiver".
            await self._send_error(
                msg.unique_id,
                "NotImplemented",
                f"{msg.action} is not an OCPP {self.version} action",
            )
            return
        if handler is None and not actions[msg.action]:
            # mobilityhouse/ocpp#744: 2.1.0 sends nothing here; the station would wait.
            await self._send_error(msg.unique_id, "NotImplemented", f"no handler for {msg.action}")
            return
        await validate_payload(msg, self._ocpp_version)
        payload, after = handler(msg.payload) if handler is not None else ({}, None)
        result = msg.create_call_result(payload)
        await validate_payload(result, self._ocpp_version)
        await self._send(result.to_json())  # type: ignore[attr-defined]
        if after is not None:
            self._spawn(after())

    # --- station messages (camelCase payloads, as on the wire) ---------------------------

    def _qr_BootNotification(self, payload: Mapping[str, Any]) -> Reply:
        self.service.booted(self.id)
        after = self.ask_qr_code_display if self.version == "2.0.1" else self.ask_formats
        return {"currentTime": _now(), "interval": 300, "status": "Accepted"}, after

    def _qr_Heartbeat(self, payload: Mapping[str, Any]) -> Reply:
        return {"currentTime": _now()}, None

    def _qr_StatusNotification(self, payload: Mapping[str, Any]) -> Reply:
        self.service.evse_seen(self.id, payload.get("evseId"))
        return {}, None

    def _qr_NotifyReport(self, payload: Mapping[str, Any]) -> Reply:
        for entry in payload.get("reportData") or []:
            component = entry.get("component") or {}
            evse = component.get("evse") or {}
            self.service.evse_seen(self.id, evse.get("id"))
            variable = (entry.get("variable") or {}).get("name")
            instance = (entry.get("variable") or {}).get("instance")
            if component.get("name") == COMM_CONTROLLER and (variable, instance) == (
                "FieldLength",
                CONTENT_FIELD,
            ):
                for attribute in entry.get("variableAttribute") or []:
                    if attribute.get("type", "Actual") == "Actual":
                        self.service.content_length(self.id, attribute.get("value"))
            if component.get("name") == DISPLAY_CONTROLLER and variable == "SupportedFormats":
                values = [
                    a.get("value")
                    for a in entry.get("variableAttribute") or []
                    if a.get("type", "Actual") == "Actual" and isinstance(a.get("value"), str)
                ]
                if values:
                    self.service.supported_formats(self.id, values[0])
            if component.get("name") == QR_CODE_DISPLAY and (
                (entry.get("variable") or {}).get("name") == "Enabled"
            ):
                values = [
                    a.get("value")
                    for a in entry.get("variableAttribute") or []
                    if a.get("type", "Actual") == "Actual"
                ]
                if values:
                    self.service.qr_display(self.id, str(values[0]).lower() == "true")
        return {}, None

    def _qr_Authorize(self, payload: Mapping[str, Any]) -> Reply:
        token = (payload.get("idToken") or {}).get("idToken")
        payment = self.service.store.payment(token) if isinstance(token, str) else None
        ours = (
            payment is not None
            and payment.station_id == self.id
            and payment.state in ("paid", "authorised", "charging")
        )
        # A reference of ours that is not paid is public (it is in the code): Invalid (F11).
        status = "Accepted" if ours else "Invalid" if payment is not None else "Unknown"
        return {"idTokenInfo": {"status": status}}, None

    def _qr_TransactionEvent(self, payload: Mapping[str, Any]) -> Reply:
        return self.service.transaction_event(self.id, self.version, payload), None

    def _qr_DataTransfer(self, payload: Mapping[str, Any]) -> Reply:
        vendor, message = payload.get("vendorId"), payload.get("messageId")
        if vendor != VENDOR_ID:
            return {"status": "UnknownVendorId"}, None
        if message not in (START_QR_PAYMENT, CANCEL_QR_PAYMENT):
            return {"status": "UnknownMessageId"}, None
        try:
            evse_id = read_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, payload.get("data"))
        except OCPPError as error:
            return Answer("Rejected", "InvalidData").to_response() | {
                "statusInfo": {"reasonCode": "InvalidData", "additionalInfo": error.message[:500]}
            }, None
        if evse_id > MAX_EVSE_ID:
            return Answer("Rejected", "UnknownEVSE").to_response(), None
        service = self.service
        if message == CANCEL_QR_PAYMENT:
            answer = service.cancel_request(self.id, evse_id)
            after = (
                (lambda: service.cancel(self.id, evse_id)) if answer.status == "Accepted" else None
            )
            return answer.to_response(), after
        answer = service.trigger(self.id, self.version, evse_id)

        async def start() -> None:
            # The service's task, not this connection's: a link that drops now must not lose the
            # payment the driver was told about (F9); the code goes to the next connection.
            service.spawn(service.start_payment(self.id, evse_id))

        pending = answer.data is not None and answer.data.get("pending")
        return answer.to_response(), start if answer.status == "Accepted" and not pending else None

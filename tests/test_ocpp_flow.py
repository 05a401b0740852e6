"""The whole QR payment flow against examples/csms.py, end to end over real sockets (issue 11).

The CSMS runs in this process (its ``CSMS.run``) or as a subprocess (the CLI contract), on
127.0.0.1 with OS-chosen ports; the station is :class:`WireStation`, raw OCPP-J frames over
``websockets`` (no ``ocpp`` package on its side, so nothing the package does can hide a CSMS
bug), and every CALL the CSMS sends is checked against the official JSON schema. Expected money
comes from the contract: cost = kWh x tariff rounded to whole yen, capped at the amount.
Every wait is bounded with ``asyncio.wait_for``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import itertools
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ocpp.messages import Call, validate_payload
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

import jpqr
from jpqr.ocpp import http
from jpqr.ocpp.provider import sign

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WAIT = 5.0  # any single wait; a healthy step takes milliseconds
VERSIONS = ["2.1", "2.0.1"]
SECRET = "test-secret"
VENDOR = "org.openchargealliance.qrpayment"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"jpqr_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


csms = load("csms")


async def wait(awaitable: Awaitable[Any], timeout: float = WAIT) -> Any:
    return await asyncio.wait_for(awaitable, timeout)


class CallErrorReply(Exception):
    """The CSMS answered a station CALL with a CALLERROR."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(code, description)
        self.code = code


class WireStation:
    """A charging station speaking raw OCPP-J: sends CALLs, answers the CSMS's CALLs.

    ``answers`` maps an action to the status to answer (default Accepted); every CALL the CSMS
    sends lands in ``received`` after its schema check.
    """

    def __init__(self, connection: ClientConnection, version: str) -> None:
        self.connection = connection
        self.version = version
        self.received: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.answers: dict[str, str] = {}
        self.qr_code_display: str | None = "true"
        self.formats: str | None = "ASCII,UTF8,QRCODE"  # DisplayMessageCtrlr.SupportedFormats
        self.content_length: str | None = None  # OCPPCommCtrlr.FieldLength[...content]
        self.answer_get_variables = True
        self.unanswered = ""
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self.reader = asyncio.ensure_future(self._read())
        self.schema_errors: list[str] = []

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.connection:
                frame = json.loads(raw)
                if frame[0] == 2:
                    await self._answer(frame[1], frame[2], frame[3])
                elif frame[1] in self._pending:
                    self._pending.pop(frame[1]).set_result(frame)
                else:
                    self.received.put_nowait(("<stray>", {"frame": frame}))

    async def _answer(self, unique_id: str, action: str, payload: dict[str, Any]) -> None:
        try:
            await validate_payload(Call(unique_id, action, payload), self.version)
        except Exception as error:  # the CSMS sent a frame its own schema forbids
            self.schema_errors.append(f"{action}: {error!r}")
        if self.answers.get(action) == "<drop>":  # the link dies before the answer
            self.received.put_nowait((action, payload))
            await self.connection.close()
            return
        result: dict[str, Any] = {"status": self.answers.get(action, "Accepted")}
        if action == "GetVariables":
            if not self.answer_get_variables:
                self.unanswered = unique_id
                self.received.put_nowait((action, payload))
                return
            results = []
            for item in payload["getVariableData"]:
                entry = {"component": item["component"], "variable": item["variable"]}
                value = {
                    "QRCodeDisplay": self.qr_code_display,
                    "DisplayMessageCtrlr": self.formats,
                    "OCPPCommCtrlr": self.content_length,
                }.get(item["component"]["name"])
                if value is None:
                    entry["attributeStatus"] = "UnknownComponent"
                else:
                    entry.update(attributeStatus="Accepted", attributeValue=value)
                results.append(entry)
            result = {"getVariableResult": results}
        await self.connection.send(json.dumps([3, unique_id, result]))
        self.received.put_nowait((action, payload))

    async def send(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A CALL; returns the CALLRESULT payload or raises :class:`CallErrorReply`."""
        unique_id = f"st-{next(self._ids)}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[unique_id] = future
        await self.connection.send(json.dumps([2, unique_id, action, payload]))
        frame = await wait(future)
        if frame[0] == 4:
            raise CallErrorReply(frame[2], frame[3])
        result: dict[str, Any] = frame[2]
        return result

    async def raw(self, text: str) -> list[Any]:
        """Send any text; returns the next frame the CSMS sends that no CALL of ours awaits."""
        await self.connection.send(text)
        action, payload = await wait(self.received.get())
        assert action == "<stray>", (action, payload)
        frame: list[Any] = payload["frame"]
        return frame

    async def expect(self, action: str) -> dict[str, Any]:
        """The next CALL the CSMS sends; it must be ``action``."""
        got, payload = await wait(self.received.get())
        assert got == action, (got, payload)
        result: dict[str, Any] = payload
        return result

    async def boot(self, evses: tuple[int, ...] = (1, 2)) -> None:
        """BootNotification, StatusNotification per EVSE; on 2.0.1 the GetVariables."""
        answer = await self.send(
            "BootNotification",
            {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
        )
        assert answer["status"] == "Accepted"
        asked = await self.expect("GetVariables")  # 2.0.1: QRCodeDisplay, 2.1: SupportedFormats
        names = [item["component"]["name"] for item in asked["getVariableData"]]
        assert names == (
            ["QRCodeDisplay"]
            if self.version == "2.0.1"
            else ["DisplayMessageCtrlr", "OCPPCommCtrlr"]
        )
        for evse in evses:
            await self.send(
                "StatusNotification",
                {
                    "timestamp": "2026-12-02T00:00:00Z",
                    "connectorStatus": "Available",
                    "evseId": evse,
                    "connectorId": 1,
                },
            )

    async def trigger(self, evse: Any, message: str = "StartQRPayment") -> dict[str, Any]:
        return await self.send(
            "DataTransfer", {"vendorId": VENDOR, "messageId": message, "data": {"evseId": evse}}
        )

    async def shown(self) -> dict[str, Any]:
        """The next SetDisplayMessage's MessageInfo."""
        info: dict[str, Any] = (await self.expect("SetDisplayMessage"))["message"]
        return info

    async def transaction(
        self,
        event: str,
        remote_start_id: int,
        evse: int,
        token: str,
        wh: int | None = None,
        seq: int = 0,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "eventType": event,
            "timestamp": "2026-12-02T00:00:00Z",
            "triggerReason": "RemoteStart" if event == "Started" else "StopAuthorized",
            "seqNo": seq,
            "transactionInfo": {
                "transactionId": f"tx-{remote_start_id}",
                "remoteStartId": remote_start_id,
            },
            "evse": {"id": evse, "connectorId": 1},
        }
        if event == "Started":
            payload["idToken"] = {"idToken": token, "type": "Central"}
        if wh is not None:
            payload["meterValue"] = [
                {
                    "timestamp": "2026-12-02T00:00:00Z",
                    "sampledValue": [
                        {
                            "value": wh,
                            "measurand": "Energy.Active.Import.Register",
                            "context": "Transaction.End",
                            "unitOfMeasure": {"unit": "Wh"},
                        }
                    ],
                }
            ]
        return await self.send("TransactionEvent", payload)

    async def close(self) -> None:
        await self.connection.close()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader
        assert self.schema_errors == []


class Running:
    """A CSMS running in this process; ``restart()`` stops it and starts it on the same --db."""

    def __init__(self, db: Path, **options: Any) -> None:
        self.db = db
        self.options = options
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        argv = ["--port", "0", "--http-port", "0", "--db", str(self.db), "--webhook-secret", SECRET]
        for name, value in self.options.items():
            argv += [f"--{name.replace('_', '-')}", str(value)]
        self.app = csms.CSMS(csms.parse_args(argv))
        self.stop_event = asyncio.Event()
        ready = asyncio.Event()
        original = self.app.expiry_loop

        async def loop_then_ready() -> None:
            ready.set()
            await original()

        self.app.expiry_loop = loop_then_ready
        self.task = asyncio.ensure_future(self.app.run(self.stop_event))
        await wait(ready.wait())
        self.ocpp_port = self.app.ocpp_port
        self.http_base = f"http://127.0.0.1:{self.app.http_port}"

    async def stop(self) -> None:
        assert self.task is not None
        self.stop_event.set()
        await wait(self.task)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def station(self, station_id: str, version: str, path: str = "") -> WireStation:
        connection = await connect(
            f"ws://127.0.0.1:{self.ocpp_port}{path}/{station_id}",
            subprotocols=[Subprotocol(f"ocpp{version}")],
            open_timeout=WAIT,
        )
        assert connection.subprotocol == f"ocpp{version}"
        return WireStation(connection, version)

    async def pay(self, reference: str) -> tuple[int, Any]:
        result: tuple[int, Any] = await http.post_json(
            f"{self.http_base}/simulator/pay", {"reference": reference}
        )
        return result

    async def view(self, reference: str) -> dict[str, Any]:
        status, body = await http.get_json(f"{self.http_base}/simulator/payments/{reference}")
        assert status == 200
        result: dict[str, Any] = body
        return result


async def booted(app: Running, station_id: str, version: str, path: str = "") -> WireStation:
    """A station connected to ``app`` that has booted and reported EVSEs 1 and 2."""
    station = await app.station(station_id, version, path)
    await station.boot()
    return station


@contextlib.asynccontextmanager
async def running(tmp_path: Path, **options: Any) -> AsyncIterator[Running]:
    app = Running(tmp_path / "csms.sqlite3", **options)
    await app.start()
    try:
        yield app
    finally:
        if app.task is not None and not app.task.done():
            await app.stop()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 30))


def labels(content: str) -> tuple[str | None, str | None]:
    """62-05 and 62-07 of a code."""
    additional = jpqr.parse(content).additional_data
    assert additional is not None
    return additional.reference_label, additional.terminal_label


def reference_of(info: dict[str, Any]) -> str:
    reference = labels(info["message"]["content"])[0]
    assert isinstance(reference, str)
    return reference


async def until(predicate: Callable[[], Awaitable[bool]], timeout: float = WAIT) -> None:
    async def poll() -> None:
        while not await predicate():
            await asyncio.sleep(0.02)

    await wait(poll(), timeout)


async def settled(app: Running, reference: str, state: str) -> dict[str, Any]:
    async def done() -> bool:
        return bool((await app.view(reference))["state"] == state)

    await until(done)
    return await app.view(reference)


# --- the whole flow ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("model", ["authorisation", "prepaid"])
def test_the_whole_flow(tmp_path: Path, version: str, model: str) -> None:
    async def scenario() -> None:
        async with running(tmp_path, model=model) as app:
            st = await booted(app, "CS-0001", version)
            assert (await st.trigger(2))["status"] == "Accepted"
            info = await st.shown()
            content = info["message"]["content"]
            report = jpqr.validate(content)
            assert report.ok, report
            code = jpqr.parse(content)
            assert code.point_of_initiation == "dynamic"
            assert code.amount == Decimal(3000)
            assert labels(content)[1] == "CS-0001-2"
            if version == "2.1":
                assert info["message"]["format"] == "QRCODE"
                assert info["display"] == {"name": "EVSE", "evse": {"id": 2}}
            else:
                assert info["message"]["format"] == "UTF8"
                assert info["display"] == {"name": "QRCodeDisplay", "evse": {"id": 2}}
            reference = reference_of(info)
            assert (await app.view(reference))["state"] == "created"

            status, body = await app.pay(reference)
            assert status == 200 and body["reference"] == reference
            start = await st.expect("RequestStartTransaction")
            assert start["idToken"] == {"idToken": reference, "type": "Central"}
            assert start["evseId"] == 2
            assert (await st.expect("ClearDisplayMessage"))["id"] == info["id"]

            remote = start["remoteStartId"]
            started = await st.transaction("Started", remote, 2, reference)
            assert started["idTokenInfo"]["status"] == "Accepted"
            if version == "2.1" and model == "prepaid":
                assert started["transactionLimit"] == {"maxCost": 3000}
            else:
                assert "transactionLimit" not in started
            await st.transaction("Ended", remote, 2, reference, wh=12345, seq=1)
            await st.transaction("Ended", remote, 2, reference, wh=12345, seq=2)  # again
            # 12.345 kWh x 50 yen = 617.25 -> 617 yen.
            if model == "authorisation":
                view = await settled(app, reference, "captured")
                assert (view["authorised"], view["captured"], view["released"]) == (
                    "3000",
                    "617",
                    "2383",
                )
                assert [op["op"] for op in view["operations"]] == [
                    "authorise",
                    "capture",
                    "release",
                ]
            else:
                view = await settled(app, reference, "refunded")
                assert (view["captured"], view["refunded"]) == ("3000", "2383")
                assert [op["op"] for op in view["operations"]] == ["pay", "refund"]
            await asyncio.sleep(0.1)
            assert len((await app.view(reference))["operations"]) == 3 - (model == "prepaid")
            await st.close()

    run(scenario)


# --- D1: every standard station message is answered ---------------------------------------------

STANDARD: dict[str, dict[str, Any]] = {
    "Heartbeat": {},
    "NotifyEvent": {
        "generatedAt": "2026-12-02T00:00:00Z",
        "seqNo": 0,
        "eventData": [
            {
                "eventId": 1,
                "timestamp": "2026-12-02T00:00:00Z",
                "trigger": "Delta",
                "actualValue": "x",
                "eventNotificationType": "HardWiredNotification",
                "component": {"name": "C"},
                "variable": {"name": "V"},
            }
        ],
    },
    "MeterValues": {
        "evseId": 1,
        "meterValue": [{"timestamp": "2026-12-02T00:00:00Z", "sampledValue": [{"value": 1.0}]}],
    },
    "NotifyReport": {"requestId": 1, "generatedAt": "2026-12-02T00:00:00Z", "seqNo": 0},
    "Authorize": {"idToken": {"idToken": "X", "type": "Central"}},
    "SecurityEventNotification": {"type": "x", "timestamp": "2026-12-02T00:00:00Z"},
    "FirmwareStatusNotification": {"status": "Idle"},
}


@pytest.mark.parametrize("version", VERSIONS)
def test_d1_every_standard_message_is_answered(tmp_path: Path, version: str) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-D1", version)
            for action, payload in STANDARD.items():
                answer = await st.send(action, payload)
                if action == "Heartbeat":
                    assert answer["currentTime"].endswith("Z")
                if action == "Authorize":
                    assert answer["idTokenInfo"]["status"] == "Unknown"
            # A TransactionEvent that is not ours is answered too.
            await st.transaction("Started", 999, 1, "SOMEONE")
            # An action the CSMS does not implement: a CALLERROR at once on both versions
            # (the ocpp package 2.1.0 answers nothing on 2.1: mobilityhouse/ocpp#744).
            with pytest.raises(CallErrorReply) as caught:
                await st.send("SignCertificate", {"csr": "x" * 10})
            assert caught.value.code == "NotImplemented"
            with pytest.raises(CallErrorReply) as caught:
                await st.send("NoSuchAction", {})
            assert caught.value.code == "NotImplemented"  # F1: not known is NotImplemented
            await st.close()

    run(scenario)


# --- D2: a second press refreshes the same message ------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_d2_a_double_press_refreshes_under_the_same_message_id(
    tmp_path: Path, version: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-D2", version)
            assert (await st.trigger(1))["status"] == "Accepted"
            first = await st.shown()
            again = await st.trigger(1)
            assert again["status"] == "Accepted" and again["data"]["refreshed"] is True
            assert again["data"]["messageId"] == first["id"]
            second = await st.shown()
            assert second["id"] == first["id"]
            assert second["message"]["content"] != first["message"]["content"]
            assert reference_of(second) == reference_of(first)
            status, payments = await http.get_json(f"{app.http_base}/simulator/payments")
            assert status == 200 and len(payments["payments"]) == 1
            await st.close()

    run(scenario)


# --- D3 / D7: ids, sessions and references survive reconnects and restarts -----------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_d3_d7_reconnect_and_restart_keep_ids_sessions_and_references(
    tmp_path: Path, version: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-D3", version)
            await st.trigger(1)
            first = await st.shown()
            await st.close()
            # Paid while the station is away: the start waits for it.
            assert (await app.pay(reference_of(first)))[0] == 200
            st = await app.station("CS-D3", version)
            start = await st.expect("RequestStartTransaction")
            assert start["idToken"]["idToken"] == reference_of(first)
            await st.expect("ClearDisplayMessage")
            # Reconnected without a new boot: the CSMS still knows the station's EVSEs.
            await st.trigger(2)
            second = await st.shown()
            assert second["id"] != first["id"]
            await st.transaction("Started", start["remoteStartId"], 1, reference_of(first))
            await st.close()

            await app.restart()  # same --db
            st = await app.station("CS-D3", version)
            await st.trigger(1)  # EVSE 1 is charging: refused, not a second payment
            await st.send(
                "StatusNotification",
                {
                    "timestamp": "2026-12-02T00:00:00Z",
                    "connectorStatus": "Available",
                    "evseId": 2,
                    "connectorId": 1,
                },
            )
            refreshed = await st.trigger(2)  # EVSE 2's code is still pending: refreshed
            assert refreshed["data"]["messageId"] == second["id"]
            assert (await st.shown())["id"] == second["id"]
            await st.transaction("Ended", start["remoteStartId"], 1, reference_of(first), wh=20000)
            view = await settled(app, reference_of(first), "captured")
            assert (view["captured"], view["released"]) == ("1000", "2000")
            await st.close()

            await app.restart()
            st = await booted(app, "CS-D3", version)
            await st.send("Heartbeat", {})
            _status, payments = await http.get_json(f"{app.http_base}/simulator/payments")
            references = [p["reference"] for p in payments["payments"]]
            assert len(references) == len(set(references)) == 2
            await st.close()

    run(scenario)


# --- D4 and out-of-range ids ----------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("evse", [7, 10**30, 0, -1, "1", True])
def test_d4_an_evse_the_station_does_not_have_is_refused(
    tmp_path: Path, version: str, evse: Any
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await app.station("CS-D4", version)
            await st.boot(evses=(1,))
            answer = await st.trigger(evse)
            assert answer["status"] == "Rejected"
            # A StatusNotification with an absurd EVSE teaches nothing.
            if isinstance(evse, int) and evse > 1:
                await st.send(
                    "StatusNotification",
                    {
                        "timestamp": "2026-12-02T00:00:00Z",
                        "connectorStatus": "Available",
                        "evseId": evse,
                        "connectorId": 1,
                    },
                )
                if evse > 64:
                    assert (await st.trigger(evse))["status"] == "Rejected"
            _status, payments = await http.get_json(f"{app.http_base}/simulator/payments")
            assert payments["payments"] == [] or evse == 7
            await st.close()

    run(scenario)


# --- D6: 62-07 unique within 25 characters --------------------------------------------------------


def test_d6_terminal_labels_of_long_ids_sharing_a_prefix_differ(tmp_path: Path) -> None:
    ids = ["TOKYO-SHINAGAWA-PARKING-B2-0001", "TOKYO-SHINAGAWA-PARKING-B2-0002"]

    async def scenario() -> None:
        async with running(tmp_path) as app:
            found: list[str] = []
            for station_id in ids:
                st = await booted(app, station_id, "2.1")
                for evse in (1, 2):
                    await st.trigger(evse)
                    found.append(labels((await st.shown())["message"]["content"])[1] or "")
                await st.close()
            assert len(set(found)) == 4
            assert all(0 < len(label) <= 25 for label in found)

    run(scenario)


# --- D8: the 2.0.1 capability race, and no boot ---------------------------------------------------


def test_d8_a_201_trigger_before_qr_code_display_is_known_is_refused(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await app.station("CS-D8", "2.0.1")
            # Never booted: refused.
            assert (await st.trigger(1))["status"] == "Rejected"
            st.answer_get_variables = False  # the station is slow to answer GetVariables
            await st.send(
                "BootNotification",
                {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
            )
            await st.expect("GetVariables")
            await st.send(
                "StatusNotification",
                {
                    "timestamp": "2026-12-02T00:00:00Z",
                    "connectorStatus": "Available",
                    "evseId": 1,
                    "connectorId": 1,
                },
            )
            answer = await st.trigger(1)
            assert answer["status"] == "Rejected"
            assert answer["statusInfo"]["reasonCode"] == "NoQRCodeDisplay"
            # The late answer arrives: now it works.
            await st.connection.send(
                json.dumps(
                    [
                        3,
                        st.unanswered,
                        {
                            "getVariableResult": [
                                {
                                    "attributeStatus": "Accepted",
                                    "attributeValue": "true",
                                    "component": {"name": "QRCodeDisplay"},
                                    "variable": {"name": "Enabled"},
                                }
                            ]
                        },
                    ]
                )
            )

            async def known() -> bool:
                return bool((await st.trigger(1))["status"] == "Accepted")

            await until(known)
            assert (await st.shown())["display"]["name"] == "QRCodeDisplay"
            await st.close()

            # A station without the component, that reports it later with NotifyReport.
            st = await app.station("CS-D8B", "2.0.1")
            st.qr_code_display = None
            await st.boot()
            assert (await st.trigger(1))["status"] == "Rejected"
            await st.send(
                "NotifyReport",
                {
                    "requestId": 1,
                    "generatedAt": "2026-12-02T00:00:00Z",
                    "seqNo": 0,
                    "reportData": [
                        {
                            "component": {"name": "QRCodeDisplay"},
                            "variable": {"name": "Enabled"},
                            "variableAttribute": [{"type": "Actual", "value": "true"}],
                        }
                    ],
                },
            )
            assert (await st.trigger(1))["status"] == "Accepted"
            assert (await st.shown())["display"]["name"] == "QRCodeDisplay"
            await st.close()

    run(scenario)


# --- under attack ---------------------------------------------------------------------------------

MALFORMED = [
    "not json",
    "{}",
    "[]",
    "[2]",
    '[2, 17, "Heartbeat", {}]',
    '[2, "m1", "Heartbeat", "payload"]',
    '[2, "m2", ["Heartbeat"], {}]',
    '[2, "m3", "Heartbeat", {"unexpected": 1}]',
    '[9, "m4", "Heartbeat", {}]',
    "[" * 5000 + "]" * 5000,
    '[2, "' + "x" * 40 + '", "Heartbeat", {}]',
]


@pytest.mark.parametrize("version", VERSIONS)
def test_malformed_frames_get_a_callerror_and_the_connection_stays(
    tmp_path: Path, version: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-BAD", version)
            for text in MALFORMED:
                frame = await st.raw(text)
                assert frame[0] == 4, (text[:40], frame)
                assert frame[2] in (
                    "FormatViolation",
                    "ProtocolError",
                    "NotSupported",
                    "OccurrenceConstraintViolation",
                    "TypeConstraintViolation",
                    "PropertyConstraintViolation",
                    "MessageTypeNotSupported",
                    "RpcFrameworkError",
                ), frame
            assert "currentTime" in await st.send("Heartbeat", {})
            await st.close()

    run(scenario)


def test_unsolicited_results_are_dropped_and_memory_is_released_at_disconnect(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-FLOOD", "2.1")
            for n in range(2000):
                await st.connection.send(json.dumps([3, f"x{n}", {"junk": "y" * 100}]))
            assert "currentTime" in await st.send("Heartbeat", {})
            view = app.app.stations["CS-FLOOD"]
            assert view._response_queue.qsize() == 0
            await st.trigger(1)
            await st.shown()  # the CSMS's own calls still get their answers
            await st.close()

            async def gone() -> bool:
                return not app.app.stations and not app.app.service.links

            await until(gone)
            assert "CS-FLOOD" not in app.app.service._locks

    run(scenario)


def test_the_station_id_is_the_last_path_segment(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-42", "2.1", path="/ocpp/v2")
            await st.trigger(1)
            assert labels((await st.shown())["message"]["content"])[1] == "CS-42-1"
            assert list(app.app.stations) == ["CS-42"]
            await st.close()

    run(scenario)


# --- webhooks -------------------------------------------------------------------------------------


def test_webhooks_need_the_signature_and_replays_change_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-WH", "2.1")
            await st.trigger(1)
            reference = reference_of(await st.shown())
            body = json.dumps(
                {
                    "eventId": "forged",
                    "reference": reference,
                    "event": "authorised",
                    "amount": "3000",
                }
            ).encode()
            url = f"{app.http_base}/webhooks/payment"
            for headers in (
                {},
                {"X-Signature": sign(body, "wrong")},
                {"X-Signature": "sha256=00"},
                {"X-Signature": sign(body, SECRET)[:-1]},
            ):
                status, _ = await http.request("POST", url, body, headers)
                assert status == 401
            assert (await app.view(reference))["state"] == "created"
            assert st.received.empty()
            # The provider's own webhook, then the same webhook replayed by hand.
            await app.pay(reference)
            await st.expect("RequestStartTransaction")
            await st.expect("ClearDisplayMessage")
            genuine = json.dumps(
                {
                    "eventId": f"{reference}:authorised",
                    "reference": reference,
                    "event": "authorised",
                    "amount": "3000",
                }
            ).encode()
            for _ in range(3):
                status, _answer = await http.request(
                    "POST", url, genuine, {"X-Signature": sign(genuine, SECRET)}
                )
                assert status == 200
            await asyncio.sleep(0.2)
            assert st.received.empty()  # no second RequestStartTransaction
            await st.close()

    run(scenario)


# --- refusals, cancel, expiry ---------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_a_refused_display_cancels_the_payment(tmp_path: Path, version: str) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await app.station("CS-REF", version)
            st.answers["SetDisplayMessage"] = "Rejected"
            await st.boot()
            await st.trigger(1)
            reference = reference_of(await st.shown())
            view = await settled(app, reference, "cancelled")
            assert [op["op"] for op in view["operations"]] == ["cancel"]
            assert (await app.pay(reference))[0] == 409
            await st.close()

    run(scenario)


@pytest.mark.parametrize("version", VERSIONS)
def test_the_driver_cancels(tmp_path: Path, version: str) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-CAN", version)
            assert (await st.trigger(1, "CancelQRPayment"))["status"] == "Rejected"
            await st.trigger(1)
            info = await st.shown()
            assert (await st.trigger(1, "CancelQRPayment"))["status"] == "Accepted"
            assert (await st.expect("ClearDisplayMessage"))["id"] == info["id"]
            view = await settled(app, reference_of(info), "cancelled")
            assert [op["op"] for op in view["operations"]] == ["cancel"]
            await st.close()

    run(scenario)


def test_an_unpaid_code_is_cleared_and_cancelled_at_expiry(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path, code_lifetime=0.5) as app:
            st = await booted(app, "CS-EXP", "2.1")
            await st.trigger(1)
            info = await st.shown()
            assert info["endDateTime"].endswith("Z")
            assert (await st.expect("ClearDisplayMessage"))["id"] == info["id"]
            view = await settled(app, reference_of(info), "expired")
            assert [op["op"] for op in view["operations"]] == ["expire"]
            assert (await app.pay(reference_of(info)))[0] == 409
            await st.close()

    run(scenario)


@pytest.mark.parametrize("model", ["authorisation", "prepaid"])
def test_a_refused_start_gives_the_money_back(tmp_path: Path, model: str) -> None:
    async def scenario() -> None:
        async with running(tmp_path, model=model) as app:
            st = await app.station("CS-NOSTART", "2.1")
            st.answers["RequestStartTransaction"] = "Rejected"
            await st.boot()
            await st.trigger(1)
            reference = reference_of(await st.shown())
            await app.pay(reference)
            await st.expect("RequestStartTransaction")
            if model == "authorisation":
                view = await settled(app, reference, "released")
                assert view["released"] == "3000" and view["captured"] == "0"
            else:
                view = await settled(app, reference, "refunded")
                assert view["refunded"] == "3000"
            await st.close()

    run(scenario)


# --- the process: the contract's CLI --------------------------------------------------------------


async def start_process(db: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    import os

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "csms.py"),
        "--port",
        "0",
        "--http-port",
        "0",
        "--db",
        str(db),
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    line = (await wait(process.stdout.readline(), 20)).decode()
    words = dict(word.split("=") for word in line.split()[2:])
    assert line.startswith("jpqr-csms ready ocpp="), line
    return process, int(words["ocpp"]), int(words["http"])


async def stop_process(process: Any) -> None:
    process.terminate()
    assert await wait(process.wait()) == 0


def test_the_process_serves_stops_cleanly_and_continues_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "process.sqlite3"

    async def scenario() -> None:
        env = {"JPQR_WEBHOOK_SECRET": "from-the-environment"}
        process, ocpp_port, http_port = await start_process(db, "--model", "prepaid", env=env)
        try:
            connection = await connect(
                f"ws://127.0.0.1:{ocpp_port}/CS-P",
                subprotocols=[Subprotocol("ocpp2.1")],
                open_timeout=WAIT,
            )
            st = WireStation(connection, "2.1")
            await st.boot()
            await st.trigger(1)
            info = await st.shown()
            reference = reference_of(info)
            # The provider signs its webhook with the secret from the environment; a webhook
            # signed with the development default is refused.
            body = json.dumps(
                {"eventId": "x", "reference": reference, "event": "paid", "amount": "3000"}
            ).encode()
            url = f"http://127.0.0.1:{http_port}/webhooks/payment"
            forged = {"X-Signature": sign(body, "jpqr-development-secret")}
            assert (await http.request("POST", url, body, forged))[0] == 401
            status, _ = await http.post_json(
                f"http://127.0.0.1:{http_port}/simulator/pay", {"reference": reference}
            )
            assert status == 200
            start = await st.expect("RequestStartTransaction")
            await st.expect("ClearDisplayMessage")
            await st.transaction("Started", start["remoteStartId"], 1, reference)
            await st.close()
        finally:
            await stop_process(process)

        process, ocpp_port, http_port = await start_process(db, "--model", "prepaid", env=env)
        try:
            connection = await connect(
                f"ws://127.0.0.1:{ocpp_port}/CS-P",
                subprotocols=[Subprotocol("ocpp2.1")],
                open_timeout=WAIT,
            )
            st = WireStation(connection, "2.1")
            await st.transaction("Ended", start["remoteStartId"], 1, reference, wh=2000)
            await st.trigger(2)  # EVSE 2 unknown: the station never reported it
            base = f"http://127.0.0.1:{http_port}/simulator/payments/{reference}"

            async def refunded() -> bool:
                return bool((await http.get_json(base))[1]["state"] == "refunded")

            await until(refunded)
            view = (await http.get_json(base))[1]
            assert (view["refunded"], [op["op"] for op in view["operations"]]) == (
                "2900",
                ["pay", "refund"],
            )
            await st.trigger(1)
            assert reference_of(await st.shown()) != reference  # a new payment, a new reference
            await st.close()
        finally:
            await stop_process(process)

    run(scenario)


def test_sigterm_ends_the_process_within_5_s_even_if_a_station_never_closes(
    tmp_path: Path,
) -> None:
    # F2 of the station helper: a station that stops reading never answers the close handshake.
    async def scenario() -> None:
        import base64
        import os
        import time

        process, ocpp_port, _http_port = await start_process(tmp_path / "p.sqlite3")
        reader, writer = await asyncio.open_connection("127.0.0.1", ocpp_port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /CS-HUNG HTTP/1.1\r\nHost: 127.0.0.1:{ocpp_port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.1\r\n\r\n"
            ).encode()
        )
        assert b" 101 " in await wait(reader.readuntil(b"\r\n\r\n"))
        began = time.monotonic()
        process.terminate()
        assert await wait(process.wait(), 5.0) == 0
        assert time.monotonic() - began < 5.0
        writer.close()

    run(scenario)


def test_the_commands_of_docs_ocpp_md_run(tmp_path: Path) -> None:
    # docs/ocpp.md: the CSMS as a process, examples/station.py --pay on both versions, and
    # --model-2-3; the provider's view then shows each payment settled.
    async def scenario() -> None:
        process, ocpp_port, http_port = await start_process(tmp_path / "docs.sqlite3")
        base = f"http://127.0.0.1:{http_port}"
        try:
            for version, evse in (("2.1", "1"), ("2.0.1", "2")):
                station = await asyncio.create_subprocess_exec(
                    sys.executable,
                    str(EXAMPLES / "station.py"),
                    "--url",
                    f"ws://127.0.0.1:{ocpp_port}",
                    "--http",
                    base,
                    "--version",
                    version,
                    "--evse",
                    evse,
                    "--pay",
                    "--id",
                    f"CS-DOC-{version}",
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                out, _ = await wait(station.communicate(), 20)
                assert station.returncode == 0
                assert out.decode().startswith("Accepted: ")
            twenty_three = await asyncio.create_subprocess_exec(
                sys.executable,
                str(EXAMPLES / "station.py"),
                "--model-2-3",
                "--http",
                base,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            out, _ = await wait(twenty_three.communicate(), 20)
            assert jpqr.validate(out.decode().strip()).ok

            async def both_settled() -> bool:
                payments = (await http.get_json(f"{base}/simulator/payments"))[1]["payments"]
                states = sorted(p["state"] for p in payments if p["terminal"].startswith("CS-DOC"))
                return states == ["captured", "captured"]

            await until(both_settled)
        finally:
            await stop_process(process)

    run(scenario)


def test_f3_a_21_station_without_the_qrcode_format_is_refused(tmp_path: Path) -> None:
    # F3 of the station helper: DisplayMessageCtrlr.SupportedFormats without QRCODE.
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await app.station("CS-F3", "2.1")
            st.formats = "ASCII,UTF8"
            await st.boot()
            answer = await st.trigger(1)
            assert answer["status"] == "Rejected"
            assert answer["statusInfo"]["reasonCode"] == "NoQRCodeFormat"
            _status, payments = await http.get_json(f"{app.http_base}/simulator/payments")
            assert payments["payments"] == []
            await st.close()
            # Reported by NotifyReport on another station, with QRCODE: accepted.
            st = await app.station("CS-F3B", "2.1")
            st.formats = None
            await st.boot()
            await st.send(
                "NotifyReport",
                {
                    "requestId": 1,
                    "generatedAt": "2026-12-02T00:00:00Z",
                    "seqNo": 0,
                    "reportData": [
                        {
                            "component": {"name": "DisplayMessageCtrlr"},
                            "variable": {"name": "SupportedFormats"},
                            "variableAttribute": [{"value": "QRCODE,UTF8"}],
                        }
                    ],
                },
            )
            assert (await st.trigger(1))["status"] == "Accepted"
            await st.shown()
            await st.close()

    run(scenario)


@pytest.mark.parametrize("version", VERSIONS)
def test_two_evses_at_once_and_out_of_range_ids_in_transaction_events(
    tmp_path: Path, version: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-TWO", version)
            answers = await wait(asyncio.gather(st.trigger(1), st.trigger(2)))
            assert [a["status"] for a in answers] == ["Accepted", "Accepted"]
            shown = [await st.shown(), await st.shown()]
            assert sorted(info["display"]["evse"]["id"] for info in shown) == [1, 2]
            assert shown[0]["id"] != shown[1]["id"]
            assert reference_of(shown[0]) != reference_of(shown[1])
            # Ids no SQLite integer can hold are answered, not crashed on.
            for remote in (10**30, -(10**30)):
                answer = await st.transaction("Started", remote, 10**30, "NOBODY")
                assert answer["idTokenInfo"]["status"] == "Unknown"
            assert "currentTime" in await st.send("Heartbeat", {})
            await st.close()

    run(scenario)


@pytest.mark.parametrize("version", VERSIONS)
def test_f4_a_cancel_right_after_the_press_cancels_the_payment(
    tmp_path: Path, version: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-F4", version)
            for _ in range(3):
                pressed, cancelled = await wait(
                    asyncio.gather(st.trigger(2), st.trigger(2, "CancelQRPayment"))
                )
                assert (pressed["status"], cancelled["status"]) == ("Accepted", "Accepted")

                async def one_cancelled() -> bool:
                    _, body = await http.get_json(f"{app.http_base}/simulator/payments")
                    return bool(body["payments"]) and body["payments"][-1]["state"] == "cancelled"

                await until(one_cancelled)
                _, body = await http.get_json(f"{app.http_base}/simulator/payments")
                reference = body["payments"][-1]["reference"]
                assert (await app.pay(reference))[0] == 409  # the driver is never charged
                # If the code reached the screen before the cancel, it is taken off again.
                await asyncio.sleep(0.1)
                calls = []
                while not st.received.empty():
                    calls.append(st.received.get_nowait()[0])
                assert calls in ([], ["SetDisplayMessage", "ClearDisplayMessage"]), calls
            await st.close()

    run(scenario)


def test_the_21_configured_content_length_is_read_and_honoured(tmp_path: Path) -> None:
    # 2.1 schema, MessageContentType.content: the station's maximum is
    # OCPPCommCtrlr.FieldLength["MessageContentType.content"]. Our codes are about 200
    # characters: a station that takes 100 gets no code and no payable payment.
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await app.station("CS-LEN", "2.1")
            st.content_length = "100"
            await st.boot()
            assert (await st.trigger(1))["status"] == "Accepted"

            async def cancelled() -> bool:
                _, body = await http.get_json(f"{app.http_base}/simulator/payments")
                return bool(body["payments"]) and body["payments"][0]["state"] == "cancelled"

            await until(cancelled)
            assert st.received.empty()  # nothing too long was sent
            await st.close()
            st = await app.station("CS-LEN2", "2.1")
            st.content_length = "1000"
            await st.boot()
            await st.trigger(1)
            assert len((await st.shown())["message"]["content"]) <= 1000
            await st.close()

    run(scenario)


def test_a_second_connection_of_the_same_station_replaces_the_first(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            first = await app.station("CS-TWICE", "2.1")
            await first.boot()
            second = await app.station("CS-TWICE", "2.1")
            await wait(first.connection.wait_closed())  # the CSMS closed the stale one
            await second.trigger(1)
            await second.shown()

            async def one_left() -> bool:
                return list(app.app.stations) == ["CS-TWICE"] and (
                    app.app.service.links["CS-TWICE"] is app.app.stations["CS-TWICE"]
                )

            await until(one_left)
            await first.close()
            await second.close()

    run(scenario)


def test_f5_two_databases_never_issue_the_same_reference(tmp_path: Path) -> None:
    # F5 of the station helper: a reference is the date and a counter; a second, fresh database
    # restarted the counter, so two CSMS instances gave the provider the same 62-05.
    async def scenario() -> None:
        references = []
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            async with running(folder) as app:
                st = await booted(app, "CS-F5", "2.1")
                await st.trigger(1)
                reference = reference_of(await st.shown())
                assert len(reference) <= 25
                references.append(reference)
                await st.close()
        assert references[0] != references[1]

    run(scenario)


@pytest.mark.parametrize("path", ["/", "/ocpp/", "/ocpp/CS-1/", "/" + "x" * 49])
def test_f6_a_path_without_a_usable_last_segment_is_refused(tmp_path: Path, path: str) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            connection = await connect(
                f"ws://127.0.0.1:{app.ocpp_port}{path}",
                subprotocols=[Subprotocol("ocpp2.0.1")],
                open_timeout=WAIT,
            )
            await wait(connection.wait_closed())
            assert connection.close_code == 1002
            assert app.app.stations == {}

    run(scenario)


def test_a_failed_settlement_is_retried_and_money_moves_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            service = app.app.service
            real = service.provider
            failures = {"capture": 1}

            class Flaky:
                """The provider, whose first capture fails (a timeout, a 5xx)."""

                def __getattr__(self, name: str) -> Any:
                    return getattr(real, name)

                async def capture(self, reference: str, amount: Decimal) -> None:
                    if failures["capture"]:
                        failures["capture"] -= 1
                        raise OSError("the provider did not answer")
                    await real.capture(reference, amount)

            service.provider = Flaky()
            st = await booted(app, "CS-FLAKY", "2.1")
            await st.trigger(1)
            reference = reference_of(await st.shown())
            await app.pay(reference)
            start = await st.expect("RequestStartTransaction")
            await st.expect("ClearDisplayMessage")
            await st.transaction("Started", start["remoteStartId"], 1, reference)
            await st.transaction("Ended", start["remoteStartId"], 1, reference, wh=1000, seq=1)
            view = await settled(app, reference, "captured")
            assert failures["capture"] == 0
            assert [(op["op"], op["amount"]) for op in view["operations"]] == [
                ("authorise", "3000"),
                ("capture", "50"),
                ("release", "2950"),
            ]
            await st.close()

    run(scenario)


def test_nothing_is_kept_for_stations_that_left(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            for n in range(20):
                st = await booted(app, f"CS-GONE-{n}", "2.0.1" if n % 2 else "2.1")
                await st.trigger(1)
                await st.shown()
                await st.close()
            service = app.app.service

            async def released() -> bool:
                return not (
                    app.app.stations
                    or service.links
                    or service._locks
                    or service._creating
                    or service._cancel_requested
                    or service._tasks
                )

            await until(released)

    run(scenario)


async def paid_while_offline_and_back_at_once(app: Running, version: str) -> None:
    st = await booted(app, "CS-F7", version)
    await st.trigger(1)
    reference = reference_of(await st.shown())
    await st.close()
    assert (await app.pay(reference))[0] == 200

    async def authorised() -> bool:
        record = app.app.store.payment(reference)
        return record is not None and record.state == "authorised"

    await until(authorised)  # the webhook came while the station was away
    st = await app.station("CS-F7", version)  # back at once, and boots
    # The reconnect replays the pending start; the webhook path asks for it at the same moment
    # (what F7 saw when the webhook and the reconnect crossed).
    app.app.service.spawn(app.app.service.start_charging(reference))
    await st.send(
        "BootNotification",
        {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
    )
    calls: list[tuple[str, dict[str, Any]]] = []

    async def cleared() -> bool:
        while not st.received.empty():
            calls.append(st.received.get_nowait())
        return any(action == "ClearDisplayMessage" for action, _ in calls)

    await until(cleared)
    await asyncio.sleep(0.3)
    await cleared()
    starts = [payload for action, payload in calls if action == "RequestStartTransaction"]
    assert len(starts) == 1, calls  # F7: it was sent twice, the second refused
    start = starts[0]
    await st.transaction("Started", start["remoteStartId"], 1, reference)
    await st.transaction("Ended", start["remoteStartId"], 1, reference, wh=12345)
    view = await settled(app, reference, "captured")
    assert [(op["op"], op["amount"]) for op in view["operations"]] == [
        ("authorise", "3000"),
        ("capture", "617"),
        ("release", "2383"),
    ]
    await st.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_f7_paid_while_offline_and_back_at_once_one_start_and_the_right_capture(
    tmp_path: Path, version: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            for _ in range(3):
                await paid_while_offline_and_back_at_once(app, version)

    run(scenario)


def test_a_start_refused_after_an_unanswered_one_keeps_the_money_for_the_session(
    tmp_path: Path,
) -> None:
    # The station took the first RequestStartTransaction but the link dropped before its answer;
    # back, it refuses the repeat (busy charging for the first): the money must not go back.
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-LOST", "2.1")
            await st.trigger(1)
            reference = reference_of(await st.shown())
            st.answers["RequestStartTransaction"] = "<drop>"
            await app.pay(reference)
            first = await st.expect("RequestStartTransaction")
            await wait(st.connection.wait_closed())
            await st.close()
            st = await app.station("CS-LOST", "2.1")
            st.answers["RequestStartTransaction"] = "Rejected"
            assert (await st.expect("RequestStartTransaction")) == first
            await asyncio.sleep(0.2)
            assert (await app.view(reference))["state"] == "authorised"
            await st.transaction("Started", first["remoteStartId"], 1, reference)
            await st.transaction("Ended", first["remoteStartId"], 1, reference, wh=2000)
            view = await settled(app, reference, "captured")
            assert (view["captured"], view["released"]) == ("100", "2900")
            await st.close()

    run(scenario)


@pytest.mark.parametrize("version", VERSIONS)
def test_f8_a_code_that_expired_while_the_station_was_away_is_cleared_when_it_is_back(
    tmp_path: Path, version: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path, code_lifetime=0.5) as app:
            st = await booted(app, "CS-F8", version)
            await st.trigger(1)
            info = await st.shown()
            await st.close()
            await settled(app, reference_of(info), "expired")
            st = await app.station("CS-F8", version)  # back, without a new boot
            assert (await st.expect("ClearDisplayMessage"))["id"] == info["id"]
            await asyncio.sleep(0.2)
            assert st.received.empty()  # owed once, sent once
            await st.close()

    run(scenario)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("when", ["before the code", "code unanswered"])
def test_f9_f10_a_link_lost_right_after_the_press_gets_the_code_on_the_next_connection(
    tmp_path: Path, version: str, when: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-F9", version)
            st.answers["SetDisplayMessage"] = "<drop>"  # should it come, no answer
            assert (await st.trigger(1))["status"] == "Accepted"
            if when == "before the code":
                await st.connection.close()  # F9: gone before the SetDisplayMessage
            else:
                await st.expect("SetDisplayMessage")  # F10: it came, unanswered, link dropped
            await wait(st.connection.wait_closed())
            await st.close()
            st = await app.station("CS-F9", version)
            info = await st.shown()  # the code the driver was promised
            reference = reference_of(info)
            assert (await app.view(reference))["state"] == "created"
            await asyncio.sleep(0.2)
            assert st.received.empty()  # one code, not two
            assert (await app.pay(reference))[0] == 200
            await st.expect("RequestStartTransaction")
            await st.close()

    run(scenario)


@pytest.mark.parametrize("version", VERSIONS)
def test_f11_the_reference_of_an_unpaid_code_authorises_nothing(
    tmp_path: Path, version: str
) -> None:
    # The reference is printed in the QR code: anyone can read it.
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-F11", version)
            await st.trigger(1)
            reference = reference_of(await st.shown())
            token = {"idToken": reference, "type": "Central"}
            assert (await st.send("Authorize", {"idToken": token}))["idTokenInfo"] == {
                "status": "Invalid"
            }
            local = {
                "eventType": "Started",
                "timestamp": "2026-12-02T00:00:00Z",
                "triggerReason": "RemoteStart",
                "seqNo": 0,
                "transactionInfo": {"transactionId": "LOCAL-1"},
                "evse": {"id": 2, "connectorId": 1},
                "idToken": token,
            }
            answer = await st.send("TransactionEvent", local)
            assert answer["idTokenInfo"]["status"] == "Invalid"
            # Paid: its token is good at its own EVSE only.
            await app.pay(reference)
            start = await st.expect("RequestStartTransaction")
            await st.expect("ClearDisplayMessage")
            answer = await st.send("TransactionEvent", {**local, "seqNo": 1})
            assert answer["idTokenInfo"]["status"] == "Invalid"  # EVSE 2, paid for EVSE 1
            assert (await app.view(reference))["operations"] == [
                {"op": "authorise", "amount": "3000"}
            ]
            answer = await st.transaction("Started", start["remoteStartId"], 1, reference)
            assert answer["idTokenInfo"]["status"] == "Accepted"
            assert (await st.send("Authorize", {"idToken": token}))["idTokenInfo"] == {
                "status": "Accepted"
            }
            await st.close()

    run(scenario)


@pytest.mark.parametrize("version", VERSIONS)
def test_f12_a_settled_payments_token_starts_nothing_new(tmp_path: Path, version: str) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-F12", version)
            await st.trigger(1)
            reference = reference_of(await st.shown())
            await app.pay(reference)
            start = await st.expect("RequestStartTransaction")
            await st.expect("ClearDisplayMessage")
            remote = start["remoteStartId"]
            await st.transaction("Started", remote, 1, reference)
            await st.transaction("Ended", remote, 1, reference, wh=1000, seq=1)
            await settled(app, reference, "captured")
            # The same session again (a repeated event): still its own.
            again = await st.transaction("Started", remote, 1, reference)
            assert again["idTokenInfo"]["status"] == "Accepted"
            replay = {
                "eventType": "Started",
                "timestamp": "2026-12-02T00:00:00Z",
                "triggerReason": "Authorized",
                "seqNo": 0,
                "transactionInfo": {"transactionId": "REPLAYED-TX-1"},
                "evse": {"id": 1, "connectorId": 1},
                "idToken": {"idToken": reference, "type": "Central"},
            }
            answer = await st.send("TransactionEvent", replay)
            assert answer["idTokenInfo"]["status"] == "Invalid"
            ended = {**replay, "eventType": "Ended", "seqNo": 1}
            await st.send("TransactionEvent", ended)
            await asyncio.sleep(0.2)
            view = await app.view(reference)
            assert [op["op"] for op in view["operations"]] == ["authorise", "capture", "release"]
            await st.close()

    run(scenario)


@pytest.mark.parametrize("version", VERSIONS)
def test_f13_a_press_that_loses_the_race_to_the_payment_makes_no_second_code(
    tmp_path: Path, version: str
) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-F13", version)
            await st.trigger(2)
            info = await st.shown()
            reference = reference_of(info)
            service = app.app.service
            # The press is accepted as a refresh of the shown code...
            answer = service.trigger("CS-F13", version, 2)
            assert answer.status == "Accepted" and answer.data and answer.data["refreshed"]
            # ... and the payment lands before the refresh runs.
            await app.pay(reference)

            async def authorised() -> bool:
                record = app.app.store.payment(reference)
                return record is not None and record.state == "authorised"

            await until(authorised)
            await wait(service.start_payment("CS-F13", 2))
            calls = [await wait(st.received.get()), await wait(st.received.get())]
            assert sorted(action for action, _ in calls) == [
                "ClearDisplayMessage",
                "RequestStartTransaction",
            ]
            await asyncio.sleep(0.2)
            assert st.received.empty()  # no second code
            _, body = await http.get_json(f"{app.http_base}/simulator/payments")
            assert [p["reference"] for p in body["payments"]] == [reference]
            await st.close()

    run(scenario)


def test_f13_a_refresh_of_a_code_paid_a_moment_ago_makes_no_second_code(tmp_path: Path) -> None:
    # The provider has the payment, its webhook is not there yet: the refresh is refused (409).
    async def scenario() -> None:
        async with running(tmp_path) as app:
            st = await booted(app, "CS-F13B", "2.1")
            await st.trigger(1)
            reference = reference_of(await st.shown())
            service = app.app.service
            assert service.trigger("CS-F13B", "2.1", 1).status == "Accepted"
            app.app.simulator._send_webhook = _no_webhook
            await app.pay(reference)
            assert (await wait(service.start_payment("CS-F13B", 1))) is not None
            await asyncio.sleep(0.2)
            assert st.received.empty()  # no second code, no refresh
            _, body = await http.get_json(f"{app.http_base}/simulator/payments")
            assert [p["reference"] for p in body["payments"]] == [reference]
            await st.close()

    run(scenario)


async def _no_webhook(reference: str) -> None:
    """A webhook that is late (never comes, for the test)."""

"""The whole QR payment flow against examples/csms.py, end to end over real sockets (issue 11).

The CSMS runs in this process (its ``CSMS.run``) or as a subprocess (the CLI contract), on
127.0.0.1 with OS-chosen ports; the station is :class:`WireStation`, raw OCPP-J frames over
``websockets`` (no ``ocpp`` package on its side, so nothing the package does can hide a CSMS
bug), and every CALL the CSMS sends is checked against the official JSON schema. Expected money
comes from the contract: cost = kWh x tariff rounded to whole yen, capped at the amount.
Every wait is bounded with ``asyncio.wait_for``.
"""

from __future__ import annotations

import argparse
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
        self.answer_get_variables = True
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
        result: dict[str, Any] = {"status": self.answers.get(action, "Accepted")}
        if action == "GetVariables":
            if not self.answer_get_variables:
                self.received.put_nowait((action, payload))
                return
            results = []
            for item in payload["getVariableData"]:
                entry = {"component": item["component"], "variable": item["variable"]}
                if self.qr_code_display is None:
                    entry["attributeStatus"] = "UnknownComponent"
                else:
                    entry.update(attributeStatus="Accepted", attributeValue=self.qr_code_display)
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
        return payload

    async def boot(self, evses: tuple[int, ...] = (1, 2)) -> None:
        """BootNotification, StatusNotification per EVSE; on 2.0.1 the GetVariables."""
        answer = await self.send(
            "BootNotification",
            {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
        )
        assert answer["status"] == "Accepted"
        if self.version == "2.0.1":
            await self.expect("GetVariables")
        for evse in evses:
            await self.send(
                "StatusNotification",
                {"timestamp": "2026-12-02T00:00:00Z", "connectorStatus": "Available",
                 "evseId": evse, "connectorId": 1},
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
        self, event: str, remote_start_id: int, evse: int, token: str, wh: int | None = None,
        seq: int = 0,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "eventType": event,
            "timestamp": "2026-12-02T00:00:00Z",
            "triggerReason": "RemoteStart" if event == "Started" else "StopAuthorized",
            "seqNo": seq,
            "transactionInfo": {"transactionId": f"tx-{remote_start_id}",
                                "remoteStartId": remote_start_id},
            "evse": {"id": evse, "connectorId": 1},
        }
        if event == "Started":
            payload["idToken"] = {"idToken": token, "type": "Central"}
        if wh is not None:
            payload["meterValue"] = [{
                "timestamp": "2026-12-02T00:00:00Z",
                "sampledValue": [{"value": wh, "measurand": "Energy.Active.Import.Register",
                                  "context": "Transaction.End",
                                  "unitOfMeasure": {"unit": "Wh"}}],
            }]
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
        argv = ["--port", "0", "--http-port", "0", "--db", str(self.db),
                "--webhook-secret", SECRET]
        for name, value in self.options.items():
            argv += [f"--{name.replace('_', '-')}", str(value)]
        self.app = csms.CSMS(csms.parse_args(argv))
        self.stop_event = asyncio.Event()
        ready = asyncio.Event()
        original = self.app.expiry_loop

        async def loop_then_ready() -> None:
            ready.set()
            await original()

        self.app.expiry_loop = loop_then_ready  # type: ignore[method-assign]
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
            subprotocols=[f"ocpp{version}"],  # type: ignore[list-item]
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


def reference_of(info: dict[str, Any]) -> str:
    code = jpqr.parse(info["message"]["content"])
    reference = code.additional_data.reference_label
    assert isinstance(reference, str)
    return reference


async def until(predicate: Callable[[], Awaitable[bool]], timeout: float = WAIT) -> None:
    async def poll() -> None:
        while not await predicate():
            await asyncio.sleep(0.02)

    await wait(poll(), timeout)


async def settled(app: Running, reference: str, state: str) -> dict[str, Any]:
    async def done() -> bool:
        return (await app.view(reference))["state"] == state

    await until(done)
    return await app.view(reference)


# --- the whole flow ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("model", ["authorisation", "prepaid"])
def test_the_whole_flow(tmp_path: Path, version: str, model: str) -> None:
    async def scenario() -> None:
        async with running(tmp_path, model=model) as app:
            st = await app.station("CS-0001", version)
            await st.boot()
            assert (await st.trigger(2))["status"] == "Accepted"
            info = await st.shown()
            content = info["message"]["content"]
            report = jpqr.validate(content)
            assert report.ok, report
            code = jpqr.parse(content)
            assert code.point_of_initiation == "dynamic"
            assert code.amount == Decimal(3000)
            assert code.additional_data.terminal_label == "CS-0001-2"
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
                    "3000", "617", "2383")
                assert [op["op"] for op in view["operations"]] == [
                    "authorise", "capture", "release"]
            else:
                view = await settled(app, reference, "refunded")
                assert (view["captured"], view["refunded"]) == ("3000", "2383")
                assert [op["op"] for op in view["operations"]] == ["pay", "refund"]
            await asyncio.sleep(0.1)
            assert len((await app.view(reference))["operations"]) == 3 - (model == "prepaid")
            await st.close()

    run(scenario)

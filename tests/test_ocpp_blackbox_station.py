"""The schema-only station itself, against a scripted peer (no jpqr CSMS involved).

The peer is a bare ``websockets`` server that plays CSMS calls at the station and checks every
answer against the official Response schema, so the station's own behaviour is held to the
schemas before it is used to judge ``examples/csms.py`` (tests/test_ocpp_blackbox.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from tests.ocpp_station import framing, schemas
from tests.ocpp_station.device_model import DeviceModel
from tests.ocpp_station.station import Station
from tests.test_cli import SESSION_CODE  # a valid dynamic JPQR code, CRC computed by binascii

VERSIONS = pytest.mark.parametrize("version", framing.OCPP_VERSIONS)


class Peer:
    """A scripted CSMS: answers the station's calls with schema-valid payloads, and calls it."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.ws: ServerConnection | None = None
        self.connected = asyncio.Event()
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self.station_calls: list[tuple[str, dict[str, Any]]] = []
        self.replies: dict[str, asyncio.Future[Any]] = {}
        self.count = 0

    async def handler(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.connected.set()
        async for text in ws:
            items = json.loads(text)
            if items[0] == framing.CALL:
                _, message_id, action, payload = items
                self.station_calls.append((action, payload))
                answer = {
                    "BootNotification": {
                        "currentTime": "2026-01-01T00:00:00Z",
                        "interval": 300,
                        "status": "Accepted",
                    },
                    "Heartbeat": {"currentTime": "2026-01-01T00:00:00Z"},
                    "DataTransfer": {"status": "Accepted"},
                }.get(action, {})
                await ws.send(json.dumps([framing.CALLRESULT, message_id, answer]))
            elif items[1] in self.replies:
                self.replies[items[1]].set_result(items)

    async def call(
        self, action: str, payload: dict[str, Any], *, checked: bool = True
    ) -> list[Any]:
        """Send a CALL to the station, return its reply frame (bounded wait)."""
        if checked:
            assert not schemas.violations(self.version, action, "Request", payload)
        assert self.ws is not None
        self.count += 1
        message_id = f"csms-{self.count}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.replies[message_id] = future
        await self.ws.send(json.dumps([framing.CALL, message_id, action, payload]))
        return await asyncio.wait_for(future, 5)

    async def result(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A CSMS call whose CALLRESULT must be valid per the Response schema."""
        reply = await self.call(action, payload)
        assert reply[0] == framing.CALLRESULT, reply
        assert not schemas.violations(self.version, action, "Response", reply[2]), reply
        answer: dict[str, Any] = reply[2]
        return answer


@asynccontextmanager
async def linked(version: str, **options: Any) -> AsyncIterator[tuple[Peer, Station]]:
    peer = Peer(version)
    async with serve(
        peer.handler,
        "127.0.0.1",
        0,
        subprotocols=[Subprotocol(framing.SUBPROTOCOLS[version])],
    ) as server:
        port = server.sockets[0].getsockname()[1]
        station = Station("CS-UNIT-1", version, **options)
        try:
            await station.connect(f"ws://127.0.0.1:{port}/ocpp/CS-UNIT-1")
            await asyncio.wait_for(peer.connected.wait(), 5)
            yield peer, station
        finally:
            await station.close()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(scenario(), 20)

    asyncio.run(bounded())


def qr_message(version: str, message_id: int, evse: int, content: str) -> dict[str, Any]:
    """A SetDisplayMessage as the contract (step 3) describes it for ``version``."""
    if version == "2.1":
        display = {"name": "EVSE", "evse": {"id": evse}}
        body = {"format": "QRCODE", "content": content}
    else:
        display = {"name": "QRCodeDisplay", "evse": {"id": evse}}
        body = {"format": "UTF8", "content": content}
    return {
        "message": {"id": message_id, "priority": "InFront", "display": display, "message": body}
    }


@VERSIONS
def test_boot_sends_schema_valid_boot_and_status_per_connector(version: str) -> None:
    async def scenario() -> None:
        async with linked(version) as (peer, station):
            await station.boot()
            await station.heartbeat()
            actions = [a for a, _ in peer.station_calls]
            assert actions == [
                "BootNotification",
                "StatusNotification",
                "StatusNotification",
                "Heartbeat",
            ]
            for action, payload in peer.station_calls:
                assert schemas.violations(version, action, "Request", payload) == []
            assert [p["evseId"] for a, p in peer.station_calls if a == "StatusNotification"] == [
                1,
                2,
            ]
            assert station.heartbeat_interval == 300
            assert station.violations == []

    run(scenario)


@VERSIONS
def test_station_shows_a_valid_code_and_refuses_an_invalid_one(version: str) -> None:
    async def scenario() -> None:
        async with linked(version) as (peer, station):
            reply = await peer.result("SetDisplayMessage", qr_message(version, 7, 1, SESSION_CODE))
            assert reply["status"] == "Accepted"
            shown = station.qr_on(1)
            assert shown is not None and shown.reference == "S-20261121-0042"
            assert shown.terminal == "EVSE-1" and shown.amount == "1500"
            broken = SESSION_CODE[:-4] + "0000"  # CRC mismatch: jpqr.validate refuses it
            reply = await peer.result("SetDisplayMessage", qr_message(version, 8, 2, broken))
            assert reply["status"] == "Rejected"
            assert station.qr_on(2) is None
            assert [v.rule for v in station.violations] == ["qr.invalid"]
            reply = await peer.result("ClearDisplayMessage", {"id": 7})
            assert reply["status"] == "Accepted" and station.qr_on(1) is None
            reply = await peer.result("ClearDisplayMessage", {"id": 7})
            assert reply["status"] == "Unknown"

    run(scenario)


def test_station_on_2_0_1_refuses_qr_display_when_not_enabled() -> None:
    """OCA paper 2.2: QRCodeDisplay is used only when Enabled was reported true."""

    async def scenario() -> None:
        async with linked("2.0.1", qr_code_display=False) as (peer, station):
            reply = await peer.result("SetDisplayMessage", qr_message("2.0.1", 1, 1, SESSION_CODE))
            assert reply["status"] != "Accepted"
            assert [v.rule for v in station.violations] == ["qr.capability"]

    run(scenario)


def test_station_on_2_1_flags_a_qr_message_without_its_evse() -> None:
    async def scenario() -> None:
        async with linked("2.1") as (peer, station):
            message = qr_message("2.1", 3, 1, SESSION_CODE)
            del message["message"]["display"]
            await peer.result("SetDisplayMessage", message)
            assert [v.rule for v in station.violations] == ["qr.display"]

    run(scenario)


@VERSIONS
def test_device_model_answers_get_and_set_variables(version: str) -> None:
    async def scenario() -> None:
        async with linked(version) as (peer, station):
            reply = await peer.result(
                "GetVariables",
                {
                    "getVariableData": [
                        {"component": {"name": "QRCodeDisplay"}, "variable": {"name": "Enabled"}},
                        {"component": {"name": "Nothing"}, "variable": {"name": "Enabled"}},
                        {
                            "component": {"name": "DisplayMessageCtrlr"},
                            "variable": {"name": "SupportedFormats"},
                        },
                    ]
                },
            )
            statuses = [
                (r["attributeStatus"], r.get("attributeValue")) for r in reply["getVariableResult"]
            ]
            formats = "ASCII,UTF8,QRCODE" if version == "2.1" else "ASCII,UTF8"
            qr = ("Accepted", "true") if version == "2.0.1" else ("UnknownComponent", None)
            assert statuses == [qr, ("UnknownComponent", None), ("Accepted", formats)]
            reply = await peer.result(
                "SetVariables",
                {
                    "setVariableData": [
                        {
                            "attributeValue": "60",
                            "component": {"name": "OCPPCommCtrlr"},
                            "variable": {"name": "HeartbeatInterval"},
                        },
                        {
                            "attributeValue": "x",
                            "component": {"name": "ChargingStation"},
                            "variable": {"name": "Model"},
                        },
                    ]
                },
            )
            assert [r["attributeStatus"] for r in reply["setVariableResult"]] == [
                "Accepted",
                "Rejected",
            ]
            assert station.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "60"

    run(scenario)


@VERSIONS
def test_base_report_arrives_as_schema_valid_notify_report(version: str) -> None:
    async def scenario() -> None:
        async with linked(version) as (peer, station):
            reply = await peer.result(
                "GetBaseReport", {"requestId": 4, "reportBase": "FullInventory"}
            )
            assert reply["status"] == "Accepted"
            await station.wait_for(
                lambda: any(a == "NotifyReport" and not p["tbc"] for a, p in peer.station_calls),
                5,
                "last NotifyReport",
            )
            reports = [p for a, p in peer.station_calls if a == "NotifyReport"]
            assert [r["seqNo"] for r in reports] == list(range(len(reports)))
            entries = [d for r in reports for d in r.get("reportData", [])]
            names = {(d["component"]["name"], d["variable"]["name"]) for d in entries}
            assert (("QRCodeDisplay", "Enabled") in names) == (version == "2.0.1")
            assert station.violations == []

    run(scenario)


@VERSIONS
def test_remote_start_runs_a_transaction_with_meter_values(version: str) -> None:
    async def scenario() -> None:
        async with linked(version) as (peer, station):
            token = {"idToken": "PAY-1", "type": "Central"}
            reply = await peer.result(
                "RequestStartTransaction", {"idToken": token, "evseId": 2, "remoteStartId": 41}
            )
            assert reply["status"] == "Accepted"
            tx = await station.wait_for(lambda: station.transaction_on(2), 5, "transaction")
            await station.wait_for(lambda: tx.responses, 5, "Started answered")
            busy = await peer.result(
                "RequestStartTransaction", {"idToken": token, "evseId": 2, "remoteStartId": 42}
            )
            assert busy["status"] == "Rejected"
            unknown = await peer.result(
                "RequestStartTransaction", {"idToken": token, "evseId": 9, "remoteStartId": 43}
            )
            assert unknown["status"] == "Rejected"
            await station.end_transaction(2, 12_345)
            events = [p for a, p in peer.station_calls if a == "TransactionEvent"]
            assert [e["eventType"] for e in events] == ["Started", "Ended"]
            assert [e["seqNo"] for e in events] == [0, 1]
            started, ended = events
            assert started["triggerReason"] == "RemoteStart" and started["idToken"] == token
            assert started["transactionInfo"]["remoteStartId"] == 41
            value = ended["meterValue"][0]["sampledValue"][0]
            assert value["measurand"] == "Energy.Active.Import.Register"
            assert value["context"] == "Transaction.End" and value["value"] == 12_345
            assert {r for r in (v.rule for v in station.violations)} == {"start.busy", "start.evse"}

    run(scenario)


@VERSIONS
def test_unknown_and_unsupported_actions_get_call_errors(version: str) -> None:
    async def scenario() -> None:
        async with linked(version) as (peer, station):
            unknown = await peer.call("NoSuchAction", {}, checked=False)
            assert unknown[0] == framing.CALLERROR and unknown[2] == "NotImplemented"
            unsupported = await peer.call("UnpublishFirmware", {"checksum": "0" * 32})
            assert unsupported[0] == framing.CALLERROR and unsupported[2] == "NotSupported"
            broken = await peer.call("ClearDisplayMessage", {"id": "one"}, checked=False)
            assert broken[0] == framing.CALLERROR and broken[2] == "FormatViolation"
            fine = await peer.call("ClearDisplayMessage", {"id": 1})
            assert fine[0] == framing.CALLRESULT and fine[2] == {"status": "Unknown"}
            # the CSMS is at fault for the first and third: the station says so
            assert [v.rule for v in station.violations] == ["call.unknown_action", "schema.request"]

    run(scenario)


def test_device_model_report_data_is_schema_valid() -> None:
    for version in framing.OCPP_VERSIONS:
        model = DeviceModel(version, (1, 2), True)
        report = {"requestId": 1, "generatedAt": "2026-01-01T00:00:00Z", "seqNo": 0}
        report["reportData"] = model.report("FullInventory")
        assert schemas.violations(version, "NotifyReport", "Request", report) == []


def test_frames_outside_part_4_are_refused() -> None:
    for text in (
        "",
        "{}",
        "[]",
        '[9, "1"]',
        "[3, 1, {}]",
        '[2, "1", "A", []]',
        '[3, "' + "9" * 37 + '", {}]',
    ):
        with pytest.raises(framing.FrameError):
            framing.decode(text)
    assert framing.decode('[4, "1", "NotImplemented", "no", {}]') == framing.CallError(
        "1", "NotImplemented", "no", {}
    )

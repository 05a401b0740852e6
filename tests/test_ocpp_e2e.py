"""End to end over the real ``ocpp`` package and ``websockets`` on 127.0.0.1 (OS-chosen ports):
examples/station.py (a station on the ``ocpp`` package) against examples/csms.py, for OCPP 2.1 and
2.0.1, and jpqr's display messages against the package's own schema checks on both ends.

Both ends validate every frame against the official JSON schemas (the ocpp package does), so a
payload jpqr lets through but OCPP forbids would fail here. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import ocpp.exceptions
import pytest
from ocpp.v21 import ChargePoint as Central21
from ocpp.v201 import ChargePoint as Central201
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import InvalidHandshake
from websockets.typing import Subprotocol

import jpqr
from jpqr.ocpp import OCPPError, set_display_message
from jpqr.ocpp.calls import set_display_message_call

from .test_ocpp import jpqr_code
from .test_ocpp_flow import labels, load, running

pytestmark = pytest.mark.usefixtures("impl")

WAIT = 10.0  # seconds for any single wait; a healthy run takes milliseconds
VERSIONS = ["2.1", "2.0.1"]

station = load("station")


async def wait(awaitable: Awaitable[Any]) -> Any:
    return await asyncio.wait_for(awaitable, WAIT)


# --- the example station through the whole flow ------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("model", ["authorisation", "prepaid"])
def test_the_example_station_runs_the_whole_flow(tmp_path: Path, version: str, model: str) -> None:
    async def scenario() -> None:
        async with (
            running(tmp_path, model=model) as app,
            connect(
                f"ws://127.0.0.1:{app.ocpp_port}/CS-EX",
                subprotocols=[station.subprotocol(version)],
                open_timeout=WAIT,
            ) as connection,
        ):
            cs = station.make_station("CS-EX", connection, version)
            serving = asyncio.ensure_future(cs.start())
            try:
                assert await wait(cs.boot()) == "Accepted"
                if version == "2.0.1":
                    await wait(cs.configured.wait())
                    await asyncio.sleep(0.1)
                shown = await wait(
                    station.whole_flow(cs, 2, f"{app.http_base}/simulator/pay", wh=30000)
                )
                assert shown.status == "Accepted" and shown.report.ok
                expected = "QRCODE" if version == "2.1" else "UTF8"
                assert shown.message.format == expected and shown.message.evse_id == 2
                reference = labels(shown.message.content)[0] or ""
                # 30 kWh x 50 yen = 1500 yen of 3000.
                want = ("captured", "1500") if model == "authorisation" else ("refunded", "1500")

                async def done() -> bool:
                    view = await app.view(reference)
                    key = "captured" if model == "authorisation" else "refunded"
                    return (view["state"], view[key]) == want

                while not await done():
                    await asyncio.sleep(0.02)
                assert cs.screen == {}  # the code was cleared once paid
            finally:
                serving.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await serving

    asyncio.run(asyncio.wait_for(scenario(), 30))


def test_model_2_3_the_station_gets_a_valid_code_itself(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            code = await wait(station.model_2_3(f"{app.http_base}/simulator", "CS-23", 1))
            assert jpqr.validate(code).ok
            assert labels(code)[1] == "CS-23-1"

    asyncio.run(asyncio.wait_for(scenario(), 30))


# --- a bare ocpp CSMS to test jpqr's messages against the package on both ends -----------------


@contextlib.asynccontextmanager
async def bare(version: str, qr_code_display: bool | None = True) -> AsyncIterator[Any]:
    """A bare ``ocpp`` ChargePoint on the CSMS side and the example station connected to it."""
    centrals: asyncio.Queue[Any] = asyncio.Queue()

    async def handler(connection: ServerConnection) -> None:
        cls = Central21 if version == "2.1" else Central201
        central = cls("CS-0001", connection, response_timeout=WAIT)
        centrals.put_nowait(central)
        with contextlib.suppress(Exception):
            await central.start()

    async with serve(
        handler, "127.0.0.1", 0, subprotocols=[Subprotocol("ocpp2.1"), Subprotocol("ocpp2.0.1")]
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with connect(
            f"ws://127.0.0.1:{port}/CS-0001",
            subprotocols=[station.subprotocol(version)],
            open_timeout=WAIT,
        ) as connection:
            cs = station.make_station(
                "CS-0001", connection, version, qr_code_display=qr_code_display
            )
            serving = asyncio.ensure_future(cs.start())
            central = await wait(centrals.get())
            try:
                yield central, cs
            finally:
                serving.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await serving


Body = Callable[[Any, Any], Awaitable[None]]


def run(version: str, body: Body, **options: Any) -> None:
    async def scenario() -> None:
        async with bare(version, **options) as (central, cs):
            await body(central, cs)

    asyncio.run(asyncio.wait_for(scenario(), 6 * WAIT))


# --- boundaries, against the real stack ----------------------------------------------------------


def test_201_content_of_512_is_shown_and_513_is_refused_before_sending() -> None:
    at_limit = jpqr_code(length=512, amount="2000")
    over = at_limit[:-8] + "Y" + at_limit[-8:]

    async def body(central: Any, cs: Any) -> None:
        request = set_display_message(at_limit, version="2.0.1", message_id=1, qr_code_display=True)
        response = await wait(
            central.call(set_display_message_call(request, "2.0.1"), suppress=False)
        )
        assert response.status == "Accepted"
        shown = await wait(cs.received.get())
        assert len(shown.message.content) == 512 and shown.report.ok
        # The display builder refuses 513 on length alone, before looking at the code.
        with pytest.raises(OCPPError) as caught:
            set_display_message(over, version="2.0.1", message_id=1, qr_code_display=True)
        assert caught.value.code == "ocpp.content_too_long"
        # Forced past jpqr, the ocpp package's own schema check refuses it before sending.
        request["message"]["message"]["content"] = over
        with pytest.raises(ocpp.exceptions.TypeConstraintViolationError):
            await wait(central.call(set_display_message_call(request, "2.0.1"), suppress=False))

    run("2.0.1", body)


def test_the_station_refuses_an_invalid_code() -> None:
    code = jpqr_code(amount="2000")
    broken = code[:-4] + ("0000" if code[-4:] != "0000" else "1111")

    async def body(central: Any, cs: Any) -> None:
        request = set_display_message(code, version="2.1", message_id=3)
        request["message"]["message"]["content"] = broken  # past jpqr's own check
        response = await wait(
            central.call(set_display_message_call(request, "2.1"), suppress=False)
        )
        assert response.status == "Rejected"
        shown = await wait(cs.received.get())
        assert not shown.report.ok and cs.screen == {}

    run("2.1", body)


def test_21_content_of_1024_is_shown_and_1025_is_refused() -> None:
    url = "https://pay.example/" + "a" * (1024 - 20)  # a provider URL, not an EMVCo code

    async def body(central: Any, cs: Any) -> None:
        request = set_display_message(url, version="2.1", message_id=77, profile=None)
        response = await wait(
            central.call(set_display_message_call(request, "2.1"), suppress=False)
        )
        assert response.status == "Accepted"
        shown = await wait(cs.received.get())
        assert shown.message.content == url and len(shown.message.content) == 1024
        assert shown.message.format == "QRCODE"

        with pytest.raises(OCPPError) as caught:
            set_display_message(url + "a", version="2.1", message_id=78, profile=None)
        assert caught.value.code == "ocpp.content_too_long"
        request["message"]["message"]["content"] = url + "a"
        with pytest.raises(ocpp.exceptions.TypeConstraintViolationError):
            await wait(central.call(set_display_message_call(request, "2.1"), suppress=False))
        assert cs.received.empty()

    run("2.1", body)


def test_qrcode_is_refused_on_201_by_jpqr_and_by_the_station() -> None:
    async def body(central: Any, cs: Any) -> None:
        with pytest.raises(OCPPError) as caught:
            set_display_message(
                jpqr_code(),
                version="2.0.1",
                message_id=1,
                message_format="QRCODE",
                qr_code_display=True,
            )
        assert caught.value.code == "ocpp.qrcode_unsupported"
        # Sent anyway, skipping the local check: the 2.0.1 station's schema check answers
        # with a CallError, raised here because suppress=False.
        request = set_display_message(jpqr_code(), version="2.1", message_id=1)
        forced = set_display_message_call(request, "2.0.1")
        with pytest.raises(ocpp.exceptions.OCPPError):
            await wait(central.call(forced, suppress=False, skip_schema_validation=True))
        assert cs.received.empty()

    run("2.0.1", body)


# --- subprotocol negotiation ---------------------------------------------------------------------


def test_subprotocol_negotiation(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running(tmp_path) as app:
            url = f"ws://127.0.0.1:{app.ocpp_port}/CS-0009"
            # A station offering both gets the CSMS's first choice, OCPP 2.1.
            async with connect(
                url,
                subprotocols=[Subprotocol("ocpp2.0.1"), Subprotocol("ocpp2.1")],
                open_timeout=WAIT,
            ) as connection:
                assert connection.subprotocol == "ocpp2.1"
                with pytest.raises(ConnectionError):
                    station.make_station("CS-0009", connection, "2.0.1")
            # A station offering only OCPP 1.6 is turned away.
            with pytest.raises(InvalidHandshake):
                async with connect(
                    url, subprotocols=[Subprotocol("ocpp1.6")], open_timeout=WAIT
                ) as c:
                    await asyncio.wait_for(c.recv(), WAIT)

    asyncio.run(asyncio.wait_for(scenario(), 6 * WAIT))

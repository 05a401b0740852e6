"""End to end over the real ``ocpp`` package and ``websockets``: examples/csms.py talking to
examples/station.py on 127.0.0.1 (OS-chosen port), for OCPP 2.1 and 2.0.1.

The station sends DataTransfer StartQRPayment, the CSMS builds a dynamic JPQR code for that EVSE
and sends SetDisplayMessage, the station receives it and validates it with jpqr. Both ends
validate every frame against the official JSON schemas (the ocpp package does), so a payload jpqr
lets through but OCPP forbids would fail here. Every wait is bounded by asyncio.wait_for.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import ocpp.exceptions
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake

import jpqr
from jpqr.ocpp import VENDOR_ID, OCPPError, PaymentSession, format_datetime, set_display_message
from jpqr.ocpp.calls import set_display_message_call

from .test_ocpp import jpqr_code

pytestmark = pytest.mark.usefixtures("impl")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WAIT = 10.0  # seconds for any single wait; a healthy run takes milliseconds
VERSIONS = ["2.1", "2.0.1"]


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"jpqr_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


csms = load("csms")
station = load("station")

Body = Callable[[Any, Any], Awaitable[None]]


async def wait(awaitable: Awaitable[Any]) -> Any:
    return await asyncio.wait_for(awaitable, WAIT)


async def session_with(
    version: str,
    body: Body,
    *,
    qr_code_display: bool | None = True,
    provider: Any = None,
    evse_ids: Any = (1, 2),
) -> None:
    """Start the CSMS, connect and boot one station, wait until the CSMS knows its display."""
    central = csms.CentralSystem(provider, evse_ids=evse_ids)
    async with central.serve("127.0.0.1", 0) as server:
        url = f"ws://127.0.0.1:{csms.bound_port(server)}/CS-0001"
        async with connect(
            url, subprotocols=[station.subprotocol(version)], open_timeout=WAIT
        ) as connection:
            cs_station = station.make_station(
                "CS-0001", connection, version, qr_code_display=qr_code_display
            )
            serving = asyncio.ensure_future(cs_station.start())
            try:
                assert await wait(cs_station.boot()) == "Accepted"
                central_view = await wait(central.connected.get())
                assert central_view.version == version
                await wait(central_view.capabilities_known.wait())
                await body(central_view, cs_station)
            finally:
                serving.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await serving


def run(version: str, body: Body, **options: Any) -> None:
    asyncio.run(asyncio.wait_for(session_with(version, body, **options), 6 * WAIT))


# --- the whole flow ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("evse_id", [1, 2])
def test_station_asks_csms_shows_a_valid_dynamic_jpqr(version: str, evse_id: int) -> None:
    async def body(central: Any, cs: Any) -> None:
        answer = await wait(cs.start_qr_payment(evse_id))
        assert answer.status == "Accepted"
        outcome = await wait(central.outcomes.get())
        assert isinstance(outcome, PaymentSession), outcome
        shown = await wait(cs.received.get())

        assert outcome.state == "displayed" and outcome.evse_id == evse_id
        assert shown.status == "Accepted"
        assert shown.message.message_id == outcome.message_id
        assert shown.message.content == outcome.code
        assert shown.message.ends_at == format_datetime(outcome.expires_at)
        assert shown.message.language == "ja"
        if version == "2.1":
            assert (shown.message.format, shown.message.display) == ("QRCODE", None)
        else:
            assert (shown.message.format, shown.message.display) == ("UTF8", "QRCodeDisplay")
            assert shown.message.evse_id == evse_id
        # The station's own check, and a reading of the code it shows.
        assert shown.report.ok and shown.report.profile == "jpqr"
        code = jpqr.parse(shown.message.content)
        assert code.point_of_initiation == "dynamic"
        assert code.amount == Decimal(2000)
        assert code.additional_data.reference_label == outcome.reference
        assert code.additional_data.terminal_label == f"CS-0001-{evse_id}"
        assert cs.screen == {outcome.message_id: shown.message}

    run(version, body)


@pytest.mark.parametrize("version", VERSIONS)
def test_refresh_replaces_the_code_under_the_same_message_id(version: str) -> None:
    async def body(central: Any, cs: Any) -> None:
        assert (await wait(cs.start_qr_payment(1))).status == "Accepted"
        first = await wait(central.outcomes.get())
        await wait(cs.received.get())
        fresh = await wait(central.refresh(1))
        second = await wait(cs.received.get())
        assert fresh.revision == 1 and fresh.state == "displayed"
        assert fresh.message_id == first.message_id == second.message.message_id
        assert fresh.reference == first.reference
        assert second.message.content == fresh.code != first.code
        assert second.report.ok
        assert list(cs.screen.values()) == [second.message]  # one message, the new code

    run(version, body)


# --- the trigger as the real stack delivers it ---------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_trigger_answers_over_the_wire(version: str) -> None:
    async def body(central: Any, cs: Any) -> None:
        call = cs._call.DataTransfer
        as_string = call(vendor_id=VENDOR_ID, message_id="StartQRPayment", data='{"evseId": 2}')
        assert (await wait(cs.call(as_string, suppress=False))).status == "Accepted"
        assert (await wait(central.outcomes.get())).evse_id == 2
        await wait(cs.received.get())

        other_vendor = call(vendor_id="com.example", message_id="StartQRPayment", data={})
        assert (await wait(cs.call(other_vendor, suppress=False))).status == "UnknownVendorId"
        unknown_evse = call(vendor_id=VENDOR_ID, message_id="StartQRPayment", data={"evseId": 3})
        answer = await wait(cs.call(unknown_evse, suppress=False))
        assert answer.status == "Rejected"
        assert answer.status_info["reason_code"] == "UnknownEVSE"
        assert central.outcomes.empty() and cs.received.empty()

    run(version, body)


# --- stations without a usable QR display --------------------------------------------------------


@pytest.mark.parametrize("reported", [None, False])
def test_a_201_station_without_qr_code_display_is_refused(reported: bool | None) -> None:
    async def body(central: Any, cs: Any) -> None:
        assert central.qr_code_display is False
        answer = await wait(cs.start_qr_payment(1))
        assert answer.status == "Rejected"
        assert answer.status_info["reason_code"] == "NoQRCodeDisplay"
        assert central.outcomes.empty() and central.sessions == {} and cs.received.empty()
        # And jpqr refuses to build the text message for it.
        with pytest.raises(OCPPError) as caught:
            set_display_message(jpqr_code(), version="2.0.1", message_id=1)
        assert caught.value.code == "ocpp.display_disabled"

    run("2.0.1", body, qr_code_display=reported)


def test_a_21_station_without_qr_code_display_still_gets_qrcode() -> None:
    async def body(central: Any, cs: Any) -> None:
        assert (await wait(cs.start_qr_payment(1))).status == "Accepted"
        assert isinstance(await wait(central.outcomes.get()), PaymentSession)
        shown = await wait(cs.received.get())
        assert shown.message.format == "QRCODE" and shown.report.ok

    run("2.1", body, qr_code_display=None)


# --- boundaries, against the real stack ----------------------------------------------------------


class FixedProvider:
    """A provider whose API returns a given code (to test what the CSMS does with it)."""

    amount = Decimal(2000)

    def __init__(self, code: str) -> None:
        self.code = code

    def create_payment(self, station_id: str, evse_id: int, reference: str | None = None) -> Any:
        expires = datetime.now(timezone.utc) + timedelta(minutes=5)
        return csms.Payment("EV20261121-0001", self.code, expires)


def test_201_content_of_512_is_shown_and_513_is_refused_before_sending() -> None:
    at_limit = jpqr_code(length=512, amount="2000")

    async def shown_512(central: Any, cs: Any) -> None:
        assert (await wait(cs.start_qr_payment(1))).status == "Accepted"
        assert isinstance(await wait(central.outcomes.get()), PaymentSession)
        shown = await wait(cs.received.get())
        assert len(shown.message.content) == 512 and shown.report.ok

    run("2.0.1", shown_512, provider=FixedProvider(at_limit))

    over = at_limit[:-8] + "Y" + at_limit[-8:]

    async def refused_513(central: Any, cs: Any) -> None:
        assert (await wait(cs.start_qr_payment(1))).status == "Accepted"
        # The CSMS's session refuses the provider's code: over EMVCo's 512 characters.
        outcome = await wait(central.outcomes.get())
        assert isinstance(outcome, OCPPError) and outcome.code == "ocpp.invalid_code"
        assert "payload.too_long" in outcome.message
        assert cs.received.empty()
        # The display builder refuses it on length alone, before looking at the code.
        with pytest.raises(OCPPError) as caught:
            set_display_message(over, version="2.0.1", message_id=1, qr_code_display=True)
        assert caught.value.code == "ocpp.content_too_long"
        # Forced past jpqr, the ocpp package's own schema check refuses it before sending.
        request = set_display_message(at_limit, version="2.0.1", message_id=1, qr_code_display=True)
        request["message"]["message"]["content"] = over
        with pytest.raises(ocpp.exceptions.TypeConstraintViolationError):
            await wait(central.call(set_display_message_call(request, "2.0.1"), suppress=False))

    run("2.0.1", refused_513, provider=FixedProvider(over))


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


def test_an_invalid_code_from_the_provider_never_reaches_the_station() -> None:
    code = jpqr_code(amount="2000")
    broken = code[:-4] + ("0000" if code[-4:] != "0000" else "1111")

    async def body(central: Any, cs: Any) -> None:
        assert (await wait(cs.start_qr_payment(1))).status == "Accepted"
        outcome = await wait(central.outcomes.get())
        assert isinstance(outcome, OCPPError) and outcome.code == "ocpp.invalid_code"
        assert cs.received.empty()

    run("2.1", body, provider=FixedProvider(broken))


# --- subprotocol negotiation ---------------------------------------------------------------------


def test_subprotocol_negotiation() -> None:
    async def scenario() -> None:
        central = csms.CentralSystem()
        async with central.serve("127.0.0.1", 0) as server:
            url = f"ws://127.0.0.1:{csms.bound_port(server)}/CS-0009"
            # A station offering both gets the CSMS's first choice, OCPP 2.1.
            async with connect(
                url, subprotocols=["ocpp2.0.1", "ocpp2.1"], open_timeout=WAIT
            ) as connection:
                assert connection.subprotocol == "ocpp2.1"
                with pytest.raises(ConnectionError):
                    station.make_station("CS-0009", connection, "2.0.1")
            # A station offering only OCPP 1.6 is turned away at the handshake.
            with pytest.raises(InvalidHandshake):
                async with connect(url, subprotocols=["ocpp1.6"], open_timeout=WAIT):
                    pass  # pragma: no cover

    asyncio.run(asyncio.wait_for(scenario(), 6 * WAIT))

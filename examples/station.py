"""A simulated charging station that asks for a QR payment and checks the code it is shown.

It boots, answers the CSMS's GetVariables for ``QRCodeDisplay.Enabled``, sends the OCA
DataTransfer ``StartQRPayment`` for an EVSE (the driver pressed "Pay with QR code"), and checks
every code it receives in a SetDisplayMessageRequest with jpqr before "showing" it.

Run it against ``examples/csms.py`` (needs ``pip install -e ".[ocpp]"``)::

    python examples/station.py --url ws://127.0.0.1:9000 --version 2.1 --evse 1
    python examples/station.py --url ws://127.0.0.1:9000 --version 2.0.1 --evse 1
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ocpp.routing import after, on
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v201 import ChargePoint as ChargePoint201
from websockets.asyncio.client import ClientConnection, connect

import jpqr
from jpqr.ocpp import (
    QR_CODE_DISPLAY,
    SUBPROTOCOLS,
    DisplayedMessage,
    OCPPError,
    read_display_message,
    start_qr_payment_request,
)
from jpqr.ocpp.calls import data_transfer_call

LOG = logging.getLogger("station")

RESPONSE_TIMEOUT = 10.0


@dataclass(frozen=True)
class Shown:
    """A code the station received: the message, jpqr's report (None for a URL), its answer."""

    message: DisplayedMessage
    report: jpqr.ValidationReport | None
    status: str


class StationHandlers:
    """The station side, mixed into the ocpp package's ChargePoint of each version."""

    version: str
    id: str

    def setup(self, qr_code_display: bool | None, evse_ids: Iterable[int]) -> None:
        # qr_code_display: the QRCodeDisplay.Enabled value; None: no such component at all.
        self.qr_code_display = qr_code_display
        self.evse_ids = set(evse_ids)
        self.screen: dict[int, DisplayedMessage] = {}  # display message id -> what is shown
        self.received: asyncio.Queue[Shown] = asyncio.Queue()
        self._answered: dict[str, Shown] = {}
        self.configured = asyncio.Event()

    async def boot(self) -> str:
        """BootNotification; returns the CSMS's status."""
        request = self._call.BootNotification(
            charging_station={"model": "QR-Demo", "vendor_name": "jpqr"}, reason="PowerUp"
        )
        response = await self.call(request, suppress=False)
        return str(response.status)

    async def start_qr_payment(self, evse_id: int) -> Any:
        """The driver pressed "Pay with QR code" at ``evse_id``: DataTransfer StartQRPayment."""
        request = data_transfer_call(start_qr_payment_request(evse_id), self.version)
        return await self.call(request, suppress=False)

    @on("GetVariables")
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        results = []
        for item in get_variable_data:
            component, variable = item["component"], item["variable"]
            result: dict[str, Any] = {"component": component, "variable": variable}
            if component["name"] != QR_CODE_DISPLAY or self.qr_code_display is None:
                result["attribute_status"] = "UnknownComponent"
            elif variable["name"] != "Enabled":
                result["attribute_status"] = "UnknownVariable"
            else:
                result["attribute_status"] = "Accepted"
                result["attribute_value"] = "true" if self.qr_code_display else "false"
            results.append(result)
        self.configured.set()
        return self._call_result.GetVariables(get_variable_result=results)

    @on("SetDisplayMessage")
    def on_set_display_message(self, message: dict[str, Any], call_unique_id: str, **_: Any) -> Any:
        # The ocpp package has validated the frame against the schema; jpqr checks the code.
        try:
            shown = read_display_message(message)
        except OCPPError:
            return self._call_result.SetDisplayMessage(status="Rejected")
        report = None
        status = "Accepted"
        if shown.is_qr_code:
            if shown.display == QR_CODE_DISPLAY and not self.qr_code_display:
                status = "Rejected"  # no such display here
            elif shown.content.startswith("https://"):
                pass  # a provider's payment URL: shown as is
            else:
                report = jpqr.validate(shown.content)
                if not report.ok:
                    status = "Rejected"  # never show a code a wallet would refuse
        if status == "Accepted":
            self.screen[shown.message_id] = shown  # the same id replaces the code shown
            LOG.info("%s shows message %s: %s", self.id, shown.message_id, shown.content[:40])
        self._answered[call_unique_id] = Shown(shown, report, status)
        return self._call_result.SetDisplayMessage(status=status)

    @after("SetDisplayMessage")
    def after_set_display_message(self, call_unique_id: str, **_: Any) -> None:
        # Report it once the answer is on its way, so whoever waits sees both sides agree.
        shown = self._answered.pop(call_unique_id, None)
        if shown is not None:
            self.received.put_nowait(shown)

    @on("ClearDisplayMessage")
    def on_clear_display_message(self, id: int, **_: Any) -> Any:
        status = "Accepted" if self.screen.pop(id, None) is not None else "Unknown"
        return self._call_result.ClearDisplayMessage(status=status)


class Station21(StationHandlers, ChargePoint21):
    """A simulated OCPP 2.1 station."""

    version = "2.1"


class Station201(StationHandlers, ChargePoint201):
    """A simulated OCPP 2.0.1 station."""

    version = "2.0.1"


def subprotocol(version: str) -> str:
    """The websocket subprotocol name of an OCPP version ("2.1" -> "ocpp2.1")."""
    return next(name for name, known in SUBPROTOCOLS.items() if known == version)


def make_station(
    station_id: str,
    connection: ClientConnection,
    version: str,
    *,
    qr_code_display: bool | None = True,
    evse_ids: Iterable[int] = (1, 2),
) -> StationHandlers:
    """A station object on an open connection whose negotiated subprotocol matches ``version``."""
    if connection.subprotocol != subprotocol(version):
        raise ConnectionError(
            f"the CSMS did not accept {subprotocol(version)} (got {connection.subprotocol!r})"
        )
    cls = Station21 if version == "2.1" else Station201
    station = cls(station_id, connection, response_timeout=RESPONSE_TIMEOUT)
    station.setup(qr_code_display, evse_ids)
    return station


async def main(url: str, station_id: str, version: str, evse_id: int, qr: bool | None) -> None:
    # Offer exactly one subprotocol and check the CSMS picked it: no silent version mismatch.
    async with connect(
        f"{url.rstrip('/')}/{station_id}",
        subprotocols=[subprotocol(version)],
        open_timeout=RESPONSE_TIMEOUT,
    ) as connection:
        station = make_station(station_id, connection, version, qr_code_display=qr)
        serving = asyncio.ensure_future(station.start())
        LOG.info("boot: %s", await station.boot())
        await asyncio.wait_for(station.configured.wait(), RESPONSE_TIMEOUT)
        answer = await station.start_qr_payment(evse_id)
        LOG.info("StartQRPayment for EVSE %s: %s", evse_id, answer.status)
        if answer.status == "Accepted":
            shown = await asyncio.wait_for(station.received.get(), RESPONSE_TIMEOUT)
            verdict = "valid" if shown.report is None or shown.report.ok else "INVALID"
            print(f"{shown.status}: {shown.message.format} code, {verdict}:")
            print(shown.message.content)
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:9000")
    parser.add_argument("--id", default="CS-0001")
    parser.add_argument("--version", choices=sorted(SUBPROTOCOLS.values()), default="2.1")
    parser.add_argument("--evse", type=int, default=1)
    parser.add_argument(
        "--qr-code-display",
        choices=["true", "false", "absent"],
        default="true",
        help="what the station reports for QRCodeDisplay.Enabled (2.0.1 needs true)",
    )
    args = parser.parse_args()
    qr = {"true": True, "false": False, "absent": None}[args.qr_code_display]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main(args.url, args.id, args.version, args.evse, qr))

"""A simulated charging station for the QR payment flow, on the ``ocpp`` package (2.1 and 2.0.1).

Model 2.2 of the OCA white paper (the CSMS gets the code): it boots, reports its EVSEs with
StatusNotification, answers GetVariables ``QRCodeDisplay.Enabled``, sends DataTransfer
``StartQRPayment`` when the driver presses "Pay with QR code", **validates every code with jpqr
before showing it** (a code a wallet would refuse is answered ``Rejected``), starts charging on
RequestStartTransaction and ends it with the energy delivered. On 2.1 the code comes as format
``QRCODE``; on 2.0.1 as UTF8 text for the ``QRCodeDisplay`` component.

Model 2.3 (``--model-2-3``): the station asks the payment provider for the code itself and
shows it, with no DataTransfer (the provider's credentials then live in every station).

Against ``examples/csms.py`` (``pip install -e ".[ocpp]"``)::

    python examples/csms.py --port 9000 --http-port 9001 &
    python examples/station.py --url ws://127.0.0.1:9000 --version 2.1 --evse 1 --pay
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
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
    http,
    read_display_message,
    start_qr_payment_request,
)
from jpqr.ocpp.calls import data_transfer_call
from jpqr.ocpp.provider import HTTPPaymentProvider

LOG = logging.getLogger("station")

RESPONSE_TIMEOUT = 10.0


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


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
        self.started: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._answered: dict[str, Shown] = {}
        self._starts: dict[str, dict[str, Any]] = {}
        self.configured = asyncio.Event()

    async def boot(self) -> str:
        """BootNotification, then a StatusNotification per EVSE; returns the CSMS's status."""
        request = self._call.BootNotification(
            charging_station={"model": "QR-Demo", "vendor_name": "jpqr"}, reason="PowerUp"
        )
        response = await self.call(request, suppress=False)
        for evse_id in sorted(self.evse_ids):
            await self.call(
                self._call.StatusNotification(
                    timestamp=now(), connector_status="Available", evse_id=evse_id, connector_id=1
                ),
                suppress=False,
            )
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

    def check(self, shown: DisplayedMessage) -> Shown:
        """Validate before display: only a code jpqr finds valid reaches the screen."""
        report = None
        status = "Accepted"
        if shown.is_qr_code:
            if shown.display == QR_CODE_DISPLAY and not self.qr_code_display:
                status = "Rejected"  # no such display here
            elif shown.content.startswith("https://"):
                pass  # a provider's payment URL (OCPP 2.1 C25, model 2.1): shown as is
            else:
                report = jpqr.validate(shown.content)
                if not report.ok:
                    status = "Rejected"  # never show a code a wallet would refuse
        return Shown(shown, report, status)

    @on("SetDisplayMessage")
    def on_set_display_message(self, message: dict[str, Any], call_unique_id: str, **_: Any) -> Any:
        # The ocpp package has validated the frame against the schema; jpqr checks the code.
        try:
            checked = self.check(read_display_message(message))
        except OCPPError:
            return self._call_result.SetDisplayMessage(status="Rejected")
        if checked.status == "Accepted":
            self.screen[checked.message.message_id] = checked.message  # same id: replaced
            LOG.info("%s shows message %s", self.id, checked.message.message_id)
        self._answered[call_unique_id] = checked
        return self._call_result.SetDisplayMessage(status=checked.status)

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

    @on("RequestStartTransaction")
    def on_request_start_transaction(
        self,
        id_token: dict[str, Any],
        remote_start_id: int,
        call_unique_id: str,
        evse_id: int | None = None,
        **_: Any,
    ) -> Any:
        if evse_id not in self.evse_ids:
            return self._call_result.RequestStartTransaction(status="Rejected")
        self._starts[call_unique_id] = {
            "evse_id": evse_id,
            "remote_start_id": remote_start_id,
            "id_token": id_token,
        }
        return self._call_result.RequestStartTransaction(status="Accepted")

    @after("RequestStartTransaction")
    def after_request_start_transaction(self, call_unique_id: str, **_: Any) -> None:
        start = self._starts.pop(call_unique_id, None)
        if start is not None:
            self.started.put_nowait(start)

    async def transaction(self, start: dict[str, Any], event: str, wh: int = 0) -> Any:
        """TransactionEvent Started (with the CSMS's remoteStartId and idToken) or Ended."""
        info = {
            "transaction_id": f"T{start['remote_start_id']}",
            "remote_start_id": start["remote_start_id"],
        }
        options: dict[str, Any] = {}
        if event == "Started":
            options["id_token"] = start["id_token"]
        else:
            options["meter_value"] = [
                {
                    "timestamp": now(),
                    "sampled_value": [
                        {
                            "value": wh,
                            "measurand": "Energy.Active.Import.Register",
                            "context": "Transaction.End",
                            "unit_of_measure": {"unit": "Wh"},
                        }
                    ],
                }
            ]
            info["stopped_reason"] = "Local"
        request = self._call.TransactionEvent(
            event_type=event,
            timestamp=now(),
            trigger_reason="RemoteStart" if event == "Started" else "StopAuthorized",
            seq_no=0 if event == "Started" else 1,
            transaction_info=info,
            evse={"id": start["evse_id"], "connector_id": 1},
            **options,
        )
        return await self.call(request, suppress=False)


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


async def whole_flow(
    station: StationHandlers, evse_id: int, pay_url: str | None, wh: int = 12345
) -> Shown:
    """Model 2.2: press the button, show the checked code, (pay), charge, end. Returns the code."""
    answer = await station.start_qr_payment(evse_id)
    if answer.status != "Accepted":
        raise RuntimeError(f"StartQRPayment refused: {answer.status} {answer.status_info}")
    shown = await asyncio.wait_for(station.received.get(), RESPONSE_TIMEOUT)
    if shown.status != "Accepted" or pay_url is None:
        return shown
    reference = jpqr.parse(shown.message.content).additional_data.reference_label
    status, _ = await http.post_json(pay_url, {"reference": reference})  # the driver pays
    if status != 200:
        raise RuntimeError(f"payment refused: {status}")
    start = await asyncio.wait_for(station.started.get(), RESPONSE_TIMEOUT)
    await station.transaction(start, "Started")
    await station.transaction(start, "Ended", wh)
    return shown


async def model_2_3(provider_url: str, station_id: str, evse_id: int) -> str:
    """Model 2.3: the station gets the code from the provider itself, validates, shows it."""
    provider = HTTPPaymentProvider(provider_url)
    reference = f"L{station_id[:14]}{datetime.now(timezone.utc):%H%M%S}"[:25]
    created = await provider.create(
        reference, "authorisation", Decimal(3000), 300, f"{station_id}-{evse_id}"[:25]
    )
    if not jpqr.validate(created.code).ok:  # validate before display, here too
        raise RuntimeError("the provider's code is not valid")
    return created.code


async def main(args: argparse.Namespace) -> None:
    if args.model_2_3:
        print(await model_2_3(f"{args.http}/simulator", args.id, args.evse))
        return
    # Offer exactly one subprotocol and check the CSMS picked it: no silent version mismatch.
    async with connect(
        f"{args.url.rstrip('/')}/{args.id}",
        subprotocols=[subprotocol(args.version)],  # type: ignore[list-item]
        open_timeout=RESPONSE_TIMEOUT,
    ) as connection:
        qr = {"true": True, "false": False, "absent": None}[args.qr_code_display]
        station = make_station(args.id, connection, args.version, qr_code_display=qr)
        serving = asyncio.ensure_future(station.start())
        LOG.info("boot: %s", await station.boot())
        if args.version == "2.0.1":
            await asyncio.wait_for(station.configured.wait(), RESPONSE_TIMEOUT)
            await asyncio.sleep(0.2)  # let the CSMS record the answer
        shown = await whole_flow(
            station, args.evse, f"{args.http}/simulator/pay" if args.pay else None
        )
        print(f"{shown.status}: {shown.message.format} code:\n{shown.message.content}")
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:9000")
    parser.add_argument("--http", default="http://127.0.0.1:9001", help="the CSMS's HTTP port")
    parser.add_argument("--id", default="CS-0001")
    parser.add_argument("--version", choices=sorted(SUBPROTOCOLS.values()), default="2.1")
    parser.add_argument("--evse", type=int, default=1)
    parser.add_argument("--pay", action="store_true", help="pay, charge and end the session")
    parser.add_argument("--model-2-3", action="store_true", help="get the code from the provider")
    parser.add_argument(
        "--qr-code-display",
        choices=["true", "false", "absent"],
        default="true",
        help="what the station reports for QRCodeDisplay.Enabled (2.0.1 needs true)",
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main(parser.parse_args()))

"""A demo CSMS running the whole QR payment flow (OCA white paper model 2.2, OCPP 2.1 and 2.0.1).

Its state is in SQLite, and a simulated payment provider shares its HTTP port.

    python examples/csms.py --port 9000 --http-port 9001 --model authorisation

OCPP on ``ws://host:port/<station id>`` (the last path segment is the station id); HTTP:
``POST /webhooks/payment`` (the provider's signed webhook), ``POST /simulator/pay``
``{"reference": ...}`` (the driver pays), ``GET /simulator/payments[/<reference>]`` (the
provider's view). See docs/ocpp.md and the contract in the issue. Needs ``pip install
'jpqr[ocpp]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import signal
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v201 import ChargePoint as ChargePoint201
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from jpqr.ocpp import SUBPROTOCOLS, http
from jpqr.ocpp.csms import MAX_FRAME, QRPaymentHandlers
from jpqr.ocpp.provider import SIGNATURE_HEADER, HTTPPaymentProvider
from jpqr.ocpp.service import PaymentConfig, QRPaymentService
from jpqr.ocpp.simulator import SimulatedProvider
from jpqr.ocpp.store import Store

LOG = logging.getLogger("csms")

RESPONSE_TIMEOUT = 10.0  # every CALL to a station fails after this many seconds unanswered
DEV_SECRET = "jpqr-development-secret"
MAX_STATION_ID = 48  # OCPP 2.x identityString


class Station21(QRPaymentHandlers, ChargePoint21):
    """The CSMS's view of one OCPP 2.1 station."""


class Station201(QRPaymentHandlers, ChargePoint201):
    """The CSMS's view of one OCPP 2.0.1 station."""


def station_id_of(path: str) -> str | None:
    """The station id: the last segment of the URL path, or None if it is not usable."""
    # OCPP-J part 4 §3.1.1: <CSMS URL>/<identity>; "/ocpp/" has an empty identity (F6).
    segment = unquote(path.split("?", 1)[0].rsplit("/", 1)[-1])
    if not 0 < len(segment) <= MAX_STATION_ID or not segment.isprintable() or "/" in segment:
        return None
    return segment


class CSMS:
    """OCPP server + HTTP server + payment service + simulated provider, one process."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.store = Store(args.db)
        self.config = PaymentConfig(
            model=args.model,
            amount=Decimal(args.amount),
            tariff=Decimal(args.tariff),
            code_lifetime_s=args.code_lifetime,
        )
        self.secret: str = args.webhook_secret
        self.stations: dict[str, QRPaymentHandlers] = {}

    async def run(self, stop: asyncio.Event) -> None:
        http_server = await http.serve(self.route_http, self.args.host, self.args.http_port)
        self.http_port = http_port = http.port_of(http_server)
        base = f"http://{self.args.host}:{http_port}"
        self.simulator = SimulatedProvider(self.args.db, f"{base}/webhooks/payment", self.secret)
        self.service = QRPaymentService(
            self.store, HTTPPaymentProvider(f"{base}/simulator"), self.config, self.secret
        )
        async with serve(
            self.handle_station,
            self.args.host,
            self.args.port,
            subprotocols=[*SUBPROTOCOLS],  # type: ignore[list-item]
            max_size=MAX_FRAME,
            max_queue=4,
            close_timeout=1,  # SIGTERM must end within 5 s even if a station never closes
        ) as ws_server:
            self.ocpp_port = ocpp_port = next(iter(ws_server.sockets)).getsockname()[1]
            self.simulator.start()
            self.service.resume()
            ticker = asyncio.ensure_future(self.expiry_loop())
            print(f"jpqr-csms ready ocpp={ocpp_port} http={http_port}", flush=True)
            await stop.wait()
            ticker.cancel()
            ws_server.close()
        http_server.close()
        await self.service.stop()
        await self.simulator.stop()
        self.store.close()

    async def expiry_loop(self) -> None:
        for tick in itertools.count():
            await asyncio.sleep(0.25)
            try:
                await self.service.expire_due()
                if tick % 8 == 7:
                    self.service.resume()  # retry a settlement whose provider call failed
            except Exception as error:  # keep ticking; the next tick retries
                LOG.warning("expiry: %r", error)

    async def route_http(self, request: http.Request) -> http.Response:
        if request.path == "/webhooks/payment" and request.method == "POST":
            status, body = await self.service.webhook(
                request.body, request.headers.get(SIGNATURE_HEADER.lower())
            )
            return http.Response(status, body)
        if request.path.startswith("/simulator/"):
            inner = http.Request(
                request.method, request.path[len("/simulator") :], request.headers, request.body
            )
            return await self.simulator.handle(inner)
        return http.Response(404, {"error": "no such route"})

    async def handle_station(self, connection: ServerConnection) -> None:
        version = SUBPROTOCOLS.get(connection.subprotocol or "")
        path = connection.request.path if connection.request else "/"
        station_id = station_id_of(path)
        if version is None or station_id is None:
            await connection.close(1002, "expected ocpp2.1 or ocpp2.0.1 and /<station id>")
            return
        previous = self.stations.get(station_id)
        if previous is not None:  # the same station again: the old connection is dead
            with contextlib.suppress(Exception):
                await previous._connection.close()  # type: ignore[attr-defined]
        cls = Station21 if version == "2.1" else Station201
        station = cls(station_id, connection, response_timeout=RESPONSE_TIMEOUT)
        self.stations[station_id] = station
        station.attach(self.service)
        LOG.info("%s connected (OCPP %s)", station_id, version)
        try:
            await station.start()
        except ConnectionClosed:
            LOG.info("%s disconnected", station_id)
        finally:
            station.detach()
            if self.stations.get(station_id) is station:
                del self.stations[station_id]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000, help="OCPP websocket port (0: any)")
    parser.add_argument("--http-port", type=int, default=9001, help="HTTP port (0: any)")
    parser.add_argument("--db", default=str(Path.cwd() / "jpqr-csms.sqlite3"))
    parser.add_argument("--webhook-secret", default=None)
    parser.add_argument("--model", choices=["prepaid", "authorisation"], default="authorisation")
    parser.add_argument("--amount", type=int, default=3000, help="prepaid amount or limit, yen")
    parser.add_argument("--tariff", type=int, default=50, help="yen per kWh")
    parser.add_argument("--code-lifetime", type=float, default=300.0, help="seconds")
    parser.add_argument("--log-level", default=os.environ.get("JPQR_CSMS_LOG", "WARNING"))
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if args.webhook_secret is None:
        args.webhook_secret = os.environ.get("JPQR_WEBHOOK_SECRET")
    if not args.webhook_secret:
        logging.getLogger("csms").warning("no webhook secret given: using the development one")
        args.webhook_secret = DEV_SECRET
    return args


async def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await CSMS(args).run(stop)


if __name__ == "__main__":
    asyncio.run(main())

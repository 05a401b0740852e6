"""``examples/csms.py`` driven as a black box by the schema-only station (issue 11).

Every test starts the CSMS as a real subprocess (127.0.0.1, OS-chosen ports, a temporary
``--db``) and talks to it only through OCPP-J and the HTTP endpoints of the issue 11 contract
(``/work/issues/11-contract.md``, restated where used). The station (``tests/ocpp_station``)
checks every frame against the OCPP JSON schemas and every code with ``jpqr.validate``; whatever
the CSMS does wrong lands in ``station.violations``, which every test asserts empty.

``JPQR_CSMS`` / ``JPQR_CSMS_PYTHON`` point the tests at another csms.py and interpreter.
What the station found is logged in the issue's findings file (F1, F2, ...). Where each part of
issue 11 is tested:

- The whole flow (contract steps 1-7), both versions and models: ``test_whole_flow_*``, with
  restarts and reconnects: ``test_flow_survives_csms_restarts_and_station_reconnects``,
  ``test_sigterm_*``, ``test_a_code_that_expired_while_the_csms_was_down_*``.
- D1 ``test_every_station_message_is_answered_d1``; D2 ``test_double_press_*``,
  ``test_two_presses_in_flight_*``; D3 ``test_reconnect_keeps_*``, ``test_a_stale_connection_*``,
  ``test_a_reconnect_right_after_the_press_*``, ``test_link_lost_*``,
  ``test_payment_made_while_the_station_is_offline_*``; D4 ``test_trigger_for_an_evse_*``,
  ``test_huge_evse_id_*``; D5 ``test_qr_message_names_its_evse_d5``; D6
  ``test_terminal_label_*``, ``test_unusual_station_ids_*``,
  ``test_station_ids_differing_in_case_*``; D7 ``test_references_*``; D8
  ``test_trigger_*_d8``, ``test_capability_is_learned_again_*``.
- Under attack: ``test_malformed_frames_*``, ``test_unsolicited_call_results_are_not_kept``,
  ``test_memory_per_station_*``, ``test_calls_blasted_*``, ``test_handshake_*``, the HTTP ones.
- Step 8 and refusals: ``test_unpaid_code_*``, ``test_driver_cancel_*``, ``test_cancel_*``,
  ``test_refused_display_message_*``, ``test_2_1_station_without_qrcode_*``,
  ``test_remote_start_refused_*``; races: ``test_concurrent_payments_*``,
  ``test_cancel_racing_*``, ``test_payment_at_the_moment_of_expiry_*``; crossings and tokens:
  ``test_another_station_*``, ``test_a_local_start_*``, ``test_a_settled_payment_token_*``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import signal
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

from jpqr import JPQRError
from tests.ocpp_station import framing
from tests.ocpp_station.csms_process import (
    READY,
    CsmsProcess,
    final_cost,
    operations,
    settlement_problems,
)
from tests.ocpp_station.station import (
    QR_VENDOR,
    CallErrorReceived,
    ProtocolViolation,
    ShownMessage,
    Station,
    Transaction,
    additional_data,
)

VERSIONS = pytest.mark.parametrize("version", framing.OCPP_VERSIONS)
MODELS = pytest.mark.parametrize("model", ["authorisation", "prepaid"])
AMOUNT, TARIFF = 3000, 50
SCENARIO_TIMEOUT = 30.0  # seconds: the bound on any one test's conversation
WAIT = 5.0  # seconds: the bound on any one expected reaction of the CSMS
ENDED = {"capture", "release", "refund"}
QUIET = 0.15  # seconds: how long "nothing more happens" is watched (a wrong reaction comes sooner)


def results_of(station: Station) -> list[framing.CallResult]:
    """CALLRESULTs the station got for frames it sent raw (not through ``Station.call``)."""
    return [f for f in station.stray if isinstance(f, framing.CallResult)]


def evse_of(set_display: dict[str, Any]) -> int | None:
    """The EVSE a SetDisplayMessage names in its display component."""
    display = set_display["message"].get("display") or {}
    evse: int | None = (display.get("evse") or {}).get("id")
    return evse


def additional_reference(set_display: dict[str, Any]) -> str | None:
    """The 62-05 of a SetDisplayMessage's content, when it is a readable code."""
    try:
        return additional_data(set_display["message"]["message"]["content"]).get("05")
    except JPQRError:
        return None


# -- processes -------------------------------------------------------------------------------


class Pool:
    """CSMS processes started on first use inside a test (so a CSMS that cannot start fails the
    test, not its setup) and stopped at the end of the module."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, CsmsProcess] = {}

    def get(self, model: str = "authorisation", code_lifetime: float = 60) -> CsmsProcess:
        name = f"{model}-{code_lifetime:g}"
        if name not in self.running:
            self.running[name] = CsmsProcess(
                self.folder / f"{name}.sqlite3",
                model=model,
                amount=AMOUNT,
                tariff=TARIFF,
                code_lifetime=code_lifetime,
            ).start()
        return self.running[name]

    def stop(self) -> None:
        for process in self.running.values():
            process.stop()


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    shared = Pool(tmp_path_factory.mktemp("csms"))
    try:
        yield shared
    finally:
        shared.stop()


@pytest.fixture
def own_csms(tmp_path: Path) -> Iterator[Callable[..., CsmsProcess]]:
    """A factory of CSMS processes private to one test (for restarts), all stopped after it."""
    made: list[CsmsProcess] = []

    def make(model: str = "authorisation", code_lifetime: float = 60) -> CsmsProcess:
        process = CsmsProcess(
            tmp_path / f"own-{len(made)}.sqlite3",
            model=model,
            amount=AMOUNT,
            tariff=TARIFF,
            code_lifetime=code_lifetime,
        )
        made.append(process)
        return process.start()

    try:
        yield make
    finally:
        for process in made:
            process.stop()


def run(scenario: Callable[[], Awaitable[None]], timeout: float = SCENARIO_TIMEOUT) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(scenario(), timeout)

    asyncio.run(bounded())


# -- the station side of the flow ------------------------------------------------------------


@asynccontextmanager
async def station_on(
    csms: CsmsProcess,
    station_id: str,
    version: str,
    *,
    boot: bool = True,
    prefix: str = "",
    **options: Any,
) -> AsyncIterator[Station]:
    """A connected (and booted) station, closed afterwards whatever happens."""
    station = Station(station_id, version, **options)
    try:
        await station.connect(csms.url(station_id, prefix))
        if boot:
            await station.boot()
        yield station
    finally:
        await station.close()


def violations(station: Station, *allowed: str) -> list[ProtocolViolation]:
    return [v for v in station.violations if v.rule not in allowed]


async def press_until_accepted(station: Station, evse: int) -> dict[str, Any]:
    """Contract step 1-2: on 2.0.1 a trigger is Rejected until the CSMS knows
    ``QRCodeDisplay.Enabled``; a station retries the driver's press for a bounded time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        reply = await station.press_pay(evse)
        if reply["status"] == "Accepted" or loop.time() > deadline:
            assert reply["status"] == "Accepted", f"StartQRPayment EVSE {evse}: {reply}"
            return reply
        await asyncio.sleep(0.1)


async def show_code(station: Station, evse: int) -> ShownMessage:
    """Press "Pay with QR code" and wait for the code the CSMS sends (contract steps 2-3)."""
    await press_until_accepted(station, evse)
    shown = await station.wait_qr(evse, WAIT)
    assert shown.reference, shown
    return shown


async def pay(csms: CsmsProcess, reference: str) -> None:
    """Contract step 4: the driver pays; 200 with the reference."""
    status, body = await csms.apay(reference)
    assert status == 200, f"POST /simulator/pay {reference}: {status} {body}"
    assert body["reference"] == reference, body


async def started(
    station: Station, evse: int, code: ShownMessage, csms: CsmsProcess | None = None
) -> Transaction:
    """Contract step 5-6: RequestStartTransaction for the EVSE, ClearDisplayMessage of the code,
    and our TransactionEvent Started answered; with ``csms``, the provider still holds the money
    (nothing captured, released, refunded or cancelled while the session runs)."""
    tx = await station.wait_for(
        lambda: station.transaction_on(evse), WAIT, f"RequestStartTransaction EVSE {evse}"
    )
    await station.wait_for(lambda: tx.responses, WAIT, "TransactionEvent Started answered")
    await station.wait_for(
        lambda: code.id in station.cleared, WAIT, f"ClearDisplayMessage {code.id}"
    )
    start = next(
        p
        for p in station.calls("RequestStartTransaction")
        if p["remoteStartId"] == tx.remote_start_id
    )
    assert start["evseId"] == evse and start["idToken"]["type"] == "Central", start
    if csms is not None:
        await asyncio.sleep(QUIET)
        record = await csms.apayment(code.reference or "")
        assert money_problems(record, started_it=True) == [], record
    return tx


async def settled(csms: CsmsProcess, reference: str, model: str, cost: int) -> dict[str, Any]:
    """Contract step 7 and "The provider's view": the record settles as it should, exactly once
    (checked again a moment later, so a late second capture or refund is seen)."""

    def done(record: dict[str, Any]) -> bool:
        return not settlement_problems(record, model, AMOUNT, cost)

    record = await csms.wait_payment(reference, done, WAIT)
    assert settlement_problems(record, model, AMOUNT, cost) == [], record
    await asyncio.sleep(QUIET)
    again = await csms.apayment(reference)
    assert operations(again) == operations(record), (record, again)
    return record


async def whole_flow(
    csms: CsmsProcess, station: Station, evse: int, energy_wh: int, model: str
) -> tuple[ShownMessage, Transaction]:
    code = await show_code(station, evse)
    await pay(csms, code.reference or "")
    tx = await started(station, evse, code, csms)
    await station.update_transaction(evse, energy_wh // 2)
    await station.end_transaction(evse, energy_wh)
    await settled(csms, code.reference or "", model, final_cost(energy_wh, TARIFF, AMOUNT))
    return code, tx


# -- the whole flow --------------------------------------------------------------------------


@VERSIONS
@MODELS
def test_whole_flow_on_two_evses_settles_each_payment_once(
    pool: Pool, version: str, model: str
) -> None:
    """Contract steps 1-7 on both EVSEs at once; a duplicate Ended changes nothing."""
    csms = pool.get(model)

    async def scenario() -> None:
        async with station_on(csms, f"FLOW-{model[:4]}-{version}", version) as station:
            (code1, tx1), (code2, tx2) = await asyncio.gather(
                whole_flow(csms, station, 1, 12_345, model),
                whole_flow(csms, station, 2, 4_321, model),
            )
            assert code1.reference != code2.reference
            assert code1.id != code2.id
            if model == "prepaid":  # the code asks for the prepaid amount (contract step 3)
                assert Decimal(code1.amount or "0") == AMOUNT, code1
            assert tx1.id_token["idToken"] != tx2.id_token["idToken"]
            assert tx1.remote_start_id != tx2.remote_start_id
            await station.resend_ended(tx1, 12_345)
            await settled(csms, code1.reference or "", model, final_cost(12_345, TARIFF, AMOUNT))
            assert violations(station) == []

    run(scenario)


def test_prepaid_session_on_2_1_carries_the_transaction_limit(pool: Pool) -> None:
    """Contract step 5: on 2.1 a prepaid session is capped with the limit the schema allows
    (TransactionType.transactionLimit / TransactionEventResponse.transactionLimit maxCost)."""
    csms = pool.get("prepaid")

    async def scenario() -> None:
        async with station_on(csms, "LIMIT-2.1", "2.1") as station:
            code = await show_code(station, 1)
            await pay(csms, code.reference or "")
            tx = await started(station, 1, code)
            limits = [r["transactionLimit"] for r in tx.responses if "transactionLimit" in r]
            assert limits and Decimal(str(limits[0].get("maxCost"))) == AMOUNT, tx.responses
            await station.end_transaction(1, 1_000)
            await settled(csms, code.reference or "", "prepaid", 50)

    run(scenario)


@pytest.mark.parametrize(("version", "model"), [("2.0.1", "authorisation"), ("2.1", "prepaid")])
def test_flow_survives_csms_restarts_and_station_reconnects(
    own_csms: Callable[..., CsmsProcess], version: str, model: str
) -> None:
    """Contract "Process": SIGTERM exits 0 and the same --db continues every session; step 7
    exactly once even when Ended is sent twice across a restart. Along the way: a payment made
    while the station is offline and the CSMS restarting, SIGTERM the moment Ended is answered."""
    csms = own_csms(model)

    async def scenario() -> None:
        async with station_on(csms, f"RESTART-{version}", version) as station:
            code1 = await show_code(station, 1)
            code2 = await show_code(station, 2)
            await station.disconnect()
            assert csms.stop() == 0, csms.tail()
            csms.start()
            await pay(csms, code1.reference or "")  # the station is still offline
            await station.reconnect(csms.url(station.id))
            tx1 = await started(station, 1, code1, csms)
            # restarted while the station is connected (and answers the closing handshake)
            await asyncio.to_thread(csms.restart)
            await station.reconnect(csms.url(station.id))
            await station.end_transaction(1, 12_345)
            await asyncio.to_thread(csms.restart)  # the moment Ended is answered
            await station.reconnect(csms.url(station.id))
            await settled(csms, code1.reference or "", model, 617)
            again = await show_code(station, 1)  # a new code after a restart: its own message id
            assert again.id != code2.id and again.reference not in (
                code1.reference,
                code2.reference,
            )
            await station.cancel_pay(1)
            await asyncio.to_thread(csms.restart)
            await station.reconnect(csms.url(station.id))
            await station.resend_ended(tx1, 12_345)
            await settled(csms, code1.reference or "", model, 617)
            # the second code survived two restarts: still payable, settles once
            await pay(csms, code2.reference or "")
            await started(station, 2, code2)
            await station.end_transaction(2, 100_000)  # over the amount: capped
            await settled(csms, code2.reference or "", model, AMOUNT)
            assert violations(station) == []
        assert csms.exit_codes == [0, 0, 0, 0], (csms.stop_seconds, csms.tail())
        # contract: "it prints exactly one line to stdout" (logs go elsewhere), once per start
        assert all(READY.match(line.strip()) for line in csms.stdout), csms.stdout
        assert len(csms.stdout) == 5, csms.stdout

    run(scenario, 45)


@pytest.mark.parametrize("moment", ["before the answer"])  # "after": the restart test
def test_sigterm_right_at_ended_settles_exactly_once(
    own_csms: Callable[..., CsmsProcess], moment: str
) -> None:
    """Contract step 7: "exactly once, even if Ended is sent twice or the CSMS restarts in
    between": SIGTERM the moment Ended is answered, or before it is (the station then sends it
    again after reconnecting, as its offline queue would, E04)."""
    csms = own_csms("prepaid")

    async def scenario() -> None:
        async with station_on(csms, f"ENDKILL-{moment[:5]}", "2.1") as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            tx = await started(station, 1, shown)
            if moment == "after the answer":
                await station.end_transaction(1, 9_000)
                await asyncio.to_thread(csms.stop)
            else:
                tx.ended = True
                ended = {
                    "eventType": "Ended",
                    "timestamp": "2026-01-01T00:10:00Z",
                    "triggerReason": "StopAuthorized",
                    "seqNo": 1,
                    "transactionInfo": {
                        "transactionId": tx.transaction_id,
                        "stoppedReason": "Local",
                    },
                    "evse": {"id": 1, "connectorId": 1},
                    "meterValue": [
                        {
                            "timestamp": "2026-01-01T00:10:00Z",
                            "sampledValue": [
                                sampled(9_000, "Energy.Active.Import.Register", "Transaction.End")
                            ],
                        }
                    ],
                }
                await station.send_raw(json.dumps([2, "ended-1", "TransactionEvent", ended]))
                await asyncio.to_thread(csms.stop)
            assert csms.exit_codes == [0], csms.tail()
            await asyncio.to_thread(csms.start)
            await station.reconnect(csms.url(station.id))
            await station.resend_ended(tx, 9_000)
            await settled(csms, shown.reference or "", "prepaid", 450)
            assert violations(station) == []

    run(scenario)


# -- D1: every station message answered ------------------------------------------------------

STATION_MESSAGES: dict[str, dict[str, Any]] = {
    "Heartbeat": {},
    "StatusNotification": {
        "timestamp": "2026-01-01T00:00:00Z",
        "connectorStatus": "Available",
        "evseId": 1,
        "connectorId": 1,
    },
    "NotifyEvent": {
        "generatedAt": "2026-01-01T00:00:00Z",
        "seqNo": 0,
        "eventData": [
            {
                "eventId": 1,
                "timestamp": "2026-01-01T00:00:00Z",
                "trigger": "Delta",
                "actualValue": "Available",
                "eventNotificationType": "HardWiredNotification",
                "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
                "variable": {"name": "AvailabilityState"},
            }
        ],
    },
    "MeterValues": {
        "evseId": 1,
        "meterValue": [
            {
                "timestamp": "2026-01-01T00:00:00Z",
                "sampledValue": [{"value": 10.0, "measurand": "Energy.Active.Import.Register"}],
            }
        ],
    },
    "NotifyReport": {"requestId": 999, "generatedAt": "2026-01-01T00:00:00Z", "seqNo": 0},
    "Authorize": {"idToken": {"idToken": "0401020304", "type": "ISO14443"}},
    "TransactionEvent": {
        "eventType": "Started",
        "timestamp": "2026-01-01T00:00:00Z",
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "LOCAL-TX-1"},
        "evse": {"id": 1, "connectorId": 1},
        "idToken": {"idToken": "0401020304", "type": "ISO14443"},
    },
    "SecurityEventNotification": {
        "type": "StartupOfTheDevice",
        "timestamp": "2026-01-01T00:00:00Z",
    },
    "FirmwareStatusNotification": {"status": "Idle"},
    "LogStatusNotification": {"status": "Idle"},
    # a CSMS-to-station action sent the wrong way: never silence
    "ClearDisplayMessage": {"id": 1},
}
MUST_ANSWER = {"Heartbeat", "StatusNotification", "NotifyEvent", "TransactionEvent",
               "MeterValues", "NotifyReport", "Authorize"}  # fmt: skip


@VERSIONS
def test_every_station_message_is_answered_d1(pool: Pool, version: str) -> None:
    """D1: each standard message gets its CALLRESULT (schema-checked by the station) within a
    bound; others at least a CALLERROR NotImplemented, never silence; an action OCPP does not
    define gets NotImplemented on 2.0.1 and 2.1."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"D1-{version}", version) as station:
            for action, payload in STATION_MESSAGES.items():
                try:
                    await station.call(action, payload, timeout=3)
                except CallErrorReceived as error:
                    assert action not in MUST_ANSWER, f"{action}: {error}"
                    assert error.error.code == "NotImplemented", f"{action}: {error}"
            reply = await station.call_raw("NoSuchAction", {}, timeout=3)
            assert isinstance(reply, framing.CallError), reply
            assert reply.code == "NotImplemented", reply
            assert violations(station) == []

    run(scenario)


# -- D2: a double press refreshes the same message -------------------------------------------


@VERSIONS
def test_double_press_refreshes_under_the_same_message_id_d2(pool: Pool, version: str) -> None:
    """D2 / contract step 2: a second StartQRPayment while the code is shown is Accepted, says it
    refreshed, and the code comes again under the SAME message id; one payable payment."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"D2-{version}", version) as station:
            first = await show_code(station, 1)
            sets_before = len(station.calls("SetDisplayMessage"))
            reply = await station.press_pay(1)
            assert reply["status"] == "Accepted", reply
            assert "refresh" in json.dumps(reply.get("data")).lower(), reply
            await station.wait_for(
                lambda: len(station.calls("SetDisplayMessage")) > sets_before,
                WAIT,
                "the refreshed code",
            )
            second = station.qr_on(1)
            assert second is not None and second.id == first.id
            if second.reference != first.reference:
                old = await csms.apayment(first.reference or "")
                assert old["state"] in ("cancelled", "expired"), old
                status, _ = await csms.apay(first.reference or "")
                await asyncio.sleep(QUIET)
                assert station.calls("RequestStartTransaction") == [], status
            await pay(csms, second.reference or "")
            tx = await started(station, 1, second)
            await station.end_transaction(1, 2_000)
            await settled(csms, second.reference or "", "authorisation", 100)
            assert len(station.calls("RequestStartTransaction")) == 1, tx
            assert violations(station) == []

    run(scenario)


# -- D3: ids and sessions per station id, across reconnects ----------------------------------


@VERSIONS
def test_reconnect_keeps_message_ids_and_pending_payments_d3(pool: Pool, version: str) -> None:
    """D3: after a reconnect a new code does not reuse another EVSE's message id, and the
    payment pending before the reconnect still starts the transaction."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"D3-{version}", version) as station:
            first = await show_code(station, 1)
            await station.reconnect()
            second = await show_code(station, 2)
            assert second.id != first.id
            assert station.qr_on(1) is not None, "the EVSE 1 code was replaced"
            await pay(csms, first.reference or "")
            await started(station, 1, first)
            await station.end_transaction(1, 1_000)
            await settled(csms, first.reference or "", "authorisation", 50)
            assert violations(station) == []

    run(scenario)


@VERSIONS
def test_a_stale_connection_closing_late_does_not_break_the_new_one(
    pool: Pool, version: str
) -> None:
    """Reconnect mid-flow, as a real station does after a network change: the new connection
    opens while the old one is still up; the old one closing afterwards must not take the
    session, the EVSEs or the pending payment of the new one with it."""
    csms = pool.get()

    async def scenario() -> None:
        station_id = f"STALE-{version}"
        async with (
            station_on(csms, station_id, version) as old,
            station_on(csms, station_id, version) as new,
        ):
            shown = await show_code(new, 1)
            await old.disconnect()
            await asyncio.sleep(QUIET)
            await pay(csms, shown.reference or "")
            await started(new, 1, shown)
            await new.end_transaction(1, 3_000)
            await settled(csms, shown.reference or "", "authorisation", 150)
            again = await show_code(new, 2)  # the EVSEs are still known
            await new.cancel_pay(2)
            assert again.reference
            assert violations(new) == []

    run(scenario)


# -- D4: unknown EVSEs, and out-of-range ids (under attack) ----------------------------------


@pytest.mark.parametrize(
    ("version", "evse"),
    [("2.0.1", 7), ("2.1", 7), ("2.0.1", 10**30), ("2.1", 10**30)]
    + [("2.1", evse) for evse in (0, -1, "1", 1.5, None, True)],
)
def test_trigger_for_an_evse_the_station_lacks_is_refused_d4(
    pool: Pool, version: str, evse: Any
) -> None:
    """D4 and "evseId has no upper bound": an EVSE never announced by StatusNotification, or not
    an EVSE id at all, is Rejected, no code is sent and no payment created."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"D4-{version}", version) as station:
            before = {p["reference"] for p in await csms.apayments()}
            reply = await station.press_pay(evse)
            assert reply["status"] == "Rejected", reply
            await asyncio.sleep(QUIET)
            assert station.calls("SetDisplayMessage") == []
            after = {p["reference"] for p in await csms.apayments()}
            assert after == before
            await station.heartbeat()  # the connection is still served
            assert violations(station) == []

    run(scenario)


# -- D5: the QR message names its EVSE -------------------------------------------------------


@VERSIONS
def test_qr_message_names_its_evse_d5(pool: Pool, version: str) -> None:
    """D5 / contract step 3: 2.1 QRCODE with display EVSE; 2.0.1 UTF8 on QRCodeDisplay."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"D5-{version}", version) as station:
            shown = await show_code(station, 2)
            name = "EVSE" if version == "2.1" else "QRCodeDisplay"
            assert shown.display is not None and shown.display["name"] == name, shown
            assert shown.display["evse"]["id"] == 2, shown
            assert shown.format == ("QRCODE" if version == "2.1" else "UTF8")
            await station.cancel_pay(2)
            assert violations(station) == []

    run(scenario)


# -- D6: 62-07 unique per station id + EVSE --------------------------------------------------


def test_terminal_label_is_unique_for_long_station_ids_d6(pool: Pool) -> None:
    """D6 / contract step 3: 62-07 unique per station id + EVSE within 25 characters, also for
    ids longer than 25 that share a prefix (OCPP identities go to 48 characters)."""
    csms = pool.get()
    # long ids sharing a prefix, and ids + EVSE numbers that concatenate alike (T-1 12, T-11 2)
    stations = [
        ("JP-TOKYO-SHINAGAWA-PARKING-LEVEL-B2-STATION-0001", (1, 2)),
        ("JP-TOKYO-SHINAGAWA-PARKING-LEVEL-B2-STATION-0002", (1, 2)),
        ("JP-TOKYO-SHINAGAWA-PARKING", (1, 2)),
        ("T-1", (1, 12)),
        ("T-11", (2,)),
    ]

    async def scenario() -> None:
        labels = []
        for number, (station_id, evses) in enumerate(stations):
            version = framing.OCPP_VERSIONS[number % 2]
            async with station_on(csms, station_id, version, evses=evses) as station:
                for evse in evses:
                    shown = await show_code(station, evse)
                    assert shown.terminal and len(shown.terminal) <= 25, shown
                    labels.append(shown.terminal)
                    await station.cancel_pay(evse)
                assert violations(station) == []
        assert len(set(labels)) == len(labels), labels

    run(scenario)


# -- D7: references never repeat, also across a restart --------------------------------------


def test_references_of_two_csms_databases_differ_the_same_day_d7(pool: Pool) -> None:
    """D7 ("the same reference twice in a day"): two CSMS processes with different --db files
    (two instances, or a db lost and recreated) must not hand the provider the same 62-05."""
    first, second = pool.get("authorisation"), pool.get("prepaid")

    async def scenario() -> None:
        references = []
        for csms in (first, second):
            async with station_on(csms, f"D7-TWO-DBS-{csms.model}", "2.1") as station:
                references.append((await show_code(station, 1)).reference)
                await station.cancel_pay(1)
        assert references[0] != references[1], references

    run(scenario)


def test_references_do_not_repeat_across_a_restart_d7(
    own_csms: Callable[..., CsmsProcess],
) -> None:
    """D7: a 62-05 reference identifies one payment: never the same twice, restart or not."""
    csms = own_csms()

    async def scenario() -> None:
        references = []
        for round_ in range(2):
            async with station_on(csms, f"D7-{round_}", "2.1") as station:
                for evse in (1, 2):
                    references.append((await show_code(station, evse)).reference)
                    await station.cancel_pay(evse)
            csms.restart()
        async with station_on(csms, "D7-0", "2.1") as station:
            references.append((await show_code(station, 1)).reference)
        assert len(set(references)) == len(references), references

    run(scenario)


# -- D8: the 2.0.1 capability race, and no boot ----------------------------------------------


@VERSIONS
def test_trigger_without_boot_notification_is_refused_d8(pool: Pool, version: str) -> None:
    """D8: a station that never sent BootNotification gets no payment."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"D8-NOBOOT-{version}", version, boot=False) as station:
            reply = await station.press_pay(1)
            assert reply["status"] == "Rejected", reply
            await asyncio.sleep(QUIET)
            assert station.calls("SetDisplayMessage") == []

    run(scenario)


@pytest.mark.parametrize("enabled", [False, None])
def test_trigger_is_refused_when_qr_code_display_is_not_enabled_d8(
    pool: Pool, enabled: bool | None
) -> None:
    """D8 / OCA paper 2.2: on 2.0.1 QRCodeDisplay is used only when Enabled is reported true;
    Enabled false, or no such component, means every trigger is Rejected, never dropped."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(
            csms, f"D8-QR-{enabled}", "2.0.1", qr_code_display=enabled
        ) as station:
            await asyncio.sleep(0.5)  # time for the CSMS to ask the device model
            for _ in range(3):
                reply = await station.press_pay(1)
                assert reply["status"] == "Rejected", reply
            await asyncio.sleep(QUIET)
            assert station.calls("SetDisplayMessage") == []
            assert violations(station) == []

    run(scenario)


@pytest.mark.parametrize("answer", ["CALLERROR", "SILENT"])
def test_trigger_is_refused_while_the_device_model_question_fails_d8(
    pool: Pool, answer: str
) -> None:
    """D8: a 2.0.1 station that answers GetVariables with a CALLERROR, or never: the capability
    stays unknown, so every trigger is Rejected at once (never Accepted and dropped)."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(
            csms, f"D8-GV-{answer}", "2.0.1", device_model_answer=answer
        ) as station:
            for _ in range(2):
                reply = await station.press_pay(1)
                assert reply["status"] == "Rejected", reply
                await asyncio.sleep(QUIET)
            assert station.calls("SetDisplayMessage") == []

    run(scenario)


def test_capability_is_learned_again_after_a_reboot_d8(pool: Pool) -> None:
    """D8 / OCA paper 2.2: QRCodeDisplay is used only if Enabled "has been reported as true": a
    station that reboots with Enabled false (a firmware update, a broken display) is not sent
    QRCodeDisplay messages on the strength of what it said before."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "D8-REBOOT", "2.0.1") as before:
            await show_code(before, 1)
            await before.cancel_pay(1)
        async with station_on(csms, "D8-REBOOT", "2.0.1", qr_code_display=False) as after:
            await asyncio.sleep(0.5)  # time for the CSMS to ask again
            reply = await after.press_pay(2)
            assert reply["status"] == "Rejected", reply
            await asyncio.sleep(QUIET)
            assert after.calls("SetDisplayMessage") == []
            assert violations(after) == []

    run(scenario)


def test_trigger_right_after_boot_is_never_accepted_and_dropped_d8(pool: Pool) -> None:
    """D8: StartQRPayment right after boot, while the station is slow to answer the device
    model question: Rejected, or Accepted and then the code really comes (20 tries in the
    issue all dropped it)."""
    csms = pool.get()

    async def attempt(number: int) -> None:
        async with station_on(
            csms, f"D8-RACE-{number}", "2.0.1", boot=False, answer_delay=0.6
        ) as station:
            await station.boot()
            reply = await station.press_pay(1)
            if reply["status"] == "Accepted":
                await station.wait_qr(1, WAIT)
            else:
                assert reply["status"] == "Rejected", reply
                await asyncio.sleep(1.0)
                await show_code(station, 1)  # once known, the trigger works
            await station.cancel_pay(1)
            assert violations(station) == []

    async def scenario() -> None:
        await asyncio.gather(*(attempt(number) for number in range(3)))

    run(scenario)


# -- step 8: expiry, cancel, refusal ---------------------------------------------------------


def test_unpaid_code_is_refreshed_or_cleared_at_expiry(pool: Pool) -> None:
    """Contract step 8: a code not paid within --code-lifetime is refreshed (new code, same
    message id) or cleared and cancelled; either way the old payment is no longer payable, and
    the live code (the refreshed one, or the next press's) is payable and settles."""
    csms = pool.get(code_lifetime=2)

    async def one(version: str) -> None:
        async with station_on(csms, f"EXPIRY-{version}", version) as station:
            first = await show_code(station, 1)

            def changed() -> bool:
                now = station.qr_on(1)
                return now is None or now.reference != first.reference

            await station.wait_for(changed, 2 + WAIT, "expiry of the code")
            now = station.qr_on(1)
            if now is not None:
                assert now.id == first.id, (first, now)
            else:
                assert first.id in station.cleared
            record = await csms.wait_payment(
                first.reference or "", lambda r: r["state"] in ("cancelled", "expired"), WAIT
            )
            assert record["state"] in ("cancelled", "expired"), record
            kinds = [op for op, _ in operations(record)]
            assert all(kinds.count(op) == 1 for op in kinds), record
            await csms.apay(first.reference or "")
            await asyncio.sleep(QUIET)
            assert station.calls("RequestStartTransaction") == []
            fresh = station.qr_on(1) or await show_code(station, 1)
            assert fresh.reference != first.reference, (first, fresh)
            await pay(csms, fresh.reference or "")
            await started(station, 1, fresh)
            await station.end_transaction(1, 1_000)
            await settled(csms, fresh.reference or "", "authorisation", 50)
            assert violations(station) == []

    async def scenario() -> None:
        await asyncio.gather(*(one(version) for version in framing.OCPP_VERSIONS))

    run(scenario)


def test_a_code_that_expired_while_the_station_was_offline_is_replaced_on_reconnect(
    pool: Pool,
) -> None:
    """Contract step 8 with a reconnect: the station still shows the code it had when its link
    dropped; if that code expired meanwhile, the CSMS clears or refreshes it once the station is
    back (else the screen keeps a code nobody can pay)."""
    csms = pool.get(code_lifetime=2)

    async def one(version: str) -> None:
        async with station_on(csms, f"EXPIRED-OFFLINE-{version}", version) as station:
            first = await show_code(station, 1)
            await station.disconnect()
            await asyncio.sleep(2.5)
            await station.reconnect()

            def replaced() -> bool:
                now = station.qr_on(1)
                return now is None or now.reference != first.reference

            await station.wait_for(replaced, WAIT, "the expired code cleared or refreshed")
            record = await csms.apayment(first.reference or "")
            assert record["state"] in ("cancelled", "expired"), record
            kinds = [op for op, _ in operations(record)]
            assert all(kinds.count(op) == 1 for op in kinds), record
            assert violations(station) == []

    async def scenario() -> None:
        await asyncio.gather(*(one(version) for version in framing.OCPP_VERSIONS))

    run(scenario)


@VERSIONS
def test_a_reconnect_right_after_the_press_shows_one_code(pool: Pool, version: str) -> None:
    """Reconnect mid-flow: the link drops the moment StartQRPayment is Accepted (the code not yet
    sent) and comes back at once: one code on the EVSE, one live payment (four stations at once,
    as this is a race)."""
    csms = pool.get()

    async def one(number: int) -> None:
        async with station_on(csms, f"PRESS-RECONNECT-{version}-{number}", version) as station:
            await press_until_accepted(station, 1)
            await station.reconnect()
            shown = await station.wait_qr(1, WAIT)
            await asyncio.sleep(2 * QUIET)
            sets = [p for p in station.calls("SetDisplayMessage") if evse_of(p) == 1]
            references = {r for r in map(additional_reference, sets) if r}
            records = [await csms.apayment(r) for r in sorted(references)]
            live = [r["reference"] for r in records if r["state"] == "created"]
            assert live == [shown.reference], records
            await station.cancel_pay(1)
            assert violations(station) == []

    async def scenario() -> None:
        await asyncio.gather(*(one(number) for number in range(4)))

    run(scenario)


@VERSIONS
def test_link_lost_while_the_code_is_unanswered_ends_shown_or_cancelled(
    pool: Pool, version: str
) -> None:
    """Reconnect mid-flow: the SetDisplayMessage reaches the station, the link drops before its
    answer. Once the station is back, the code is either shown (sent again and Accepted) with its
    payment live, or its payment is cancelled: never a live payment for a code not on screen."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(
            csms, f"UNANSWERED-{version}", version, display_answer="SILENT"
        ) as station:
            await press_until_accepted(station, 1)
            first = await station.wait_for(
                lambda: station.calls("SetDisplayMessage"), WAIT, "SetDisplayMessage"
            )
            reference = additional_reference(first[0]) or ""
            station.display_answer = "Accepted"
            await station.reconnect()

            async def settled_state() -> bool:
                record = await csms.apayment(reference)
                shown = station.qr_on(1)
                on_screen = shown is not None and shown.reference == reference
                return record["state"] == "cancelled" or (
                    on_screen and record["state"] == "created"
                )

            loop = asyncio.get_running_loop()
            deadline = loop.time() + WAIT
            while not await settled_state():
                assert loop.time() < deadline, (await csms.apayment(reference), station.shown)
                await asyncio.sleep(0.1)
            assert violations(station) == []

    run(scenario)


@VERSIONS
def test_link_lost_while_the_remote_start_is_unanswered_still_charges_once(
    pool: Pool, version: str
) -> None:
    """Reconnect mid-flow: RequestStartTransaction reaches the station, the link drops before
    its answer; once back, the paid session starts (the start sent again) and settles once, or
    the money is given back in full: never held for nothing, never two transactions."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "STARTLOST-2.1", "2.1", start_answer="SILENT") as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            await station.wait_for(
                lambda: station.calls("RequestStartTransaction"), WAIT, "RequestStartTransaction"
            )
            station.start_answer = "Accepted"
            await station.reconnect()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + WAIT
            while True:
                tx = station.transaction_on(1)
                record = await csms.apayment(shown.reference or "")
                if tx is not None or not money_problems(record, False):
                    break
                assert loop.time() < deadline, (record, station.calls("RequestStartTransaction"))
                await asyncio.sleep(0.1)
            if tx is not None:
                await station.wait_for(lambda: tx.responses, WAIT, "Started answered")
                await station.end_transaction(1, 3_000)
                await settled(csms, shown.reference or "", "authorisation", 150)
            assert len(station.transactions) <= 1
            assert violations(station) == []

    run(scenario)


@VERSIONS
def test_ended_whose_answer_was_lost_is_sent_again_and_counts_once(
    pool: Pool, version: str
) -> None:
    """Reconnect mid-flow: Ended sent, the link drops before its answer; the station sends it
    again on the new connection (its offline queue, E04): the payment settles once."""
    csms = pool.get("prepaid")

    async def scenario() -> None:
        async with station_on(csms, f"ENDLOST-{version}", version) as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            tx = await started(station, 1, shown)
            tx.ended = True
            ended = {
                "eventType": "Ended",
                "timestamp": "2026-01-01T00:10:00Z",
                "triggerReason": "StopAuthorized",
                "seqNo": 1,
                "transactionInfo": {"transactionId": tx.transaction_id, "stoppedReason": "Local"},
                "evse": {"id": 1, "connectorId": 1},
                "meterValue": [
                    {
                        "timestamp": "2026-01-01T00:10:00Z",
                        "sampledValue": [
                            sampled(4_000, "Energy.Active.Import.Register", "Transaction.End")
                        ],
                    }
                ],
            }
            await station.send_raw(json.dumps([2, "lost-end", "TransactionEvent", ended]))
            await station.reconnect()
            await station.resend_ended(tx, 4_000)
            await settled(csms, shown.reference or "", "prepaid", 200)
            assert violations(station) == []

    run(scenario)


@VERSIONS
def test_driver_cancel_clears_the_code_and_cancels_the_payment(pool: Pool, version: str) -> None:
    """Contract step 8: CancelQRPayment -> ClearDisplayMessage and provider cancel (once)."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"CANCEL-{version}", version) as station:
            shown = await show_code(station, 1)
            reply = await station.cancel_pay(1)
            assert reply["status"] == "Accepted", reply
            await station.wait_for(lambda: shown.id in station.cleared, WAIT, "ClearDisplayMessage")
            record = await csms.wait_payment(
                shown.reference or "", lambda r: r["state"] == "cancelled", WAIT
            )
            assert record["state"] == "cancelled", record
            assert [op for op, _ in operations(record)].count("cancel") == 1, record
            await station.cancel_pay(1)  # the driver presses cancel twice
            await asyncio.sleep(QUIET)
            again = await csms.apayment(shown.reference or "")
            assert operations(again) == operations(record), again
            await csms.apay(shown.reference or "")
            await asyncio.sleep(QUIET)
            assert station.calls("RequestStartTransaction") == []
            assert violations(station) == []

    run(scenario)


@VERSIONS
def test_cancel_right_after_the_press_cancels_the_payment(pool: Pool, version: str) -> None:
    """Contract step 8: CancelQRPayment once StartQRPayment was Accepted, before the code reached
    the screen: the session exists, so the cancel is Accepted and the code, if it still comes, is
    cleared and its payment cancelled: never left payable."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"EARLYCANCEL-{version}", version) as station:
            await press_until_accepted(station, 2)
            cancel = await station.cancel_pay(2)
            assert cancel["status"] == "Accepted", cancel
            await asyncio.sleep(0.5)
            for set_display in station.calls("SetDisplayMessage"):
                reference = additional_reference(set_display) or ""
                record = await csms.wait_payment(
                    reference, lambda r: r["state"] == "cancelled", WAIT
                )
                assert record["state"] == "cancelled", record
            assert station.qr_on(2) is None
            assert violations(station) == []

    run(scenario)


@pytest.mark.parametrize(
    ("version", "answer"),
    [
        ("2.0.1", "Rejected"),
        ("2.1", "NotSupportedMessageFormat"),
        ("2.1", "CALLERROR"),
        ("2.0.1", "OFF-SCHEMA"),
        ("2.1", "MALFORMED"),
    ],
)
def test_refused_display_message_cancels_the_payment(pool: Pool, version: str, answer: str) -> None:
    """Contract step 8 / issue: a SetDisplayMessage the station refuses (any status but Accepted,
    a CALLERROR, or an answer no schema allows) cancels the provider payment; paying it
    afterwards starts nothing; the connection stays."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(
            csms, f"REFUSE-{answer}-{version}", version, display_answer=answer
        ) as station:
            await press_until_accepted(station, 1)
            refused = await station.wait_for(lambda: station.refused, WAIT, "SetDisplayMessage")
            reference = refused[0].reference
            assert reference, refused
            record = await csms.wait_payment(reference, lambda r: r["state"] == "cancelled", WAIT)
            assert record["state"] == "cancelled", record
            await csms.apay(reference)
            await asyncio.sleep(QUIET)
            assert station.calls("RequestStartTransaction") == []
            await station.heartbeat()
            assert violations(station) == []

    run(scenario)


def test_2_1_station_without_qrcode_format_gets_no_qrcode_message(pool: Pool) -> None:
    """Issue ("SupportedFormats ... never read"): a 2.1 station whose
    DisplayMessageCtrlr.SupportedFormats lacks QRCODE gets its trigger Rejected and no QRCODE
    message; one sent anyway and refused must at least cancel its payment."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(
            csms, "NOQRFORMAT-2.1", "2.1", supported_formats="ASCII,UTF8"
        ) as station:
            await asyncio.sleep(0.5)  # time for the CSMS to read the device model
            reply = await station.press_pay(1)
            await asyncio.sleep(0.5)
            for message in station.refused:
                assert message.reference, message
                record = await csms.wait_payment(
                    message.reference, lambda r: r["state"] == "cancelled", WAIT
                )
                assert record["state"] == "cancelled", record
            assert reply["status"] == "Rejected", reply
            assert violations(station) == []

    run(scenario)


@pytest.mark.parametrize(
    ("version", "answer"), [("2.0.1", "Rejected"), ("2.1", "Rejected"), ("2.1", "CALLERROR")]
)
def test_remote_start_refused_by_the_station_releases_or_refunds_in_full(
    pool: Pool, version: str, answer: str
) -> None:
    """Issue "Done when": every payment ends captured, released or refunded exactly once: a paid
    session the station will not start (RequestStartTransaction Rejected, or a CALLERROR) is
    given back whole."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(
            csms, f"NOSTART-{answer}-{version}", version, start_answer=answer
        ) as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            await station.wait_for(
                lambda: station.calls("RequestStartTransaction"), WAIT, "RequestStartTransaction"
            )
            await settled(csms, shown.reference or "", "authorisation", 0)

    run(scenario)


@VERSIONS
@pytest.mark.parametrize("gap", [0.0, QUIET])
def test_payment_made_while_the_station_is_offline_starts_after_it_reconnects(
    pool: Pool, version: str, gap: float
) -> None:
    """Reconnect mid-flow: the driver pays while the station's link is down; the confirmed
    payment must not be lost: RequestStartTransaction comes once the station is back, once (the
    station back at once, ``gap`` 0, or a moment later). Four stations at once, as the first
    case is a race (F7 lost it about 2 times in 3 for one station)."""
    csms = pool.get()

    async def one(number: int) -> None:
        async with station_on(csms, f"OFFLINE-{gap}-{version}-{number}", version) as station:
            shown = await show_code(station, 1)
            await station.disconnect()
            await pay(csms, shown.reference or "")
            await asyncio.sleep(gap)
            await station.reconnect()
            await started(station, 1, shown, csms)
            assert len(station.calls("RequestStartTransaction")) == 1, station.calls(
                "RequestStartTransaction"
            )
            await station.end_transaction(1, 2_500)
            await settled(csms, shown.reference or "", "authorisation", 125)
            assert violations(station) == []

    async def scenario() -> None:
        await asyncio.gather(*(one(number) for number in range(4)))

    run(scenario)


@pytest.mark.parametrize(
    ("unit", "multiplier", "value"), [("kWh", 0, 12.345), ("Wh", 3, 12.345), ("kWh", -3, 12_345)]
)
def test_meter_value_units_are_honoured(
    pool: Pool, unit: str, multiplier: int, value: float
) -> None:
    """OCPP UnitOfMeasureType: ``unit`` (default Wh) and ``multiplier`` (value x 10^multiplier);
    12.345 kWh is 12 345 Wh, so the final cost is 617 yen whatever the station's unit."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"UNIT-{unit}{multiplier}", "2.1") as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            await started(station, 1, shown)
            await station.end_transaction(1, value, unit=unit, multiplier=multiplier)
            await settled(csms, shown.reference or "", "authorisation", 617)

    run(scenario)


def sampled(value: float, measurand: str | None, context: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"value": value, "context": context, **extra}
    if measurand is not None:
        item["measurand"] = measurand
    return item


# Ended meter values a real station may send: other measurands first, several meterValue
# entries, the register without its measurand (OCPP: the default measurand is
# Energy.Active.Import.Register). Each delivers 12 345 Wh: 617 yen.
MIXED_METER = {
    "other measurands first": [
        {
            "timestamp": "2026-01-01T00:10:00Z",
            "sampledValue": [
                sampled(
                    7_000, "Power.Active.Import", "Transaction.End", unitOfMeasure={"unit": "W"}
                ),
                sampled(80, "SoC", "Transaction.End", unitOfMeasure={"unit": "Percent"}),
                sampled(12_345, "Energy.Active.Import.Register", "Transaction.End"),
            ],
        }
    ],
    "begin and end entries": [
        {
            "timestamp": "2026-01-01T00:00:00Z",
            "sampledValue": [sampled(0, "Energy.Active.Import.Register", "Transaction.Begin")],
        },
        {
            "timestamp": "2026-01-01T00:05:00Z",
            "sampledValue": [sampled(6_000, "Energy.Active.Import.Register", "Sample.Periodic")],
        },
        {
            "timestamp": "2026-01-01T00:10:00Z",
            "sampledValue": [sampled(12_345, "Energy.Active.Import.Register", "Transaction.End")],
        },
    ],
    "default measurand": [
        {
            "timestamp": "2026-01-01T00:10:00Z",
            "sampledValue": [sampled(12_345, None, "Transaction.End")],
        }
    ],
}


@pytest.mark.parametrize("shape", list(MIXED_METER))
def test_final_energy_is_read_from_the_right_sampled_value(pool: Pool, shape: str) -> None:
    """Contract step 6 and OCPP SampledValueType: the energy is the Energy.Active.Import.Register
    value of context Transaction.End, wherever it sits among the meter values."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"METER-{list(MIXED_METER).index(shape)}", "2.0.1") as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            await started(station, 1, shown)
            await station.end_transaction(1, 0, meter=MIXED_METER[shape])
            await settled(csms, shown.reference or "", "authorisation", 617)
            assert violations(station) == []

    run(scenario)


def test_ended_without_meter_values_still_settles_once(pool: Pool) -> None:
    """An Ended with no meterValue (allowed by the schema, off the contract): the payment still
    settles exactly once, capture plus release adding up to the limit (the CSMS decides the
    energy: the last reported, or none)."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "NOMETER-2.1", "2.1") as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            await started(station, 1, shown)
            await station.update_transaction(1, 5_000)
            await station.end_transaction(1, 0, meter=[])

            def ended(record: dict[str, Any]) -> bool:
                return any(op in ENDED for op, _ in operations(record))

            record = await csms.wait_payment(shown.reference or "", ended, WAIT)
            await asyncio.sleep(QUIET)
            found = operations(await csms.apayment(shown.reference or ""))
            assert found == operations(record), record
            kinds = [op for op, _ in found]
            assert kinds.count("capture") <= 1 and kinds.count("release") <= 1, record
            assert sum(a for op, a in found if op in ("capture", "release")) == AMOUNT, record

    run(scenario)


@VERSIONS
def test_cancel_after_payment_does_not_cancel_a_paid_session(pool: Pool, version: str) -> None:
    """CancelQRPayment once the driver has paid and charging started: the payment still settles
    by the energy delivered, with no cancel (each operation at most once, none contradicting)."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"LATECANCEL-{version}", version) as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            await started(station, 1, shown)
            await station.cancel_pay(1)
            await station.end_transaction(1, 4_000)
            await settled(csms, shown.reference or "", "authorisation", 200)
            assert violations(station) == []

    run(scenario)


@VERSIONS
def test_a_settled_payment_token_no_longer_authorises(pool: Pool, version: str) -> None:
    """The idToken that tied a transaction to its payment (contract step 5) is spent once the
    payment settled: Authorize with it again (a replay, a station starting locally) is not
    Accepted, or a second session would charge nobody."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"REPLAYTOKEN-{version}", version) as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            tx = await started(station, 1, shown)
            await station.end_transaction(1, 1_000)
            await settled(csms, shown.reference or "", "authorisation", 50)
            reply = await station.call("Authorize", {"idToken": tx.id_token})
            assert reply["idTokenInfo"]["status"] != "Accepted", reply
            # nor a new session started locally with it at its own EVSE (a replayed start)
            again = Transaction("REPLAYED-TX-1", 1, tx.id_token, None)
            answer = await station.send_started(again)
            assert answer.get("idTokenInfo", {}).get("status") != "Accepted", answer
            await station.resend_ended(again, 20_000)
            await settled(csms, shown.reference or "", "authorisation", 50)
            # the reference of a code not paid yet is public (it is in the code): no use either
            unpaid = await show_code(station, 2)
            for token_type in ("Central", "ISO14443", "KeyCode"):
                token = {"idToken": unpaid.reference or "", "type": token_type}
                reply = await station.call("Authorize", {"idToken": token})
                assert reply["idTokenInfo"]["status"] != "Accepted", (token, reply)
            await station.cancel_pay(2)
            assert violations(station) == []

    run(scenario)


def test_second_ended_with_another_energy_changes_nothing(pool: Pool) -> None:
    """Contract step 7: exactly once, the first Ended decides."""
    csms = pool.get("prepaid")

    async def scenario() -> None:
        async with station_on(csms, "END2-2.0.1", "2.0.1") as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            tx = await started(station, 1, shown)
            await station.end_transaction(1, 10_000)
            await settled(csms, shown.reference or "", "prepaid", 500)
            await station.resend_ended(tx, 50_000)
            await settled(csms, shown.reference or "", "prepaid", 500)

    run(scenario)


@VERSIONS
def test_ended_without_a_started_still_settles(pool: Pool, version: str) -> None:
    """A station whose Started was lost (offline queue): its first event for the remote start is
    Ended, carrying the remoteStartId and the idToken (E03); the payment settles on it."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"NOSTARTED-{version}", version, lose_started=True) as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            await station.wait_for(lambda: station.transaction_on(1), WAIT, "remote start")
            await station.end_transaction(1, 7_000)
            await settled(csms, shown.reference or "", "authorisation", 350)
            assert violations(station) == []

    run(scenario)


def test_started_sent_twice_changes_nothing(pool: Pool) -> None:
    """A repeated Started (a station resending after a lost answer): one session, one settlement."""
    csms = pool.get("prepaid")

    async def scenario() -> None:
        async with station_on(csms, "STARTED2-2.1", "2.1") as station:
            shown = await show_code(station, 2)
            await pay(csms, shown.reference or "")
            tx = await started(station, 2, shown)
            repeat = Transaction(tx.transaction_id, 2, tx.id_token, tx.remote_start_id)
            await station.send_started(repeat)
            await station.end_transaction(2, 5_000)
            await settled(csms, shown.reference or "", "prepaid", 250)
            assert violations(station) == []

    run(scenario)


def test_another_station_cannot_claim_a_remote_start_it_was_not_sent(pool: Pool) -> None:
    """Crossing: station B sends Started with station A's remoteStartId and idToken (small
    integers and a reference are easy to guess), then Ended with a large energy: A's payment
    must not be captured on B's meter; it settles on A's own Ended."""
    csms = pool.get()

    async def scenario() -> None:
        async with (
            station_on(csms, "CLAIM-OWNER", "2.0.1") as owner,
            station_on(csms, "CLAIM-THIEF", "2.0.1") as thief,
        ):
            shown = await show_code(owner, 1)
            await pay(csms, shown.reference or "")
            tx = await started(owner, 1, shown)
            forged = Transaction("THIEF-TX-1", 1, tx.id_token, tx.remote_start_id)
            claim = await thief.send_started(forged)
            assert claim.get("idTokenInfo", {}).get("status") != "Accepted", claim
            await thief.resend_ended(forged, 50_000)
            await asyncio.sleep(QUIET)
            record = await csms.apayment(shown.reference or "")
            assert [op for op, _ in operations(record)] == ["authorise"], record
            await owner.end_transaction(1, 8_000)
            await settled(csms, shown.reference or "", "authorisation", 400)
            assert violations(owner) == []

    run(scenario)


def test_a_local_start_with_an_unpaid_reference_takes_no_money(pool: Pool) -> None:
    """The 62-05 of a code is public (anyone scanning it reads it): a station starting a
    transaction locally with it as idToken (no RequestStartTransaction) gets no Accepted, and its
    Ended moves no money of that unpaid payment."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "LOCALSTART-2.1", "2.1") as station:
            shown = await show_code(station, 1)
            token = {"idToken": shown.reference or "", "type": "Central"}
            local = Transaction("LOCAL-START-1", 2, token, None)
            local.responses.append(await station.send_started(local))
            info = local.responses[0].get("idTokenInfo", {})
            assert info.get("status") != "Accepted", local.responses
            await station.resend_ended(local, 20_000)
            await asyncio.sleep(QUIET)
            record = await csms.apayment(shown.reference or "")
            assert (record["state"], operations(record)) == ("created", []), record
            await station.cancel_pay(1)
            assert violations(station) == []

    run(scenario)


def test_a_paid_token_is_good_at_its_own_evse_only(pool: Pool) -> None:
    """A paid payment ties its token to the EVSE its code was for (contract steps 3 and 5): the
    same station starting on its OTHER EVSE with that token gets no Accepted, and that session
    moves none of the payment's money; the real one settles by its own energy."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "OWN-EVSE-2.0.1", "2.0.1") as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            tx = await started(station, 1, shown)
            other = Transaction("OTHER-EVSE-TX", 2, tx.id_token, None)
            answer = await station.send_started(other)
            assert answer.get("idTokenInfo", {}).get("status") != "Accepted", answer
            await station.resend_ended(other, 30_000)
            await station.end_transaction(1, 2_000)
            await settled(csms, shown.reference or "", "authorisation", 100)
            assert violations(station) == []

    run(scenario)


def test_another_station_cannot_end_a_transaction_it_does_not_own(pool: Pool) -> None:
    """Crossing: station B sends Ended with station A's transactionId; A's payment must not
    settle on B's word, and settles on A's own Ended."""
    csms = pool.get()

    async def scenario() -> None:
        async with (
            station_on(csms, "OWNER-A", "2.1") as owner,
            station_on(csms, "INTRUDER-B", "2.1") as intruder,
        ):
            shown = await show_code(owner, 1)
            await pay(csms, shown.reference or "")
            tx = await started(owner, 1, shown)
            forged = Transaction(tx.transaction_id, 1, tx.id_token, tx.remote_start_id)
            await intruder.resend_ended(forged, 1)
            await asyncio.sleep(QUIET)
            record = await csms.apayment(shown.reference or "")
            assert [op for op, _ in operations(record)] == ["authorise"], record
            await owner.end_transaction(1, 8_000)
            await settled(csms, shown.reference or "", "authorisation", 400)
            assert violations(owner) == []

    run(scenario)


def test_sigint_exits_cleanly_within_5_s(own_csms: Callable[..., CsmsProcess]) -> None:
    """Contract "Process": SIGINT, like SIGTERM, is a clean exit 0 within 5 s (no traceback)."""
    csms = own_csms()

    async def scenario() -> None:
        async with station_on(csms, "SIGINT-2.1", "2.1") as station:
            await show_code(station, 1)
            process = csms.process
            assert process is not None
            process.send_signal(signal.SIGINT)
            code = await asyncio.to_thread(process.wait, 5)
            assert code == 0, csms.tail()
            assert "Traceback" not in csms.tail(), csms.tail()

    run(scenario)


def test_a_restart_with_another_model_settles_old_payments_by_their_own(
    own_csms: Callable[..., CsmsProcess],
) -> None:
    """Contract "The provider's view": a payment keeps its model. The operator restarts the CSMS
    with --model prepaid while an authorisation-model session charges: that session still ends
    in capture + release, and new ones are prepaid."""
    csms = own_csms("authorisation")

    async def scenario() -> None:
        async with station_on(csms, "MODELSWITCH", "2.1") as station:
            old = await show_code(station, 1)
            await pay(csms, old.reference or "")
            await started(station, 1, old, csms)
            await station.disconnect()
            await asyncio.to_thread(csms.stop)
            csms.model = "prepaid"
            csms.args[csms.args.index("--model") + 1] = "prepaid"
            await asyncio.to_thread(csms.start)
            await station.reconnect(csms.url(station.id))
            await station.end_transaction(1, 12_345)
            await settled(csms, old.reference or "", "authorisation", 617)
            new = await show_code(station, 2)
            await pay(csms, new.reference or "")
            await started(station, 2, new, csms)
            await station.end_transaction(2, 1_000)
            await settled(csms, new.reference or "", "prepaid", 50)
            assert violations(station) == []

    run(scenario)


def test_sigterm_exits_within_5_s_with_a_station_that_does_not_close(
    own_csms: Callable[..., CsmsProcess],
) -> None:
    """Contract "Process": SIGTERM -> clean exit 0 within 5 s, also while a station is connected
    that never answers the WebSocket closing handshake (a dead link, a hung station)."""
    csms = own_csms()

    async def scenario() -> None:
        async with station_on(csms, "HUNG-2.1", "2.1") as station:
            await show_code(station, 1)
            # csms.stop() blocks this event loop: the station reads nothing, answers nothing
            code = csms.stop()
            assert code == 0, (csms.stop_seconds, csms.tail())

    run(scenario)


def test_a_code_that_expired_while_the_csms_was_down_is_handled_after_restart(
    own_csms: Callable[..., CsmsProcess],
) -> None:
    """Contract step 8 and "Process": the expiry timer lives in --db too; a code whose lifetime
    ended while the CSMS was stopped is refreshed or cleared and cancelled after the restart."""
    csms = own_csms(code_lifetime=1)

    async def scenario() -> None:
        async with station_on(csms, "EXPIRED-DOWN", "2.1") as station:
            first = await show_code(station, 1)
            await station.disconnect()
            await asyncio.to_thread(csms.stop)
            await asyncio.sleep(1.5)
            await asyncio.to_thread(csms.start)
            await station.reconnect(csms.url(station.id))
            record = await csms.wait_payment(
                first.reference or "", lambda r: r["state"] in ("cancelled", "expired"), WAIT
            )
            assert record["state"] in ("cancelled", "expired"), record
            kinds = [op for op, _ in operations(record)]
            assert all(kinds.count(op) == 1 for op in kinds), record
            now = station.qr_on(1)
            assert now is None or now.reference != first.reference, (first, now)

    run(scenario)


def test_calls_blasted_without_waiting_are_all_answered(pool: Pool) -> None:
    """Under attack: 500 Heartbeats sent without waiting (OCPP-J wants one at a time, a hostile
    station does not care): each is answered, in a bound, and the connection stays."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "BLAST-2.1", "2.1") as station:
            for number in range(500):
                await station.send_raw(json.dumps([2, f"hb-{number}", "Heartbeat", {}]))
            answers = await station.wait_for(
                lambda: results_of(station) if len(results_of(station)) >= 500 else None,
                2 * WAIT,
                "500 answers",
            )
            assert {a.message_id for a in answers} == {f"hb-{n}" for n in range(500)}
            assert station.connected

    run(scenario)


@pytest.mark.parametrize(
    ("path", "subprotocols"),
    [("NOPROTO", ["ocpp1.6"]), ("NOPROTO", []), ("", ["ocpp2.1"]), ("ocpp/", ["ocpp2.0.1"])],
)
def test_handshake_without_an_ocpp_2_subprotocol_or_a_station_id_is_refused(
    pool: Pool, path: str, subprotocols: list[str]
) -> None:
    """Contract "Process": subprotocols ocpp2.0.1 and ocpp2.1, and a station id as the last
    path segment; anything else is not served."""
    csms = pool.get()

    async def scenario() -> None:
        offered = [Subprotocol(p) for p in subprotocols]
        try:
            async with connect(csms.url(path), subprotocols=offered or None) as ws:
                await ws.send(json.dumps([2, "1", "Heartbeat", {}]))
                reply = await asyncio.wait_for(ws.recv(), 2)
        except (InvalidHandshake, ConnectionClosed):
            return  # refused at the handshake, or closed at once: right
        pytest.fail(f"served with subprotocol {ws.subprotocol!r}: {reply!r}")

    run(scenario)


def test_huge_evse_id_in_status_notification_does_not_become_an_evse(pool: Pool) -> None:
    """Under attack / "out-of-range ids are refused": a StatusNotification for evseId 10**30
    (schema-valid: integer, no maximum) is answered, and no trigger for it is Accepted."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "HUGE-EVSE-2.1", "2.1") as station:
            status = {"timestamp": "2026-01-01T00:00:00Z", "connectorStatus": "Available",
                      "evseId": 10**30, "connectorId": 10**30}  # fmt: skip
            reply = await station.call_raw("StatusNotification", status)
            assert isinstance(reply, framing.CallResult | framing.CallError), reply
            answer = await station.press_pay(10**30)
            assert answer["status"] == "Rejected", answer
            await asyncio.sleep(0.2)
            assert station.calls("SetDisplayMessage") == []
            await station.heartbeat()

    run(scenario)


def test_a_stalled_http_client_does_not_block_the_others(pool: Pool) -> None:
    """HTTP side under attack: a client that sends half a request and waits (slowloris) does not
    stop the provider's view or the pay endpoint from answering others."""
    csms = pool.get()

    async def scenario() -> None:
        stalled = []
        try:
            for _ in range(5):
                _, writer = await asyncio.open_connection("127.0.0.1", csms.http_port)
                writer.write(
                    b"POST /simulator/pay HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
                )
                await writer.drain()
                stalled.append(writer)
            status, _ = await csms.ahttp("GET", "/simulator/payments", timeout=3)
            assert status == 200
        finally:
            for writer in stalled:
                writer.close()

    run(scenario)


def test_an_oversized_http_body_is_refused(pool: Pool) -> None:
    """HTTP side: a 4 MiB body to /simulator/pay gets a 4xx (413 or 400), not a crash or a hang."""
    csms = pool.get()

    async def scenario() -> None:
        body = b'{"reference": "' + b"R" * (4 << 20) + b'"}'
        try:
            status, _ = await csms.ahttp("POST", "/simulator/pay", raw=body, timeout=5)
            assert 400 <= status < 500, status
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # closed before reading it all: also a refusal
        status, _ = await csms.ahttp("GET", "/simulator/payments")
        assert status == 200

    run(scenario)


# -- races between the driver, the provider and the timer -----------------------------------


def money_problems(record: dict[str, Any], started_it: bool) -> list[str]:
    """Issue "Done when", for a payment whose outcome a race decided: if a transaction started it
    is still open (nothing captured, released, refunded or cancelled yet); if none started, no
    money is held: never authorised or paid, or given back in full, exactly once."""
    found = operations(record)
    kinds = [op for op, _ in found]
    problems = [f"{op} {kinds.count(op)} times" for op in set(kinds) if kinds.count(op) > 1]
    if started_it:
        if set(kinds) & (ENDED | {"cancel", "expire"}):
            problems.append(f"session started but the payment already ended: {found}")
        return problems
    taken = sum(a for op, a in found if op in ("pay", "authorise"))
    given_back = sum(a for op, a in found if op in ("refund", "release"))
    if taken != given_back:
        problems.append(f"no session, yet {taken} taken and {given_back} given back: {found}")
    return problems


@pytest.mark.parametrize("version", framing.OCPP_VERSIONS)
def test_concurrent_payments_of_one_code_start_one_transaction(pool: Pool, version: str) -> None:
    """Five POST /simulator/pay of one reference at the same moment: one RequestStartTransaction,
    one authorisation."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"PAY5-{version}", version) as station:
            shown = await show_code(station, 1)
            replies = await asyncio.gather(*(csms.apay(shown.reference or "") for _ in range(5)))
            assert any(status == 200 for status, _ in replies), replies
            await started(station, 1, shown)
            await asyncio.sleep(QUIET)
            assert len(station.calls("RequestStartTransaction")) == 1
            record = await csms.apayment(shown.reference or "")
            assert [op for op, _ in operations(record)] == ["authorise"], record
            await station.end_transaction(1, 1_000)
            await settled(csms, shown.reference or "", "authorisation", 50)

    run(scenario)


@pytest.mark.parametrize("version", framing.OCPP_VERSIONS)
def test_cancel_racing_the_payment_never_keeps_the_money(pool: Pool, version: str) -> None:
    """The driver pays and presses cancel at the same moment: either the session starts (and
    settles on its energy) or no money is held; never both, never neither."""
    csms = pool.get()

    async def one(station: Station, evse: int, cancel_first: bool) -> None:
        shown = await show_code(station, evse)
        steps = [csms.apay(shown.reference or ""), station.cancel_pay(evse)]
        await asyncio.gather(*(reversed(steps) if cancel_first else steps))
        await asyncio.sleep(2 * QUIET)
        tx = station.transaction_on(evse)
        record = await csms.apayment(shown.reference or "")
        assert money_problems(record, tx is not None) == [], record
        if tx is not None:
            await station.wait_for(lambda: tx.responses, WAIT, "Started answered")
            await station.end_transaction(evse, 2_000)
            await settled(csms, shown.reference or "", "authorisation", 100)
        else:
            final = await csms.wait_payment(
                shown.reference or "", lambda r: not money_problems(r, False), WAIT
            )
            assert money_problems(final, False) == [], final

    async def scenario() -> None:
        async with station_on(csms, f"PAYCANCEL-{version}", version) as station:
            await asyncio.gather(one(station, 1, False), one(station, 2, True))
            assert violations(station) == []

    run(scenario)


@pytest.mark.parametrize("version", framing.OCPP_VERSIONS)
def test_a_second_press_racing_the_payment_never_keeps_the_money(pool: Pool, version: str) -> None:
    """The driver pays and presses "Pay with QR code" again (the refresh of step 2 against the
    payment of step 4), at the same moment or just after the pay is answered, while the station
    is slow to answer (0.3 s): the paid payment starts its session and settles, or no money is
    held; never two codes on one EVSE, and no code left on an EVSE that charges. Six stations x
    two EVSEs at once, as the outcome is a race."""
    csms = pool.get()

    async def one(station: Station, evse: int, together: bool) -> None:
        shown = await show_code(station, evse)
        if together:
            await asyncio.gather(csms.apay(shown.reference or ""), station.press_pay(evse))
        else:
            await pay(csms, shown.reference or "")
            await station.press_pay(evse)
        await asyncio.sleep(1.0)  # the slow station has answered everything by now
        tx = station.transaction_on(evse)
        record = await csms.apayment(shown.reference or "")
        assert money_problems(record, tx is not None) == [], record
        if tx is not None:
            await station.wait_for(lambda: tx.responses, WAIT, "Started answered")
            await station.wait_for(
                lambda: station.qr_on(evse) is None,
                WAIT,
                f"the screen of charging EVSE {evse} cleared",
            )
            await station.end_transaction(evse, 2_000)
            await settled(csms, shown.reference or "", "authorisation", 100)
        else:
            final = await csms.wait_payment(
                shown.reference or "", lambda r: not money_problems(r, False), WAIT
            )
            assert money_problems(final, False) == [], final
            await station.cancel_pay(evse)

    async def station_pair(number: int) -> None:
        async with station_on(csms, f"PAYPRESS-{version}-{number}", version) as station:
            station.answer_delay = 0.3
            await asyncio.gather(one(station, 1, True), one(station, 2, False))
            assert violations(station) == []

    async def scenario() -> None:
        await asyncio.gather(*(station_pair(number) for number in range(6)))

    run(scenario)


def test_payment_at_the_moment_of_expiry_never_keeps_the_money(pool: Pool) -> None:
    """A payment confirmed just as the code expires (lifetime 2 s, paid at 1.9-2.1 s): either the
    session starts or the money is given back, exactly once."""
    csms = pool.get(code_lifetime=2)

    async def one(number: int, offset: float) -> None:
        async with station_on(csms, f"EXPIRYRACE-{number}", "2.1") as station:
            shown = await show_code(station, 1)
            await asyncio.sleep(2 + offset)
            await csms.apay(shown.reference or "")
            await asyncio.sleep(3 * QUIET)
            tx = station.transaction_on(1)
            if tx is not None:
                await station.wait_for(lambda: tx.responses, WAIT, "Started answered")
                await station.end_transaction(1, 2_000)
                await settled(csms, shown.reference or "", "authorisation", 100)
            else:
                record = await csms.wait_payment(
                    shown.reference or "", lambda r: not money_problems(r, False), WAIT
                )
                assert money_problems(record, False) == [], record
            assert violations(station) == []

    async def scenario() -> None:
        await asyncio.gather(*(one(n, off) for n, off in enumerate((-0.1, -0.03, 0.0, 0.03, 0.1))))

    run(scenario)


def test_a_press_at_the_moment_of_refresh_leaves_one_live_code(pool: Pool) -> None:
    """Step 2 against step 8: the driver presses again just as the code expires (lifetime 2 s,
    pressed at 1.9-2.1 s): afterwards one code on the EVSE (never two at once), and exactly one
    live payment among all the codes it was sent."""
    csms = pool.get(code_lifetime=2)

    async def one(number: int, offset: float) -> None:
        async with station_on(csms, f"REFRESHRACE-{number}", "2.1") as station:
            first = await show_code(station, 1)
            await asyncio.sleep(2 + offset)
            reply = await station.press_pay(1)
            assert reply["status"] in ("Accepted", "Rejected"), reply
            await asyncio.sleep(3 * QUIET)
            shown = await station.wait_qr(1, WAIT)
            sets = [p for p in station.calls("SetDisplayMessage") if evse_of(p) == 1]
            # a new message id only after the old one was cleared (the station flags overlaps)
            ids = {p["message"]["id"] for p in sets}
            assert ids == {first.id} or first.id in station.cleared, (ids, station.cleared)
            references = {r for r in map(additional_reference, sets) if r}
            records = [await csms.apayment(r) for r in sorted(references)]
            live = [r["reference"] for r in records if r["state"] == "created"]
            assert live == [shown.reference], records
            await station.cancel_pay(1)
            assert violations(station) == []

    async def scenario() -> None:
        offsets = (-0.1, -0.03, 0.0, 0.03, 0.1)
        await asyncio.gather(*(one(number, offset) for number, offset in enumerate(offsets)))

    run(scenario)


# -- the provider's webhook ------------------------------------------------------------------


def test_webhook_with_bad_or_missing_signature_is_refused(pool: Pool) -> None:
    """Contract step 4: a webhook without a valid HMAC-SHA256 X-Signature gets 401 and changes
    nothing (the body is what a forger would send: a payment marked paid)."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "WEBHOOK-2.1", "2.1") as station:
            shown = await show_code(station, 1)
            body = json.dumps({"reference": shown.reference, "state": "paid"}).encode()
            wrong = hmac.new(b"not-the-secret", body, hashlib.sha256).hexdigest()
            for headers in ({}, {"X-Signature": f"sha256={wrong}"}, {"X-Signature": "sha256="}):
                status, _ = await csms.ahttp("POST", "/webhooks/payment", raw=body, headers=headers)
                assert status == 401, (headers, status)
            await asyncio.sleep(QUIET)
            assert station.calls("RequestStartTransaction") == []
            assert (await csms.apayment(shown.reference or ""))["state"] == "created"
            await station.cancel_pay(1)

    run(scenario)


def test_unknown_reference_is_404(pool: Pool) -> None:
    """Contract step 4: paying an unknown reference is 404."""
    csms = pool.get()

    async def scenario() -> None:
        status, _ = await csms.apay("NO-SUCH-REFERENCE")
        assert status == 404
        status, _ = await csms.ahttp("GET", "/simulator/payments/NO-SUCH-REFERENCE")
        assert status == 404

    run(scenario)


@VERSIONS
def test_paying_twice_starts_one_transaction(pool: Pool, version: str) -> None:
    """A replayed payment (the app retries): one RequestStartTransaction, one settlement."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"PAY2-{version}", version) as station:
            shown = await show_code(station, 1)
            await pay(csms, shown.reference or "")
            await csms.apay(shown.reference or "")
            await started(station, 1, shown)
            await asyncio.sleep(QUIET)
            assert len(station.calls("RequestStartTransaction")) == 1
            await station.end_transaction(1, 3_000)
            await settled(csms, shown.reference or "", "authorisation", 150)
            assert violations(station) == []

    run(scenario)


# -- under attack ----------------------------------------------------------------------------


def strays_after(station: Station, seen: int) -> Callable[[], list[Any]]:
    """Frames answering nothing we sent through ``Station.call``, after the first ``seen``."""
    return lambda: station.stray[seen:]


def call_error_after(station: Station, seen: int) -> Callable[[], list[framing.CallError]]:
    """The CALLERRORs answering nothing we sent that came after the first ``seen`` strays."""
    return lambda: [f for f in station.stray[seen:] if isinstance(f, framing.CallError)]


MALFORMED = [
    "this is not json",
    '{"not": "an array"}',
    "[]",
    '[2, 17, "Heartbeat", {}]',  # numeric message id
    '[2, "m-5", "Heartbeat", "payload"]',  # payload not an object
    '[2, "' + "9" * 40 + '", "Heartbeat", {}]',  # message id over 36 characters
    '[2, "m-7", "BootNotification", {"reason": "PowerUp"}]',  # schema: chargingStation missing
    '[7, "m-8", "Heartbeat", {}]',  # no such message type
    "[" * 100_000 + "]" * 100_000,  # nested past any JSON parser's recursion limit
    '[2, "m-14", "' + "A" * 10_000 + '", {}]',  # no such action, 10 000 characters long
]

# Readable frames whose content is odd (an integer of 5 000 digits, lone surrogates, NaN): any
# answer (CALLRESULT or CALLERROR) will do, as long as there is one and the connection stays.
ODD_FRAMES = [
    '[2, "m-10", "StatusNotification", {"timestamp": "2026-01-01T00:00:00Z", '
    '"connectorStatus": "Available", "evseId": 1' + "0" * 5000 + ', "connectorId": 1}]',
    '[2, "m-11", "Authorize", {"idToken": {"idToken": "\\ud800", "type": "ISO14443"}}]',
    '[2, "m-12", "DataTransfer", {"vendorId": "\\udfff", "messageId": "\\ud800"}]',
    '[2, "m-13", "Heartbeat", {"customData": {"vendorId": "x", "n": NaN}}]',
]


@VERSIONS
def test_malformed_frames_get_a_call_error_and_the_connection_stays(
    pool: Pool, version: str
) -> None:
    """Under attack / contract: a malformed frame gets a CALLERROR, the connection stays open."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"MALFORMED-{version}", version) as station:
            for text in MALFORMED:
                seen = len(station.stray)
                await station.send_raw(text)
                await station.wait_for(
                    call_error_after(station, seen), WAIT, f"CALLERROR for {text[:40]!r}"
                )
                assert station.connected, f"connection dropped after {text[:40]!r}"
            for text in ODD_FRAMES:
                seen = len(station.stray)
                await station.send_raw(text)
                await station.wait_for(
                    strays_after(station, seen), WAIT, f"an answer to {text[:40]!r}"
                )
                assert station.connected, f"connection dropped after {text[:40]!r}"
            await station.send_raw(b'[2, "bin-1", "Heartbeat", {}]')  # a binary frame
            await asyncio.sleep(QUIET)
            assert station.connected, "connection dropped after a binary frame"
            await station.heartbeat()
            assert violations(station) == []

    run(scenario)


def test_unsolicited_call_results_are_not_kept(pool: Pool) -> None:
    """Under attack: CALLRESULTs and CALLERRORs answering nothing are dropped, not queued
    (the issue saw ~50 MB held for one flooding station): the CSMS's RSS stays bounded."""
    csms = pool.get()
    padding = "x" * 4000

    async def scenario() -> None:
        async with station_on(csms, "FLOOD-2.1", "2.1") as station:
            await station.heartbeat()
            before = csms.rss_kib()
            for number in range(3000):  # ~12 MB of unsolicited frames
                await station.send_raw(json.dumps([3, f"u-{number}", {"pad": padding}]))
                if number % 500 == 0:
                    await station.send_raw(
                        json.dumps([4, f"e-{number}", "GenericError", padding, {}])
                    )
            await station.heartbeat()  # answered after all of them: they were read
            growth = csms.rss_kib() - before
            assert growth < 6_000, f"RSS grew {growth} KiB"
            assert station.connected

    run(scenario)


def test_memory_per_station_is_released_at_disconnect(pool: Pool) -> None:
    """Under attack: the CSMS must not keep every station it ever served (~64 KB each)."""
    csms = pool.get()

    async def one(number: int) -> None:
        async with station_on(csms, f"CHURN-{number:04d}", "2.1") as station:
            await station.heartbeat()

    async def batch(first: int, count: int) -> None:
        for start in range(first, first + count, 10):
            await asyncio.gather(*(one(n) for n in range(start, start + 10)))

    async def scenario() -> None:
        await batch(0, 50)  # warm up allocators and caches
        before = csms.rss_kib()
        await batch(50, 200)
        growth = csms.rss_kib() - before
        assert growth < 5_000, f"RSS grew {growth} KiB over 200 stations"

    run(scenario)


@VERSIONS
def test_two_presses_in_flight_at_once_give_one_code(pool: Pool, version: str) -> None:
    """D2, raced: two StartQRPayment frames sent back to back (the second before the first is
    answered) still give one message id, one code shown, one live payment."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"RACE2-{version}", version) as station:
            await press_until_accepted(station, 2)  # capability known (2.0.1)
            await station.cancel_pay(2)
            press = {"vendorId": QR_VENDOR, "messageId": "StartQRPayment", "data": {"evseId": 1}}
            for number in (1, 2):
                await station.send_raw(json.dumps([2, f"race-{number}", "DataTransfer", press]))
            replies = await station.wait_for(
                lambda: results_of(station) if len(results_of(station)) >= 2 else None,
                WAIT,
                "both answers",
            )
            assert all(r.payload["status"] == "Accepted" for r in replies), replies
            await station.wait_qr(1, WAIT)
            await asyncio.sleep(0.5)
            sets = [p for p in station.calls("SetDisplayMessage") if evse_of(p) == 1]
            assert len({p["message"]["id"] for p in sets}) == 1, sets
            references = {r for r in map(additional_reference, sets) if r}
            records = [await csms.apayment(r) for r in sorted(references)]
            assert [r["state"] for r in records].count("created") == 1, records
            await station.cancel_pay(1)
            assert violations(station) == []

    run(scenario)


ODD_DATA_TRANSFERS: list[tuple[str, str, Any, str]] = [
    (QR_VENDOR, "StartQRPayment", "{", "Rejected"),
    (QR_VENDOR, "StartQRPayment", "[1]", "Rejected"),
    (QR_VENDOR, "StartQRPayment", 5, "Rejected"),
    (QR_VENDOR, "StartQRPayment", None, "Rejected"),
    (QR_VENDOR, "StartQRPayment", {"evse": 1}, "Rejected"),
    (QR_VENDOR, "NoSuchMessage", {"evseId": 1}, "UnknownMessageId"),
    ("com.example.other", "StartQRPayment", {"evseId": 1}, "UnknownVendorId"),
]


@VERSIONS
def test_odd_data_transfers_get_a_schema_answer(pool: Pool, version: str) -> None:
    """DataTransfer (schema: Accepted, Rejected, UnknownMessageId, UnknownVendorId): a trigger
    whose data is not ``{"evseId": N}`` is Rejected; another vendor or message id is unknown."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"ODD-DT-{version}", version) as station:
            answers = []
            for vendor, message, data, _ in ODD_DATA_TRANSFERS:
                payload: dict[str, Any] = {"vendorId": vendor, "messageId": message}
                if data is not None:
                    payload["data"] = data
                answers.append((await station.call("DataTransfer", payload))["status"])
            assert answers == [expected for *_, expected in ODD_DATA_TRANSFERS]
            await asyncio.sleep(QUIET)
            assert station.calls("SetDisplayMessage") == []
            assert violations(station) == []

    run(scenario)


@pytest.mark.parametrize(
    "station_id",
    ["駅前-充電器-01", "station with spaces", "A" * 48, "x%2Fy"],
)
def test_unusual_station_ids_still_get_valid_unique_codes(pool: Pool, station_id: str) -> None:
    """D6 and the station id: whatever the identity (non-ASCII, spaces, the 48 characters OCPP
    allows), the code passes jpqr.validate (62-07 is ans, at most 25), its 62-07 differs per EVSE.
    (An identity over 48 characters is refused at the handshake: that is right, not tested.)"""
    csms = pool.get()

    async def scenario() -> None:
        path = urllib.parse.quote(station_id, safe="")
        station = Station(station_id, "2.1")
        try:
            await station.connect(f"ws://127.0.0.1:{csms.ocpp_port}/ocpp/{path}")
            await station.boot()
            first = await show_code(station, 1)
            second = await show_code(station, 2)
            assert first.terminal != second.terminal, (first, second)
            for evse in (1, 2):
                await station.cancel_pay(evse)
            assert violations(station) == []
        finally:
            await station.close()

    run(scenario)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/simulator/pay", b"not json"),
        ("POST", "/simulator/pay", b"{}"),
        ("POST", "/simulator/pay", b'{"reference": 5}'),
        ("POST", "/simulator/pay", b'["x"]'),
        ("GET", "/simulator/payments/..%2F..%2Fetc%2Fpasswd", b""),
        ("GET", "/simulator/payments/%00", b""),
        ("POST", "/webhooks/payment", b"\xff\xfe"),
        ("GET", "/no/such/endpoint", b""),
        ("GET", "/simulator/pay", b""),
        ("DELETE", "/simulator/payments", b""),
    ],
)
def test_bad_http_requests_get_a_4xx_and_the_csms_keeps_serving(
    pool: Pool, method: str, path: str, body: bytes
) -> None:
    """HTTP side: bad input gets a clear 4xx (never a 500 or a dropped connection)."""
    csms = pool.get()

    async def scenario() -> None:
        status, answer = await csms.ahttp(method, path, raw=body)
        assert 400 <= status < 500, (status, answer)
        status, _ = await csms.ahttp("GET", "/simulator/payments")
        assert status == 200

    run(scenario)


def test_station_ids_differing_in_case_are_two_stations(pool: Pool) -> None:
    """Identities are case-sensitive strings (OCPP-J part 4): CASE-a and CASE-A are two stations;
    cancelling one's code leaves the other's payable, and its start goes to the right one."""
    csms = pool.get()

    async def scenario() -> None:
        async with (
            station_on(csms, "CASE-a", "2.1") as lower,
            station_on(csms, "CASE-A", "2.0.1") as upper,
        ):
            lower_code = await show_code(lower, 1)
            upper_code = await show_code(upper, 1)
            assert lower_code.reference != upper_code.reference
            assert lower_code.terminal != upper_code.terminal
            await lower.cancel_pay(1)
            await pay(csms, upper_code.reference or "")
            await started(upper, 1, upper_code)
            assert lower.calls("RequestStartTransaction") == []
            await upper.end_transaction(1, 1_000)
            await settled(csms, upper_code.reference or "", "authorisation", 50)
            assert violations(lower) == [] and violations(upper) == []

    run(scenario)


@VERSIONS
def test_station_id_is_the_last_path_segment(pool: Pool, version: str) -> None:
    """Contract "Process": ws://host:port/<station id>, the id the LAST path segment: the same
    station reached through another path continues its session (same message id on refresh)."""
    csms = pool.get()

    async def scenario() -> None:
        station_id = f"PATH-{version}"
        async with station_on(csms, station_id, version, prefix="ocpp/v2/") as station:
            first = await show_code(station, 1)
            await station.reconnect(csms.url(station_id, "other/deeper/path/"))
            reply = await station.press_pay(1)
            assert reply["status"] == "Accepted", reply
            await asyncio.sleep(0.5)
            shown = station.qr_on(1)
            assert shown is not None and shown.id == first.id, (first, shown)
            await station.cancel_pay(1)
            assert violations(station) == []

    run(scenario)


@VERSIONS
def test_data_as_json_string_is_accepted(pool: Pool, version: str) -> None:
    """Contract step 2: ``data`` may be a JSON object or a JSON string of one."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, f"STRDATA-{version}", version) as station:
            await press_until_accepted(station, 2)  # capability known (2.0.1)
            await station.cancel_pay(2)
            reply = await station.press_pay(1, data_as_string=True)
            assert reply["status"] == "Accepted", reply
            await station.wait_qr(1, WAIT)
            await station.cancel_pay(1)
            assert violations(station) == []

    run(scenario)


def test_ended_for_an_unknown_transaction_is_answered_and_changes_nothing(pool: Pool) -> None:
    """A TransactionEvent Ended for a transaction the CSMS never started: answered per schema, no
    provider operation."""
    csms = pool.get()

    async def scenario() -> None:
        async with station_on(csms, "STRAY-END-2.0.1", "2.0.1") as station:
            before = [operations(p) for p in await csms.apayments()]
            tx = Transaction("NEVER-STARTED-1", 1, {"idToken": "X", "type": "Central"}, 99)
            await station.resend_ended(tx, 5_000)
            await asyncio.sleep(QUIET)
            assert [operations(p) for p in await csms.apayments()] == before
            assert violations(station) == []

    run(scenario)

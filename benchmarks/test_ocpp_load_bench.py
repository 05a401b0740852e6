"""Issue 11 item 5: 100 stations x 2 EVSEs at once against one ``examples/csms.py`` subprocess.

Every EVSE of every station runs the whole flow of the contract at the same time (trigger, code
shown and checked with ``jpqr.validate``, pay over HTTP, RequestStartTransaction, TransactionEvent
Started / Ended, capture or refund), with the schema-only station of ``tests/ocpp_station``. Then
every provider record is checked: one per code shown, each settled exactly as its own EVSE's energy
says (each EVSE delivers a different energy, so a crossed session shows as a wrong amount), and no
station saw a protocol violation. The latency of each step is reported as p50 / p99 (pytest-
benchmark ``extra_info`` and a printed table), never asserted.

Run: ``python -m pytest benchmarks/test_ocpp_load_bench.py --benchmark-enable -s``.
``JPQR_LOAD_STATIONS`` sets the number of stations (default 100; the short CI run may use e.g. 20);
``JPQR_CSMS`` / ``JPQR_CSMS_PYTHON`` choose the CSMS as in tests/ocpp_station/csms_process.py.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from tests.ocpp_station import framing
from tests.ocpp_station.csms_process import CsmsProcess, final_cost, settlement_problems
from tests.ocpp_station.station import Station

STATIONS = int(os.environ.get("JPQR_LOAD_STATIONS", "100"))
EVSES = (1, 2)
AMOUNT, TARIFF = 3000, 50
WAIT = 30.0  # seconds: the bound on any one reaction under load
STEPS = ("boot", "trigger", "pay", "start", "clear", "end", "settle", "flow")


class Latencies:
    """Seconds per step, collected from every flow."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    def add(self, step: str, began: float) -> float:
        now = time.perf_counter()
        self.samples[step].append(now - began)
        return now

    def percentiles(self) -> dict[str, tuple[float, float, int]]:
        """step -> (p50 ms, p99 ms, count)."""
        out = {}
        for step in STEPS:
            values = sorted(self.samples.get(step, []))
            if values:
                cuts = statistics.quantiles(values, n=100, method="inclusive")
                out[step] = (cuts[49] * 1000, cuts[98] * 1000, len(values))
        return out


def energy_of(station: int, evse: int) -> int:
    """A different energy for every EVSE (Wh), none on a half yen, some over the amount."""
    return 1_000 + 40 * (2 * station + evse) + (70_000 if station % 10 == 9 else 0)


async def evse_flow(
    csms: CsmsProcess, station: Station, number: int, evse: int, times: Latencies
) -> tuple[str, int, str, str]:
    """One EVSE through the whole contract flow; returns (reference, expected cost, 62-07 of its
    code, idToken of its transaction)."""
    began = time.perf_counter()
    deadline = began + WAIT
    while True:  # 2.0.1: Rejected until the CSMS knows QRCodeDisplay.Enabled (contract step 1)
        reply = await station.press_pay(evse)
        if reply["status"] == "Accepted" or time.perf_counter() > deadline:
            break
        await asyncio.sleep(0.05)
    assert reply["status"] == "Accepted", (station.id, evse, reply)
    code = await station.wait_qr(evse, WAIT)
    mark = times.add("trigger", began)
    assert code.reference
    status, body = await csms.apay(code.reference)
    assert status == 200, (code.reference, status, body)
    mark = times.add("pay", mark)
    tx = await station.wait_for(lambda: station.transaction_on(evse), WAIT, "remote start")
    await station.wait_for(lambda: tx.responses, WAIT, "Started answered")
    mark = times.add("start", mark)
    await station.wait_for(lambda: code.id in station.cleared, WAIT, "ClearDisplayMessage")
    mark = times.add("clear", mark)
    energy = energy_of(number, evse)
    await station.end_transaction(evse, energy)
    mark = times.add("end", mark)
    cost = final_cost(energy, TARIFF, AMOUNT)
    delay = 0.01
    while True:  # poll the provider's view with backoff until it settles (bounded)
        record = await csms.apayment(code.reference)
        if not settlement_problems(record, csms.model, AMOUNT, cost):
            break
        assert time.perf_counter() < deadline, record
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.2)
    times.add("settle", mark)
    times.add("flow", began)
    return code.reference, cost, code.terminal or "", tx.id_token["idToken"]


async def station_flow(
    csms: CsmsProcess, version: str, number: int, times: Latencies
) -> tuple[Station, list[tuple[str, int, str, str]]]:
    station = Station(f"LOAD-{version}-{number:03d}", version, evses=EVSES, call_timeout=WAIT)
    began = time.perf_counter()
    await station.connect(csms.url(station.id))
    try:
        await station.boot()
        times.add("boot", began)
        flows = [evse_flow(csms, station, number, evse, times) for evse in EVSES]
        return station, list(await asyncio.gather(*flows))
    finally:
        await station.close()


async def load(csms: CsmsProcess, version: str, times: Latencies) -> dict[str, Any]:
    runs = await asyncio.gather(*(station_flow(csms, version, n, times) for n in range(STATIONS)))
    flows = [flow for _, station_flows in runs for flow in station_flows]
    expected = {reference: cost for reference, cost, _, _ in flows}
    records = {record["reference"]: record for record in await csms.apayments()}
    # nothing lost or crossed: one record per code shown, each settled by its own EVSE's energy
    assert len(expected) == STATIONS * len(EVSES)
    assert set(records) == set(expected), set(records) ^ set(expected)
    wrong = {
        reference: problems
        for reference, cost in expected.items()
        if (problems := settlement_problems(records[reference], csms.model, AMOUNT, cost))
    }
    assert wrong == {}
    for station, _ in runs:
        assert station.violations == [], (station.id, station.violations)
        starts = station.calls("RequestStartTransaction")
        assert sorted(s["evseId"] for s in starts) == list(EVSES), (station.id, starts)
    for name, values in (("62-07", [f[2] for f in flows]), ("idToken", [f[3] for f in flows])):
        assert len(set(values)) == len(flows), f"{name} repeated across EVSEs"
    return records


def report(version: str, model: str, figures: dict[str, tuple[float, float, int]]) -> str:
    lines = [f"OCPP {version} {model}: {STATIONS} stations x {len(EVSES)} EVSEs at once",
             f"{'step':<8} {'p50 ms':>9} {'p99 ms':>9} {'n':>5}"]  # fmt: skip
    lines += [f"{s:<8} {p50:>9.1f} {p99:>9.1f} {n:>5}" for s, (p50, p99, n) in figures.items()]
    return "\n".join(lines)


@pytest.mark.parametrize("model", ["authorisation", "prepaid"])
@pytest.mark.parametrize("version", framing.OCPP_VERSIONS)
def test_ocpp_load(benchmark: Any, tmp_path: Path, version: str, model: str) -> None:
    csms = CsmsProcess(
        tmp_path / "load.sqlite3", model=model, amount=AMOUNT, tariff=TARIFF, code_lifetime=300
    )
    times = Latencies()
    csms.start()
    try:

        def once() -> None:
            asyncio.run(asyncio.wait_for(load(csms, version, times), 3 * WAIT))

        benchmark.pedantic(once, rounds=1, iterations=1)
    finally:
        csms.stop()
    figures = times.percentiles()
    assert figures["flow"][2] == STATIONS * len(EVSES)
    benchmark.extra_info["stations"] = STATIONS
    benchmark.extra_info["evses"] = STATIONS * len(EVSES)
    for step, (p50, p99, count) in figures.items():
        benchmark.extra_info[f"{step}_p50_ms"] = round(p50, 2)
        benchmark.extra_info[f"{step}_p99_ms"] = round(p99, 2)
        benchmark.extra_info[f"{step}_n"] = count
    print("\n" + report(version, model, figures))

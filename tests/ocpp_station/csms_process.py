"""``examples/csms.py`` as a black box: a subprocess, its ready line, its HTTP endpoints.

All of it follows the issue 11 contract, section "Process" and "The provider's view": the CSMS
prints ``jpqr-csms ready ocpp=<port> http=<port>`` once both servers listen, exits 0 within 5 s of
SIGTERM, keeps its state in ``--db``; ``POST /simulator/pay`` pays a reference and
``GET /simulator/payments/<reference>`` shows the provider's record.

``JPQR_CSMS`` (path of csms.py) and ``JPQR_CSMS_PYTHON`` (its interpreter) override the default,
this repository's ``examples/csms.py`` run by ``sys.executable``.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

REPOSITORY = Path(__file__).resolve().parents[2]
READY = re.compile(r"^jpqr-csms ready ocpp=(\d+) http=(\d+)$")
START_TIMEOUT = 20.0  # seconds; the ready line comes well within this on a loaded 2-core machine
STOP_TIMEOUT = 5.0  # contract: clean exit 0 within 5 s of SIGTERM


def csms_command() -> list[str]:
    """The interpreter and script to run (the environment overrides, else this repository's)."""
    script = os.environ.get("JPQR_CSMS") or str(REPOSITORY / "examples" / "csms.py")
    python = os.environ.get("JPQR_CSMS_PYTHON") or sys.executable
    return [python, script]


class CsmsProcess:
    """One running CSMS. Use as a context manager, or :meth:`start` / :meth:`stop`."""

    def __init__(
        self,
        db: Path,
        *,
        model: str = "authorisation",
        amount: int = 3000,
        tariff: int = 50,
        code_lifetime: float = 30,
        webhook_secret: str = "station-tests-secret",
        extra: tuple[str, ...] = (),
    ) -> None:
        self.db = db
        self.model = model
        self.amount = amount
        self.tariff = tariff
        self.webhook_secret = webhook_secret
        self.args = [
            "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--db", str(db),
            "--model", model, "--amount", str(amount), "--tariff", str(tariff),
            "--code-lifetime", f"{code_lifetime:g}", "--webhook-secret", webhook_secret, *extra,
        ]  # fmt: skip
        self.process: subprocess.Popen[str] | None = None
        self.ocpp_port = self.http_port = 0
        self.log = db.with_suffix(".log")
        self.exit_codes: list[int] = []
        self.stop_seconds: list[float] = []  # from SIGTERM to exit, per stop
        self.stdout: list[str] = []  # every line the process printed, over all its starts

    def start(self) -> CsmsProcess:
        """Start the process and wait (bounded) for its ready line."""
        log: IO[str] = self.log.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            [*csms_command(), *self.args],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=self.db.parent,
        )
        log.close()
        lines: queue.Queue[str | None] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None

        def read() -> None:
            for line in stdout:
                self.stdout.append(line)
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise TimeoutError(
                    f"no ready line in {START_TIMEOUT} s; log: {self.tail()}"
                ) from None
            if line is None:
                self.kill()
                raise RuntimeError(f"CSMS exited before its ready line; log: {self.tail()}")
            match = READY.match(line.strip())
            if match:
                self.ocpp_port, self.http_port = int(match[1]), int(match[2])
                return self

    def stop(self) -> int:
        """SIGTERM, wait up to 5 s (the contract's bound), then kill; returns the exit code."""
        process, self.process = self.process, None
        if process is None:
            return 0
        began = time.monotonic()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
            code = -9  # did not exit within the contract's 5 s
        self.exit_codes.append(code)
        self.stop_seconds.append(round(time.monotonic() - began, 2))
        return code

    def restart(self) -> CsmsProcess:
        """Stop and start again with the same ``--db`` (the ports change)."""
        self.stop()
        return self.start()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def __enter__(self) -> CsmsProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def tail(self, size: int = 3000) -> str:
        """The end of the CSMS's stderr log (for failure messages)."""
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-size:]
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kib(self) -> int:
        """The CSMS's resident memory (Linux /proc), for the bounded-memory checks."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status)[1])  # type: ignore[index]

    # -- OCPP and HTTP -------------------------------------------------------------------------

    def url(self, station_id: str, prefix: str = "") -> str:
        """``ws://127.0.0.1:<port>/<prefix><station id>`` (contract: the id is the last segment)."""
        return f"ws://127.0.0.1:{self.ocpp_port}/{prefix}{station_id}"

    def http(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
             raw: bytes | None = None) -> tuple[int, Any]:  # fmt: skip
        """One HTTP request to the CSMS; returns (status, parsed JSON body or None)."""
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}{path}", data=data, method=method
        )
        request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text.decode("utf-8", "replace")

    async def ahttp(self, method: str, path: str, body: Any = None,
                    headers: dict[str, str] | None = None, raw: bytes | None = None,
                    timeout: float = 10.0) -> tuple[int, Any]:  # fmt: skip
        """:meth:`http` on the event loop (HTTP/1.1, one connection a request), so that a test
        running many stations does not block their readers or queue on a thread pool."""
        data = raw if raw is not None else b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.http_port}",
                "Content-Type: application/json", f"Content-Length: {len(data)}",
                "Connection: close"]  # fmt: skip
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]

        async def exchange() -> bytes:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.http_port)
            try:
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
                await writer.drain()
                return await reader.read()
            finally:
                writer.close()

        response = await asyncio.wait_for(exchange(), timeout)
        header, _, text = response.partition(b"\r\n\r\n")
        status = int(header.split(b" ", 2)[1])
        if b"transfer-encoding: chunked" in header.lower():
            text = _unchunk(text)
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text.decode("utf-8", "replace")

    async def apay(self, reference: str) -> tuple[int, Any]:
        """:meth:`pay` on the event loop."""
        return await self.ahttp("POST", "/simulator/pay", {"reference": reference})

    async def apayment(self, reference: str) -> dict[str, Any]:
        """:meth:`payment` on the event loop."""
        status, body = await self.ahttp("GET", f"/simulator/payments/{reference}")
        assert status == 200, f"GET /simulator/payments/{reference}: {status} {body}"
        assert isinstance(body, dict)
        return body

    async def apayments(self) -> list[dict[str, Any]]:
        status, body = await self.ahttp("GET", "/simulator/payments")
        assert status == 200, f"GET /simulator/payments: {status} {body}"
        return list(body["payments"])

    async def wait_payment(
        self, reference: str, settled: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        """Poll the provider's record until ``settled(record)`` (bounded); the last record."""
        deadline = time.monotonic() + timeout
        while True:
            record = await self.apayment(reference)
            if settled(record) or time.monotonic() > deadline:
                return record
            await asyncio.sleep(0.05)

    def pay(self, reference: str) -> tuple[int, Any]:
        """The driver pays (contract step 4)."""
        return self.http("POST", "/simulator/pay", {"reference": reference})

    def payment(self, reference: str) -> dict[str, Any]:
        """The provider's view of one payment (must exist)."""
        status, body = self.http("GET", f"/simulator/payments/{reference}")
        assert status == 200, f"GET /simulator/payments/{reference}: {status} {body}"
        assert isinstance(body, dict)
        return body

    def payments(self) -> list[dict[str, Any]]:
        status, body = self.http("GET", "/simulator/payments")
        assert status == 200, f"GET /simulator/payments: {status} {body}"
        return list(body["payments"])


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, body = out + body[:size], body[size + 2 :]
    return out


def final_cost(energy_wh: float, tariff: int, amount: int) -> int:
    """Contract step 6: energy kWh x tariff, rounded to whole yen, capped at the amount.

    Computed here independently (half up, the usual rounding for money; tests avoid halves).

    >>> final_cost(12_345, 50, 3000)
    617
    >>> final_cost(100_000, 50, 3000)
    3000
    """
    cost = (Decimal(str(energy_wh)) / 1000 * tariff).quantize(Decimal(1), "ROUND_HALF_UP")
    return min(int(cost), amount)


def operations(record: dict[str, Any]) -> list[tuple[str, Decimal]]:
    """The provider record's operations as (op, amount) with amounts as Decimal."""
    return [(op["op"], Decimal(op.get("amount") or "0")) for op in record["operations"]]


STATES = {
    "created",
    "authorised",
    "paid",
    "captured",
    "released",
    "refunded",
    "cancelled",
    "expired",
}
OPERATIONS = {"pay", "authorise", "capture", "release", "refund", "cancel", "expire"}
AMOUNT_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def record_problems(record: dict[str, Any]) -> list[str]:
    """How a provider record breaks the shape of the contract's "The provider's view".

    >>> record_problems({"reference": "R1", "model": "prepaid", "state": "paid", "amount": "3000",
    ...     "authorised": "0", "captured": "3000", "refunded": "0", "released": "0",
    ...     "operations": [{"op": "pay", "amount": "3000"}]})
    []
    >>> record_problems({"reference": "R1", "model": "prepaid", "state": "done", "amount": 3000,
    ...     "authorised": "0", "captured": "0", "refunded": "0", "released": "0", "operations": []})
    ["state 'done'", 'amount 3000: expected a decimal string']
    """
    problems = []
    if record.get("model") not in ("prepaid", "authorisation"):
        problems.append(f"model {record.get('model')!r}")
    if record.get("state") not in STATES:
        problems.append(f"state {record.get('state')!r}")
    for name in ("amount", "authorised", "captured", "refunded", "released"):
        value = record.get(name)
        if not isinstance(value, str) or not AMOUNT_TEXT.match(value):
            problems.append(f"{name} {value!r}: expected a decimal string")
    for operation in record.get("operations") or []:
        if operation.get("op") not in OPERATIONS:
            problems.append(f"operation {operation!r}")
        amount = operation.get("amount")
        if not isinstance(amount, str) or not AMOUNT_TEXT.match(amount):
            problems.append(f"operation {operation!r}: amount not a decimal string")
    if not isinstance(record.get("operations"), list):
        problems.append("operations: expected a list")
    return problems


def settlement_problems(record: dict[str, Any], model: str, amount: int, cost: int) -> list[str]:
    """How a provider record differs from the contract's settlement of ``cost`` (empty: right).

    Contract "The provider's view" and step 7: prepaid = ``pay`` amount then ``refund`` of the
    unused part (none when zero); authorisation = ``authorise`` limit then ``capture`` of the
    cost and ``release`` of the rest; each of capture / release / refund at most once.
    """
    problems = record_problems(record)
    if problems:
        return problems
    found = operations(record)
    amount_d, cost_d, rest = Decimal(amount), Decimal(cost), Decimal(amount - cost)
    counts = {
        op: sum(1 for o, _ in found if o == op) for op in ("capture", "release", "refund", "cancel")
    }
    problems += [f"{op} {n} times" for op, n in counts.items() if n > 1]
    if counts["cancel"]:
        problems.append("cancelled after a paid session")
    if model == "prepaid":
        expected = [("pay", amount_d), ("refund", rest)]
        figures = {"captured": amount_d, "refunded": rest}
    else:
        expected = [("authorise", amount_d), ("capture", cost_d), ("release", rest)]
        figures = {"authorised": amount_d, "captured": cost_d, "released": rest}
    # an operation of 0 yen (nothing to refund, capture or release) may be recorded or not
    expected = [(o, a) for o, a in expected if a or o in ("pay", "authorise")]
    significant = [(o, a) for o, a in found if a or o in ("pay", "authorise")]
    if significant != expected:
        problems.append(f"operations {found}, expected {expected}")
    for name, value in figures.items():
        if Decimal(record.get(name) or "0") != value:
            problems.append(f"{name} {record.get(name)!r}, expected {value}")
    if record.get("model") != model:
        problems.append(f"model {record.get('model')!r}, expected {model}")
    return problems

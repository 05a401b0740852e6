"""A simulated QR payment provider: dynamic JPQR codes, payments in SQLite, signed webhooks.

It plays the wallet provider of the OCA white paper (model 2.2) on 127.0.0.1: the CSMS creates a
payment through its HTTP API (:class:`jpqr.ocpp.provider.HTTPPaymentProvider`), the "driver"
pays with ``POST /pay`` and the provider tells the CSMS with a webhook signed with HMAC-SHA256.
Its codes are real dynamic JPQR codes (``jpqr.Builder``), checked with ``jpqr.validate``.

Routes (under the prefix it is mounted at, ``/simulator`` in examples/csms.py)::

    POST /api/payments                     create  {reference, model, amount, lifetime, terminal}
    POST /api/payments/<ref>/<operation>   refresh | cancel | capture | release | refund
    POST /pay                              the driver pays {"reference": ...}
    GET  /payments, GET /payments/<ref>    the provider's view

Every money operation is recorded at most once per payment (idempotent), and a webhook not yet
answered with 200 is sent again when the simulator starts (it is marked in the database).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sqlite3
from collections.abc import Awaitable
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import jpqr

from . import http
from ._codes import check_code
from .provider import SIGNATURE_HEADER, sign

__all__ = ["SimulatedProvider", "payment_code"]

LOG = logging.getLogger("jpqr.ocpp.simulator")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sim_payment (
    reference TEXT PRIMARY KEY, model TEXT NOT NULL, amount TEXT NOT NULL, state TEXT NOT NULL,
    terminal TEXT NOT NULL, code TEXT NOT NULL, expires_at TEXT NOT NULL,
    authorised TEXT NOT NULL DEFAULT '0', captured TEXT NOT NULL DEFAULT '0',
    refunded TEXT NOT NULL DEFAULT '0', released TEXT NOT NULL DEFAULT '0',
    webhook_pending INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sim_operation (
    reference TEXT NOT NULL, seq INTEGER NOT NULL, op TEXT NOT NULL, amount TEXT NOT NULL,
    PRIMARY KEY (reference, seq));
"""

_ONCE = ("capture", "release", "refund", "cancel", "expire")


def payment_code(reference: str, amount: Decimal, terminal: str) -> str:
    """A dynamic JPQR code for one payment: 54 the amount, 62-05 the reference, 62-07 the EVSE.

    A real provider puts a one-time token in its code; so does this one (template 80), so every
    code, and every refresh, differs.

    >>> code = payment_code("EV2026112100000001", Decimal(3000), "CS-0001-1")
    >>> jpqr.validate(code).ok, jpqr.parse(code).additional_data.reference_label
    (True, 'EV2026112100000001')
    """
    code = (
        jpqr.Builder()
        .dynamic()
        .jpqr_identifier("0000000000001", "0001", "000001", "000001")
        .merchant_category_code("5552")  # electric vehicle charging
        .currency("JPY")
        .amount(amount)
        .country("JP")
        .merchant_name("EV CHARGING")
        .merchant_city("TOKYO")
        .postal_code("1000001")
        .language("JA", "EV充電")
        .reference_label(reference)
        .terminal_label(terminal)
        .unreserved("80", "jp.example.pay", **{"01": secrets.token_hex(8)})
        .to_payload()
    )
    check_code(code, "jpqr")  # never hand out a code a wallet would refuse
    return code


class SimulatedProvider:
    """The provider: state in SQLite at ``db_path``, webhooks to ``webhook_url`` under ``secret``.

    ``handle`` serves its HTTP routes (path without the mount prefix); call ``start()`` once the
    loop runs (it resends unanswered webhooks) and ``stop()`` at the end.
    """

    def __init__(self, db_path: str, webhook_url: str, secret: str) -> None:
        self.db = sqlite3.connect(db_path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.webhook_url = webhook_url
        self.secret = secret
        self._tasks: set[asyncio.Task[None]] = set()

    # --- the database ---------------------------------------------------------------------

    def _row(self, reference: str) -> dict[str, Any] | None:
        cursor = self.db.execute("SELECT * FROM sim_payment WHERE reference = ?", (reference,))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def view(self, reference: str) -> dict[str, Any] | None:
        """The provider's view of one payment, as ``GET /payments/<ref>`` returns it."""
        row = self._row(reference)
        if row is None:
            return None
        operations = [
            {"op": op, "amount": amount}
            for op, amount in self.db.execute(
                "SELECT op, amount FROM sim_operation WHERE reference = ? ORDER BY seq",
                (reference,),
            )
        ]
        return {
            "reference": reference,
            "model": row["model"],
            "state": row["state"],
            "amount": row["amount"],
            "authorised": row["authorised"],
            "captured": row["captured"],
            "refunded": row["refunded"],
            "released": row["released"],
            "terminal": row["terminal"],
            "expiresAt": row["expires_at"],
            "operations": operations,
        }

    def _record(self, reference: str, op: str, amount: Decimal, **columns: str) -> None:
        sets = ", ".join(f"{name} = ?" for name in columns)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            seq = self.db.execute(
                "SELECT COUNT(*) FROM sim_operation WHERE reference = ?", (reference,)
            ).fetchone()[0]
            self.db.execute(
                "INSERT INTO sim_operation VALUES (?, ?, ?, ?)", (reference, seq, op, str(amount))
            )
            if sets:
                self.db.execute(
                    f"UPDATE sim_payment SET {sets} WHERE reference = ?",
                    (*columns.values(), reference),
                )

    def _done(self, reference: str, op: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM sim_operation WHERE reference = ? AND op = ?", (reference, op)
            ).fetchone()
            is not None
        )

    # --- the provider's operations -----------------------------------------------------------

    def create(
        self, reference: str, model: str, amount: Decimal, lifetime_s: float, terminal: str
    ) -> dict[str, Any]:
        """A new payment (or the same one again, for a retried create)."""
        existing = self._row(reference)
        if existing is not None:
            return {
                "reference": reference,
                "code": existing["code"],
                "expiresAt": existing["expires_at"],
            }
        expires = datetime.now(timezone.utc) + timedelta(seconds=lifetime_s)
        code = payment_code(reference, amount, terminal)
        self.db.execute(
            "INSERT INTO sim_payment (reference, model, amount, state, terminal, code, expires_at)"
            " VALUES (?, ?, ?, 'created', ?, ?, ?)",
            (reference, model, str(amount), terminal, code, expires.isoformat()),
        )
        return {"reference": reference, "code": code, "expiresAt": expires.isoformat()}

    def refresh(self, reference: str, lifetime_s: float) -> tuple[int, dict[str, Any]]:
        """A new code and lifetime for an unpaid payment."""
        row = self._row(reference)
        if row is None:
            return 404, {"error": "unknown reference"}
        if row["state"] != "created":
            return 409, {"error": f"payment is {row['state']}"}
        expires = datetime.now(timezone.utc) + timedelta(seconds=lifetime_s)
        code = payment_code(reference, Decimal(row["amount"]), row["terminal"])
        self.db.execute(
            "UPDATE sim_payment SET code = ?, expires_at = ? WHERE reference = ?",
            (code, expires.isoformat(), reference),
        )
        return 200, {"reference": reference, "code": code, "expiresAt": expires.isoformat()}

    def pay(self, reference: str) -> tuple[int, dict[str, Any]]:
        """The driver pays (prepaid) or approves the reservation (authorisation)."""
        row = self._row(reference)
        if row is None:
            return 404, {"error": "unknown reference"}
        if row["state"] == "created":
            if datetime.fromisoformat(row["expires_at"]) <= datetime.now(timezone.utc):
                self._record(reference, "expire", Decimal(0), state="expired")
                return 409, {"reference": reference, "state": "expired"}
            amount = Decimal(row["amount"])
            if row["model"] == "prepaid":
                self._record(
                    reference,
                    "pay",
                    amount,
                    state="paid",
                    captured=str(amount),
                    webhook_pending="1",
                )
            else:
                self._record(
                    reference,
                    "authorise",
                    amount,
                    state="authorised",
                    authorised=str(amount),
                    webhook_pending="1",
                )
            self._spawn(self._send_webhook(reference))
        state = self._row(reference)["state"]  # type: ignore[index]
        code = 200 if state not in ("cancelled", "expired") else 409
        return code, {"reference": reference, "state": state}

    def settle(self, reference: str, op: str, amount: Decimal) -> tuple[int, dict[str, Any]]:
        """cancel / capture / release / refund, each at most once per payment."""
        row = self._row(reference)
        if row is None:
            return 404, {"error": "unknown reference"}
        state, model = row["state"], row["model"]
        if op in ("cancel", "expire"):
            if self._done(reference, "cancel") or self._done(reference, "expire"):
                return 200, self.view(reference) or {}
            if state != "created":
                return 409, {"error": f"payment is {state}, it cannot be cancelled"}
            self._record(
                reference, op, Decimal(0), state="cancelled" if op == "cancel" else "expired"
            )
            return 200, self.view(reference) or {}
        if self._done(reference, op):
            return 200, self.view(reference) or {}  # a retry: already done
        if amount < 0:
            return 400, {"error": "negative amount"}
        if op == "refund":
            if model != "prepaid" or state not in ("paid", "refunded"):
                return 409, {"error": f"cannot refund a {model} payment that is {state}"}
            if amount > Decimal(row["captured"]):
                return 409, {"error": "refund above the amount paid"}
            self._record(reference, op, amount, state="refunded", refunded=str(amount))
        else:  # capture, release
            if model != "authorisation" or state not in ("authorised", "captured", "released"):
                return 409, {"error": f"cannot {op} a {model} payment that is {state}"}
            left = Decimal(row["authorised"]) - Decimal(row["captured"]) - Decimal(row["released"])
            if amount > left:
                return 409, {"error": f"{op} of {amount} above the {left} still reserved"}
            if op == "capture":
                self._record(
                    reference,
                    op,
                    amount,
                    state="captured",
                    captured=str(Decimal(row["captured"]) + amount),
                )
            else:
                new_state = "captured" if Decimal(row["captured"]) > 0 else "released"
                self._record(
                    reference,
                    op,
                    amount,
                    state=new_state,
                    released=str(Decimal(row["released"]) + amount),
                )
        return 200, self.view(reference) or {}

    # --- webhooks --------------------------------------------------------------------------

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_webhook(self, reference: str) -> None:
        row = self._row(reference)
        if row is None:
            return
        event = "paid" if row["model"] == "prepaid" else "authorised"
        body = json.dumps(
            {
                "eventId": f"{reference}:{event}",  # the idempotency key of this event
                "reference": reference,
                "event": event,
                "amount": row["amount"],
                "timestamp": datetime.now(timezone.utc).isoformat(),
            }
        ).encode()
        delay = 0.05
        for _attempt in range(12):  # about 20 s in all, then the next start tries again
            try:
                status, _ = await http.request(
                    "POST", self.webhook_url, body, {SIGNATURE_HEADER: sign(body, self.secret)}
                )
                if status == 200:
                    self.db.execute(
                        "UPDATE sim_payment SET webhook_pending = 0 WHERE reference = ?",
                        (reference,),
                    )
                    return
                LOG.warning("webhook for %s answered %s", reference, status)
            except (OSError, asyncio.TimeoutError, ValueError) as error:
                LOG.warning("webhook for %s failed: %r", reference, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)

    def start(self) -> None:
        """Resend every webhook not yet answered with 200 (after a restart)."""
        for (reference,) in self.db.execute(
            "SELECT reference FROM sim_payment WHERE webhook_pending = 1"
        ).fetchall():
            self._spawn(self._send_webhook(reference))

    async def stop(self) -> None:
        """Cancel the webhooks in flight (they stay marked and go out at the next start)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.db.close()

    # --- HTTP ------------------------------------------------------------------------------

    async def handle(self, request: http.Request) -> http.Response:
        """Serve one request (path relative to the mount prefix)."""
        parts = [p for p in request.path.split("/") if p]
        try:
            document = request.json() if request.body else {}
            if not isinstance(document, dict):
                raise ValueError("expected a JSON object")
            if request.method == "GET" and parts == ["payments"]:
                rows = self.db.execute("SELECT reference FROM sim_payment ORDER BY rowid")
                return http.Response(200, {"payments": [self.view(r) for (r,) in rows]})
            if request.method == "GET" and len(parts) == 2 and parts[0] == "payments":
                found = self.view(parts[1])
                return http.Response(200, found) if found else http.Response(404, {})
            if request.method != "POST":
                return http.Response(404 if parts else 405, {"error": "no such route"})
            if parts == ["pay"]:
                return http.Response(*self.pay(str(document["reference"])))
            if parts == ["api", "payments"]:
                return http.Response(
                    200,
                    self.create(
                        str(document["reference"])[:25],
                        str(document["model"]),
                        Decimal(str(document["amount"])),
                        float(document["lifetime"]),
                        str(document["terminal"]),
                    ),
                )
            if len(parts) == 4 and parts[:2] == ["api", "payments"]:
                reference, op = parts[2], parts[3]
                if op == "refresh":
                    return http.Response(*self.refresh(reference, float(document["lifetime"])))
                if op == "cancel":
                    reason = "expire" if document.get("reason") == "expired" else "cancel"
                    return http.Response(*self.settle(reference, reason, Decimal(0)))
                if op in ("capture", "release", "refund"):
                    return http.Response(
                        *self.settle(reference, op, Decimal(str(document["amount"])))
                    )
            return http.Response(404, {"error": "no such route"})
        except (ValueError, KeyError, TypeError, InvalidOperation, jpqr.JPQRError) as err:
            return http.Response(400, {"error": f"bad request: {err}"})

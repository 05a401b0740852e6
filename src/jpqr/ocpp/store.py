"""Where a CSMS keeps QR payments: SQLite (standard library ``sqlite3``), one file.

Everything that must survive a reconnect or a restart lives here, per station id: the EVSEs it
reported, whether its QR display is enabled, its next display message id; per payment its state,
reference (62-05), message id, remote start id, final cost and whether the money was settled.
Counters (references, remote start ids) only grow, so a reference is never issued twice.

>>> store = Store(":memory:")
>>> store.next_number("reference"), store.next_number("reference")
(1, 2)
>>> store.station("CS-1").message_id_base
1000
>>> len(store.instance()), store.instance() == store.instance()
(5, True)
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

__all__ = ["PaymentRecord", "StationRecord", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS station (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, station_id TEXT UNIQUE NOT NULL,
    evses TEXT NOT NULL DEFAULT '[]', qr_display INTEGER, formats TEXT, content_length INTEGER,
    booted INTEGER NOT NULL DEFAULT 0,
    next_message_id INTEGER NOT NULL DEFAULT 1000);
CREATE TABLE IF NOT EXISTS payment (
    reference TEXT PRIMARY KEY, station_id TEXT NOT NULL, evse_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL, model TEXT NOT NULL, amount TEXT NOT NULL, state TEXT NOT NULL,
    code TEXT NOT NULL, expires_at TEXT NOT NULL, terminal TEXT NOT NULL,
    remote_start_id INTEGER, transaction_id TEXT, cost TEXT,
    start_accepted INTEGER NOT NULL DEFAULT 0, start_sent INTEGER NOT NULL DEFAULT 0,
    settled INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL DEFAULT 0,
    clear_pending INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS payment_station ON payment (station_id, evse_id);
CREATE INDEX IF NOT EXISTS payment_state ON payment (state);
CREATE UNIQUE INDEX IF NOT EXISTS payment_remote_start ON payment (remote_start_id);
CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_event (event_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class StationRecord:
    """A station as the CSMS remembers it."""

    seq: int
    station_id: str
    evses: frozenset[int]
    qr_display: bool | None
    formats: frozenset[str] | None  # DisplayMessageCtrlr.SupportedFormats, when reported
    content_length: int | None  # 2.1 OCPPCommCtrlr.FieldLength["MessageContentType.content"]
    booted: bool
    message_id_base: int


@dataclass(frozen=True)
class PaymentRecord:
    """One payment session (see :mod:`jpqr.ocpp.flow` for its states)."""

    reference: str
    station_id: str
    evse_id: int
    message_id: int
    model: str
    amount: Decimal
    state: str
    code: str
    expires_at: str
    terminal: str
    remote_start_id: int | None
    transaction_id: str | None
    cost: Decimal | None
    start_accepted: bool
    start_sent: int  # RequestStartTransactions sent for it (answered or not)
    settled: bool
    revision: int
    clear_pending: bool = False  # a ClearDisplayMessage owed to the station (it was away)


_PAYMENT_COLUMNS = [f.name for f in fields(PaymentRecord)]


class Store:
    """The CSMS's SQLite database at ``path`` (``":memory:"`` for tests)."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def instance(self) -> str:
        """Five base-36 characters drawn once per database, kept in it.

        References carry it, so two databases (two CSMS instances, or one recreated) never
        hand the provider the same reference on the same day.
        """
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        drawn = "".join(secrets.choice(alphabet) for _ in range(5))
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('instance', ?)", (drawn,))
        row = self.db.execute("SELECT value FROM meta WHERE name = 'instance'").fetchone()
        return str(row[0])

    def next_number(self, name: str) -> int:
        """The next value of a counter that never goes back (1, 2, ...)."""
        row = self.db.execute(
            "INSERT INTO counter VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 "
            "RETURNING value",
            (name,),
        ).fetchone()
        return int(row[0])

    # --- stations ------------------------------------------------------------------------

    def station(self, station_id: str) -> StationRecord:
        """The record of ``station_id``, created on first sight."""
        self.db.execute("INSERT OR IGNORE INTO station (station_id) VALUES (?)", (station_id,))
        seq, evses, qr, formats, length, booted, base = self.db.execute(
            "SELECT seq, evses, qr_display, formats, content_length, booted, next_message_id "
            "FROM station "
            "WHERE station_id = ?",
            (station_id,),
        ).fetchone()
        return StationRecord(
            seq,
            station_id,
            frozenset(json.loads(evses)),
            None if qr is None else bool(qr),
            None if formats is None else frozenset(formats.split(",")),
            length,
            bool(booted),
            base,
        )

    def update_station(self, station_id: str, **columns: Any) -> None:
        """Set columns of a station (``evses`` as a collection of ints)."""
        if "evses" in columns:
            columns["evses"] = json.dumps(sorted(columns["evses"]))
        sets = ", ".join(f"{name} = ?" for name in columns)
        self.db.execute(
            f"UPDATE station SET {sets} WHERE station_id = ?", (*columns.values(), station_id)
        )

    def next_message_id(self, station_id: str) -> int:
        """A display message id never used before at this station."""
        row = self.db.execute(
            "UPDATE station SET next_message_id = next_message_id + 1 WHERE station_id = ? "
            "RETURNING next_message_id - 1",
            (station_id,),
        ).fetchone()
        return int(row[0])

    # --- payments ------------------------------------------------------------------------

    def add_payment(self, record: PaymentRecord) -> None:
        """Insert a new payment."""
        values = [getattr(record, name) for name in _PAYMENT_COLUMNS]
        values = [str(v) if isinstance(v, Decimal) else v for v in values]
        self.db.execute(
            f"INSERT INTO payment ({', '.join(_PAYMENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(values))})",
            values,
        )

    def update_payment(self, reference: str, **columns: Any) -> None:
        """Set columns of a payment."""
        values = [str(v) if isinstance(v, Decimal) else v for v in columns.values()]
        sets = ", ".join(f"{name} = ?" for name in columns)
        self.db.execute(f"UPDATE payment SET {sets} WHERE reference = ?", (*values, reference))

    def _payments(self, where: str, args: tuple[Any, ...]) -> list[PaymentRecord]:
        rows = self.db.execute(
            f"SELECT {', '.join(_PAYMENT_COLUMNS)} FROM payment WHERE {where}", args
        ).fetchall()
        return [_payment(row) for row in rows]

    def payment(self, reference: str) -> PaymentRecord | None:
        """The payment with this reference, if any."""
        found = self._payments("reference = ?", (reference,))
        return found[0] if found else None

    def payments(self, where: str = "1", *args: Any) -> list[PaymentRecord]:
        """Payments matching an SQL condition (for the CSMS's own queries)."""
        return self._payments(where, args)

    def open_payment(self, station_id: str, evse_id: int) -> PaymentRecord | None:
        """The payment at this EVSE that is not over yet (at most one), if any."""
        found = self._payments(
            "station_id = ? AND evse_id = ? AND state NOT IN "
            "('captured', 'released', 'refunded', 'cancelled', 'expired') ORDER BY rowid DESC",
            (station_id, evse_id),
        )
        return found[0] if found else None

    def remember_event(self, event_id: str) -> bool:
        """Record a webhook event id; False if it was seen before (a replay)."""
        cursor = self.db.execute("INSERT OR IGNORE INTO webhook_event VALUES (?)", (event_id,))
        return cursor.rowcount == 1


def _payment(row: tuple[Any, ...]) -> PaymentRecord:
    values = dict(zip(_PAYMENT_COLUMNS, row, strict=True))
    values["amount"] = Decimal(values["amount"])
    values["cost"] = None if values["cost"] is None else Decimal(values["cost"])
    values["start_accepted"] = bool(values["start_accepted"])
    values["settled"] = bool(values["settled"])
    values["clear_pending"] = bool(values["clear_pending"])
    return PaymentRecord(**values)

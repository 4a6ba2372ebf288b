"""The outbox: events per destination in the agent's SQLite, written with the finding state.

``enqueue`` runs inside the caller's state transaction (``scanner.app.agent.state``), so a scan's
finding changes and the events that report them are committed together or not at all: a crash
or ``kill -9`` at any moment loses neither. A row leaves the outbox only after its destination
took it (``settle``), so delivery is at-least-once; event ids are deterministic, so receivers
can drop the duplicates a crash between "sent" and "deleted" causes.

Each destination is bounded (``max_queue`` rows): beyond it the oldest rows are dropped and
counted in ``drops`` (reason ``queue_full``); refused events move to ``dead_letters`` with the
receiver's reason. Nothing disappears without a count. The tables are migration 2 of
``scanner.app.agent.state``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from reports.deliver.interface import Event, Receipt

STATES = ("ok", "retrying", "paused")


class Tx(Protocol):
    def execute(self, sql: str, params: Any = ()) -> Any: ...


class Db(Protocol):
    def transaction(self) -> AbstractContextManager[Any]: ...


def _now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Row:
    rowid: int
    event: Event
    attempts: int


@dataclass(slots=True)
class DestinationState:
    name: str
    state: str = "ok"
    next_attempt_at: float = 0.0
    """Epoch seconds before which the sender waits (backoff)."""
    failures: int = 0
    last_success: str | None = None
    last_error: str | None = None


def enqueue(tx: Tx, destination: str, events: Sequence[Event], *, max_queue: int,
            now: datetime | None = None) -> int:
    """Add ``events`` for ``destination`` inside ``tx``; returns how many old rows were dropped.

    An event already waiting (same id) is not added twice.
    """
    created = _now_iso(now)
    for e in events:
        tx.execute(
            "INSERT OR IGNORE INTO outbox (destination, event_id, payload, created)"
            " VALUES (?, ?, ?, ?)",
            (destination, e.id, json.dumps(e.ocsf, separators=(",", ":"), ensure_ascii=False),
             created),
        )
    depth: int = tx.execute("SELECT count(*) FROM outbox WHERE destination = ?",
                            (destination,)).fetchone()[0]
    extra = depth - max_queue
    if extra > 0:
        tx.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE destination = ?"
            " ORDER BY id LIMIT ?)", (destination, extra))
        count_drop(tx, destination, "queue_full", extra)
    return max(0, extra)


def count_drop(tx: Tx, destination: str, reason: str, n: int) -> None:
    tx.execute(
        "INSERT INTO drops (destination, reason, count) VALUES (?, ?, ?)"
        " ON CONFLICT (destination, reason) DO UPDATE SET count = count + excluded.count",
        (destination, reason, n))


def heartbeat_due(tx: Tx, destination: str, device: str, key: str, *, now: datetime,
                  period_s: float) -> bool:
    """True when the finding was last sent to ``destination`` ``period_s`` ago or longer."""
    if period_s <= 0:
        return False
    row = tx.execute("SELECT sent_at FROM sent_findings WHERE destination = ? AND device_id = ?"
                     " AND key = ?", (destination, device, key)).fetchone()
    if row is None:
        return True
    return (now - datetime.fromisoformat(row[0])).total_seconds() >= period_s


def mark_sent(tx: Tx, destination: str, device: str, key: str, now: datetime) -> None:
    tx.execute(
        "INSERT INTO sent_findings (destination, device_id, key, sent_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (destination, device_id, key) DO UPDATE SET sent_at = excluded.sent_at",
        (destination, device, key, _now_iso(now)))


def pending(db: Db, destination: str, *, limit: int, max_bytes: int) -> list[Row]:
    """The oldest rows of ``destination``, at most ``limit`` and about ``max_bytes`` of payload."""
    with db.transaction() as tx:
        rows = tx.execute(
            "SELECT id, event_id, payload, attempts FROM outbox WHERE destination = ?"
            " ORDER BY id LIMIT ?", (destination, limit)).fetchall()
    out: list[Row] = []
    size = 0
    for r in rows:
        size += len(r[2])
        if out and size > max_bytes:
            break
        out.append(Row(r[0], Event(r[1], json.loads(r[2])), r[3]))
    return out


def settle(db: Db, destination: str, rows: Sequence[Row], receipt: Receipt,
           now: datetime | None = None) -> None:
    """Delete what was delivered, dead-letter what was refused, count an attempt on the rest."""
    by_id = {r.event.id: r for r in rows}
    at = _now_iso(now)
    with db.transaction() as tx:
        for event_id in receipt.done:
            if event_id in by_id:
                tx.execute("DELETE FROM outbox WHERE id = ?", (by_id[event_id].rowid,))
        for event_id, why in receipt.dead.items():
            if (row := by_id.get(event_id)) is None:
                continue
            tx.execute("INSERT INTO dead_letters (destination, event_id, payload, error, at)"
                       " SELECT destination, event_id, payload, ?, ? FROM outbox WHERE id = ?",
                       (why, at, row.rowid))
            tx.execute("DELETE FROM outbox WHERE id = ?", (row.rowid,))
        for event_id, why in receipt.retry.items():
            if (row := by_id.get(event_id)) is not None:
                tx.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                           (why, row.rowid))


def attempt_failed(db: Db, rows: Sequence[Row], why: str) -> None:
    with db.transaction() as tx:
        for r in rows:
            tx.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                       (why, r.rowid))


def load_state(db: Db, name: str) -> DestinationState:
    with db.transaction() as tx:
        r = tx.execute("SELECT state, next_attempt_at, failures, last_success, last_error"
                       " FROM delivery WHERE destination = ?", (name,)).fetchone()
    return DestinationState(name) if r is None else DestinationState(name, *r)


def save_state(db: Db, s: DestinationState) -> None:
    with db.transaction() as tx:
        tx.execute(
            "INSERT OR REPLACE INTO delivery (destination, state, next_attempt_at, failures,"
            " last_success, last_error) VALUES (?, ?, ?, ?, ?, ?)",
            (s.name, s.state, s.next_attempt_at, s.failures, s.last_success, s.last_error))


def health(db: Db, name: str, now: datetime | None = None) -> dict[str, Any]:
    """Queue depth, oldest unsent age, last success, drops and dead letters of one destination."""
    now = now or datetime.now(UTC)
    s = load_state(db, name)
    with db.transaction() as tx:
        depth, oldest = tx.execute(
            "SELECT count(*), min(created) FROM outbox WHERE destination = ?", (name,)
        ).fetchone()
        drops = dict(tx.execute("SELECT reason, count FROM drops WHERE destination = ?",
                                (name,)).fetchall())
        dead = tx.execute("SELECT count(*) FROM dead_letters WHERE destination = ?",
                          (name,)).fetchone()[0]
    age = (now - datetime.fromisoformat(oldest)).total_seconds() if oldest else None
    return {"destination": name, "state": s.state, "queue_depth": depth,
            "oldest_unsent_s": None if age is None else round(age, 3),
            "last_success": s.last_success, "failures": s.failures, "last_error": s.last_error,
            "dropped": drops, "dropped_total": sum(drops.values()), "dead_letters": dead}


def dead_letters(db: Db, name: str) -> Iterator[tuple[str, str]]:
    with db.transaction() as tx:
        rows = tx.execute("SELECT event_id, error FROM dead_letters WHERE destination = ?"
                          " ORDER BY id", (name,)).fetchall()
    yield from ((r[0], r[1]) for r in rows)


__all__ = ["DestinationState", "Row", "attempt_failed", "count_drop", "dead_letters",
           "enqueue", "health", "heartbeat_due", "load_state", "mark_sent", "pending",
           "save_state", "settle"]

"""The agent's memory in SQLite: devices, rounds, scans and the state of every finding.

One file (path configurable), WAL journal, ``synchronous=FULL``, foreign keys on. Every write is
one transaction, so a crash or ``kill -9`` keeps all of a scan or none of it, and reopening the
file after a crash just works. ``State.transaction()`` hands out that transaction so callers can
add their own rows to it (the SIEM outbox is written in the same transaction as the finding state).

**Threads.** One connection per ``State``, guarded by one re-entrant lock: a transaction holds the
lock from ``BEGIN IMMEDIATE`` to ``COMMIT``, and every read takes it too, so scanner threads can
share one ``State`` and never see each other's uncommitted rows. SQLite serialises writers anyway;
keep transactions short (no phone or network I/O inside). A ``Transaction`` belongs to the thread
that opened it. Another process (``msgscan scan --once`` beside a daemon) waits up to the busy
timeout for the write lock.

**Migrations.** ``MIGRATIONS`` is a list of SQL scripts applied in order; ``PRAGMA user_version``
counts those applied. Never edit a released script: append a new one. Enumerated columns (states,
lifecycles) carry no CHECK constraint, because changing one in SQLite means rebuilding the table;
the enums below validate them instead.

Times are timezone-aware datetimes in, UTC ISO-8601 strings (fixed width, so they sort) stored.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import structlog

from checks.drift import Drift, FindingKey, Lifecycle, Tracked, diff
from checks.findings import Finding
from scanner.app.agent import migrations
from scanner.app.agent.columns import (
    _FIELDS,
    _FINDING_COLUMNS,
    _device,
    _finding_values,
    _insert,
    _iso,
    _previous,
    _round,
    _scan,
    _time,
    _tracked,
    _values,
)
from scanner.app.agent.migrations import MIGRATIONS, SCHEMA_VERSION, StateError, migrate
from scanner.app.agent.rows import DeviceRow, DeviceState, FindingRow, RoundRow, ScanRow, Via
from scanner.files import make_private_dir

log = structlog.get_logger("msgscan.agent.state")


class Transaction:
    """One open SQLite transaction; usable only inside its ``with state.transaction()`` block."""

    __slots__ = ("_active", "_conn")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._active = True

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        if not self._active:
            raise RuntimeError("this transaction has ended: write inside its `with` block")
        return self._conn.execute(sql, params)

    def executemany(
        self, sql: str, rows: Sequence[Sequence[Any]] | Sequence[Mapping[str, Any]]
    ) -> sqlite3.Cursor:
        if not self._active:
            raise RuntimeError("this transaction has ended: write inside its `with` block")
        return self._conn.executemany(sql, rows)


class State:
    """The agent's state database. Open with ``State.open(path)``; safe to share across threads."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0

    @classmethod
    def open(cls, path: Path | str, *, busy_timeout_s: float = 10.0) -> State:
        """Open (creating the file and its folders) and migrate the state database at ``path``."""
        path = Path(path)
        hint = (
            f"check that {path} is msgscan's state database and that no other program holds it; "
            "move it aside to start with an empty state"
        )
        try:
            make_private_dir(path.parent)
            if not path.exists():  # SQLite gives its -wal and -shm files the database's mode
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
                os.chmod(path, 0o600)  # os.open's mode is masked by the umask; say it exactly
        except OSError as e:
            raise StateError(
                f"cannot create the state database {path}: {e.strerror}",
                hint="set the agent's state path to a folder it can write",
            ) from e
        try:
            conn = sqlite3.connect(
                path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as e:
            raise StateError(f"cannot open the state database {path}: {e}", hint=hint) from e
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            migrations.refuse_foreign(conn, path)  # before WAL, which is written into the file
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise StateError(
                    f"{path}: SQLite cannot use its write-ahead log here (journal mode {mode})",
                    hint="put the state database on a local filesystem",
                )
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, path)
        except sqlite3.Error as e:
            conn.close()
            raise StateError(f"cannot use the state database {path}: {e}", hint=hint) from e
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One atomic write: all of it is committed at the end of the block, or none on an error.

        Nested blocks (in the same thread) become savepoints of the outer transaction.
        """
        with self._lock:
            depth = self._depth
            try:
                self._conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT s{depth}")
            except sqlite3.OperationalError as e:
                raise StateError(
                    f"cannot write the state database {self.path}: {e}",
                    hint="another msgscan process holds it; wait for it to finish or stop it",
                ) from e
            self._depth += 1
            tx = Transaction(self._conn)
            try:
                yield tx
                tx._active = False
                self._conn.execute("COMMIT" if depth == 0 else f"RELEASE s{depth}")
            except BaseException as e:
                tx._active = False
                if depth == 0:
                    if self._conn.in_transaction:  # SQLite may have rolled back already
                        self._conn.execute("ROLLBACK")
                else:
                    self._conn.execute(f"ROLLBACK TO s{depth}")
                    self._conn.execute(f"RELEASE s{depth}")
                if isinstance(e, sqlite3.Error) and depth == 0:
                    raise self._write_failed(e) from e
                raise
            finally:
                self._depth = depth

    def _write_failed(self, e: sqlite3.Error) -> StateError:
        """A write SQLite refused (disk full, I/O error), rolled back: nothing half-written stays,
        and what was queued before (scans, findings, undelivered events) is still there."""
        full = getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in str(e)
        return StateError(
            f"cannot write the state database {self.path}: {e}",
            hint=(
                "free space on its filesystem, then run the agent again"
                if full
                else "check the filesystem it is on"
            )
            + "; this write was rolled back, and events "
            "queued before it stay queued",
        )

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            rows: list[sqlite3.Row] = self._conn.execute(sql, params).fetchall()
            return rows

    # -- rounds and devices ------------------------------------------------------------------

    def begin_round(self, at: datetime) -> int:
        with self.transaction() as tx:
            cursor = tx.execute("INSERT INTO rounds (started) VALUES (?)", (_iso(at),))
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def finish_round(
        self, round_id: int, at: datetime, *, devices_seen: int, scanned: int, failed: int
    ) -> None:
        with self.transaction() as tx:
            row = tx.execute("SELECT started FROM rounds WHERE id = ?", (round_id,)).fetchone()
            if row is None:
                raise StateError(
                    f"round {round_id} is not in the state database {self.path}",
                    hint="finish only a round that begin_round() returned and prune() kept",
                )
            duration = (at - _time(row[0])).total_seconds()
            tx.execute(
                "UPDATE rounds SET finished = ?, devices_seen = ?, scanned = ?, failed = ?,"
                " duration_s = ? WHERE id = ?",
                (_iso(at), devices_seen, scanned, failed, duration, round_id),
            )

    def seen_device(
        self,
        device_id: str,
        *,
        via: Via,
        state: DeviceState,
        at: datetime,
        error: str | None = None,
        model: str | None = None,
    ) -> None:
        """Record that ``device_id`` was found (or scanned) in ``state`` at ``at``.

        A model of None keeps the one known before; ``error`` replaces the last error. An id
        that is a retired history (``DeviceRow.retired``) is no phone's: the history moves aside
        first (``lineage.retire``, to ``<id>~n``), whole and still retired, and the phone starts
        the id again, so no attempt, failed or clean, writes into it.
        """
        when = _iso(at)
        with self.transaction() as tx:
            row = tx.execute("SELECT retired FROM devices WHERE id = ?", (device_id,)).fetchone()
            if row is not None and row[0] is not None:
                from scanner.app.agent import lineage  # it builds on this module

                why = f"replaced: {device_id} is an earlier phone's retired history"
                moved = lineage.retire(tx, device_id, why=why, at=at)
                log.warning("device.retired_history_moved", device=device_id, history=moved)
            tx.execute(
                "INSERT INTO devices"
                " (id, via, first_seen, last_seen, last_state, last_error, model)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET via = excluded.via,"
                " last_seen = excluded.last_seen,"
                " last_state = excluded.last_state, last_error = excluded.last_error,"
                " model = coalesce(excluded.model, devices.model)",
                (device_id, Via(via).value, when, when, DeviceState(state).value, error, model),
            )

    def devices(self) -> list[DeviceRow]:
        return [_device(r) for r in self._rows("SELECT * FROM devices ORDER BY id")]

    def last_round(self) -> RoundRow | None:
        rows = self._rows("SELECT * FROM rounds ORDER BY id DESC LIMIT 1")
        return _round(rows[0]) if rows else None

    # -- scans and findings ------------------------------------------------------------------

    def apply_scan(
        self,
        tx: Transaction,
        *,
        scan: ScanRow,
        findings: Sequence[Finding] | None,
        switched_off: frozenset[str] = frozenset(),
        resolve: bool = True,
    ) -> Drift:
        """Record ``scan`` and move its phone's findings on, inside ``tx``; returns the drift.

        ``findings`` None means the scan never got to evaluate anything (unauthorized, busy,
        offline): the scan is recorded and no finding changes. The phone must have been recorded
        with ``seen_device`` first. ``switched_off``: the check ids the policy switched off
        (``checks.drift.diff``); ``resolve`` False: the scan closes nothing (``diff``).
        """
        row = tx.execute("SELECT retired FROM devices WHERE id = ?", (scan.device_id,)).fetchone()
        if row is None or row[0] is not None:
            what = "is not in" if row is None else "is a retired history in"
            raise StateError(
                f"device {scan.device_id} {what} the state database {self.path}",
                hint="record the phone with seen_device() before its scan",
            )
        tx.execute(_insert("scans", _FIELDS[ScanRow]), _values(scan))
        previous = _previous(tx, scan.device_id)
        drift = diff(
            previous,
            findings or (),
            complete=scan.complete and findings is not None,
            at=scan.finished,
            switched_off=switched_off if findings is not None else frozenset(),
            resolve=resolve,
        )
        written = [row for row in drift.rows if previous.get(row.key) != row]
        tx.executemany(
            _insert("findings", _FINDING_COLUMNS, replace=True),
            [_finding_values(scan.device_id, row, scan.id) for row in written],
        )
        gone = previous.keys() - {row.key for row in drift.rows}  # diff keeps every key: a guard
        tx.executemany(
            "DELETE FROM findings WHERE device_id = ? AND key = ?",
            [(scan.device_id, str(key)) for key in gone],
        )
        tx.execute("UPDATE devices SET last_scan_id = ? WHERE id = ?", (scan.id, scan.device_id))
        return drift

    def previous(self, device_id: str) -> dict[FindingKey, Tracked]:
        """Every stored finding of the phone (open and resolved), as ``checks.drift.diff`` takes."""
        rows = self._rows("SELECT * FROM findings WHERE device_id = ?", (device_id,))
        return {t.key: t for t in map(_tracked, rows)}

    def open_findings(self, device_id: str | None = None) -> list[FindingRow]:
        sql = "SELECT * FROM findings WHERE lifecycle != ?"
        params: list[Any] = [Lifecycle.RESOLVED.value]
        if device_id is not None:
            sql += " AND device_id = ?"
            params.append(device_id)
        rows = self._rows(sql + " ORDER BY device_id, key", params)
        return [FindingRow(r["device_id"], _tracked(r), r["last_scan_id"]) for r in rows]

    def last_scans(self) -> list[ScanRow]:
        """The last scan recorded for each phone, by device id."""
        rows = self._rows(
            "SELECT scans.* FROM devices JOIN scans ON scans.id = devices.last_scan_id"
            " ORDER BY devices.id"
        )
        return [_scan(r) for r in rows]

    def history(self, device_id: str, limit: int = 50) -> list[ScanRow]:
        """The phone's scans, newest first."""
        rows = self._rows(
            "SELECT * FROM scans WHERE device_id = ? ORDER BY started DESC, rowid DESC LIMIT ?",
            (device_id, limit),
        )
        return [_scan(r) for r in rows]

    def prune(self, before: datetime) -> int:
        """Delete history older than ``before``; returns how many rows went.

        Goes: scans started before it (except each phone's last scan), rounds started before it
        that no remaining scan belongs to, and findings resolved before it. Stays: every device
        and every open finding.
        """
        cutoff = _iso(before)
        with self.transaction() as tx:
            scans = tx.execute(
                "DELETE FROM scans WHERE started < ? AND id NOT IN"
                " (SELECT last_scan_id FROM devices WHERE last_scan_id IS NOT NULL)"
                # and each phone's last evaluated scan: the fleet page's last known results
                " AND id NOT IN (SELECT s.id FROM scans s WHERE s.verdict IS NOT NULL"
                " AND s.rowid = (SELECT max(s2.rowid) FROM scans s2"  # known.last_known's
                " WHERE s2.device_id = s.device_id AND s2.verdict IS NOT NULL))",
                (cutoff,),
            ).rowcount
            rounds = tx.execute(
                "DELETE FROM rounds WHERE started < ? AND id NOT IN"
                " (SELECT round_id FROM scans WHERE round_id IS NOT NULL)",
                (cutoff,),
            ).rowcount
            findings = tx.execute(
                "DELETE FROM findings WHERE lifecycle = ? AND resolved_at < ?",
                (Lifecycle.RESOLVED.value, cutoff),
            ).rowcount
        log.info("state.pruned", scans=scans, rounds=rounds, findings=findings)
        return scans + rounds + findings


__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "DeviceRow",
    "DeviceState",
    "FindingRow",
    "RoundRow",
    "ScanRow",
    "State",
    "StateError",
    "Transaction",
    "Via",
]

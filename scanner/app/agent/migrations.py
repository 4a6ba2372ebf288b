"""The state database's schema, as the list of SQL scripts that build it, and ``migrate``.

``PRAGMA user_version`` counts the scripts applied. Never edit a released script: append one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import structlog

from checks.errors import MsgscanError

log = structlog.get_logger("msgscan.agent.state")


class StateError(MsgscanError):
    """The state database cannot be used (newer schema, not a database, locked, unwritable)."""


MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE devices (
        id           TEXT PRIMARY KEY,
        via          TEXT NOT NULL,
        first_seen   TEXT NOT NULL,
        last_seen    TEXT NOT NULL,
        last_state   TEXT NOT NULL,
        last_error   TEXT,
        model        TEXT,
        last_scan_id TEXT REFERENCES scans(id) ON DELETE SET NULL
    );
    CREATE TABLE rounds (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        started      TEXT NOT NULL,
        finished     TEXT,
        devices_seen INTEGER,
        scanned      INTEGER,
        failed       INTEGER,
        duration_s   REAL
    );
    CREATE TABLE scans (
        id          TEXT PRIMARY KEY,
        round_id    INTEGER REFERENCES rounds(id) ON DELETE SET NULL,
        device_id   TEXT NOT NULL REFERENCES devices(id),
        started     TEXT NOT NULL,
        finished    TEXT NOT NULL,
        state       TEXT NOT NULL,
        complete    INTEGER NOT NULL CHECK (complete IN (0, 1)),
        verdict     TEXT,
        score       REAL,
        failed      INTEGER NOT NULL DEFAULT 0,
        report_path TEXT,
        error       TEXT
    );
    CREATE INDEX scans_device ON scans(device_id, started);
    CREATE INDEX scans_round ON scans(round_id);
    CREATE INDEX scans_started ON scans(started);
    CREATE TABLE findings (
        device_id    TEXT NOT NULL REFERENCES devices(id),
        key          TEXT NOT NULL,
        check_id     TEXT NOT NULL,
        package      TEXT,
        user_id      INTEGER,
        status       TEXT NOT NULL,
        severity     TEXT NOT NULL,
        title        TEXT NOT NULL,
        lifecycle    TEXT NOT NULL,
        first_seen   TEXT NOT NULL,
        last_seen    TEXT NOT NULL,
        resolved_at  TEXT,
        waived       INTEGER NOT NULL DEFAULT 0 CHECK (waived IN (0, 1)),
        last_scan_id TEXT REFERENCES scans(id) ON DELETE SET NULL,
        PRIMARY KEY (device_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX findings_lifecycle ON findings(lifecycle, resolved_at);
    CREATE INDEX findings_scan ON findings(last_scan_id);
    CREATE INDEX devices_scan ON devices(last_scan_id);
    """,
    # 2: the SIEM outbox per destination (reports.deliver.spool), written in the same
    # transaction as the finding state; delivery state, drop counters, dead letters, and when
    # each open finding was last sent (heartbeats).
    """
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        destination TEXT NOT NULL,
        event_id    TEXT NOT NULL,
        payload     TEXT NOT NULL,
        created     TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        UNIQUE (destination, event_id)
    );
    CREATE INDEX outbox_destination ON outbox(destination, id);
    CREATE TABLE dead_letters (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        destination TEXT NOT NULL,
        event_id    TEXT NOT NULL,
        payload     TEXT NOT NULL,
        error       TEXT NOT NULL,
        at          TEXT NOT NULL
    );
    CREATE TABLE delivery (
        destination     TEXT PRIMARY KEY,
        state           TEXT NOT NULL DEFAULT 'ok',
        next_attempt_at REAL NOT NULL DEFAULT 0,
        failures        INTEGER NOT NULL DEFAULT 0,
        last_success    TEXT,
        last_error      TEXT
    );
    CREATE TABLE drops (
        destination TEXT NOT NULL,
        reason      TEXT NOT NULL,
        count       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (destination, reason)
    ) WITHOUT ROWID;
    CREATE TABLE sent_findings (
        destination TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        key         TEXT NOT NULL,
        sent_at     TEXT NOT NULL,
        PRIMARY KEY (destination, device_id, key)
    ) WITHOUT ROWID;
    """,
    # 3: signed attestations recorded by `msgscan attest` (scanner/app/agent/attestations.py)
    """
    CREATE TABLE attestations (
        id        INTEGER PRIMARY KEY,
        check_id  TEXT NOT NULL,
        device    TEXT,
        package   TEXT,
        by        TEXT NOT NULL,
        made_on   TEXT NOT NULL,
        until     TEXT,
        recorded  TEXT NOT NULL,
        document  BLOB NOT NULL
    );
    CREATE INDEX attestations_device ON attestations (device, check_id);
    """,
    # 4: who a phone seems to be (scanner/app/agent/identity.py): its device trait, so that a
    # phone swapped behind the same id starts a new history; and the last round in which two
    # phones answered as one id, whose history the next round does not advance either.
    # Old rows keep NULL: the first scan after the upgrade compares the model they kept.
    """
    ALTER TABLE devices ADD COLUMN trait TEXT;
    ALTER TABLE devices ADD COLUMN ambiguous_round INTEGER;
    """,
    # 5: which phone behind an id a row is (scanner/app/agent/lineage.py): ``lineage`` counts
    # the phones retired from the id before it (0: its first), so each phone's SIEM finding uids
    # are its own (``reports.render.ocsf.finding_uid``); ``siem_name``: the id a retired
    # history's events were sent under (NULL: its own id). Old rows are each id's first phone,
    # and a history retired under schema 4 keeps the name it was created again under.
    """
    ALTER TABLE devices ADD COLUMN lineage INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE devices ADD COLUMN siem_name TEXT;
    """,
    # 6: a retired history's lasting mark (scanner/app/agent/lineage.py): ``retired`` holds why
    # its phone was retired (NULL: the row is a live id). Until now the only mark was the row's
    # last state, 'replaced', which any attempt at the id (unauthorized, busy, offline, a
    # sighting) overwrote, so the next clean scan continued the history (review9).
    # Old rows: first, a live id that a re-retired history left its SIEM name on (``retire``
    # did not clear it: the row ``<id>~<lineage>`` it made is there) loses that name, which
    # belongs to the moved history. Then a row is retired when its state says so, or when it
    # carries a SIEM name (only a retired history has one now), or when its id is
    # ``<another row's id>~<digits>`` (every retired history's form; a history retired under
    # schema 4 has no SIEM name) and it is no live id a history was retired from (``retire``
    # made ``<id>~<lineage>`` from it and gave it that lineage). An id marked that way by
    # mistake is moved aside at its next attempt with its findings still open: never a finding
    # resolved that nobody fixed. Each rule reads other rows by primary key only (a fleet of
    # thousands migrates in one pass).
    """
    ALTER TABLE devices ADD COLUMN retired TEXT;
    UPDATE devices SET siem_name = NULL WHERE siem_name IS NOT NULL
        AND last_state != 'replaced'
        AND EXISTS (SELECT 1 FROM devices m WHERE m.id = devices.id || '~' || devices.lineage
                    AND m.siem_name = devices.siem_name);
    UPDATE devices SET retired = CASE WHEN last_state = 'replaced'
            THEN coalesce(last_error, 'replaced')
            ELSE 'replaced: a retired history (an attempt at its id overwrote its state'
                 || ' before state schema 6)' END
        WHERE last_state = 'replaced' OR siem_name IS NOT NULL
        OR (length(rtrim(id, '0123456789')) < length(id)
            AND substr(rtrim(id, '0123456789'), -1) = '~'
            AND EXISTS (SELECT 1 FROM devices p WHERE p.id = substr(rtrim(devices.id,
                        '0123456789'), 1, length(rtrim(devices.id, '0123456789')) - 1))
            AND NOT EXISTS (SELECT 1 FROM devices m
                            WHERE m.id = devices.id || '~' || devices.lineage));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> Iterator[str]:
    """The statements of ``script``, split where SQLite says one is complete."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {pending!r}")


def _schema_version(conn: sqlite3.Connection, path: Path) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StateError(
            f"{path} was written by a newer msgscan (state schema {version}; this msgscan "
            f"knows up to {SCHEMA_VERSION})",
            hint="upgrade msgscan, or point the agent at another state path",
        )
    return version


def refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse (StateError) a database msgscan did not make: schema 0 (``user_version`` unset)
    with tables in it. msgscan's first script runs in one transaction with ``user_version =
    1``, so no state of msgscan's is ever at 0 with a table; another program's database (a
    typo in the state path) is, and neither its journal mode nor its tables are touched. Any
    program may set ``user_version``: at 1 or more, msgscan's first tables must be there; a
    newer schema is refused here too, before the journal mode is set (review11)."""
    if version := _schema_version(conn, path):
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if missing := {"devices", "rounds", "scans", "findings"} - names:
            raise StateError(
                f"{path} is not msgscan's state database: its schema number {version} is set"
                f" but msgscan's tables are missing ({', '.join(sorted(missing))})",
                hint="point the agent's state path at msgscan's own database or at a new file",
            )
        return
    tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).fetchone()[0]
    if tables:
        raise StateError(
            f"{path} is not msgscan's state database: it holds {tables} table(s) msgscan did not"
            " make, and no msgscan schema",
            hint="point the agent's state path at msgscan's own database or at a new file",
        )


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the database at ``path`` to ``SCHEMA_VERSION``; refuses a newer one (StateError)."""
    if _schema_version(conn, path) == SCHEMA_VERSION:
        return  # current: no write lock needed
    conn.execute("BEGIN IMMEDIATE")  # re-read inside the lock: two processes may open at once
    try:
        version = _schema_version(conn, path)
        for n in range(version, SCHEMA_VERSION):
            for statement in statements(MIGRATIONS[n]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {n + 1}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if version < SCHEMA_VERSION:
        log.info("state.migrated", source=version, target=SCHEMA_VERSION)

"""review11: a state path at a database msgscan did not make, in the forms
``migrations.refuse_foreign`` did not think of, and a newer msgscan's state.

session 25 refused a database at schema 0 with tables. But ``PRAGMA user_version`` is any
program's to set (many apps count their own schema in it): another program's database at 2 or
6 was taken for msgscan's state. At 6, ``msgscan agent --history`` died with a traceback
(``no such table: devices``, exit 1); at 2 the migration failed (exit 2) but only after the
write-ahead log had been switched on in the file, as it was for a newer msgscan's state
(schema 7+) that this msgscan then refused: "nothing changed" was not true. Fixed in
``migrations.refuse_foreign`` (a database with a schema number must hold msgscan's tables;
a newer schema is refused before the journal mode is set).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _make(db: Path, version: int, *, journal: str = "delete") -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Anna Schmidt')")
    conn.commit()
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def _look(db: Path) -> tuple[str, list[str], int, int]:
    conn = sqlite3.connect(db)
    try:
        journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
        names = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        rows = int(conn.execute("SELECT count(*) FROM contacts").fetchone()[0])
        return journal, names, version, rows
    finally:
        conn.close()


def _history(tmp_path: Path, state: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "agent.toml"
    config.write_text(f'[agent]\nstate_dir = "{state}"\n[schedule]\nevery = "1h"\n')
    return subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "agent", "--config", str(config), "--history"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("version", [1, 2, 5, 6])
def test_another_programs_numbered_database_is_refused_untouched(
    tmp_path: Path, version: int
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    db = state / "msgscan.db"
    _make(db, version)
    done = _history(tmp_path, state)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "is not msgscan's state database" in done.stderr, done.stderr
    assert _look(db) == ("delete", ["contacts"], version, 1)


@pytest.mark.parametrize("version", [7, 42])
def test_a_newer_schema_is_refused_before_the_journal_changes(tmp_path: Path, version: int) -> None:
    from scanner.app.agent.state import State, StateError

    db = tmp_path / "newer.db"
    _make(db, version)
    conn = sqlite3.connect(db)  # a newer msgscan's tables, as far as this one knows them
    conn.executescript(
        "CREATE TABLE devices (id TEXT); CREATE TABLE rounds (id INTEGER);"
        "CREATE TABLE scans (id TEXT); CREATE TABLE findings (key TEXT);"
    )
    conn.close()
    with pytest.raises(StateError, match="newer msgscan"):
        State.open(db)
    journal, names, seen, rows = _look(db)
    assert (journal, seen, rows) == ("delete", version, 1)
    assert "contacts" in names


def test_msgscans_own_states_still_open(tmp_path: Path) -> None:
    """The refusal leaves msgscan's states alone: a new one, and one at every older schema."""
    from scanner.app.agent import migrations
    from scanner.app.agent.state import State

    for old in range(1, migrations.SCHEMA_VERSION + 1):
        db = tmp_path / f"s{old}.db"
        conn = sqlite3.connect(db, isolation_level=None)
        for n in range(old):
            for statement in migrations.statements(migrations.MIGRATIONS[n]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {old}")
        conn.close()
        with State.open(db) as state:
            assert state.devices() == []
    with State.open(tmp_path / "new.db") as state:
        assert state.devices() == []


def test_a_file_that_is_no_database_is_refused_and_kept(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    db = state / "msgscan.db"
    text = b"Vertrag Anna Schmidt\n" * 300
    db.write_bytes(text)
    done = _history(tmp_path, state)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert db.read_bytes() == text
    assert sorted(p.name for p in state.iterdir()) == ["msgscan.db"]

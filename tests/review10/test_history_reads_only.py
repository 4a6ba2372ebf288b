"""review10: ``msgscan agent --history`` lists; it must not write into a database that is not
msgscan's.

``--history`` takes care never to create a state database only to find nothing in it. Pointed
(a typo in ``[agent] database``) at an SQLite file of another program, it opens it as the state
and migrates it from schema 0 to the current one: msgscan's tables are added to a database it
does not own, by a command that only lists. Found by review10; fixed by the lead
(``migrations.refuse_foreign``): a database at schema 0 with tables is not msgscan's, and every
command that opens the state (the agent's rounds too) refuses it, exit 2, before it sets the
write-ahead log (a journal mode is written into the file).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _journal(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def _tables(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))
    finally:
        conn.close()


def test_history_leaves_a_foreign_database_as_it_was(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    db = state / "msgscan.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    config = tmp_path / "agent.toml"
    config.write_text(f'[agent]\nstate_dir = "{state}"\n[schedule]\nevery = "1h"\n')
    done = subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "agent", "--config", str(config), "--history"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "is not msgscan's state database" in done.stderr, done.stderr
    assert _tables(db) == ["contacts"], "a listing wrote msgscan's schema into the database"
    assert _journal(db) == "delete", "the listing switched the database to its own journal"


def test_the_agent_refuses_it_too_and_an_empty_file_is_a_new_state(tmp_path: Path) -> None:
    from scanner.app.agent.state import State, StateError

    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="1 table"):
        State.open(db)
    assert _tables(db) == ["contacts"] and _journal(db) == "delete"
    empty = tmp_path / "empty.db"
    empty.touch()
    with State.open(empty) as state:
        assert state.devices() == []

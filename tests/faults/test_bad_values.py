"""Fault matrix, values that used to end in a traceback: deeply nested JSON, a recording's
``meta.maxdata`` of NaN or a string, ``--timeout nan``/``inf``/0/negative, and a state database
whose disk is full. Each is a clear error with exit 2 (or, for the agent, a rolled-back write
that keeps every queued event)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reports.deliver import spool
from reports.deliver.interface import Event
from scanner.app.agent.state import State, StateError
from tests.faults.cli import A14, msgscan, no_traceback

DEEP = "[" * 100_000 + "]" * 100_000


def _nested_report(tmp: Path) -> Path:
    path = tmp / "deep.json"
    path.write_text(DEEP)
    return path


@pytest.mark.parametrize("argv", [
    ["scan", "--replay", "FILE"],
    ["snapshot", "--replay", "FILE"],
    ["report", "FILE"],
    ["simulate", "--recording", "FILE", "--port", "7943", "--accept-any-key"],
])
def test_deeply_nested_json_is_a_clear_error(tmp_path: Path, argv: list[str]) -> None:
    """100 000 nested lists (RecursionError before): exit 2 naming the file and the nesting."""
    path = _nested_report(tmp_path)

    run = msgscan(*[str(path) if a == "FILE" else a for a in argv])

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert f"error: {path}: JSON nested deeper than msgscan reads (64 levels)" in run.err


def test_nesting_below_the_recursion_limit_is_refused_too(tmp_path: Path) -> None:
    """900 levels parse, but would overflow a recursive consumer later (schema validation,
    rendering): the depth check refuses them where the file is read."""
    path = tmp_path / "r.json"
    path.write_text('{"schema_version": "1.0", "x": ' + "[" * 900 + "]" * 900 + "}")

    run = msgscan("report", str(path))

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert "nested deeper than msgscan reads" in run.err


@pytest.mark.parametrize("maxdata", ["NaN", '"1MiB"', "Infinity", "-1", "1e400", "true", "4096.5"])
def test_a_bad_maxdata_is_a_clear_error(tmp_path: Path, maxdata: str) -> None:
    """meta.maxdata of NaN or a string (ValueError in the replay before): exit 2 naming it."""
    raw = json.loads(A14.read_text())
    text = json.dumps(raw).replace('"maxdata": 1048576', f'"maxdata": {maxdata}', 1)
    assert text != json.dumps(raw)
    path = tmp_path / "r.json"
    path.write_text(text)

    run = msgscan("scan", "--replay", str(path))

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert f"error: {path}: meta.maxdata must be a whole number of bytes from 64 to 1048576" in run.err


@pytest.mark.parametrize("flag", ["--timeout", "--auth-timeout", "--max-output"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-5", "1e309", "soon"])
def test_time_and_size_flags_must_be_finite_and_positive(flag: str, value: str) -> None:
    """nan would never time out and inf crashes the socket layer: argparse refuses them (exit 2)
    before any phone is touched, naming the flag."""
    run = msgscan("scan", "--replay", str(A14), f"{flag}={value}")

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert f"argument {flag}: expected a" in run.err and value in run.err


def test_a_week_is_the_longest_timeout() -> None:
    ok = msgscan("scan", "--replay", str(A14), "--timeout", "604800")
    too_long = msgscan("scan", "--replay", str(A14), "--timeout", "604801")

    assert (0, 2) == (ok.code, too_long.code)


@pytest.mark.parametrize("flag", ["--latency-ms", "--bandwidth-kbps"])
def test_simulated_faults_refuse_nan(flag: str) -> None:
    run = msgscan("simulate", "--accept-any-key", "--port", "7944", flag, "nan")

    assert (2, True) == (run.code, no_traceback(run))
    assert f"argument {flag}" in run.err


def _event(n: int) -> Event:
    return Event(f"ev-{n}", {"metadata": {"uid": f"ev-{n}"}, "pad": "x" * 2000})


def test_a_full_state_database_rolls_back_and_keeps_queued_events(tmp_path: Path) -> None:
    """SQLite's "database or disk is full" used to escape as a traceback (exit 1). Now it is a
    StateError (exit 2) naming the database and saying what to do; the write is rolled back
    and the events queued before it are all still there."""
    db = State.open(tmp_path / "state" / "agent.db")
    try:
        with db.transaction() as tx:
            spool.enqueue(tx, "siem", [_event(n) for n in range(5)], max_queue=1000)
        pages = db._conn.execute("PRAGMA page_count").fetchone()[0]
        db._conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk is now full

        with pytest.raises(StateError) as caught:
            with db.transaction() as tx:
                spool.enqueue(tx, "siem", [_event(n) for n in range(5, 200)], max_queue=1000)
            db.begin_round(datetime.now(UTC))

        assert "database or disk is full" in caught.value.problem
        assert str(tmp_path / "state" / "agent.db") in caught.value.problem
        assert caught.value.exit_code == 2
        assert "free space" in caught.value.hint and "stay queued" in caught.value.hint
        assert 5 == spool.health(db, "siem")["queue_depth"]
        rows = sqlite3.connect(tmp_path / "state" / "agent.db").execute(
            "SELECT count(*) FROM outbox").fetchone()[0]
        assert 5 == rows
    finally:
        db.close()


def test_a_full_disk_during_a_round_is_a_state_error_and_keeps_the_queue(  # type: ignore[no-untyped-def]
        tmp_path: Path, phones, signer) -> None:
    """The agent's second round meets a full disk: scan_round raises StateError (the CLI prints
    it and exits 2), and every event the first round queued is still in the outbox."""
    from scanner.app.agent.service import Agent
    from scanner.app.agent.targets import Target
    from scanner.simphone.phone import phone_server
    from tests.scanner.app.agent.test_agent import A16, start
    from tests.faults.test_agent_rounds import config

    phone = start(phones, phone_server(A16))
    cfg = config(tmp_path, [phone.address],
                 extra='[destinations.siem]\ntype = "file"\npath = "events.ndjson"\n')
    agent = Agent(cfg, signer=signer)
    try:
        agent.scan_round()  # the senders are not started: the events wait in the outbox
        queued = spool.health(agent.state, "siem")["queue_depth"]
        pages = agent.state._conn.execute("PRAGMA page_count").fetchone()[0]
        agent.state._conn.execute(f"PRAGMA max_page_count = {pages}")

        second = start(phones, phone_server(A16, index=1))  # new findings: new rows, new pages
        host, port = second.address.rsplit(":", 1)
        with pytest.raises(StateError) as caught:
            agent.scan_round(only=[Target(second.address, "tcp", host, int(port))])

        assert "database or disk is full" in caught.value.problem
        assert queued > 0 and queued == spool.health(agent.state, "siem")["queue_depth"]
    finally:
        agent.close()

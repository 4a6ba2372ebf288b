"""``msgscan agent --history`` and ``--forget ID`` (session 24): list the retired histories of
swapped phones, and remove one, with what the help and the README say goes and stays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scanner.app.agent.service import Agent
from scanner.app.cli.core import main
from scanner.simphone import AuthPolicy, PhoneServer
from tests.scanner.app.agent.test_agent import (  # noqa: F401
    A14,
    A16,
    SwitchablePhone,
    phones,
    signer,
    start,
    write_config,
)
from tests.scanner.app.agent.test_identity_s23 import _events, _with_file_destination


def _swapped(tmp_path: Path, phones: list[PhoneServer], signer) -> tuple[Path, str]:  # type: ignore[no-untyped-def]  # noqa: F811
    phone = SwitchablePhone(A16)
    server = start(phones, PhoneServer(phone, serial="x", product="pa2q", model="SM-S936B",
                                       device="pa2q", auth=AuthPolicy(accept_any_key=True)))
    config = _with_file_destination(write_config(tmp_path, [server.address]))
    for rec in (A16, A14):
        phone.switch(rec)
        agent = Agent(config, signer=signer)
        try:
            agent.scan_round()
            assert agent.delivery.flush(10)
        finally:
            agent.close()
    return config, server.address


def _count(db: Path, sql: str, *params: object) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


def test_history_lists_and_forget_removes_a_retired_history(
    tmp_path: Path, phones: list[PhoneServer], signer, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    config, device = _swapped(tmp_path, phones, signer)
    db = tmp_path / "state" / "msgscan.db"
    old = f"{device}~1"
    open_before = _count(db, "SELECT count(*) FROM findings WHERE device_id = ? AND"
                             " lifecycle != 'resolved'", old)
    assert open_before
    capsys.readouterr()  # the rounds' log lines
    assert main(["agent", "--config", str(config), "--history"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{old}  samsung SM-S936B (pa2q), seen ")
    assert f"1 scans, {open_before} findings open" in out and "replaced: " in out
    assert device + "  " not in out  # the phone the agent scans is no retired history

    reports = sorted(p.name for p in (tmp_path / "state" / "reports").iterdir())
    events = len(_events(tmp_path))
    new_before = _count(db, "SELECT count(*) FROM findings WHERE device_id = ?", device)
    assert main(["agent", "--config", str(config), "--forget", old]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"forgot {old}: 1 scans, ") and f"({open_before} open)" in said
    for table in ("devices", "scans", "findings", "sent_findings"):
        column = "id" if table == "devices" else "device_id"
        assert _count(db, f"SELECT count(*) FROM {table} WHERE {column} = ?", old) == 0, table
    # what stays: the new phone's history, every report file, the events that went out
    assert _count(db, "SELECT count(*) FROM findings WHERE device_id = ?", device) == new_before
    assert sorted(p.name for p in (tmp_path / "state" / "reports").iterdir()) == reports
    assert len(_events(tmp_path)) == events
    assert main(["agent", "--config", str(config), "--history"]) == 0
    assert capsys.readouterr().out.startswith("no retired histories")
    # the next round's fleet page no longer counts it; its name is never given out again
    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
        assert [d.id for d in agent.state.devices()] == [device]
    finally:
        agent.close()


def test_forget_refuses_what_is_no_retired_history(
    tmp_path: Path, phones: list[PhoneServer], signer, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    config, device = _swapped(tmp_path, phones, signer)
    db = tmp_path / "state" / "msgscan.db"
    before = [_count(db, f"SELECT count(*) FROM {t}") for t in ("devices", "scans", "findings")]
    capsys.readouterr()
    for wrong in ("nobody", device, f"{device}~2"):
        assert main(["agent", "--config", str(config), "--forget", wrong]) == 2, wrong
        err = capsys.readouterr().err
        assert f"error: '{wrong}' is not a retired history" in err and f"now: {device}~1" in err
    assert main(["agent", "--config", str(config), "--forget", device]) == 2
    assert "a phone the agent scans keeps its history" in capsys.readouterr().err
    assert [_count(db, f"SELECT count(*) FROM {t}") for t in ("devices", "scans", "findings")
            ] == before  # nothing lost
    assert main(["agent", "--config", str(config), "--forget", f"{device}~1", "--once"]) == 2
    assert "run no round" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:  # one or the other
        main(["agent", "--config", str(config), "--history", "--forget", f"{device}~1"])
    assert e.value.code == 2


def test_history_creates_no_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, ["127.0.0.1:9"])
    assert main(["agent", "--config", str(config), "--history"]) == 0
    assert capsys.readouterr().out.startswith("no retired histories")
    assert main(["agent", "--config", str(config), "--forget", "S~1"]) == 2
    assert "no state database" in capsys.readouterr().err
    assert not (tmp_path / "state" / "msgscan.db").exists()

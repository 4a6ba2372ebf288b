"""``Addresses`` (session 26) in a real agent: ``agent --once`` SIGKILLed mid-round (no
``finally`` runs, no ``flush``) forgets no phone it recorded: every TCP phone in the state has
its address in the book the next agent loads (``addresses.json`` and the journal)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from scanner.app.agent.addresses import Addresses
from scanner.simphone import Faults, PhoneServer
from scanner.simphone.phone import phone_server

from .test_agent import A16, ROOT, phones, start  # noqa: F401 - the phones fixture
from .test_workers import write_config


def test_an_agent_killed_mid_round_forgets_no_phone_it_recorded(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """`agent --once` over phones that answer and phones that hang; once some phones are
    recorded, SIGKILL. Every TCP phone in the state has its address in the book."""
    fast = [start(phones, phone_server(A16, index=i)) for i in range(4)]
    slow = [
        start(phones, phone_server(A16, index=10 + i, faults=Faults(hang_after_bytes=200)))
        for i in range(2)
    ]
    cfg = write_config(tmp_path, [s.address for s in fast + slow], 1, timeout="60s")
    log = tmp_path / "agent.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanner.app.cli", "agent", "--once", "--config", str(cfg)],
            cwd=ROOT,
            env={**os.environ, "ANDROID_USER_HOME": str(tmp_path / "home")},
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            ends = time.monotonic() + 90
            while log.read_text(errors="replace").count('"phone.done"') < len(fast):
                assert proc.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < ends, "the answering phones were never recorded"
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)  # the hanging phones still hold the round
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    state = tmp_path / "state"
    db = sqlite3.connect(state / "msgscan.db")
    try:
        scanned = {d for (d,) in db.execute("SELECT id FROM devices WHERE last_state = 'scanned'")}
    finally:
        db.close()
    book = Addresses(state)
    assert len(scanned) == len(fast)
    assert sorted(book.by_address.values()) == sorted(scanned)
    assert sorted(book.by_address) == sorted(s.address for s in fast)

"""Workers forked from ``agent --once`` (no other thread runs there when a round starts them):
the guarantees of the spawned ones hold (``test_workers``), and the fork is chosen only then.

A fork copies the calling thread alone, so a lock another thread held stays locked in the child;
``start_method`` therefore forks only while the caller is the process's single thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from scanner.app.agent.workers import start_method
from scanner.simphone import Faults, PhoneServer
from scanner.simphone.phone import phone_server

from .test_agent import A16, ROOT, phones, start  # noqa: F401 - the phones fixture
from .test_workers import PHONES, _talking, _workers, write_config


def test_fork_only_while_no_other_thread_runs() -> None:
    gate = threading.Event()
    other = threading.Thread(target=gate.wait, daemon=True)
    alone = threading.active_count() == 1
    other.start()
    try:
        assert start_method() == "spawn"
    finally:
        gate.set()
        other.join()
    if alone:  # pytest itself may run helper threads; only then can this side be seen here
        assert start_method() == "fork"


def test_a_forked_worker_that_dies_costs_only_the_phones_it_held(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """`agent --once` forks its two workers; one is killed (SIGKILL, as the OOM killer does)
    while it holds phones: those are recorded as errors that say why, every other phone is
    scanned, the round ends with its usual exit, and no worker outlives the agent."""
    slow = Faults(latency_s=0.02)  # a few seconds a phone, so that phones are in flight
    servers = [start(phones, phone_server(A16, index=i, faults=slow)) for i in range(PHONES)]
    cfg = write_config(tmp_path, [s.address for s in servers], 2)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner.app.cli", "agent", "--once", "--config", str(cfg)],
        cwd=ROOT,
        env={**os.environ, "ANDROID_USER_HOME": str(tmp_path / "home")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: list[psutil.Process] = []
    try:
        ends = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < ends:
            workers = _workers(psutil.Process(proc.pid))
            time.sleep(0.1)
        while not _talking(workers[0]) and time.monotonic() < ends:
            time.sleep(0.05)
        workers[0].kill()  # while it holds phones: connected to at least one
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(workers) == 2
    assert proc.returncode == 1, err.decode()  # every simulated phone has failed checks
    assert [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE] == []
    events = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    assert [e["start"] for e in events if e.get("event") == "workers.started"] == ["fork"]
    done = [e for e in events if e.get("event") == "phone.done"]
    errors = [e for e in done if e["state"] == "error"]
    assert len(done) == PHONES and 1 <= len(errors) <= 8  # at most its 8 phones in flight
    db = sqlite3.connect(tmp_path / "state" / "msgscan.db")
    try:
        rows = dict(db.execute("SELECT id, last_state FROM devices").fetchall())
    finally:
        db.close()
    assert sorted(rows.values()).count("scanned") == PHONES - len(errors)
    assert "the process scanning the phone ended unexpectedly" in err.decode()


def test_forked_workers_end_when_the_agent_is_killed(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """SIGKILL leaves the agent no time to end its workers: each forked worker sees its pipe's
    end of file (it closed the agent's ends it inherited, its own included), cuts its
    connections and ends, while its phones hang (they would hold it for the 60 s timeout)."""
    proc, workers = _round_on_hanging_phones(tmp_path, phones)
    try:
        proc.kill()
        proc.wait(timeout=10)
        gone, alive = psutil.wait_procs(workers, timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in _workers_left(workers):
            w.kill()
    assert (len(gone), alive) == (2, [])


def _workers_left(workers: list[psutil.Process]) -> list[psutil.Process]:
    return [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]


def test_workers_left_by_a_killed_agent_do_not_hold_its_lock(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """The state directory's flock lasts while any copy of its descriptor is open, and a fork
    copies it: with the agent SIGKILLed and its workers still there (stopped here, so that they
    cannot end first), an agent started again gets the lock at once."""
    from scanner.app.agent.startup import lock

    proc, workers = _round_on_hanging_phones(tmp_path, phones)
    try:
        for w in workers:
            w.suspend()
        proc.kill()
        proc.wait(timeout=10)
        assert len(_workers_left(workers)) == 2  # still there, holding what they inherited
        held = lock(tmp_path / "state")  # raises AgentLocked if a worker's copy held the flock
        held.close()
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in _workers_left(workers):
            w.kill()


def _round_on_hanging_phones(
    tmp_path: Path, running: list[PhoneServer]
) -> tuple[subprocess.Popen[bytes], list[psutil.Process]]:
    """`agent --once` over phones that hang after 200 bytes, once both forked workers talk to
    their phones (they would hold them for the 60 s timeout)."""
    hanging = [
        start(running, phone_server(A16, index=i, faults=Faults(hang_after_bytes=200)))
        for i in range(PHONES)
    ]
    cfg = write_config(tmp_path, [s.address for s in hanging], 2, timeout="60s")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner.app.cli", "agent", "--once", "--config", str(cfg)],
        cwd=ROOT,
        env={**os.environ, "ANDROID_USER_HOME": str(tmp_path / "home")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[psutil.Process] = []
    ends = time.monotonic() + 60
    try:
        while not (len(workers) == 2 and all(map(_talking, workers))):
            assert time.monotonic() < ends, "two workers never connected to their phones"
            workers = _workers(psutil.Process(proc.pid))
            time.sleep(0.1)
    except BaseException:
        proc.kill()
        for w in _workers_left(workers):
            w.kill()
        raise
    return proc, workers

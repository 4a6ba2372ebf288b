"""Workers kept across the rounds of a running agent (``msgscan agent``, session 22).

A running agent has other threads (scheduler, watcher, control), so its workers are spawned:
fresh interpreters that import msgscan before their first phone. ``KeptWorkers`` keeps them for
the next round instead of starting two more each round. The guarantees of the per-round
workers hold (``test_workers``, ``test_forked_workers``): a worker killed between rounds, or in
a round, is replaced at the next round, which scans every phone; a worker that still holds a
phone the round gave up on (a hung scan) is ended with the round, as before; a late outcome of
an earlier round is never taken for a phone of this one; SIGTERM ends the agent, kept workers
included, within 10 s.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from scanner.app.agent import workers as workers_module
from scanner.app.agent.service import Agent
from scanner.app.agent.workers import KeptWorkers, WorkerScanners
from scanner.simphone import Faults, PhoneServer
from scanner.simphone.phone import phone_server
from scanner.transport.keys import load_or_create_signer

from .test_agent import A14, A16, ROOT, phones, start  # noqa: F401 - the phones fixture
from .test_workers import PHONES, _talking, _timeless, _workers, write_config


def _pids(agent: Agent) -> list[int]:
    pool = agent.kept_workers.pool if agent.kept_workers else None
    assert pool is not None
    return [w.process.pid for w in pool.workers]


def _states(report: Any) -> dict[str, int]:
    states: dict[str, int] = {}
    for p in report.outcome.phones:
        states[p.state] = states.get(p.state, 0) + 1
    return states


class _Lines:
    """The workers module's log lines, as events."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def info(self, event: str, **kw: Any) -> None:
        self.events.append({"event": event, **kw})

    warning = error = info


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> _Lines:
    caught = _Lines()
    monkeypatch.setattr(workers_module, "log", caught)
    return caught


def _agent(tmp: Path, endpoints: list[str]) -> Agent:
    agent = Agent(write_config(tmp, endpoints, 2), signer=load_or_create_signer(tmp / "adbkey"))
    agent.kept_workers = KeptWorkers()  # as ``serve`` sets it (serve itself blocks)
    return agent


def test_a_running_agent_keeps_its_workers_across_rounds(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
    lines: _Lines,
) -> None:
    """Three rounds over 32 phones: the workers are started once (the same two processes scan
    every round), every phone is scanned each round, and the reports are what the first round
    wrote (ids and times aside); closing the agent ends them."""
    servers = [start(phones, phone_server(A16 if i % 2 else A14, index=i)) for i in range(PHONES)]
    agent = _agent(tmp_path, [s.address for s in servers])
    try:
        reports = []
        pids = []
        for _ in range(3):
            round_report = agent.scan_round()
            assert _states(round_report) == {"scanned": PHONES}
            assert round_report.outcome.processes == 2
            pids.append(_pids(agent))
            reports.append({
                p.name: _timeless(json.loads(p.read_text()))
                for p in (tmp_path / "state" / "reports").glob("127.0.0.1_*.json")
            })
        started = [e for e in lines.events if e["event"] == "workers.started"]
        workers = [psutil.Process(pid) for pid in pids[0]]
        assert all(w.is_running() for w in workers)
    finally:
        agent.close()
    assert [e["processes"] for e in started] == [2]  # once, not once a round
    assert pids[0] == pids[1] == pids[2]
    assert len(reports[0]) == PHONES and reports[0] == reports[1] == reports[2]
    assert all(not w.is_running() or w.status() == psutil.STATUS_ZOMBIE for w in workers)


def test_a_worker_killed_between_rounds_is_replaced(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
    lines: _Lines,
) -> None:
    """One kept worker is killed (SIGKILL, as the OOM killer does) while the agent waits for
    its next round: that round starts a new one in its place and scans every phone; nothing is
    lost or recorded as an error."""
    servers = [start(phones, phone_server(A16, index=i)) for i in range(PHONES)]
    agent = _agent(tmp_path, [s.address for s in servers])
    try:
        assert _states(agent.scan_round()) == {"scanned": PHONES}
        first = _pids(agent)
        victim = psutil.Process(first[0])
        victim.kill()
        victim.wait(10)
        lines.events.clear()
        second = agent.scan_round()
        now = _pids(agent)
    finally:
        agent.close()
    assert _states(second) == {"scanned": PHONES}
    assert now[1] == first[1] and now[0] != first[0]
    assert [e["worker"] for e in lines.events if e["event"] == "workers.replaced"] == [0]
    assert not [e for e in lines.events if e["event"] == "workers.started"]


def test_a_round_after_a_worker_died_in_a_round(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """A kept worker is killed while it holds phones: those are errors that say why, the rest
    of the round is scanned, and the next round (a new worker in its place) scans them all."""
    slow = Faults(latency_s=0.02)  # a few seconds a phone, so that phones are in flight
    servers = [start(phones, phone_server(A16, index=i, faults=slow)) for i in range(PHONES)]
    agent = _agent(tmp_path, [s.address for s in servers])
    import threading

    killed: list[int] = []

    def kill_one_while_it_scans() -> None:
        ends = time.monotonic() + 60
        while time.monotonic() < ends:
            pool = agent.kept_workers.pool if agent.kept_workers else None
            if pool is not None and pool.workers:
                worker = psutil.Process(pool.workers[0].process.pid)
                if _talking(worker):
                    worker.kill()
                    killed.append(worker.pid)
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_while_it_scans, daemon=True)
    try:
        killer.start()
        first = agent.scan_round()
        killer.join(10)
        second = agent.scan_round()
        now = _pids(agent)
    finally:
        agent.close()
    assert len(killed) == 1
    errors = [p for p in first.outcome.phones if p.state == "error"]
    assert 1 <= len(errors) <= 8 and len(first.outcome.phones) == PHONES
    assert all("ended unexpectedly" in (p.error or "") for p in errors)
    assert _states(second) == {"scanned": PHONES}
    assert killed[0] not in now


def test_a_late_outcome_of_an_earlier_round_is_dropped() -> None:
    """Phones are numbered from 1 each round: an outcome a worker sends for a phone of an
    earlier round (the epoch it was sent in) is not taken for this round's phone of that
    number, nor is an earlier round's crash raised in this one."""
    pool = WorkerScanners.__new__(WorkerScanners)
    pool.epoch = 2

    class Held:
        phones = {1, 2}

    done: list[Any] = []
    pool._take(Held(), ("phone", 1, 1, "stale"), done)  # type: ignore[arg-type]
    pool._take(Held(), ("crash", 1, 2, "an old traceback"), done)  # type: ignore[arg-type]
    assert done == []
    pool._take(Held(), ("phone", 2, 1, "this round's"), done)  # type: ignore[arg-type]
    assert done == [(1, "this round's")]


def test_sigterm_ends_a_running_agent_with_its_kept_workers(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """`msgscan agent` (not --once) over 32 phones: the first round ends in its kept workers,
    the second round's phones hang; SIGTERM ends the agent within 10 s with exit 0, both
    rounds in the same two workers, and no worker outlives it."""
    good = [start(phones, phone_server(A16, index=i)) for i in range(PHONES)]
    cfg = write_config(tmp_path, [s.address for s in good], 2, timeout="60s")
    cfg.write_text(cfg.read_text().replace('every = "1h"', 'every = "4s"'))
    log_path = tmp_path / "agent.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanner.app.cli", "agent", "--config", str(cfg)],
            cwd=ROOT,
            env={**os.environ, "ANDROID_USER_HOME": str(tmp_path / "home")},
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        workers: list[psutil.Process] = []
        try:
            ends = time.monotonic() + 90
            while log_path.read_text().count('"round.done"') < 2 and time.monotonic() < ends:
                time.sleep(0.2)
            workers = _workers(psutil.Process(proc.pid))
            for s in good:  # the next round's phones hang after their first bytes
                s.faults = Faults(hang_after_bytes=200)
            while not any(_talking(w) for w in workers) and time.monotonic() < ends:
                time.sleep(0.1)
            time.sleep(1.0)
            stopping = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
            took = time.monotonic() - stopping
        finally:
            if proc.poll() is None:
                proc.kill()
    log = log_path.read_text()
    assert (code, took < 10) == (0, True), log[-3000:]
    assert len(workers) == 2
    assert [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE] == []
    events = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert [e["start"] for e in events if e.get("event") == "workers.started"] == ["spawn"]
    rounds = [e for e in events if e.get("event") == "round.done"]
    assert rounds[0]["scanned"] == rounds[1]["scanned"] == PHONES
    assert rounds[-1]["interrupted"] is True


def test_a_kept_worker_holding_a_phone_the_round_gave_up_on_ends_with_the_round(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """The round is over but one kept worker still scans a phone that hangs (abandoned: its
    scan outlives the round): that worker is ended with the round, as every worker was before
    workers were kept; the idle one stays for the next round, which replaces the other."""
    from checks.policy import Policy
    from reports.render.json import JsonRenderer
    from scanner.app.agent.round import Limits, Openers
    from scanner.app.agent.scanned import ReportJob
    from scanner.app.agent.targets import Target
    from scanner.app.agent.workers import portable

    hanging = start(phones, phone_server(A16, faults=Faults(hang_after_bytes=200)))
    openers = Openers(
        load_or_create_signer(tmp_path / "adbkey"),
        Limits(timeout_s=60, connect_timeout_s=5, auth_timeout_s=5),
    )
    setup = portable(Policy(), openers, ReportJob(tmp_path, JsonRenderer(compact=True)), 2)
    assert setup is not None
    kept = KeptWorkers()
    pool = kept.lend(2, setup)
    assert pool is not None
    try:
        host, port = hanging.address.rsplit(":", 1)
        pool.submit(1, Target(hanging.address, "tcp", host, int(port)))
        holder = next(w for w in pool.workers if w.phones)
        idle = next(w for w in pool.workers if not w.phones)
        ends = time.monotonic() + 60
        while not _talking(psutil.Process(holder.process.pid)) and time.monotonic() < ends:
            time.sleep(0.05)
        pool.close()  # the round gave up on phone 1
        assert not holder.process.is_alive() and idle.process.is_alive()
        assert kept.lend(2, setup) is pool  # given back, and lent again: renewed
        assert [w.process.is_alive() for w in pool.workers] == [True, True]
        assert idle in pool.workers and holder not in pool.workers
        pool.close()
    finally:
        kept.close()
    assert not any(w.process.is_alive() for w in pool.workers)

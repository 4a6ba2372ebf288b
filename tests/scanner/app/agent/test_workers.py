"""A round's scans spread over worker processes: how many, and that nothing else changes.

What README and bench/RESULTS.md ("Agent round") claim of the workers, each pinned here: the
automatic number follows the cores this process may run on (its affinity); a round uses a
worker for every 16 phones; a round in workers records exactly what a round in the agent's own
process records, for the same phones; SIGTERM still ends a round in workers within 10 s with
every phone in flight recorded as interrupted and no worker left behind; a worker that dies
costs only the phones it held.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from scanner.app.agent.config import parse_agent_config
from scanner.app.agent.service import Agent
from scanner.app.agent.settings import (
    PHONES_PER_PROCESS,
    auto_processes,
    processes_for,
    usable_cores,
)
from scanner.simphone import Faults, PhoneServer
from scanner.simphone.phone import phone_server
from scanner.transport.keys import load_or_create_signer

from .test_agent import A14, A16, ROOT, phones, start  # noqa: F401 - the phones fixture

PHONES = 2 * PHONES_PER_PROCESS  # the fewest phones a round scans in two processes


def parse(scan: str) -> Any:
    text = f'[agent]\nstate_dir = "/srv/state"\n[schedule]\nevery = "6h"\n[scan]\n{scan}\n'
    return parse_agent_config(text.encode(), "agent.toml", base_dir=Path("/etc"))


class TestHowMany:
    @pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 2), (8, 8), (64, 64), (65, 64)])
    def test_auto_is_one_process_per_core(self, cores: int, expected: int) -> None:
        assert expected == auto_processes(cores)

    def test_auto_follows_the_affinity_not_the_machine(self) -> None:
        """A cpuset or ``taskset`` limit is what the agent may use, whatever os.cpu_count says."""
        allowed = os.sched_getaffinity(0)
        assert len(allowed) == usable_cores() == auto_processes()
        assert (
            len(allowed) == parse("").scan.processes == parse('processes = "auto"').scan.processes
        )
        try:
            os.sched_setaffinity(0, {min(allowed)})
            assert (usable_cores(), parse("").scan.processes) == (1, 1)
        finally:
            os.sched_setaffinity(0, allowed)

    def test_a_number_wins_and_nonsense_is_refused(self) -> None:
        from scanner.app.agent.settings import AgentConfigError

        assert parse("processes = 3").scan.processes == 3
        for bad, problem in (
            ("0", "got 0, expected 1 to 64"),
            ("65", "got 65, expected 1 to 64"),
            ("true", "got true, expected an integer"),
        ):
            with pytest.raises(AgentConfigError) as caught:
                parse(f"processes = {bad}")
            assert "scan.processes" in caught.value.problem and problem in caught.value.problem

    @pytest.mark.parametrize(
        ("allowed", "count", "used"),
        [(2, 1000, 2), (2, 32, 2), (2, 31, 1), (8, 40, 2), (8, 1000, 8), (1, 1000, 1), (4, 0, 1)],
    )
    def test_a_round_starts_a_worker_for_every_16_phones(
        self, allowed: int, count: int, used: int
    ) -> None:
        assert processes_for(allowed, count) == used


def write_config(
    tmp: Path, endpoints: list[str], processes: int, *, timeout: str = "20s", extra: str = ""
) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    lines = [
        "[agent]",
        'state_dir = "state"',
        "[schedule]",
        'every = "1h"',
        "[scan]",
        "concurrency = 16",
        f"processes = {processes}",
        f'timeout = "{timeout}"',
        'connect_timeout = "2s"',
        'auth_timeout = "1s"',
        "[usb]",
        "enabled = false",
        "[adb_server]",
        "use = false",
        "[tcp]",
        "endpoints = [" + ", ".join(f'"{e}"' for e in endpoints) + "]",
    ]
    path = tmp / "agent.toml"
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


_MOMENTS = {
    "id",
    "started",
    "finished",
    "generated",
    "first_seen",
    "last_seen",
    "results_from",
    "integrity",
    "report",
    "scan_id",
    "correlation_uid",
}


def _timeless(value: Any) -> Any:
    """``value`` without what differs between two scans of one phone: ids, times, the seal."""
    if isinstance(value, dict):
        return {
            k: _timeless(v)
            for k, v in value.items()
            if k not in _MOMENTS and not k.endswith(("time", "uid"))
        }
    if isinstance(value, list | tuple):
        return [_timeless(v) for v in value]
    if isinstance(value, str):  # a command's random end marker
        return re.sub(r":msgscan:[0-9a-f]+:", ":msgscan:*:", value)
    return value


EVENTS = """
[destinations.findings]
type = "file"
path = "events/findings.ndjson"
"""


def _round(tmp: Path, endpoints: list[str], processes: int, signer: Any) -> dict[str, Any]:
    agent = Agent(write_config(tmp, endpoints, processes, extra=EVENTS), signer=signer)
    try:
        report = agent.scan_round()
        assert agent.delivery.flush(10)
        db = sqlite3.connect(tmp / "state" / "msgscan.db")
        try:
            findings = sorted(
                db.execute(
                    "SELECT device_id, check_id, package, user_id, status, lifecycle FROM findings"
                )
            )
            devices = sorted(db.execute("SELECT id, via, last_state, model FROM devices"))
            scans = sorted(
                db.execute("SELECT device_id, state, complete, verdict, score, failed FROM scans")
            )
        finally:
            db.close()
    finally:
        agent.close()
    reports = {
        p.name: _timeless(json.loads(p.read_text()))
        for p in (tmp / "state" / "reports").glob("*.json")
    }
    lines = (json.loads(line) for line in (tmp / "events" / "findings.ndjson").open())
    events = sorted(  # the findings' events; the agent's health event tells its own memory
        (_timeless(e) for e in lines if e["metadata"]["log_name"] != "msgscan.health"),
        key=lambda e: json.dumps(e, sort_keys=True),
    )
    return {
        "events": events,
        "processes": report.outcome.processes,
        "phones": sorted(
            _timeless((p.name, p.state, p.failed, p.error)) for p in report.outcome.phones
        ),
        "failed_phones": report.failed_phones,
        "findings": findings,
        "devices": devices,
        "scans": scans,
        "reports": reports,
    }


def test_a_round_in_workers_records_what_one_process_records(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """The same 32 phones (two kinds, one that refuses to answer in full) scanned in two worker
    processes and in the agent's own: the same outcomes, state rows, findings, reports and
    fleet summary, ids and times aside."""
    signer = load_or_create_signer(tmp_path / "adbkey")
    servers = [
        start(phones, phone_server(A16 if i % 2 else A14, index=i)) for i in range(PHONES - 1)
    ]
    servers.append(start(phones, phone_server(A16, index=99, faults=Faults(drop_after_bytes=200))))
    endpoints = [s.address for s in servers]

    workers = _round(tmp_path / "workers", endpoints, 2, signer)
    alone = _round(tmp_path / "alone", endpoints, 1, signer)

    assert (workers["processes"], alone["processes"]) == (2, 1)
    assert {s: sum(1 for p in workers["phones"] if p[1] == s) for s in ("scanned", "lost")} == {
        "scanned": PHONES - 1,
        "lost": 1,
    }
    assert len(workers["reports"]) == PHONES + 1  # every phone's, and the fleet summary
    assert len(workers["events"]) > PHONES  # SIEM events from the reports the workers kept
    for key in ("phones", "failed_phones", "findings", "devices", "scans", "reports", "events"):
        assert workers[key] == alone[key], key


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return list(proc.children(recursive=True))
    except psutil.Error:
        return []


def _talking(worker: psutil.Process) -> bool:
    """Whether ``worker`` is connected to a phone (it holds phones in flight)."""
    try:
        return any(c.status == psutil.CONN_ESTABLISHED for c in worker.net_connections("tcp"))
    except psutil.Error:
        return False


def _workers(agent: psutil.Process) -> list[psutil.Process]:
    """The agent's worker processes: spawned ones run ``spawn_main``; forked ones are the
    agent's direct children that are not multiprocessing's resource tracker."""
    found = []
    for c in _children(agent):
        try:
            line = " ".join(c.cmdline())
            if "spawn_main" in line or (c.ppid() == agent.pid and "resource_tracker" not in line):
                found.append(c)
        except psutil.Error:
            continue
    return found


def test_sigterm_ends_a_round_in_workers_and_leaves_no_worker(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """`agent --once` scanning 32 hanging phones in two workers gets SIGTERM: it exits 3 within
    10 s, every phone is recorded as interrupted (not lost), and no worker process outlives it."""
    hanging = [
        start(phones, phone_server(A16, index=i, faults=Faults(hang_after_bytes=200)))
        for i in range(PHONES)
    ]
    cfg = write_config(tmp_path, [s.address for s in hanging], 2, timeout="60s")
    cfg.write_text(cfg.read_text().replace("concurrency = 16", "concurrency = 32"))
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
        while len(workers) < 2 and time.monotonic() < ends:  # started, connected, stuck
            workers = _workers(psutil.Process(proc.pid))
            time.sleep(0.2)
        time.sleep(6.0)
        stopping = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - stopping
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(workers) == 2
    assert (proc.returncode, took < 10) == (3, True), err.decode()
    assert [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE] == []
    events = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    assert [e["processes"] for e in events if e.get("event") == "workers.started"] == [2]
    # `agent --once` runs no other thread when it starts them: forked, not a fresh interpreter
    assert [e["start"] for e in events if e.get("event") == "workers.started"] == ["fork"]
    db = sqlite3.connect(tmp_path / "state" / "msgscan.db")
    try:
        rows = dict(db.execute("SELECT id, last_state FROM devices").fetchall())
    finally:
        db.close()
    assert {s.address: "interrupted" for s in hanging} == rows
    assert "interrupted (SIGTERM or SIGINT)" in err.decode()


def test_only_the_findings_cross_not_the_phones_output(tmp_path: Path) -> None:
    """What a worker sends the agent for a 300-package phone is its findings and metadata: the
    report is already on disk, and the pickled outcome is under a tenth of the phone's 1 MB
    ``dumpsys package`` output (no output, no snapshot)."""
    from checks.policy import Policy
    from reports.render.json import JsonRenderer
    from scanner.app.agent.round import Limits, Openers, scan_and_write
    from scanner.app.agent.scanned import ReportJob
    from scanner.app.agent.targets import Target
    from scanner.recordings.build import large_phone
    from scanner.recordings.construct import build as construct_phone
    from scanner.replay import ReplayTransport

    rec = construct_phone(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    output = len(rec.index()[("dumpsys", "package", "packages")].stdout)

    class Replaying(Openers):
        def open(self, target: Target) -> Any:
            return ReplayTransport(rec)

    openers = Replaying(None, Limits(timeout_s=60, connect_timeout_s=5, auth_timeout_s=5))
    job = ReportJob(tmp_path, JsonRenderer(compact=True))
    phone = scan_and_write(Target("10.0.0.1:5555", "tcp", "10.0.0.1", 5555), Policy(), openers, job)

    assert (phone.state, phone.result) == ("scanned", None)
    assert phone.scanned is not None and phone.report_path is not None
    on_disk = json.loads(phone.report_path.read_text())
    assert len(on_disk["findings"]) == len(phone.scanned.findings) > 0
    assert phone.scanned.columns and phone.scanned.report is None
    assert output > 900_000 and len(pickle.dumps(phone)) < output / 10


def test_a_worker_that_dies_costs_only_the_phones_it_held(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
) -> None:
    """One of two workers is killed (SIGKILL, as the OOM killer does) in the middle of a round:
    the phones it held are recorded as errors that say why, every other phone is scanned (the
    rest of the round in the surviving worker), and the round ends normally."""
    signer = load_or_create_signer(tmp_path / "adbkey")
    slow = Faults(latency_s=0.02)  # a few seconds a phone, so that phones are in flight
    servers = [start(phones, phone_server(A16, index=i, faults=slow)) for i in range(PHONES)]
    agent = Agent(write_config(tmp_path, [s.address for s in servers], 2), signer=signer)
    me = psutil.Process()
    killed: list[int] = []

    def kill_one() -> None:
        ends = time.monotonic() + 60
        while time.monotonic() < ends:
            workers = [c for c in me.children() if "spawn_main" in " ".join(c.cmdline())]
            # this test's simulated phones run on threads of its process: spawned
            if len(workers) == 2 and agent.state is not None:
                while not _talking(workers[0]) and time.monotonic() < ends:
                    time.sleep(0.05)
                workers[0].kill()  # while it holds phones: connected to at least one
                killed.append(workers[0].pid)
                return
            time.sleep(0.1)

    killer = threading.Thread(target=kill_one)
    killer.start()
    try:
        report = agent.scan_round()
    finally:
        killer.join()
        agent.close()
    states = [p.state for p in report.outcome.phones]
    errors = [p.error for p in report.outcome.phones if p.state == "error"]
    assert len(killed) == 1 and report.outcome.processes == 2
    assert len(states) == PHONES and 1 <= len(errors) <= 8  # at most its 8 phones in flight
    assert states.count("scanned") == PHONES - len(errors)
    assert {"the process scanning the phone ended unexpectedly"} == set(errors)


def test_the_keys_cross_to_a_worker_and_still_sign(tmp_path: Path) -> None:
    """The ADB key and the report signing key, pickled to a worker as its setup is: the worker's
    ADB signer signs as the agent's does, and its reports verify against the agent's key."""
    from checks.policy import Policy
    from reports.integrity import Outcome, verify
    from reports.render.json import JsonRenderer
    from reports.signing import generate, signing_key_from
    from scanner.app.agent.round import Limits, Openers
    from scanner.app.agent.scanned import ReportJob
    from scanner.app.agent.workers import portable, report_job

    adb = load_or_create_signer(tmp_path / "adbkey")
    generate(tmp_path / "signing.key")
    key = signing_key_from((tmp_path / "signing.key").read_bytes(), "signing.key")
    openers = Openers(adb, Limits(timeout_s=60, connect_timeout_s=5, auth_timeout_s=5))
    job = ReportJob(tmp_path, JsonRenderer(key=key, compact=True))
    setup = portable(Policy(), openers, job, 4)
    assert setup is not None
    arrived = pickle.loads(pickle.dumps(setup))

    token = os.urandom(20)
    assert arrived.signer.GetPublicKey() == adb.GetPublicKey()
    assert arrived.signer.Sign(token) == adb.Sign(token)  # PKCS#1 v1.5: deterministic
    data = report_job(arrived).renderer.render_report({"schema_version": 5, "findings": []})
    checked = verify(data, [key.private.public_key()])
    assert (checked.outcome, checked.key) == (Outcome.VALID, key.fingerprint), checked.message

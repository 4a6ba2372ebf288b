"""The agent delivers: lifecycle events follow the drift, heartbeats re-send open findings, the
sender threads stop with the agent, and ``kill -9`` mid-delivery loses nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from scanner.app.agent.service import Agent
from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import (
    A14,
    A16,
    ROOT,
    SwitchablePhone,
    start,
    with_telegram,
    write_config,
)
from tests.reports.deliver.peers import Receiver, Reply, assert_ocsf, wait_for

TOKEN = "agent-hec-token-do-not-log"


def with_destinations(config: Path, receiver: Receiver, *, heartbeat: str = "7d",
                      batch: int = 50) -> Path:
    text = config.read_text() + f"""
[destinations.findings]
type = "file"
path = "events/findings.ndjson"
heartbeat = "{heartbeat}"

[destinations.splunk]
type = "hec"
url = "{receiver.url}"
token_env = "MSGSCAN_TEST_HEC_TOKEN"
batch = {batch}
heartbeat = "{heartbeat}"
backoff = 0.05
backoff_max = 0.5
timeout = 2
"""
    config.write_text(text)
    return config


def file_events(tmp: Path) -> list[dict]:  # type: ignore[type-arg]
    path = tmp / "events" / "findings.ndjson"
    lines = path.read_text().splitlines() if path.exists() else []
    return [e for e in map(json.loads, lines) if e["class_uid"] == 2003]  # not the agent's health


def test_lifecycle_follows_drift(tmp_path: Path, phones: list[PhoneServer], signer,  # type: ignore[no-untyped-def]
                                 receiver: Receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """First round: Create for every open finding. Telegram installed: Create for its findings.
    Unchanged: nothing. Telegram removed: Close (Resolved) with the same finding uid."""
    monkeypatch.setenv("MSGSCAN_TEST_HEC_TOKEN", TOKEN)
    phone = SwitchablePhone(A14)
    server = start(phones, PhoneServer(phone, serial="drift", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    agent = Agent(with_destinations(write_config(tmp_path, [server.address]), receiver),
                  signer=signer)
    try:
        def round_events() -> list[dict]:  # type: ignore[type-arg]
            before = len(file_events(tmp_path))
            agent.scan_round()
            assert agent.delivery.flush(10)
            return file_events(tmp_path)[before:]

        first = round_events()
        phone.switch(with_telegram())
        installed = round_events()
        unchanged = round_events()
        phone.switch(A14)
        removed = round_events()
    finally:
        agent.close()

    assert first and {1} == {e["activity_id"] for e in first}
    assert {e["finding_info"]["uid"] for e in first}.isdisjoint(
        {e["finding_info"]["uid"] for e in installed})
    assert installed and {1} == {e["activity_id"] for e in installed}
    assert {"org.telegram.messenger"} <= {e["resources"][0]["name"] for e in installed}
    assert [] == unchanged
    assert removed and {3} == {e["activity_id"] for e in removed}
    assert {4} == {e["status_id"] for e in removed}
    telegram = {e["finding_info"]["uid"] for e in installed
                if e["resources"][0]["name"] == "org.telegram.messenger"}
    assert telegram <= {e["finding_info"]["uid"] for e in removed}
    everything = first + installed + removed
    assert len(everything) == assert_ocsf(everything)
    assert sorted(e["metadata"]["uid"] for e in everything) == sorted(receiver.hec_ids())
    assert TOKEN not in (tmp_path / "events" / "findings.ndjson").read_text()


def test_heartbeat_resends_open_findings(tmp_path: Path, phones: list[PhoneServer], signer,  # type: ignore[no-untyped-def]
                                         receiver: Receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With heartbeat = 1 s, a later round re-sends each open finding as an Update whose id
    is the same all day (a second heartbeat that day is a duplicate a receiver drops)."""
    monkeypatch.setenv("MSGSCAN_TEST_HEC_TOKEN", TOKEN)
    server = start(phones, phone_server(A16))
    agent = Agent(with_destinations(write_config(tmp_path, [server.address]), receiver,
                                    heartbeat="1s"), signer=signer)
    try:
        agent.scan_round()
        agent.delivery.flush(10)
        created = len(file_events(tmp_path))
        time.sleep(1.1)
        agent.scan_round()
        agent.delivery.flush(10)
        events = file_events(tmp_path)
    finally:
        agent.close()
    beats = events[created:]
    assert beats and {2} == {e["activity_id"] for e in beats}, [(e["activity_id"], e["message"]) for e in beats if e["activity_id"] != 2]
    assert {True} == {e["unmapped"]["msgscan"]["heartbeat"] for e in beats}
    assert {e["finding_info"]["uid"] for e in events[:created]} == {
        e["finding_info"]["uid"] for e in beats}
    assert len(events) == assert_ocsf(events)


def test_sender_threads_stop_with_the_agent(tmp_path: Path, phones: list[PhoneServer], signer,  # type: ignore[no-untyped-def]
                                            receiver: Receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """serve() starts one sender per destination; they deliver while it runs and end with it."""
    monkeypatch.setenv("MSGSCAN_TEST_HEC_TOKEN", TOKEN)
    server = start(phones, phone_server(A16))
    agent = Agent(with_destinations(write_config(tmp_path, [server.address]), receiver),
                  signer=signer)
    runner = threading.Thread(target=agent.serve)
    runner.start()
    try:
        assert wait_for(lambda: len(receiver.hec_ids()) > 0 and len(receiver.hec_ids()) == len(
            file_events(tmp_path)), timeout=20)
    finally:
        agent.stop.set()
        runner.join(15)
    assert not runner.is_alive()
    assert [] == [t.name for t in threading.enumerate() if t.name.startswith("msgscan-send-")]


def _outbox_depth(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def test_kill_9_mid_delivery_loses_nothing(tmp_path: Path, phones: list[PhoneServer],  # type: ignore[no-untyped-def]
                                           receiver: Receiver) -> None:
    """`kill -9` of the agent process while a slow Splunk takes events two at a time, then
    `msgscan agent --once`: every event the state recorded reaches Splunk (exactly once
    after dedup by event id), and it equals what the file destination got."""
    servers = [start(phones, phone_server(A16, index=0)), start(phones, phone_server(A14, index=1))]
    config = with_destinations(write_config(tmp_path, [s.address for s in servers]), receiver,
                               batch=2)
    receiver.script = [Reply(delay_s=0.25) for _ in range(200)]
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp_path / "android-home"),
           "MSGSCAN_TEST_HEC_TOKEN": TOKEN}
    db = tmp_path / "state" / "msgscan.db"
    agent = subprocess.Popen([sys.executable, "-m", "scanner.app.cli", "agent", "--config", str(config)],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: len(receiver.requests) >= 3, timeout=30), "no delivery started"
        os.kill(agent.pid, signal.SIGKILL)
        agent.wait(10)
    finally:
        if agent.poll() is None:
            agent.kill()
    stderr = agent.stderr.read().decode() if agent.stderr else ""
    pending = _outbox_depth(db)
    assert pending > 0, "the kill came after delivery finished: nothing was tested"
    receiver.script.clear()

    again = subprocess.run([sys.executable, "-m", "scanner.app.cli", "agent", "--config", str(config),
                            "--once"], check=False, cwd=ROOT, env=env, capture_output=True, timeout=120)

    assert again.returncode in (0, 1), again.stderr.decode()[-2000:]
    assert 0 == _outbox_depth(db)
    sent = {e["metadata"]["uid"] for e in file_events(tmp_path)}
    got = receiver.hec_ids()
    assert sent and sent == set(got)
    assert len(sent) == len(set(got))
    assert TOKEN not in stderr + again.stderr.decode()


def test_missing_token_variable_stops_the_start(tmp_path: Path, receiver: Receiver, signer,  # type: ignore[no-untyped-def]
                                                monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An unset token_env variable is an error naming it, and the agent releases its lock."""
    from checks.errors import MsgscanError

    monkeypatch.delenv("MSGSCAN_TEST_HEC_TOKEN", raising=False)
    config = with_destinations(write_config(tmp_path, ["127.0.0.1:9"]), receiver)

    try:
        Agent(config, signer=signer)
    except MsgscanError as e:
        assert "MSGSCAN_TEST_HEC_TOKEN is not set" in e.problem
    else:
        raise AssertionError("the agent started without its HEC token")
    monkeypatch.setenv("MSGSCAN_TEST_HEC_TOKEN", TOKEN)
    Agent(config, signer=signer).close()  # the lock went with the failed start

"""The fleet agent against many simulated phones: mixed rounds, drift, restarts, new phones."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from checks.drift import Lifecycle
from reports.integrity import verify
from scanner.app.agent.summary import worst
from scanner import recording
from scanner.app.agent.service import Agent, AgentLocked
from scanner.recording import Recording
from scanner.recordings import build
from scanner.recordings.construct import build as construct
from scanner.recordings.render import App, AppUser
from scanner.simphone import AuthPolicy, Faults, PhoneServer
from scanner.simphone.phone import RecordedPhone, phone_server
from scanner.simphone.responder import CommandOutput
from scanner.transport.keys import load_or_create_signer

ROOT = Path(__file__).resolve().parents[4]
A14 = recording.load(build.HERE / "android14-work-profile-business.json")
A16 = recording.load(build.HERE / "android16-personal-whatsapp-telegram.json")


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return load_or_create_signer(tmp_path_factory.mktemp("adbkey"))


class SwitchablePhone:
    """A phone whose content can change between rounds (an app installed or removed)."""

    def __init__(self, rec: Recording) -> None:
        self.current = RecordedPhone(rec)
        self.files = self.current.files

    def switch(self, rec: Recording) -> None:
        self.current = RecordedPhone(rec)

    def run(self, command: str) -> CommandOutput:
        return self.current.run(command)


def with_telegram() -> Recording:
    """The Android 14 work-profile phone, plus Telegram in the personal profile."""
    spec = build.android14_work_profile()
    telegram = App("org.telegram.messenger", 10260, "12.1.1", 61021, users={0: AppUser(grants={})})
    spec = replace(spec, apps=[*spec.apps, telegram])
    return construct(spec, model="Pixel 7a", product="lynx", device="lynx")


def write_config(tmp: Path, endpoints: list[str], *, timeout: str = "4s", inventory: bool = False,
                 every: str = "1h") -> Path:
    lines = [
        "[agent]", 'state_dir = "state"', "heartbeat_seconds = 1",
        "[schedule]", f'every = "{every}"',
        "[scan]", "concurrency = 8", f'timeout = "{timeout}"', 'connect_timeout = "2s"', 'auth_timeout = "1s"',
        "[usb]", "enabled = false", 'poll = "1s"',
        "[adb_server]", "use = false",
        "[tcp]", "endpoints = [" + ", ".join(f'"{e}"' for e in endpoints) + "]",
    ]
    if inventory:
        lines.append('inventory_file = "phones.txt"')
        (tmp / "phones.txt").write_text("# phones on Wi-Fi\n")
    path = tmp / "agent.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def phones() -> Iterator[list[PhoneServer]]:
    started: list[PhoneServer] = []
    yield started
    for p in started:
        p.stop()


def start(phones: list[PhoneServer], server: PhoneServer) -> PhoneServer:
    phones.append(server.start())
    return server


def states(agent: Agent) -> dict[str, str]:
    return {d.id: str(d.last_state) for d in agent.state.devices()}


def test_mixed_round(tmp_path: Path, phones: list[PhoneServer], signer) -> None:  # type: ignore[no-untyped-def]
    """Healthy, unauthorized, dropping and hanging phones in one round: each recorded as it is,
    the healthy ones scanned, and the round bounded by the per-phone timeout."""
    good = [start(phones, phone_server(A16, index=i)) for i in range(3)]
    locked = start(phones, phone_server(A16, index=3, auth=AuthPolicy(prompt="never")))
    # 200 bytes: cut before any whole answer of the first wave's parallel streams arrives (at
    # 20 KB some arrive, and the phone's real failed checks count it among the failed phones).
    drops = start(phones, phone_server(A16, index=4, faults=Faults(drop_after_bytes=200)))
    hangs = start(phones, phone_server(A16, index=5, faults=Faults(hang_after_bytes=200)))
    config = write_config(tmp_path, [p.address for p in [*good, locked, drops, hangs]] + ["127.0.0.1:9"])
    agent = Agent(config, signer=signer)
    try:
        started = time.monotonic()
        report = agent.scan_round()
        took = time.monotonic() - started
        got = states(agent)
    finally:
        agent.close()
    expected = {p.address: "scanned" for p in good}
    expected |= {locked.address: "unauthorized", drops.address: "lost", hangs.address: "timeout",
                 "127.0.0.1:9": "unreachable"}
    assert expected == got
    assert took < 4 + 2 + 1 + 5 + 3, f"round took {took:.1f} s"
    assert 3 == report.failed_phones
    summary = json.loads((tmp_path / "state" / "reports" / "fleet-summary.json").read_text())
    assert 7 == summary["totals"]["devices"] and "MSG-01" in summary["checks"]
    for phone in good:  # each phone's report: one line (README), sealed, its columns in the summary
        data = (tmp_path / "state" / "reports" / f"{phone.address.replace(':', '_')}.json").read_bytes()
        assert (1, True) == (data.count(b"\n"), data.endswith(b"\n"))
        assert "matches its SHA-256" in verify(data).message
        [row] = [d for d in summary["devices"] if d["device"] == phone.address]
        assert worst(json.loads(data)) == row["checks"] != {}  # noted at writing = read back


def test_drift_across_rounds(tmp_path: Path, phones: list[PhoneServer], signer) -> None:  # type: ignore[no-untyped-def]
    """Telegram installed → a new finding; removed → resolved; a partial scan resolves nothing."""
    phone = SwitchablePhone(A14)
    server = start(phones, PhoneServer(phone, serial="drift", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    agent = Agent(write_config(tmp_path, [server.address]), signer=signer)
    key = "MSG-07|org.telegram.messenger|0"

    def lifecycle() -> str | None:
        rows = {str(r.tracked.key): r.tracked.lifecycle for r in agent.state.open_findings()}
        resolved = {str(k): v.lifecycle for k, v in agent.state.previous(server.address).items()}
        return (rows.get(key) or resolved.get(key) or None) and str((rows.get(key) or resolved.get(key)).value)

    try:
        agent.scan_round()
        assert lifecycle() is None
        phone.switch(with_telegram())
        agent.scan_round()
        assert Lifecycle.NEW.value == lifecycle()
        agent.scan_round()
        assert Lifecycle.UNCHANGED.value == lifecycle()
        # A partial scan (the phone drops during the storage exchange) must not resolve it.
        phone.switch(A14)
        server.faults = Faults(drop_after_bytes=5_000)
        agent.scan_round()
        assert (Lifecycle.UNCHANGED.value, "lost") == (lifecycle(), states(agent)[server.address])
        server.faults = Faults()
        agent.scan_round()
        assert Lifecycle.RESOLVED.value == lifecycle()
    finally:
        agent.close()


def test_restart_keeps_state(tmp_path: Path, phones: list[PhoneServer], signer) -> None:  # type: ignore[no-untyped-def]
    """A new agent on the same state directory continues where the last one stopped."""
    server = start(phones, phone_server(A16))
    config = write_config(tmp_path, [server.address])
    first = Agent(config, signer=signer)
    first.scan_round()
    before = {str(r.tracked.key) for r in first.state.open_findings()}
    first.close()
    second = Agent(config, signer=signer)
    try:
        second.scan_round()
        rows = second.state.open_findings()
    finally:
        second.close()
    assert before == {str(r.tracked.key) for r in rows}
    assert {Lifecycle.UNCHANGED} == {r.tracked.lifecycle for r in rows}


def test_one_agent_per_state_directory(tmp_path: Path, signer) -> None:  # type: ignore[no-untyped-def]
    """A second agent on the same state directory is refused with the first one's pid."""
    config = write_config(tmp_path, ["127.0.0.1:9"])
    first = Agent(config, signer=signer)
    try:
        with pytest.raises(AgentLocked, match=r"pid \d+"):
            Agent(config, signer=signer)
    finally:
        first.close()
    Agent(config, signer=signer).close()  # the lock went with the first agent


def test_reload_keeps_a_good_config(tmp_path: Path, signer) -> None:  # type: ignore[no-untyped-def]
    """SIGHUP with a broken file keeps the running config; a good file replaces it."""
    config = write_config(tmp_path, ["127.0.0.1:9"])
    agent = Agent(config, signer=signer)
    try:
        good = config.read_text()
        config.write_text(good.replace("concurrency = 8", "concurrency = 'many'"))
        agent.reload()
        assert 8 == agent.config.scan.concurrency
        config.write_text(good.replace("concurrency = 8", "concurrency = 3"))
        agent.reload()
        assert 3 == agent.config.scan.concurrency
    finally:
        agent.close()


def test_service_scans_a_new_phone_and_stops_in_time(tmp_path: Path, phones: list[PhoneServer]) -> None:
    """`msgscan agent` as its own process: a phone added to the inventory while it runs is
    scanned within 10 s; SIGHUP with a broken config keeps it running; SIGTERM ends it within
    10 s even while a phone hangs, with exit code 0."""
    hanging = start(phones, phone_server(A16, faults=Faults(hang_after_bytes=1000)))
    config = write_config(tmp_path, [hanging.address], timeout="60s", inventory=True)
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp_path / "android-home")}
    log_path = tmp_path / "agent.log"
    log_file = log_path.open("w")
    agent = subprocess.Popen(
        [sys.executable, "-m", "scanner.app.cli", "agent", "--config", str(config)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file, text=True,
    )
    try:
        # The watcher takes its first look at the inventory when the agent has started: add
        # the phone only after that (plus one poll), or it is simply part of the first round.
        deadline = time.monotonic() + 20
        while "agent.started" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)
        newcomer = start(phones, phone_server(A14, index=1))
        (tmp_path / "phones.txt").write_text(f"# phones on Wi-Fi\n{newcomer.address}\n")
        report = tmp_path / "state" / "reports" / (newcomer.address.replace(":", "_") + ".json")
        deadline = time.monotonic() + 10
        while not report.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert report.exists(), "the new phone was not scanned within 10 s"
        good = config.read_text()
        config.write_text("[agent\n")
        agent.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        config.write_text(good)
        assert agent.poll() is None, "a bad config on SIGHUP stopped the agent"
    finally:
        stopping = time.monotonic()
        agent.send_signal(signal.SIGTERM)
        try:
            code = agent.wait(timeout=15)
        except subprocess.TimeoutExpired:
            agent.kill()
            code = None
        log_file.close()
        log = log_path.read_text()
    took = time.monotonic() - stopping
    assert (0, True) == (code, took < 10), log[-2000:]
    events = [json.loads(line)["event"] for line in log.splitlines() if line.startswith("{")]
    assert {"agent.started", "phones.appeared", "config.reload_failed", "agent.heartbeat", "agent.stopped"} <= set(events)


def test_pseudonymized_fleet_keeps_serials_out(tmp_path: Path, phones: list[PhoneServer], signer,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With pseudonymize = true no report, summary or state row names a phone by its address."""
    monkeypatch.setenv("MSGSCAN_PSEUDONYM_KEY", "fleet-key-for-the-tests-0123456789")
    good = start(phones, phone_server(A16))
    drops = start(phones, phone_server(A16, index=1, faults=Faults(drop_after_bytes=20_000)))
    config = write_config(tmp_path, [good.address, drops.address, "127.0.0.1:9"])
    config.write_text(config.read_text().replace("[agent]\n", "[agent]\npseudonymize = true\n"))
    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
        ids = [d.id for d in agent.state.devices()]
    finally:
        agent.close()
    blobs = [p.read_bytes() for p in (tmp_path / "state").rglob("*") if p.is_file()]
    leaked = [a for a in (good.address, drops.address, "127.0.0.1:9") for b in blobs if a.encode() in b]
    assert ([], True) == (leaked, all(i.startswith("anon-") for i in ids))

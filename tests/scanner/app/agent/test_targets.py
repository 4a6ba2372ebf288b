"""Which phones the agent finds and scans: USB, a real adb server, TCP endpoints, merged.

The adb server is Google's adb (36, from the adbutils wheel) on a private port, holding a
simulated phone through ``adb connect``; USB is a pyusb backend made of plain data
(``tests/scanner/transport/fake_usb.py``) for enumeration, and where msgscan opens a USB phone, the
seam where libusb meets adb-shell (``scanner.transport.usb._find``) hands over a cable to a
simulated phone (``tests/scanner/transport/test_usb.py``'s ``CableToSimphone``). Times are real.
"""

# ruff: noqa: F811 - fixtures imported from tests/transport are parameters here

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from checks.evaluate import evaluate
from checks.policy import DEFAULT
from scanner import recording
from scanner.app.agent import targets as found
from scanner.app.agent.service import Agent
from scanner.collect import collect
from scanner.recordings import build
from scanner.replay import ReplayTransport
from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.phone import phone_server
from scanner.transport import usb as usb_transport
from scanner.transport.keys import load_or_create_signer
from scanner.transport.server import list_devices
from tests.scanner.transport.adb_server import AdbServer, adb_server  # noqa: F401 - fixture
from tests.scanner.transport.fake_usb import FakeBackend, keyboard
from tests.scanner.transport.fake_usb import phone as usb_phone
from tests.scanner.transport.test_usb import CableToSimphone

A16 = recording.load(build.HERE / "android16-personal-whatsapp-telegram.json")
A14 = recording.load(build.HERE / "android14-work-profile-business.json")
ADB36 = pytest.mark.parametrize("adb_server", ["adb36-adbutils"], indirect=True)
"""Google's current adb only: the discovery code is the same for adb 29 (tests/test_discovery)."""


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_or_create_signer(tmp_path_factory.mktemp("adbkey"))


@pytest.fixture
def phones() -> Iterator[list[PhoneServer]]:
    started: list[PhoneServer] = []
    yield started
    for p in started:
        p.stop()


@pytest.fixture
def server(adb_server: AdbServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[AdbServer]:
    """The real adb server, made the one msgscan finds (as ANDROID_ADB_SERVER_PORT does for adb)."""
    monkeypatch.delenv("ADB_SERVER_SOCKET", raising=False)
    monkeypatch.delenv("ANDROID_ADB_SERVER_ADDRESS", raising=False)
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(adb_server.port))
    yield adb_server
    # The server lives for the session: leave it as other tests expect it, with no phones.
    for device in list_devices("127.0.0.1", adb_server.port):
        adb_server.adb("disconnect", device.serial)


def served(server: AdbServer, phones: list[PhoneServer], rec: recording.Recording, index: int) -> str:
    """A simulated phone that trusts the server's key, connected to the server; its serial."""
    sim = phone_server(rec, index=index, auth=AuthPolicy(trusted_keys=(server.public_key,)))
    phones.append(sim.start())
    return server.connect(sim.port, "device").serial


def write_config(tmp: Path, *, usb: bool, endpoints: tuple[str, ...] = (), poll: str = "1s") -> Path:
    lines = [
        "[agent]", 'state_dir = "state"', "heartbeat_seconds = 60",
        "[schedule]", 'every = "1h"',
        "[scan]", "concurrency = 4", 'timeout = "20s"', 'connect_timeout = "3s"', 'auth_timeout = "2s"',
        "[usb]", f"enabled = {str(usb).lower()}", f'poll = "{poll}"',
        "[adb_server]", "use = true",
        "[tcp]", "endpoints = [" + ", ".join(f'"{e}"' for e in endpoints) + "]",
    ]
    path = tmp / "agent.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def expected_findings(rec: recording.Recording) -> list[tuple[str, str | None, str]]:
    """What the default policy finds on this phone today, judged from its recording directly."""
    findings = evaluate(collect(ReplayTransport(rec)), DEFAULT, today=datetime.now(UTC).date())
    return sorted((f.check_id, f.package, f.status.value) for f in findings)


def report_findings(path: Path) -> list[tuple[str, str | None, str]]:
    report = json.loads(path.read_text())
    return sorted((f["check_id"], f.get("package"), f["status"]) for f in report["findings"])


def reports(agent: Agent) -> list[Path]:
    return sorted(p for p in agent.config.agent.reports_dir.glob("*.json")
                  if p.name != "fleet-summary.json")


@ADB36
class TestFind:
    def test_server_phone_is_a_target(self, server: AdbServer, phones: list[PhoneServer]) -> None:
        """A phone the real adb server lists as ``device`` is scanned through the server."""
        serial = served(server, phones, A16, 0)

        targets, sightings = found.find(usb=False, use_server=True, endpoints=())

        assert ([found.Target(serial, "server")], []) == (targets, sightings)

    def test_unauthorized_at_the_server_is_a_sighting(
        self, server: AdbServer, phones: list[PhoneServer]
    ) -> None:
        """A phone that refuses the server's key is recorded once, as unauthorized, and not
        scanned: also when USB sees it too."""
        sim = phone_server(A16, index=1, auth=AuthPolicy(prompt="never"))
        phones.append(sim.start())
        serial = server.connect(sim.port, "unauthorized").serial

        backend = FakeBackend([usb_phone(serial)])  # the same phone, also seen on USB

        targets, sightings = found.find(usb=True, use_server=True, endpoints=(),
                                        usb_backend=backend)

        assert [] == targets
        assert [(serial, "server", "unauthorized")] == [(s.id, s.via, s.state) for s in sightings]

    def test_one_phone_seen_three_ways_is_one_target(
        self, server: AdbServer, phones: list[PhoneServer]
    ) -> None:
        """The server's phone, also named as a --tcp endpoint and seen on USB under the serial
        the server lists, is one target (through the server); a phone only on USB and a
        keyboard beside them: the USB phone is a second target, the keyboard nothing."""
        serial = served(server, phones, A16, 0)
        backend = FakeBackend([keyboard(), usb_phone(serial, address=7), usb_phone("R58USBONLY")])
        host, port = serial.rsplit(":", 1)

        targets, sightings = found.find(usb=True, use_server=True, endpoints=[(host, int(port))],
                                        usb_backend=backend)

        assert ([found.Target(serial, "server"), found.Target("R58USBONLY", "usb")], []) == (
            targets, sightings)

    def test_usb_without_permission_is_a_sighting(self, server: AdbServer) -> None:
        """A USB phone whose serial cannot be read is recorded by bus and address, not dropped."""
        backend = FakeBackend([usb_phone("R58NOPERM", open_errno=13, bus=3, address=9)])

        targets, sightings = found.find(usb=True, use_server=True, endpoints=(), usb_backend=backend)

        assert [] == targets
        assert [("usb:3-9", "usb", "no_usb_permission")] == [(s.id, s.via, s.state) for s in sightings]


@ADB36
def test_round_scans_the_server_phone_once_with_its_findings(
    tmp_path: Path, server: AdbServer, phones: list[PhoneServer], signer: Any
) -> None:
    """One round with USB, the adb server and TCP on, where the one phone is reachable all three
    ways: it is scanned once, through the server, and its report holds the findings its
    recording implies."""
    serial = served(server, phones, A16, 0)
    backend = FakeBackend([keyboard(), usb_phone(serial)])
    agent = Agent(write_config(tmp_path, usb=True, endpoints=(serial,)), usb_backend=backend,
                  signer=signer)
    try:
        report = agent.scan_round()
        devices = [(d.id, str(d.via), str(d.last_state)) for d in agent.state.devices()]
        round_row = agent.state.last_round()
        written = reports(agent)
    finally:
        agent.close()

    assert [(serial, "server", "scanned")] == devices
    # failed_phones: phones with a failed check; this phone has some (WhatsApp's backup, …)
    assert round_row is not None and (1, 1, 1) == (round_row.devices_seen, round_row.scanned,
                                                   report.failed_phones)
    [path] = written
    findings = report_findings(path)
    assert expected_findings(A16) == findings
    assert {"MSG-01", "MSG-05"} <= {check for check, _, _ in findings}


def wait_for(path_glob: Path, pattern: str, limit_s: float) -> float | None:
    """Seconds until a file matching ``pattern`` exists in ``path_glob``, or None after the limit."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if any(path_glob.glob(pattern)):
            return time.monotonic() - started
        time.sleep(0.1)
    return None


Serve = Callable[[Agent], None]


@pytest.fixture
def running() -> Iterator[Serve]:
    """``running(agent)`` serves on a thread; stopped (and waited for) after the test."""
    agents: list[tuple[Agent, threading.Thread]] = []

    def run(agent: Agent) -> None:
        thread = threading.Thread(target=agent.serve, daemon=True)
        thread.start()
        agents.append((agent, thread))

    yield run
    for agent, thread in agents:
        agent.stop.set()
        thread.join(timeout=15)
        assert not thread.is_alive(), "the agent did not stop"


def start_agent(running: Serve, agent: Agent) -> None:
    """Serve, and return once the first round is done (the watcher has had its first look)."""
    running(agent)
    deadline = time.monotonic() + 30
    while agent.last_round is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert agent.last_round is not None, "the first round never finished"
    time.sleep(1.5)  # one poll after the first round: a newcomer now is new to the watcher


def recorded(agent: Agent, limit_s: float = 5.0) -> list[tuple[str, str, str]]:
    """The devices the agent's state holds (id, via, last state), once a scan's outcome is
    recorded: the report file is written before the round records the phone, so a test that
    saw the file waits (bounded) for the record instead of reading the state in between."""
    seen: list[tuple[str, str, str]] = []
    until = time.monotonic() + limit_s
    while time.monotonic() < until:
        seen = [(d.id, str(d.via), str(d.last_state)) for d in agent.state.devices()]
        if any(state != "ready" for _, _, state in seen):  # "ready": found, not yet scanned
            break
        time.sleep(0.05)
    return seen


class TestHotplug:
    """README: "a newly plugged phone … is scanned within 10 s" — measured from the moment the
    phone is there to the moment its report is written."""

    @ADB36
    def test_phone_appearing_at_the_adb_server(
        self, tmp_path: Path, server: AdbServer, phones: list[PhoneServer], signer: Any,
        running: Serve,
    ) -> None:
        """A phone plugged in while an adb server runs is the server's: the agent scans it
        through the server, within 10 s, with the findings its recording implies."""
        agent = Agent(write_config(tmp_path, usb=True, poll="2s"), usb_backend=FakeBackend([]),
                      signer=signer)
        start_agent(running, agent)
        assert [] == reports(agent)

        serial = served(server, phones, A14, 2)
        took = wait_for(agent.config.agent.reports_dir, serial.replace(":", "_") + ".json", 10)

        assert took is not None, "the phone at the adb server was not scanned within 10 s"
        [path] = reports(agent)
        assert expected_findings(A14) == report_findings(path)
        assert [(serial, "server", "scanned")] == recorded(agent)

    @ADB36
    def test_phone_plugged_into_usb(
        self, tmp_path: Path, server: AdbServer, phones: list[PhoneServer], signer: Any,
        running: Serve, monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A phone that appears on USB (no adb server holding it) is opened over USB and
        scanned within 10 s; the keyboard that was there all along is never touched."""
        sim = phone_server(A16, index=3, auth=AuthPolicy(trusted_keys=(signer.GetPublicKey(),)))
        phones.append(sim.start())
        opened: list[str | None] = []

        def cable(serial: str | None) -> CableToSimphone:
            opened.append(serial)
            link = CableToSimphone(sim.port)
            link.serial_number = "R58PLUGGED"
            return link

        monkeypatch.setattr(usb_transport, "_find", cable)
        backend = FakeBackend([keyboard()])
        agent = Agent(write_config(tmp_path, usb=True, poll="2s"), usb_backend=backend,
                      signer=signer)
        start_agent(running, agent)

        backend.devices.append(usb_phone("R58PLUGGED"))
        took = wait_for(agent.config.agent.reports_dir, "R58PLUGGED.json", 10)

        assert took is not None, "the USB phone was not scanned within 10 s"
        assert ["R58PLUGGED"] == opened
        [path] = reports(agent)
        assert expected_findings(A16) == report_findings(path)
        assert [("R58PLUGGED", "usb", "scanned")] == recorded(agent)

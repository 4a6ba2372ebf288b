"""Fault matrix, damage on the wire (issue 12, case 4) and what the agent does with damage.

The phone computes a CRC and length beside each output (``scanner.batch``): a byte changed on
the way is found and that output is not read; phones that cannot checksum are read on the
parsers' plausibility checks and say so. Outcomes asserted: problem text, statuses, exit code 2,
the agent resolving nothing. Helpers shared with ``test_damaged_output``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from checks.facts import Unseen
from scanner import batch
from scanner.app.cli import main
from scanner.collect import collect
from scanner.recording import load
from scanner.replay import ReplayTransport
from scanner.simphone import Faults
from scanner.simphone.phone import phone_server
from scanner.transport.interface import ShellResult
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport
from tests.faults.test_damaged_output import (
    ABSENCE,
    ANDROID16,
    WHATSAPP,
    findings,
    packages_changed,
    problems,
    resolved_by,
    statuses,
)


class _Wire:
    """A replayed phone whose stream is changed between phone and host (``change``)."""

    def __init__(self, change: Callable[[bytes], bytes]) -> None:
        self.inner = ReplayTransport(load(ANDROID16))
        self.serial, self.max_command, self.meter = self.inner.serial, self.inner.max_command, self.inner.meter
        self.max_output = self.inner.max_output
        self.change = change

    def shell(self, command: str, *, timeout: float = 10.0) -> ShellResult:
        return ShellResult(self.change(self.inner.shell(command, timeout=timeout).stdout), b"", None)

    def close(self) -> None:
        pass


def _flip_in_packages(data: bytes) -> bytes:
    at = data.find(b"versionName=2.26.41.74")
    return data if at < 0 else data[:at] + b"versionName=2.26.41.75" + data[at + 22 :]


def test_one_changed_byte_is_found_by_the_checksum() -> None:
    """A byte changed on the way (WhatsApp's version) is caught: that output is not read."""
    snapshot = collect(_Wire(_flip_in_packages))
    assert isinstance(snapshot.packages, Unseen) and "damaged in transit" in snapshot.packages.reason
    assert any("dumpsys package packages` was damaged on the way" in p for p in snapshot.problems)
    assert not snapshot.complete and snapshot.interrupted_by is None
    assert not ABSENCE & {f.status.value for f in findings(snapshot) if f.check_id.startswith("MSG-")}
    assert () == resolved_by(snapshot)


@pytest.mark.parametrize(
    ("change", "note"),
    [
        (lambda b: _strip_checksums(b), "without the phone's checksum"),
        (lambda b: _empty_checksums(b), "without the phone's checksum"),
    ],
    ids=["no-cksum", "tee-could-not-open-fd"],
)
def test_phones_that_cannot_checksum_are_read_and_say_so(change: Callable[[bytes], bytes], note: str) -> None:
    """No cksum (or a shell where tee cannot open /proc/self/fd/3): the scan still completes, on
    the parsers' plausibility checks alone, and its problems say so."""
    snapshot = collect(_Wire(change))
    assert snapshot.complete and not snapshot.damaged
    assert any(note in p for p in snapshot.problems)
    assert snapshot.package("com.whatsapp") is not None


def _strip_checksums(data: bytes) -> bytes:
    return re.sub(rb"(:msgscan:[0-9a-f]+:\d+:\d+\n)\d+ \d+\n", rb"\1", data)


def _empty_checksums(data: bytes) -> bytes:
    return re.sub(rb"(:msgscan:[0-9a-f]+:\d+:\d+\n)\d+ \d+\n", rb"\g<1>4294967295 0\n", data)


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> object:
    return load_or_create_signer(tmp_path_factory.mktemp("adbkey"))


def test_simulated_phone_corruption_fault(signer: object) -> None:
    """The simulated phone's ``corrupt`` fault (a byte of every packet inverted, adb's own
    checksum recomputed): the damaged outputs are named, none is read, nothing passes on them,
    the scan is incomplete and the agent closes nothing. bench/RESULTS.md quotes this."""
    with phone_server(load(ANDROID16), faults=Faults(corrupt=True)) as phone:
        transport = TcpTransport.connect(phone.host, phone.port, signer=signer, connect_timeout_s=5)
        snapshot = collect(transport, timeout=10)
        transport.close()
    assert not snapshot.complete
    damaged = [p for p in snapshot.problems if "was damaged on the way from the phone" in p]
    assert damaged, snapshot.problems
    assert not ABSENCE & {f.status.value for f in findings(snapshot) if f.check_id.startswith("MSG-")}
    assert () == resolved_by(snapshot)


def test_android6_limit_keeps_every_checksum() -> None:
    """Scripts split for a 4 KiB OPEN still carry a checksum per probe and all verify."""
    transport = ReplayTransport(load(ANDROID16), max_command=4000)
    snapshot = collect(transport)
    assert all(len(c) <= 4000 and batch.checked_parts(c) for c in transport.meter.commands)
    assert snapshot.complete and not snapshot.problems
    assert transport.meter.exchanges > 2


def test_corruption_fault_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`msgscan scan --tcp` of the corrupting phone: exit 2, the damage in the report's problems,
    the report written all the same."""
    monkeypatch.setenv("ANDROID_USER_HOME", str(tmp_path / "keys"))
    out = tmp_path / "report.json"
    with phone_server(load(ANDROID16), faults=Faults(corrupt=True)) as phone:
        code = main(["scan", "--tcp", f"{phone.host}:{phone.port}", "--timeout", "10",
                     "--format", "json", "-o", str(out)])  # fmt: skip
    report = json.loads(out.read_text())
    assert 2 == code
    assert not report["scan"]["complete"]
    assert "was damaged on the way from the phone" in problems(report)
    assert not ABSENCE & set(statuses(report, "MSG-"))


def test_the_agent_closes_nothing_on_a_damaged_phone(tmp_path: Path, signer: object) -> None:
    """The phone that made the agent send Close events for ten findings: one bad header before
    WhatsApp. The agent's next round keeps every open finding open and records the phone's
    state as "error" (it answered, it was not lost), with the damage as the error."""
    from scanner.app.agent.service import Agent
    from scanner.simphone import AuthPolicy, PhoneServer
    from tests.scanner.app.agent.test_agent import SwitchablePhone, write_config

    phone = SwitchablePhone(load(ANDROID16))
    server = PhoneServer(phone, serial="damaged", product="p", model="m", device="d",
                         auth=AuthPolicy(accept_any_key=True)).start()  # fmt: skip
    agent = Agent(write_config(tmp_path, [server.address]), signer=signer)
    try:
        agent.scan_round()
        before = {str(r.tracked.key) for r in agent.state.open_findings()}
        block = "  Package [x && rm -rf /] (1234567):\n    appId=10999\n"
        phone.switch(packages_changed(lambda t: t.replace(WHATSAPP, block + WHATSAPP)))
        agent.scan_round()
        after = {str(r.tracked.key) for r in agent.state.open_findings()}
        device = next(d for d in agent.state.devices() if d.id == server.address)
    finally:
        agent.close()
        server.stop()
    assert len(before) >= 10 and before <= after  # none closed (passes turned unknown open more)
    assert "error" == str(device.last_state)

"""Phones that attack or break the scanner: floods, endless streams, huge inventories, binary
garbage, names made to be interpolated. Each must end in bounded time and memory with a result
that says what happened (``error``/``unknown`` findings, a problem in the report), never a crash.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from checks.errors import OutputTooLarge, ProbeTimeout
from checks.evaluate import evaluate
from checks.facts import Snapshot, Unseen
from checks.findings import Status
from checks.policy import Policy
from scanner import batch, probes
from scanner.collect import collect
from scanner.recording import Command, Recording, load
from scanner.recordings import build
from scanner.replay import RecordedShell, ReplayTransport
from scanner.simphone import CommandOutput, Faults, PhoneServer, VirtualFiles
from scanner.transport.interface import DEFAULT_MAX_OUTPUT
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport

ANDROID16 = build.HERE / "android16-personal-whatsapp-telegram.json"
GIB = 1 << 30


class Answer:
    """A phone whose shell answers every command line with ``make(command)``."""

    def __init__(self, make: Callable[[str], CommandOutput]) -> None:
        self.files = VirtualFiles(())
        self.make = make

    def run(self, command: str) -> CommandOutput:
        return self.make(command)


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return load_or_create_signer(tmp_path_factory.mktemp("adbkey"))


def connect(phone: PhoneServer, signer: object) -> TcpTransport:
    return TcpTransport.connect(phone.host, phone.port, signer=signer, connect_timeout_s=5)


def serve(responder: object, **kw: object) -> PhoneServer:
    from scanner.simphone.auth import AuthPolicy

    return PhoneServer(
        responder,  # type: ignore[arg-type]
        serial="hostile", product="p", model="m", device="d",
        auth=AuthPolicy(accept_any_key=True), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def statuses(snapshot: Snapshot) -> set[Status]:
    return {f.status for f in evaluate(snapshot, Policy(), today=date(2026, 11, 26))}


def flood(total: int, chunk: bytes = b"A" * (1 << 20)) -> Iterator[bytes]:
    """``total`` bytes, made only as they are sent."""
    for _ in range(total // len(chunk)):
        yield chunk


class TestFlood:
    def test_default_limit_is_generous(self) -> None:
        """The default cap is 64 MiB: 60x the largest real output msgscan asks for."""
        assert 64 << 20 == DEFAULT_MAX_OUTPUT

    def test_a_gigabyte_is_cut_at_the_limit(self, signer: object) -> None:
        """A phone printing 1 GB: msgscan reads up to its limit, cuts the stream, says so."""
        phone = serve(Answer(lambda _: CommandOutput(b"", b"", 0, more=flood(GIB))))
        with phone:
            transport = connect(phone, signer)
            transport.max_output = 4 << 20
            started = time.monotonic()
            snapshot = collect(transport, timeout=30)
            took = time.monotonic() - started
            transport.close()
            sent = phone.bytes_out
        assert not snapshot.complete
        assert "sent more than 4194304 bytes" in snapshot.problems[0]
        assert isinstance(snapshot.packages, Unseen) and "sent more than" in snapshot.packages.reason
        assert sent < 16 << 20, f"the phone got to send {sent} bytes"
        assert took < 10
        assert Status.PASS not in statuses(snapshot)

    def test_the_cut_keeps_what_came_before(self) -> None:
        """Probes whose end marker arrived before the cut keep their output (replay path)."""
        rec = load(ANDROID16)
        huge = Command(probes.APP_OPS.argv, b"x" * (2 << 20))
        transport = ReplayTransport(Recording(rec.device, (*rec.commands, huge), rec.meta))
        transport.max_output = 1 << 20
        result = batch.run(transport, probes.INVENTORY)
        assert isinstance(result.error, OutputTooLarge)
        assert "packages" in result.outputs and "app-ops" in result.missing


class TestEndlessStream:
    def test_a_stream_that_never_ends_times_out(self, signer: object) -> None:
        """A phone trickling output forever is abandoned at the exchange's deadline."""
        endless = (b"." for _ in itertools.count())
        phone = serve(Answer(lambda _: CommandOutput(b"", b"", 0, more=endless)))
        phone.faults = Faults(latency_s=0.01)
        with phone:
            transport = connect(phone, signer)
            started = time.monotonic()
            with pytest.raises(ProbeTimeout, match="did not finish within 1 s"):
                transport.shell("getprop", timeout=1)
            took = time.monotonic() - started
            transport.close()
        assert took < 3

    def test_hung_phone_in_a_scan(self, signer: object) -> None:
        """A phone that goes silent mid-stream gives an incomplete snapshot, not a hang."""
        rec = load(ANDROID16)
        shell = RecordedShell(rec)

        def answer(command: str) -> CommandOutput:
            out = shell.run(command)
            return CommandOutput(out.stdout, out.stderr, out.exit_code)

        with serve(Answer(answer), faults=Faults(hang_after_bytes=5_000)) as phone:
            transport = connect(phone, signer)
            snapshot = collect(transport, timeout=1)
            transport.close()
        assert not snapshot.complete and "did not finish within 1 s" in snapshot.problems[0]


def many_packages(count: int) -> bytes:
    lines = ["Packages:"]
    for i in range(count):
        lines += [
            f"  Package [com.example.p{i:06d}] ({i:07x}):",
            f"    appId={10000 + i % 90000}",
            "    versionCode=1 minSdk=24 targetSdk=34",
            "    User 0: installed=true hidden=false suspended=false enabled=0",
        ]
    return ("\n".join(lines) + "\n").encode()


def test_a_hundred_thousand_packages() -> None:
    """100,000 packages (about 13 MB) are read in bounded time, and the scan completes."""
    rec = load(ANDROID16)
    listing = Command(probes.PACKAGES.argv, many_packages(100_000))
    transport = ReplayTransport(Recording(rec.device, (*rec.commands, listing), rec.meta))
    started = time.monotonic()
    snapshot = collect(transport)
    statuses(snapshot)
    took = time.monotonic() - started
    assert not isinstance(snapshot.packages, Unseen)
    assert 100_000 == len(snapshot.packages)
    assert took < 20, f"took {took:.1f} s"


class TestGarbage:
    def test_binary_garbage_over_tcp(self, signer: object) -> None:
        """A phone answering every command with random bytes: every probe is reported as
        garbled, nothing passes."""
        rng = random.Random(8)
        junk = bytes(rng.randrange(256) for _ in range(50_000))
        with serve(Answer(lambda _: CommandOutput(junk, b"", 0))) as phone:
            transport = connect(phone, signer)
            snapshot = collect(transport, timeout=10)
            transport.close()
        assert not snapshot.complete
        n = len(probes.INVENTORY_STREAMS[0])  # the first stream of the first wave
        assert f"lacks the end markers of {n} of {n} commands" in snapshot.problems[0]
        assert Status.PASS not in statuses(snapshot)

    def test_corrupted_packets(self, signer: object) -> None:
        """Output damaged in flight (one byte per packet) is found by the phone's checksums:
        named in the problems, never parsed, and the scan is incomplete."""
        rec = load(ANDROID16)
        shell = RecordedShell(rec)

        def answer(command: str) -> CommandOutput:
            out = shell.run(command)
            return CommandOutput(out.stdout, out.stderr, out.exit_code)

        with serve(Answer(answer), faults=Faults(corrupt=True)) as phone:
            transport = connect(phone, signer)
            snapshot = collect(transport, timeout=10)
            transport.close()
        statuses(snapshot)  # evaluates without an exception
        assert not snapshot.complete
        assert any("was damaged on the way from the phone" in p for p in snapshot.problems)
        damaged = [r for r in snapshot.probes if r.error and "damaged in transit" in r.error]
        assert damaged and not any(r.ok for r in damaged)


class TestNames:
    HOSTILE = ("x;reboot", "$(id)", "`id`", "a b", "../../etc", "com.whatsapp\nreboot")

    def recording(self) -> Recording:
        rec = load(ANDROID16)
        # A real messenger, installed for a user that no phone can have.
        extra = "  Package [org.thoughtcrime.securesms] (7654321):\n    appId=10235\n"
        extra += "    User 99999999: installed=true\n"
        extra += "".join(
            f"  Package [{name}] (1234567):\n    appId=10999\n    User 0: installed=true\n"
            for name in self.HOSTILE
        )
        commands = []
        for c in rec.commands:
            if c.argv == probes.PACKAGES.argv:
                c = Command(c.argv, c.stdout + extra.encode(), c.stderr, c.exit_code)
            commands.append(c)
        return Recording(rec.device, tuple(commands), rec.meta)

    def test_hostile_names_are_reported_never_interpolated(self) -> None:
        """Package names built for a shell and impossible user ids are named in the report's
        problems (escaped) and appear in no command sent to the phone; the blocks with such
        names are damaged, so the package list is, and the scan is not complete."""
        transport = ReplayTransport(self.recording())
        snapshot = collect(transport)
        sent = "\n".join(transport.meter.commands)
        for name in ("reboot", "$(id)", "`id`", "../../etc", "99999999"):
            assert name not in sent
        problems = "\n".join(snapshot.problems)
        assert "6 lines could not be read: package header without a valid name (6)" in problems
        assert "'x;reboot', '$(id)', '`id`' and 3 more" in problems
        assert "user id(s) outside 0-21474 (99999999)" in problems
        assert not snapshot.complete and "packages" in snapshot.damaged
        assert snapshot.package("org.thoughtcrime.securesms") is not None  # parsed on

    @pytest.mark.parametrize(
        ("name", "ok"),
        [("com.whatsapp", True), ("android", True), ("x;reboot", False), ("$(id)", False),
         ("1abc", False), ("a..b", False), ("", False), ("a" * 256, False), ("é.x", False)],
    )  # fmt: skip
    def test_package_names(self, name: str, ok: bool) -> None:
        """Only names Android's PackageParser accepts pass."""
        from scanner.names import is_package_name

        assert ok == is_package_name(name)


def test_max_output_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--max-output` sets the cap; a cut scan exits 2 and its report says what was cut."""
    import json

    from scanner.app.cli import main

    out = tmp_path / "report.json"
    code = main(["scan", "--replay", str(ANDROID16), "--max-output", "0.01", "--format", "json",
                 "-o", str(out)])  # fmt: skip
    problems = json.loads(out.read_text())["scan"]["problems"]
    assert 2 == code
    assert "sent more than 10485 bytes" in problems[0] and "--max-output" in problems[0]


def test_a_serial_never_leaves_the_reports_folder() -> None:
    """A phone-supplied serial becomes a report file name without path separators."""
    from scanner.app.agent.round import report_name

    for serial in ("../../etc/passwd", "a/b\\c", "..", "", "x\x00y"):
        name = report_name(serial)
        assert name.endswith(".json") and not {"/", "\\", "\x00"} & set(name)

"""A command's device time in two parts (session 28, sim13): its own process's start, which runs
beside every other command on one of the phone's cores, then its service's part, which waits
for that service (``scanner/simphone/services.py``, ``scanner.recordings.times.process_start``,
docs/sources.md). Only a Java command's VM is split off (``bmgr`` always, ``pm`` before 9)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from scanner.recordings import times
from scanner.recordings.build import large_phone
from scanner.recordings.construct import build
from scanner.simphone import AuthPolicy, Faults
from scanner.simphone.adbd import PhoneServer
from scanner.simphone.files import VirtualFiles
from scanner.simphone.phone import RecordedPhone
from scanner.simphone.responder import CommandOutput
from scanner.simphone.services import ServiceLocks, program_of_line, service_of_line
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport

START, CALL = 600.0, 150.0


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> object:
    return load_or_create_signer(tmp_path_factory.mktemp("adbkey"))


class Split:
    """Every service command: ``START`` of its own process, then ``CALL`` on its service; a
    plain program: ``START`` alone."""

    files = VirtualFiles()

    def run(self, command: str) -> CommandOutput:
        service = service_of_line(command)
        if service is None:
            return CommandOutput(b"ok\n", b"", 0, START, ((None, START),))
        return CommandOutput(b"ok\n", b"", 0, START + CALL, ((None, START), (service, CALL)))


def at_once(signer: object, commands: list[str], cores: int = times.CORES) -> float:
    server = PhoneServer(Split(), serial="s", product="p", model="m", device="d", cores=cores,
                         auth=AuthPolicy(accept_any_key=True), faults=Faults(use_device_time=True))  # fmt: skip
    with server:
        started = time.monotonic()
        threads = [threading.Thread(target=_one, args=(server.port, signer, c)) for c in commands]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - started


def _one(port: int, signer: object, command: str) -> None:
    t = TcpTransport.connect("127.0.0.1", port, signer=signer)
    try:
        assert b"ok\n" == t.shell(command).stdout
    finally:
        t.close()


def test_process_starts_overlap_and_service_calls_wait(signer: object) -> None:
    """Three bmgr at once: their VMs start side by side, their calls one after another, so
    START + 3 x CALL, not 3 x (START + CALL)."""
    took = at_once(signer, ["bmgr enabled", "bmgr list transports", "bmgr --user 10 enabled"])
    assert took >= (START + 3 * CALL) / 1000, took
    assert took < (2 * START + 3 * CALL) / 1000, took


def test_no_more_parts_at_once_than_cores(signer: object) -> None:
    """Three plain programs on a two-core phone: two at once, then the third."""
    took = at_once(signer, ["find /a", "find /b", "find /c"], cores=2)
    assert took >= 2 * START / 1000, took
    assert at_once(signer, ["find /a", "find /b", "find /c"]) < 2 * START / 1000


def test_a_phone_has_a_core() -> None:
    with pytest.raises(ValueError, match="at least one core"):
        ServiceLocks(0)
    assert ServiceLocks().cores == times.CORES == 8


def test_only_a_java_commands_vm_is_its_own() -> None:
    """bmgr: all but its call; pm before 9: the VM; native commands: nothing apart."""
    assert times.process_start(("bmgr", "enabled"), sdk=34, device_ms=300.0) == 260.0
    assert times.process_start(("/system/bin/bmgr", "enabled"), sdk=23, device_ms=1170.0) == 1130.0
    assert times.process_start(("bmgr", "enabled"), sdk=34, device_ms=30.0) == 0.0
    assert times.process_start(("pm", "list", "users"), sdk=27, device_ms=1180.0) == 1130.0
    assert times.process_start(("pm", "path", "x"), sdk=27, device_ms=120.0) == 120.0
    for argv in (("pm", "list", "users"), ("cmd", "package", "list"), ("dumpsys", "package")):
        assert times.process_start(argv, sdk=28, device_ms=500.0) == 0.0
    assert times.process_start(("dumpsys", "backup"), sdk=23, device_ms=500.0) == 0.0
    assert times.process_start((), sdk=23, device_ms=500.0) == 0.0


def test_first_program_of_a_line() -> None:
    assert program_of_line("bmgr --user 10 enabled 2>&1; echo x") == (
        "bmgr", "--user", "10", "enabled",
    )  # fmt: skip
    assert program_of_line("pm list users | tail -c 4") == ("pm", "list", "users")
    assert program_of_line("echo 'open") is None


@pytest.fixture(scope="module")
def large() -> RecordedPhone:
    return RecordedPhone(
        build(large_phone(60, 3), model="Pixel 8", product="shiba", device="shiba")
    )


def test_a_recorded_bmgr_is_split(large: RecordedPhone) -> None:
    out = large.run("bmgr enabled")
    assert out.device_ms == times.OTHER_MS["bmgr"]
    assert out.segments == (
        (None, times.OTHER_MS["bmgr"] - times.BMGR_CALL_MS), ("backup", times.BMGR_CALL_MS),
    )  # fmt: skip


def test_native_commands_stay_whole_on_their_service(large: RecordedPhone) -> None:
    for line, service in (("dumpsys package packages", "package"), ("pm list users", "user")):
        out = large.run(line)
        assert out.segments == ((service, out.device_ms),) and out.device_ms > 0
    out = large.run("getprop")
    assert out.segments == ((None, out.device_ms),)


def test_a_checked_batch_keeps_each_parts_split(large: RecordedPhone) -> None:
    from scanner import batch, probes

    asked = [probes.BACKUP_ENABLED, probes.GETPROP, probes.PACKAGES]
    out = large.run(batch.script(asked, "n0nce"))
    services = [s for s, _ in out.segments]
    assert services == [None, "backup", None, "package"]
    assert sum(ms for _, ms in out.segments) == pytest.approx(out.device_ms)


def test_before_android_9_pm_starts_a_vm() -> None:
    spec = large_phone(60, 1)
    spec = replace(spec, props={**spec.props, "ro.build.version.sdk": "27"})
    phone = RecordedPhone(build(spec, model="m", product="p", device="d"))
    out = phone.run("pm list users")
    assert out.segments[0] == (None, times.APP_PROCESS_MS)
    assert out.segments[1][0] == "user" and out.segments[1][1] > 0


def test_the_other_users_bmgr_ride_streams_of_their_own(signer: object) -> None:
    """Each other user's bmgr in a stream of its own, so their VM starts overlap (session 28);
    the same facts as before: every user's backup state read, none damaged."""
    from scanner.collect import collect
    from scanner.simphone.phone import phone_server

    rec = build(large_phone(60, 3), model="Pixel 8", product="shiba", device="shiba")
    with phone_server(rec) as server:
        t = TcpTransport.connect("127.0.0.1", server.port, signer=signer)
        try:
            snap = collect(t)
        finally:
            t.close()
    assert snap.complete and sorted(snap.user_backups) == [10, 11]
    assert all(not hasattr(b, "reason") for b in snap.user_backups.values())
    records = {p.name: p for p in snap.probes if p.name.startswith("backup-")}
    per_user = [r for name, r in records.items() if ":" in name]
    assert len(per_user) == 4 and {r.wave for r in per_user} == {1}
    assert len({r.stream for r in per_user}) == 4
    assert records["backup-enabled"].stream not in {r.stream for r in per_user}

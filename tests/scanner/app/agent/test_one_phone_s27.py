"""boot12 (session 27): one phone reached two ways in a round is one phone, not twins.

Real peers: simulated phones (``RecordedPhone``: one responder served on two endpoints is one
phone on two links; two responders are two phones) scanned by the agent over TCP; the kernel's
boot id is what tells them apart (``scanner.app.agent.onephone``).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from msgspec.structs import replace

from checks.facts import Unseen
from checks.findings import Status
from scanner.app.agent import onephone
from scanner.app.agent.service import Agent
from scanner.app.agent.state import State
from scanner.parse.boot_id import parse_boot_id
from scanner.recording import Recording
from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.phone import DENIED, RecordedPhone
from tests.review9.harness import outcome, recorder
from tests.scanner.app.agent.test_agent import A16, phones, signer, start, write_config  # noqa: F401
from tests.scanner.app.agent.test_identity import with_serial
from tests.scanner.app.agent.test_twins_gone_s26 import CLEAN_CLONE

OWN = "R5CX27ONEPHONE"
BOOT = "3f1c2a9e-8b7d-4c6e-9a5b-0d1e2f3a4b5c"


def _server(phone: RecordedPhone) -> PhoneServer:
    return PhoneServer(phone, serial="ignored", product="pa3q", model="SM-S936B",
                       device="pa3q", auth=AuthPolicy(accept_any_key=True))  # fmt: skip


def _round(tmp: Path, signer, servers: list[PhoneServer]) -> tuple[dict[str, str], list]:  # type: ignore[no-untyped-def,type-arg]
    agent = Agent(write_config(tmp, [s.address for s in servers]), signer=signer)
    try:
        agent.scan_round()
        states = {d.id: str(d.last_state) for d in agent.state.devices()}
        rows = agent.state._rows(
            "SELECT s.state, s.verdict, s.error, s.failed FROM scans s"
            " WHERE s.device_id = ? AND s.round_id = (SELECT max(id) FROM rounds)",
            (OWN,),
        )
        open_fail = sum(
            1 for r in agent.state.open_findings(OWN) if r.tracked.status.value == "fail"
        )
    finally:
        agent.close()
    return states, [*(tuple(r) for r in rows), open_fail]


def test_the_boot_id_is_read_strictly() -> None:
    assert parse_boot_id(BOOT + "\n") == BOOT
    assert parse_boot_id(BOOT) == BOOT  # its newline is no part of it
    for bad in (BOOT.upper(), "00000000-0000-0000-0000-000000000000\n", BOOT + "\n" + BOOT,
                BOOT[:-1], BOOT + "0", BOOT.replace("-4c6e", "-1c6e"),  # a version-1 UUID
                BOOT.replace("-9a5b", "-7a5b"), " " + BOOT, "", "1\n"):  # fmt: skip
        got = parse_boot_id(bad)
        assert isinstance(got, Unseen), bad
        assert BOOT.upper()[:8] not in got.reason and BOOT[:8] not in got.reason  # never quoted


def test_one_phone_on_two_links_is_one_phone(tmp_path: Path, phones, signer) -> None:  # type: ignore[no-untyped-def]
    """One running phone (one responder, one boot id) on two endpoints: scanned, never twins; its
    failures open once, and resolve when the phone is fixed, after a reboot (a new boot id)."""
    phone = RecordedPhone(with_serial(A16, OWN))
    servers = [start(phones, _server(phone)) for _ in range(2)]
    states, rows = _round(tmp_path, signer, servers)
    assert states == {OWN: "scanned"}
    *scans, open_fail = rows
    assert [s[0] for s in scans] == ["scanned"] and scans[0][1] is not None  # one record
    assert "one phone over tcp and tcp in this round (one serial, one boot id)" in scans[0][2]
    assert "changes nothing" in scans[0][2] and BOOT not in scans[0][2]
    assert "since it came first and the other showed no more" in scans[0][2]  # 9 and 9 failed
    assert ", report " in scans[0][2] and scans[0][2].endswith(".json) changes nothing")
    assert open_fail == 9  # A16's failures, as a phone reached one way shows them
    for s in servers:
        s.stop()
    fixed = RecordedPhone(with_serial(CLEAN_CLONE, OWN))  # the same phone, fixed and rebooted
    again = [start(phones, _server(fixed)) for _ in range(2)]
    states, rows = _round(tmp_path, signer, again)
    assert states == {OWN: "scanned"} and rows[-1] == 0  # its failures resolve, nothing held


def test_the_boot_id_stays_out_of_the_state_and_reports(tmp_path: Path, phones, signer) -> None:  # type: ignore[no-untyped-def]
    phone = RecordedPhone(with_serial(A16, OWN), boot_id=BOOT + "\n")
    _round(tmp_path, signer, [start(phones, _server(phone)) for _ in range(2)])
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file():
            assert BOOT.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    "boots",
    [
        (None, None),  # clones: two phones, one serial, each its own boot
        (DENIED, DENIED),  # a phone whose shell may not read it: never merged on absence
        ("not a boot id\n", "not a boot id\n"),  # garbled alike on both: not read
        (BOOT.upper() + "\n", BOOT.upper() + "\n"),  # forged in a shape the kernel never prints
        (BOOT + "\n", DENIED),  # read on one only
    ],
)
def test_what_does_not_show_one_phone_stays_twins(
    tmp_path: Path,
    phones,
    signer,
    boots: tuple[str | None, str | None],  # type: ignore[no-untyped-def]
) -> None:
    servers = [
        start(phones, _server(RecordedPhone(with_serial(A16, OWN), boot_id=b))) for b in boots
    ]
    states, rows = _round(tmp_path, signer, servers)
    assert states == {OWN: "ambiguous"}
    assert [s[0] for s in rows[:-1]] == ["ambiguous", "ambiguous"]
    assert rows[-1] == 0  # the twins' failures never enter the state


def _one(tmp: Path, rec: Recording, *, complete: bool = True, unknown: int = 0) -> object:
    """``rec`` scanned with the boot id; ``unknown``: that many of its failures answered unknown
    (one phone's scans that disagree on what is closed are twins, review13)."""
    phone = outcome(tmp, rec, OWN)
    assert phone.scanned is not None
    findings = list(phone.scanned.findings)
    for i in [i for i, f in enumerate(findings) if f.status.value == "fail"][:unknown]:
        findings[i] = replace(findings[i], status=Status.UNKNOWN)
    phone.scanned = dataclasses.replace(phone.scanned, boot=BOOT, complete=complete,
                                        findings=tuple(findings), summary=None)  # fmt: skip
    phone.failed = (phone.failed or 0) - unknown
    return phone


@pytest.mark.parametrize("worse_first", [True, False])
def test_the_scan_showing_more_risk_is_the_record(tmp_path: Path, worse_first: bool) -> None:
    """Of two scans of one phone in a round, the one with more failures is recorded, whichever
    came first; the other changes nothing (its report is named)."""
    with State.open(tmp_path / "state.db") as state:
        record = recorder(state, tmp_path)
        bad, clean = _one(tmp_path, A16), _one(tmp_path, A16, unknown=9)
        for phone in (bad, clean) if worse_first else (clean, bad):
            record(phone)  # type: ignore[arg-type]
        rows = state._rows(
            "SELECT id, verdict, failed, error FROM scans WHERE device_id = ?", (OWN,)
        )
        recorded = [r for r in rows if r["verdict"] is not None]
        assert [r["failed"] for r in recorded] == [9]
        assert "it found more failed checks (9 to 0)" in recorded[0]["error"]
        assert f"({clean.scanned.scan_id[:8]}, report " in recorded[0]["error"]  # type: ignore[attr-defined]
        fails = [r for r in state.open_findings(OWN) if r.tracked.status.value == "fail"]
        assert len(fails) == 9


def test_a_damaged_answer_is_not_outvoted(tmp_path: Path) -> None:
    """A scan cut short or damaged is the record over a whole one with more failures: its damage
    stays named, and it resolves nothing it could not read."""
    with State.open(tmp_path / "state.db") as state:
        record = recorder(state, tmp_path)
        whole, cut = _one(tmp_path, A16), _one(tmp_path, A16, complete=False, unknown=1)
        record(whole)  # type: ignore[arg-type]
        record(cut)  # type: ignore[arg-type]
        rows = state._rows("SELECT verdict, complete, error FROM scans WHERE device_id = ?", (OWN,))
        recorded = [r for r in rows if r["verdict"] is not None]
        assert [r["complete"] for r in recorded] == [0]
        assert "cut short or answered damaged" in recorded[0]["error"]


def test_keeps_orders_by_risk() -> None:
    def r(complete: bool, failed: int) -> onephone.Reading:
        return onephone.Reading("s" * 8, "usb", BOOT, complete, failed)

    assert onephone.keeps(r(True, 0), r(False, 0)) and not onephone.keeps(r(False, 0), r(True, 9))
    assert onephone.keeps(r(True, 1), r(True, 2)) and not onephone.keeps(r(True, 2), r(True, 2))
    assert not onephone.same(r(True, 0), dataclasses.replace(r(True, 0), boot=None))
    assert not onephone.same(dataclasses.replace(r(True, 0), boot=None), r(True, 0))
    assert not onephone.same(None, r(True, 0)) and onephone.same(r(True, 0), r(False, 3))


def test_the_simulated_phone_answers_its_boot(tmp_path: Path) -> None:
    phone = RecordedPhone(A16)
    first = phone.run("cat /proc/sys/kernel/random/boot_id")
    assert isinstance(parse_boot_id(first.stdout.decode()), str) and first.exit_code == 0
    assert phone.run("cat /proc/sys/kernel/random/boot_id").stdout == first.stdout  # one boot
    phone.reboot()
    assert phone.run("cat /proc/sys/kernel/random/boot_id").stdout != first.stdout
    assert RecordedPhone(A16).run("cat /proc/sys/kernel/random/boot_id").stdout != first.stdout
    denied = RecordedPhone(A16, boot_id=DENIED).run("cat /proc/sys/kernel/random/boot_id 2>&1")
    assert (denied.exit_code, denied.stdout) == (
        1,
        b"cat: /proc/sys/kernel/random/boot_id: Permission denied\n",
    )


def test_no_report_or_snapshot_shows_the_boot_id() -> None:
    from checks.policy import Policy
    from reports.render.snapshot import snapshot_to_json
    from reports.report import build_report
    from scanner.app.scan import scan_result
    from scanner.replay import ReplayTransport

    result = scan_result(ReplayTransport(A16), Policy())
    assert isinstance(result.snapshot.boot_id, Unseen)  # a replay holds none: not read
    read = replace(result, snapshot=replace(result.snapshot, boot_id=BOOT))
    assert snapshot_to_json(read.snapshot)["boot_id"] == "read"
    assert BOOT not in json.dumps(snapshot_to_json(read.snapshot))
    assert BOOT not in json.dumps(build_report(read), default=str)


def test_one_phone_on_usb_and_tcp_in_one_round(tmp_path: Path, phones, signer) -> None:  # type: ignore[no-untyped-def]
    """The agent's round with one simulated phone on a USB-like link (adb-shell's USB transport
    over a cable to the phone, ``test_usb.CableToSimphone``) and over TCP at once: both scanned,
    one phone recorded, nothing ambiguous, its failures open once."""
    from checks.policy import Policy
    from scanner.app.agent.round import Limits, Openers, run_round
    from scanner.app.agent.targets import Target
    from scanner.transport.usb import UsbTransport
    from tests.scanner.transport.test_usb import CableToSimphone

    phone = RecordedPhone(with_serial(A16, OWN))
    usb_side, tcp_side = start(phones, _server(phone)), start(phones, _server(phone))

    class Cabled(Openers):
        def open(self, target: Target):  # type: ignore[no-untyped-def]
            if target.via != "usb":
                return super().open(target)
            cable = CableToSimphone(usb_side.port)
            cable.serial_number = target.id
            link = UsbTransport.connect(target.id, signer=self.signer, device=cable)
            with self._lock:
                self._open.add(link)
            return link

    openers = Cabled(signer, Limits(timeout_s=30, connect_timeout_s=3, auth_timeout_s=2))
    host, port = tcp_side.address.rsplit(":", 1)
    targets = [Target(OWN, "usb"), Target(tcp_side.address, "tcp", host, int(port))]
    with State.open(tmp_path / "state.db") as state:
        done = run_round(targets, [], policy=Policy(), openers=openers, concurrency=2,
                         reports_dir=tmp_path / "reports", on_phone=recorder(state, tmp_path))  # fmt: skip
        assert sorted((p.target.via, p.state) for p in done.phones) == [
            ("tcp", "scanned"),
            ("usb", "scanned"),
        ]
        assert [(d.id, str(d.last_state)) for d in state.devices()] == [(OWN, "scanned")]
        rows = state._rows("SELECT verdict, error FROM scans WHERE device_id = ?", (OWN,))
        [kept] = [r for r in rows if r["verdict"] is not None]
        assert "(one serial, one boot id): recorded once" in kept["error"]
        assert {"usb", "tcp"} <= set(kept["error"].split(" in this round")[0].split())
        fails = [r for r in state.open_findings(OWN) if r.tracked.status.value == "fail"]
        assert len(fails) == 9


def test_the_boot_ids_device_time_is_a_small_commands() -> None:
    from scanner.recordings.times import device_ms

    out = RecordedPhone(A16).run("cat /proc/sys/kernel/random/boot_id")
    argv = ("cat", "/proc/sys/kernel/random/boot_id")
    assert (
        out.device_ms
        == device_ms(argv, sdk=36, apps=0, users=1, out_bytes=37, dump_bytes=0)
        == RecordedPhone(A16, boot_id=DENIED).run(argv[0] + " " + argv[1]).device_ms
    )


def test_three_clones_under_one_serial_are_all_twins(tmp_path: Path) -> None:
    from tests.review9.harness import round_of

    with State.open(tmp_path / "state.db") as state:
        done = round_of(state, tmp_path, [(A16, OWN), (CLEAN_CLONE, OWN), (CLEAN_CLONE, OWN)])
        assert [p.state for p in done] == ["ambiguous"] * 3
        assert not [r for r in state.open_findings(OWN) if r.tracked.status.value == "fail"]

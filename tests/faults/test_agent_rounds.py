"""Fault matrix, the agent as cron sees it: ``msgscan agent --once`` exit codes (0 all scanned
and compliant, 1 a failed check, 2 could not start, 3 round incomplete), a bad inventory line
that costs only itself, a paused destination, and a phone cut short by SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.simphone import PhoneServer
from scanner.simphone.faults import Faults
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import A14, A16, start
from tests.reports.deliver.peers import Receiver, Reply
from tests.faults.cli import ROOT, msgscan, no_traceback


def config(tmp: Path, endpoints: list[str], *, extra: str = "", inventory: str | None = None,
           timeout: str = "20s") -> Path:
    lines = [
        "[agent]", 'state_dir = "state"',
        "[schedule]", 'every = "1h"',
        "[scan]", f'timeout = "{timeout}"', 'connect_timeout = "2s"', 'auth_timeout = "1s"',
        "[usb]", "enabled = false",
        "[adb_server]", "use = false",
        "[tcp]", "endpoints = [" + ", ".join(f'"{e}"' for e in endpoints) + "]",
    ]
    if inventory is not None:
        lines.append('inventory_file = "phones.txt"')
        (tmp / "phones.txt").write_text(inventory)
    path = tmp / "agent.toml"
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def once(tmp: Path, cfg: Path, **env: str):  # type: ignore[no-untyped-def]
    return msgscan("agent", "--once", "--config", str(cfg), home=tmp / "home", env=env, timeout=90)


def device_rows(tmp: Path) -> dict[str, tuple[str, str | None]]:
    db = sqlite3.connect(tmp / "state" / "msgscan.db")
    try:
        return {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, last_state, last_error FROM devices")}
    finally:
        db.close()


def test_all_scanned_and_compliant_exits_0(tmp_path: Path, phones: list[PhoneServer]) -> None:
    good = start(phones, phone_server(A14))

    run = once(tmp_path, config(tmp_path, [good.address]))

    assert (0, False) == (run.code, "not done" in run.err), run.err
    assert {good.address: ("scanned", None)} == device_rows(tmp_path)


def test_a_failed_check_exits_1(tmp_path: Path, phones: list[PhoneServer]) -> None:
    failing = start(phones, phone_server(A16))

    run = once(tmp_path, config(tmp_path, [failing.address]))

    assert (1, True) == (run.code, "1 phone(s) had a failed check" in run.err), run.err


def test_a_phone_not_scanned_exits_3_naming_it(tmp_path: Path, phones: list[PhoneServer]) -> None:
    """One phone scanned and compliant, one unreachable: not a success for cron."""
    good = start(phones, phone_server(A14))

    run = once(tmp_path, config(tmp_path, [good.address, "127.0.0.1:9"]))

    assert (3, True) == (run.code, no_traceback(run)), run.err
    assert "the round is incomplete (exit 3)" in run.err
    assert "not done: 127.0.0.1:9: unreachable" in run.err


def test_a_bad_inventory_line_costs_only_itself(tmp_path: Path, phones: list[PhoneServer]) -> None:
    """Line 3 is bad: the phones on lines 2 and 4 are still scanned, and the round says which
    line was bad (file and number) and exits 3 instead of 0."""
    one = start(phones, phone_server(A14))
    two = start(phones, phone_server(A14, index=1))
    inventory = f"# lab\n{one.address}\nphone-without-port\n{two.address}\n"

    run = once(tmp_path, config(tmp_path, [], inventory=inventory))

    assert (3, True) == (run.code, no_traceback(run)), run.err
    assert f"not done: {tmp_path / 'phones.txt'}:3: 'phone-without-port' is not host:port" in run.err
    scanned = {k for k, (state, _) in device_rows(tmp_path).items() if state == "scanned"}
    assert {one.address, two.address} == scanned


def test_an_unreadable_inventory_is_reported_not_silent(tmp_path: Path, phones: list[PhoneServer]) -> None:
    good = start(phones, phone_server(A14))
    cfg = config(tmp_path, [good.address], inventory="")
    (tmp_path / "phones.txt").unlink()
    os.mkfifo(tmp_path / "phones.txt")

    run = once(tmp_path, cfg)

    assert (3, True) == (run.code, no_traceback(run)), run.err
    assert f"not done: {tmp_path / 'phones.txt'}: the TCP inventory must be a regular file" in run.err


def test_a_paused_destination_exits_3(tmp_path: Path, phones: list[PhoneServer]) -> None:
    """The SIEM answers 401: the destination pauses, its events stay queued, and the round
    exits 3 naming the destination, not 0."""
    receiver = Receiver()
    receiver.script = [Reply(status=401)] * 5
    good = start(phones, phone_server(A14))
    extra = (f'[destinations.splunk]\ntype = "hec"\nurl = "{receiver.url}"\n'
             'token_env = "FAULTS_HEC_TOKEN"\nbackoff = 0.05\nbackoff_max = 0.2\ntimeout = 2\n')
    try:
        run = once(tmp_path, config(tmp_path, [good.address], extra=extra), FAULTS_HEC_TOKEN="t0ken")
    finally:
        receiver.close()

    assert (3, True) == (run.code, no_traceback(run)), run.err
    assert "not done: destination splunk:" in run.err and "(paused" in run.err, run.err


FULL = ('[agent]\nstate_dir = "state"\n[schedule]\nevery = "1h"\n[usb]\nenabled = false\n'
        '[adb_server]\nuse = false\n[tcp]\nendpoints = ["127.0.0.1:9"]\n')


@pytest.mark.parametrize(("text", "problem"), [
    ("[agent\n", "not valid TOML"),
    (FULL.replace('"1h"', '"soon"'), "schedule.every"),
    (FULL.replace('state_dir = "state"', 'state_dir = "state"\npolicy = "missing.toml"'),
     "missing.toml: no such file (the policy)"),
    (FULL + '[destinations.s]\ntype = "hec"\nurl = "http://127.0.0.1:9"\ntoken_env = "FAULTS_UNSET"\n',
     "FAULTS_UNSET"),
])
def test_could_not_start_exits_2_naming_the_config(tmp_path: Path, text: str, problem: str) -> None:
    """Bad TOML, a bad value, a missing policy, an unset token variable: exit 2, and the error
    names the config file it comes from."""
    cfg = tmp_path / "agent.toml"
    cfg.write_text(text)

    run = once(tmp_path, cfg)

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert problem in run.err
    assert str(cfg) in run.err


def test_sigterm_marks_the_phone_interrupted_not_lost(tmp_path: Path, phones: list[PhoneServer]) -> None:
    """`agent --once` gets SIGTERM while a phone hangs: it ends within 10 s with exit 3, and the
    phone is recorded as interrupted, without the keep-it-plugged-in hint of a lost phone."""
    # 200 bytes: the parallel streams of the first wave get no whole answer (20 KB gave some
    # of them theirs, and the phone's real failed checks then set exit 1).
    hangs = start(phones, phone_server(A16, faults=Faults(hang_after_bytes=200)))
    cfg = config(tmp_path, [hangs.address], timeout="60s")
    proc = subprocess.Popen([sys.executable, "-m", "scanner.app.cli", "agent", "--once", "--config", str(cfg)],
                            cwd=ROOT, env={**os.environ, "ANDROID_USER_HOME": str(tmp_path / "home")},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(4.0)  # connected, and stuck in the hanging exchange
        stopping = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        took = time.monotonic() - stopping
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (3, True) == (proc.returncode, took < 10), err.decode()
    state, error = device_rows(tmp_path)[hangs.address]
    assert "interrupted" == state
    assert error is not None and "SIGTERM" in error and "plugged in" not in error
    assert "interrupted (SIGTERM or SIGINT)" in err.decode()
    reports = list((tmp_path / "state" / "reports").glob("127.0.0.1_*.json"))
    assert reports  # the phone answered CNXN, so the scan began and its report says how it ended
    for report in reports:  # written when the cut came after the first exchange
        problems = json.loads(report.read_text())["scan"]["problems"]
        assert any("it was stopping (SIGTERM or SIGINT)" in p for p in problems), problems
        assert not any("plugged in" in p for p in problems), problems


def test_help_documents_the_exit_codes() -> None:
    """`msgscan agent --help` states the four codes the tests above pin."""
    text = " ".join(msgscan("agent", "--help").out.split())

    for claim in (("0 stopped cleanly (--once: every phone found was scanned completely, none had a "
                   "failed check, every event was delivered)"),
                  "1 (--once) at least one phone had a failed check",
                  "2 could not start",
                  "3 (--once) the round is incomplete"):
        assert claim in text


def test_a_failed_check_outranks_an_incomplete_round() -> None:
    """A failed check (1) is what cron must see first; the reasons the round is also incomplete
    are still listed. A destination holding events makes a round incomplete."""
    from dataclasses import dataclass, field

    from scanner.app.agent.once import once_exit

    @dataclass
    class Round:
        failed_phones: int
        not_scanned: list[str] = field(default_factory=list)

    held = [{"destination": "splunk", "queue_depth": 4, "state": "retrying", "last_error": "503"}]

    assert (1, ["1 phone(s) had a failed check", "not done: a:1: unreachable"]) == \
        once_exit(Round(1, ["a:1: unreachable"]), [])
    assert 3 == once_exit(Round(0), held)[0]
    assert "not done: destination splunk: 4 event(s) not delivered (retrying: 503)" in once_exit(Round(0), held)[1]
    assert (0, []) == once_exit(Round(0), [{"destination": "s", "queue_depth": 0, "state": "ok"}])

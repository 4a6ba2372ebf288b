"""Whole scans over the real ADB TCP path against the simulated phone."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from scanner import recording
from scanner.app.cli import main
from scanner.recordings import build
from scanner.simphone import AuthPolicy, Faults
from scanner.simphone.phone import phone_server
from scanner.transport.interface import DEFAULT_STREAMS

RECORDINGS = build.HERE


@pytest.fixture(autouse=True)
def private_adb_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans use a throw-away ~/.android for their key."""
    monkeypatch.setenv("ANDROID_USER_HOME", str(tmp_path / "android-home"))


def scan_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object], str]:
    code = main(["scan", "--format", "json", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def essence(report: dict[str, object]) -> list[tuple[object, ...]]:
    return [
        (f["check_id"], f["status"], f["package"], f["profile"], tuple(e["text"] for e in f["evidence"]))
        for f in report["findings"]  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("name", sorted(build.SHIPPED))
def test_tcp_scan_equals_replay(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Over ADB/TCP the simulated phone yields exactly the findings of a replay, in 3 waves of
    parallel streams (inventory with user 0's folders; other users' folders with pm path and
    the APKs' ZIP end; the signing blocks): several streams open at once, never more than 8."""
    rec = recording.load(RECORDINGS / name)
    with phone_server(rec) as phone:
        code_tcp, tcp, _ = scan_json(capsys, "--tcp", phone.address)
        shells = [s for s in phone.services if s.startswith("shell")]
        at_once = phone.stats.most_streams
    code_replay, replay, _ = scan_json(capsys, "--replay", str(RECORDINGS / name))
    assert (code_replay, essence(replay)) == (code_tcp, essence(tcp))
    assert (True, True) == (tcp["scan"]["complete"], 3 <= len(shells) <= 3 * DEFAULT_STREAMS)  # type: ignore[index]
    assert 5 <= at_once <= DEFAULT_STREAMS


def test_unauthorized_key(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown key on a phone whose prompt nobody answers: exit 2 and the Allow hint, in time."""
    rec = recording.load(RECORDINGS / "android16-personal-whatsapp-telegram.json")
    with phone_server(rec, auth=AuthPolicy(prompt="never")) as phone:
        started = time.monotonic()
        code, report, err = scan_json(capsys, "--tcp", phone.address, "--auth-timeout", "1")
        took = time.monotonic() - started
    assert (2, {}) == (code, report)
    assert "did not accept this computer's ADB key" in err and "Allow USB debugging?" in err
    assert took < 10 and "Traceback" not in err


def test_dropped_connection_gives_an_incomplete_report(capsys: pytest.CaptureFixture[str]) -> None:
    """A connection reset mid-scan: a report marked incomplete, exit 2, no traceback."""
    rec = recording.load(RECORDINGS / "android16-personal-whatsapp-telegram.json")
    with phone_server(rec, faults=Faults(drop_after_bytes=20_000)) as phone:
        code, report, err = scan_json(capsys, "--tcp", phone.address)
    assert (2, False) == (code, report["scan"]["complete"])  # type: ignore[index]
    assert "incomplete" in err and "Traceback" not in err
    statuses = {f["status"] for f in report["findings"]}  # type: ignore[attr-defined]
    assert "error" in statuses


def test_hung_phone_is_abandoned_within_the_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    """A phone that stops sending mid-stream is given up after --timeout, not waited on forever."""
    rec = recording.load(RECORDINGS / "android16-personal-whatsapp-telegram.json")
    with phone_server(rec, faults=Faults(hang_after_bytes=20_000)) as phone:
        started = time.monotonic()
        code, report, err = scan_json(capsys, "--tcp", phone.address, "--timeout", "2")
        took = time.monotonic() - started
    assert (2, False) == (code, report["scan"]["complete"])  # type: ignore[index]
    assert took < 2 + 5, f"took {took:.1f} s"


def test_demo(capsys: pytest.CaptureFixture[str]) -> None:
    """`scan --demo` scans the bundled phone through the TCP path and prints the summary."""
    code = main(["scan", "--demo"])
    out, err = capsys.readouterr()
    assert (1, True, True) == (code, "NOT COMPLIANT" in out, "simulated phone" in err)


def test_demo_messengers_fail_msg08_on_test_keys(tmp_path: Path) -> None:
    """README: the demo's APKs are signed with build-time keys, so MSG-08 fails WhatsApp and
    Telegram, each naming the digest it found."""
    out = tmp_path / "demo.json"
    assert 1 == main(["scan", "--demo", "--format", "json", "-o", str(out)])
    found = [f for f in json.loads(out.read_text())["findings"] if f["check_id"] == "MSG-08"]
    assert [("com.whatsapp", "fail"), ("org.telegram.messenger", "fail")] == sorted(
        (f["package"], f["status"]) for f in found
    )
    assert all("SHA-256" in " ".join(e["text"] for e in f["evidence"]) for f in found)

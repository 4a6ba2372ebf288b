"""Fault matrix, control characters: a phone whose serial and model carry terminal escapes
(ESC [ colours, an OSC window title, C1 CSI, bidi override, NUL) shows none of them in any
output, neither raw nor as a JSON ``\\u001b`` escape: every report format, the snapshot, the
logs, stderr, the agent's fleet summary and its per-phone report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from msgspec.structs import replace

from scanner import recording
from scanner.app.agent.rows import DeviceState, Via
from scanner.app.agent.service import Agent
from scanner.recording import Recording
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server
from tests.faults.cli import A16, msgscan
from tests.faults.test_agent_rounds import config, once
from tests.scanner.app.agent.test_agent import start

EVIL = "\x1b[31m\x1b]0;owned\x07\x9b2J\u202e\x00\x7f"
SERIAL = f"R5C{EVIL}T1"
MODEL = f"SM-S936B{EVIL}"
FORBIDDEN = ("\x1b", "\x9b", "\u202e", "\x00", "\x7f", "\x07", "\\u001b", "\\u009b", "\\u202e",
             "\\u0000", "\\u007f", "\\u0007", "\\x1b", "&#27;", "&#x1b;")


def hostile(tmp: Path) -> Path:
    rec = recording.load(A16)
    commands = tuple(
        replace(c, stdout=c.stdout.replace(b"[SM-S936B]", f"[{MODEL}]".encode()))
        if c.argv == ("getprop",) else c
        for c in rec.commands
    )
    meta = {**rec.meta, "source": "constructed",
            "how_made": "android16-personal-whatsapp-telegram with escapes in serial and model"}
    path = tmp / "hostile.json"
    recording.save(Recording(replace(rec.device, serial=SERIAL), commands, meta, rec.files), path)
    return path


def clean(text: str) -> bool:
    return not any(f in text for f in FORBIDDEN)


@pytest.mark.parametrize("fmt", ["json", "ocsf", "ecs", "cef", "text", "html"])
def test_every_report_format_is_clean(tmp_path: Path, fmt: str) -> None:
    run = msgscan("-vv", "scan", "--replay", str(hostile(tmp_path)), "--format", fmt)

    assert run.code == 2, run.err  # ESC in getprop marks the fact damaged: incomplete
    assert clean(run.out), [f for f in FORBIDDEN if f in run.out]
    assert clean(run.err)  # the JSON log lines of -vv too
    assert "R5CT1" in run.out or fmt in ("text", "html")  # stripped, not dropped
    if fmt in ("json", "ocsf", "ecs"):
        assert "SM-S936B" in run.out


def test_the_json_report_keeps_the_cleaned_values(tmp_path: Path) -> None:
    run = msgscan("scan", "--replay", str(hostile(tmp_path)), "--format", "json")
    report = json.loads(run.out)

    assert report["device"]["serial"] == "R5CT1"
    assert report["device"]["model"].startswith("SM-S936B")  # getprop marks the damage with U+FFFD


def test_snapshot_output_is_clean(tmp_path: Path) -> None:
    path = hostile(tmp_path)
    as_json = msgscan("snapshot", "--replay", str(path), "--json")
    as_text = msgscan("snapshot", "--replay", str(path))

    assert (as_json.code, as_text.code) == (2, 2)  # damaged getprop: incomplete
    assert clean(as_json.out) and clean(as_text.out)


def test_the_fleet_summary_and_agent_reports_are_clean(tmp_path: Path, phones: list[PhoneServer]) -> None:
    """The agent scans the phone over ADB: its model reaches the per-phone report, the events
    it delivers (a file destination) and the logs without a control character."""
    rec = recording.load(hostile(tmp_path))
    phone = start(phones, phone_server(rec))
    cfg = config(tmp_path, [phone.address], extra='[destinations.siem]\ntype = "file"\n'
                 'path = "events.ndjson"\nformat = "ocsf"\n')
    cfg.write_text(cfg.read_text().replace("[agent]\n", '[agent]\nlog_level = "debug"\n', 1))

    run = once(tmp_path, cfg)

    assert run.code == 1, run.err  # a failed check outranks the incomplete round
    summary = (tmp_path / "state" / "reports" / "fleet-summary.json").read_text()
    report = next(p for p in (tmp_path / "state" / "reports").glob("*.json")
                  if p.name != "fleet-summary.json").read_text()
    events = (tmp_path / "events.ndjson").read_text()
    assert clean(summary) and clean(report) and clean(run.err) and clean(events)
    assert "SM-S936B" in report and "SM-S936B" in events


def test_the_fleet_summary_is_clean(tmp_path: Path, phones: list[PhoneServer], signer) -> None:  # type: ignore[no-untyped-def]
    """A phone known by a hostile serial (as USB or the adb server report it) with a hostile
    error text: the fleet summary lists it, stripped."""
    phone = start(phones, phone_server(recording.load(A16)))
    agent = Agent(config(tmp_path, [phone.address]), signer=signer)
    try:
        agent.state.seen_device(SERIAL, via=Via("usb"), state=DeviceState("unauthorized"),
                                at=datetime.now(UTC), error=f"phone {SERIAL} said {EVIL}")
        agent.scan_round()
    finally:
        agent.close()

    summary = (tmp_path / "state" / "reports" / "fleet-summary.json").read_text()
    assert clean(summary)
    assert "R5CT1" in summary and "said" in summary


def test_error_messages_are_clean(tmp_path: Path) -> None:
    """An error naming a hostile string (here the file name) prints it stripped on stderr."""
    path = tmp_path / f"phone{EVIL.replace(chr(0), '')}.json"

    run = msgscan("scan", "--replay", str(path))

    assert run.code == 2
    assert clean(run.err) and f"{tmp_path}/phone" in run.err

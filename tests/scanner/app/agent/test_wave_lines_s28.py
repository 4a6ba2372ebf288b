"""An agent round's wave lines (session 28, the lead's decision): ``wave.done`` is logged at
debug in an agent's round (a worker whose level is info never makes nor sends one), and each
phone's ``phone.done`` line carries its scan's waves and streams; at debug (``-vv``) the wave
lines are written as before. ``msgscan scan -v`` keeps them at info (``test_cli_habits``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner import waves
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server

from .test_agent import A16, ROOT, phones, start  # noqa: F401 - the phones fixture
from .test_workers import PHONES, write_config


def _round(tmp: Path, servers: list[PhoneServer], *flags: str) -> list[dict[str, Any]]:
    cfg = write_config(tmp, [s.address for s in servers], 2)
    proc = subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "agent", "--once", *flags, "--config", str(cfg)],
        cwd=ROOT,
        env={**os.environ, "ANDROID_USER_HOME": str(tmp / "home")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr.decode()  # every simulated phone fails a check
    return [json.loads(x) for x in proc.stderr.decode().splitlines() if x.startswith("{")]


@pytest.mark.parametrize("flags", [(), ("-vv",)])
def test_an_agent_round_says_waves_in_the_phone_line(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
    flags: tuple[str, ...],
) -> None:
    servers = [start(phones, phone_server(A16, index=i)) for i in range(PHONES)]
    events = _round(tmp_path, servers, *flags)
    assert [e["start"] for e in events if e.get("event") == "workers.started"] == ["fork"]
    done = [e for e in events if e.get("event") == "phone.done"]
    assert len(done) == PHONES and {e["state"] for e in done} == {"scanned"}
    lines = [e for e in events if e.get("event") == "wave.done"]
    for e in done:  # the shipped phone: 3 waves, more streams than waves
        assert e["waves"] == 3 and e["streams"] > e["waves"]
    if flags:  # debug: every phone's wave lines, each at debug, as many streams as said
        assert len(lines) == 3 * PHONES and {e["level"] for e in lines} == {"debug"}
        # the phone's count is of the streams that carried the probes its report records
        assert sum(e["streams"] for e in done) <= sum(e["streams"] for e in lines)
        assert sum(e["streams"] for e in done) >= sum(e["streams"] for e in lines) - PHONES
    else:
        assert lines == []


def test_a_round_puts_the_wave_level_back() -> None:
    before = waves.in_agent()
    assert waves.in_agent(before) == "debug"
    assert waves._level == [before] == ["info"]

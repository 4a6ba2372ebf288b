"""What packaging/ ships: the systemd service, the timer for --once schedules, the udev rules,
and the README's way to install the CLI (pipx)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.transport.usb import ADB_INTERFACES

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((PACKAGING / name).read_text())
    return parser


def test_timer_runs_one_round() -> None:
    """The timer starts the oneshot service, which runs `agent --once`; missed runs catch up,
    a found failure (exit 1) is not a failed unit."""
    timer, service = unit("msgscan-agent-once.timer"), unit("msgscan-agent-once.service")

    assert "msgscan-agent-once.service" == timer["Timer"]["Unit"]
    assert ("true", "timers.target") == (timer["Timer"]["Persistent"], timer["Install"]["WantedBy"])
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["RandomizedDelaySec"]
    assert "oneshot" == service["Service"]["Type"]
    assert " agent --once " in service["Service"]["ExecStart"] + " "
    assert "1" == service["Service"]["SuccessExitStatus"]
    agent = unit("msgscan-agent.service")["Service"]
    assert {k: v for k, v in agent.items() if k.startswith(("Protect", "Restrict", "Device"))} == {
        k: v for k, v in service["Service"].items() if k.startswith(("Protect", "Restrict", "Device"))}


def test_units_verify(tmp_path: Path) -> None:
    """systemd-analyze verify accepts the service and the timer (ExecStart pointed at this
    install's msgscan, which verify wants to exist)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze is missing (Debian package systemd)")
        pytest.skip("systemd-analyze is missing")
    script = Path(sys.executable).with_name("msgscan")
    for name in ("msgscan-agent-once.service", "msgscan-agent-once.timer"):
        text = (PACKAGING / name).read_text().replace("/usr/local/bin/msgscan", str(script))
        (tmp_path / name).write_text(text)
    out = subprocess.run([analyze, "verify", *(str(p) for p in sorted(tmp_path.iterdir()))],
                         check=False, capture_output=True, text=True, timeout=60)
    assert (0, "") == (out.returncode, out.stderr.strip())


def test_udev_rules_match_adb_interfaces() -> None:
    """The rules give plugdev (and the seat's user) the USB nodes of exactly the interfaces
    msgscan's USB transport talks to; every line is well-formed udev syntax."""
    text = (PACKAGING / "51-msgscan-android.rules").read_text()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    pair = re.compile(r'[A-Z_]+(\{[A-Za-z_]+\})?(==|!=|=|\+=)"[^"]*"')
    assert all(all(pair.fullmatch(p.strip()) for p in line.split(", ")) for line in lines), lines
    matched = set(re.findall(r'ENV\{ID_USB_INTERFACES\}=="\*:([0-9a-f]{6}):\*"', text))

    assert {f"{c:02x}{s:02x}{p:02x}" for c, s, p in ADB_INTERFACES} == matched
    assert all('GROUP="plugdev"' in line and 'MODE="0660"' in line for line in lines
               if "ID_USB_INTERFACES" in line)
    assert "SupplementaryGroups=plugdev" in (PACKAGING / "msgscan-agent.service").read_text()


def test_readme_installs_with_pipx_and_names_the_files() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pipx install ." in readme
    for name in ("51-msgscan-android.rules", "msgscan-agent-once.timer", "msgscan.1",
                 "completion/msgscan.bash"):
        assert f"packaging/{name}" in readme, name

"""``msgscan simulate --farm N`` as a person runs it, explored with Google's adb (29 and 36)."""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
from pathlib import Path

from scanner.recordings.farm import FarmPhone, farm

from .test_adb_client import Adb, adb  # noqa: F401 - the adb fixture, both clients


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports below Linux's ephemeral range (32768+), so
    that no adb server port or outgoing connection can take one meanwhile."""
    for base in random.sample(range(20000, 32000, 50), 40):
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise AssertionError("no run of free ports")


def start_farm(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner.app.cli", "simulate", "--accept-any-key", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    addresses = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("simulating"):
            return proc, addresses
        addresses[line.split()[1]] = line.split()[-1]
    proc.kill()
    raise AssertionError(f"simulate ended: {proc.stderr.read() if proc.stderr else ''}")


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=15)


def test_farm_phones_answer_as_their_android_does(adb: Adb, tmp_path: Path) -> None:  # noqa: F811
    """The Android 6 phone has no shell_v2 (no exit codes over shell v1) and mksh's old prompt;
    the Android 16 one reports exit codes; each prints its model; the unreachable one is not there."""
    proc, addresses = start_farm(
        "--farm",
        "12",
        "--port",
        str(free_ports(12)),
        "--save-farm",
        str(tmp_path / "farm.json"),
    )
    try:
        old, new, gone = addresses["FARM0001"], addresses["FARM0002"], addresses["FARM0003"]
        for address in (old, new):
            assert f"connected to {address}" in adb("connect", address).stdout.decode()
            assert 0 == adb("-s", address, "wait-for-device").returncode
        model_old = adb("-s", old, "shell", "getprop", "ro.product.model")
        false_old, false_new = adb("-s", old, "shell", "false"), adb("-s", new, "shell", "false")
        prompt = adb("-s", old, "shell", stdin=b"whoami\nexit\n")
        refused = adb("connect", gone)
    finally:
        assert 0 == stop(proc)
    assert (0, b"SM-G930F\n") == (model_old.returncode, model_old.stdout)
    assert (0, 1) == (false_old.returncode, false_new.returncode)
    assert b"shell@herolte:/ $ " in prompt.stdout
    saved = json.loads((tmp_path / "farm.json").read_text())
    assert (
        b"connected to" not in refused.stdout
        and b"failed to connect" in refused.stdout + refused.stderr
    )
    assert farm(12, 0) == [FarmPhone.from_json(p) for p in saved["phones"]]


def test_a_bad_farm_spec_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "farm.json"
    spec.write_text(
        json.dumps({"format": "msgscan-farm", "version": 1, "phones": [{"serial": "X", "sdk": 99}]})
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner.app.cli",
            "simulate",
            "--farm-spec",
            str(spec),
            "--accept-any-key",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert 2 == done.returncode
    assert "phone 1" in done.stderr and str(spec) in done.stderr


def test_count_and_farm_together_exit_2() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner.app.cli",
            "simulate",
            "--farm",
            "3",
            "--count",
            "2",
            "--accept-any-key",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert 2 == done.returncode and "--count" in done.stderr

"""bench/agent_round.py runs end to end on this tree: the rounds RESULTS reports ("1000 scanned")
come from this command, so a change that breaks it (a recording copied with the wrong
``replace``, session 21) must fail here, not in the next benchmark run."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_ports(n: int) -> int:
    """The first of ``n`` consecutive ports nothing listens on (probed, then released)."""
    for base in range(23000, 29000, 50):
        socks = []
        try:
            for port in range(base, base + n):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise AssertionError("no free ports")


def test_a_small_round_scans_every_phone() -> None:
    port = _free_ports(3)
    run = subprocess.run(
        [sys.executable, "bench/agent_round.py", "--phones", "3", "--port", str(port)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip

    assert run.returncode == 0, run.stderr[-2000:]
    row = [line for line in run.stdout.splitlines() if line.startswith("| this checkout")]
    assert len(row) == 1, run.stdout
    assert "| 3 scanned |" in row[0]

"""bench/agent_round.py ``--rounds N`` (session 22): a running agent (``msgscan agent``, not
``--once``) for N rounds back to back, stopped by SIGTERM after the last; its figures cover
every round (RESULTS' "kept workers" row comes from this command)."""

from __future__ import annotations

import subprocess
import sys

from .test_agent_round_runs import ROOT, _free_ports


def test_two_rounds_of_a_running_agent_scan_every_phone_twice() -> None:
    port = _free_ports(3)
    run = subprocess.run(
        [sys.executable, "bench/agent_round.py", "--phones", "3", "--port", str(port),
         "--rounds", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip

    assert run.returncode == 0, run.stderr[-2000:]
    row = [line for line in run.stdout.splitlines() if line.startswith("| this checkout")]
    assert len(row) == 1, run.stdout
    assert "| 3 shipped × 2 rounds |" in row[0] and "| 6 scanned |" in row[0]
    assert "exit [0]" in row[0]  # SIGTERM ends a running agent with 0

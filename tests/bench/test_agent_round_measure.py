"""What bench/agent_round.py says it measures of the agent's process tree (issue 18.4): the CPU of
worker processes the agent reaped is in ``/usr/bin/time``'s figure, and the tree's memory sums
every process of it, each counted once (PSS) or with its shared pages (RSS)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench.agent_round import TIME, tree_memory_mb

BURN = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass\n"
HOLD = (
    "import sys, time\nb = bytearray(40 << 20)\nb[::4096] = b'x' * len(b[::4096])\n"
    "sys.stdout.write('ready\\n'); sys.stdout.flush(); time.sleep(30)\n"
)


def test_time_counts_the_workers_the_agent_reaped(tmp_path: Path) -> None:
    """A parent that burns nothing and reaps two children burning 0.6 s each: ``time`` reports
    the 1.2 s, as it does for the agent and its workers."""
    parent = (
        "import subprocess, sys\n"
        f"kids = [subprocess.Popen([sys.executable, '-c', {BURN!r}]) for _ in range(2)]\n"
        "[k.wait() for k in kids]\n"
    )
    figures = tmp_path / "time.txt"
    subprocess.run(
        [TIME, "-f", "%U %S %M", "-o", str(figures), sys.executable, "-c", parent], check=True
    )
    user, system, _ = figures.read_text().split()[-3:]
    assert float(user) + float(system) >= 1.1


def test_the_tree_memory_sums_every_process() -> None:
    """Two children holding 40 MB each under one parent: the tree's PSS and RSS both count both
    (over 80 MB), where the kernel's largest-process figure would say about 40."""
    parent = (
        "import subprocess, sys, time\n"
        f"kids = [subprocess.Popen([sys.executable, '-c', {HOLD!r}], stdout=subprocess.PIPE)"
        " for _ in range(2)]\n"
        "[k.stdout.readline() for k in kids]\n"
        "print('ready', flush=True); time.sleep(30)\n"
    )
    root = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    try:
        assert root.stdout is not None and root.stdout.readline() == "ready\n"
        time.sleep(0.2)
        rss, pss = tree_memory_mb(psutil.Process(root.pid))  # its descendants, as of time
    finally:
        for child in psutil.Process(root.pid).children(recursive=True):
            child.kill()
        root.kill()
        root.wait()
    assert pss > 80 and rss > 80 and rss >= pss

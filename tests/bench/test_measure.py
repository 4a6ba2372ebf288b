"""The benchmarks' peak RSS is the measured process's own, not its parent's (issue 18.5)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from bench.measure import ready, run, simulator

ROOT = Path(__file__).resolve().parents[2]
A16 = ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json"


def test_a_small_child_of_a_large_parent_is_small() -> None:
    """A bench holding 300 MB forks a child that allocates 60 MB: the child's peak is about
    60 MB plus the interpreter, never the parent's 300 MB (RUSAGE_CHILDREN said so)."""
    ballast = bytearray(300 << 20)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touched: resident, not just reserved
    small = run([sys.executable, "-c", "pass"])
    grown = run(
        [sys.executable, "-c", "b = bytearray(60 << 20); b[::4096] = b'x' * len(b[::4096])"]
    )
    assert (small.returncode, grown.returncode) == (0, 0)
    assert small.peak_rss_mb < 40, small
    assert 60 < grown.peak_rss_mb < 110, grown
    assert grown.cpu >= 0 and grown.wall > 0
    del ballast


def test_simulator_ready_lists_its_phones_and_a_taken_port_stops_the_bench(
    tmp_path: Path,
) -> None:
    """``measure.simulator`` + ``ready``: the phones it serves are listed before it says
    "simulating"; a second simulator on the same ports ends at once and the bench exits with
    the reason, instead of measuring a round with its phones unreachable."""
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp_path)}
    port = 7620
    first = simulator(A16, port, latency_ms=0, env=env, count=2, cwd=ROOT)
    try:
        assert len(ready(first)) == 2
        second = simulator(A16, port, latency_ms=0, env=env, count=2, cwd=ROOT)
        with pytest.raises(SystemExit, match="did not start"):
            ready(second)
    finally:
        first.terminate()
        first.wait(timeout=10)

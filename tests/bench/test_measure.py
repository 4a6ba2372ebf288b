"""The benchmarks' peak RSS is the measured process's own, not its parent's (issue 18.5)."""

from __future__ import annotations

import sys

from bench.measure import run


def test_a_small_child_of_a_large_parent_is_small() -> None:
    """A bench holding 300 MB forks a child that allocates 60 MB: the child's peak is about
    60 MB plus the interpreter, never the parent's 300 MB (RUSAGE_CHILDREN said so)."""
    ballast = bytearray(300 << 20)
    ballast[:: 4096] = b"x" * len(ballast[:: 4096])  # touched: resident, not just reserved
    small = run([sys.executable, "-c", "pass"])
    grown = run([sys.executable, "-c", "b = bytearray(60 << 20); b[::4096] = b'x' * len(b[::4096])"])
    assert (small.returncode, grown.returncode) == (0, 0)
    assert small.peak_rss_mb < 40, small
    assert 60 < grown.peak_rss_mb < 110, grown
    assert grown.cpu >= 0 and grown.wall > 0
    del ballast

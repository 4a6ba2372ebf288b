"""``scanner.malloc.keep_freed`` (session 26): in a scanning worker, a phone's 1 MB blocks reuse
the last phone's pages instead of a fresh mapping each (page faults), and the memory an arena
keeps for that stays bounded; an operator's malloc settings win."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scanner.malloc import KEEP_TRIM, keep_freed

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")

_CHURN = """
import resource, sys
from scanner.malloc import keep_freed
if sys.argv[1] == "keep":
    assert keep_freed()
def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4
blocks = [bytes(1 << 20) for _ in range(4)]  # warm: the arena has grown once
del blocks
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):  # a phone's outputs: a few 1 MB blocks made and freed
    blocks = [bytes(1 << 20) for _ in range(4)]
    del blocks
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
base = rss_kib()
held = [bytes(1 << 20) for _ in range(64)]
del held
print(faults, rss_kib() - base)
"""


def _churn(mode: str, env: dict[str, str] | None = None) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_freed_blocks_are_reused_without_page_faults() -> None:
    plain, _ = _churn("plain")
    kept, _ = _churn("keep")
    # without it, glibc maps such blocks, or trims its arena's top past 2 MB and faults it in
    # again (the churn measured 5230 faults against 914)
    assert kept * 4 < plain


def test_what_an_arena_keeps_is_bounded() -> None:
    _, held_kib = _churn("keep")
    assert held_kib <= (KEEP_TRIM >> 10) + 8 * 1024  # 64 MB freed: at most the trim bound kept


@pytest.mark.parametrize("name", ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"])
def test_an_operators_setting_wins(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    assert keep_freed() is True
    monkeypatch.setenv(name, "131072")
    assert keep_freed() is False

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


_MAPPED = """
import ctypes, sys
from scanner.malloc import keep_freed
class Info(ctypes.Structure):  # glibc's struct mallinfo2
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
if sys.argv[1] == "keep":
    assert keep_freed()
def mapped(size):
    before = libc.mallinfo2().hblks
    block = bytearray(size)
    n = libc.mallinfo2().hblks - before
    del block
    return n
print(mapped(3 << 20), mapped(9 << 19))
"""


def test_blocks_under_four_mib_come_from_the_arena() -> None:
    """mallinfo2's count of mapped blocks: a fresh process maps a 3 MiB block (glibc's
    threshold starts at 128 KiB); with ``keep_freed`` the arena serves it, and a 4.5 MiB one
    (over ``KEEP_MMAP``) is still mapped."""

    def run(mode: str) -> list[int]:
        out = subprocess.run(
            [sys.executable, "-c", _MAPPED, mode], capture_output=True, text=True, check=True
        ).stdout
        return [int(n) for n in out.split()]

    assert run("plain") == [1, 1]
    assert run("keep") == [0, 1]

"""Keep glibc's malloc from holding on to memory the agent has freed.

glibc gives threads that allocate at the same time their own arenas, up to 8 per core, and
returns little of an arena's freed memory to the system. The agent parses each phone's
``dumpsys`` (about 1 MB of text, a few MiB of objects) on pool threads, so every round left
memory spread over many arenas: one round over 50 large phones peaked at 178 MB RSS even one
phone at a time, against 61 MB with one arena, while Python itself held no more than 0.2 MiB
after the round (tracemalloc; bench/RESULTS.md, "Agent per scanned phone"). Two arenas keep
that bound and cost nothing measurable: the work is serialised by the GIL anyway.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""mallopt() parameters (glibc malloc.h)."""


def limit_arenas(count: int = 2) -> bool:
    """Cap glibc's malloc arenas at ``count`` unless ``MALLOC_ARENA_MAX`` already says; True if
    set. Call before the worker threads start. A no-op off glibc (macOS, musl, Windows)."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):  # not glibc
        return False


KEEP_MMAP = 4 << 20
"""Blocks below this come from an arena, not from a mapping of their own."""
KEEP_TRIM = 16 << 20
"""Free memory at an arena's top up to this is kept for the next blocks, not returned."""


def keep_freed(mmap_below: int = KEEP_MMAP, trim_above: int = KEEP_TRIM) -> bool:
    """Let a scanning worker reuse the memory of the last phone's 1 MB outputs instead of
    faulting in fresh pages for each (True if set; a no-op off glibc, or when the operator set
    either threshold in the environment).

    A large phone's outputs are 1 MB blocks (the stream, its cut, its decoded text), above
    glibc's default threshold for a mapping of their own (128 KiB, raised only after such a
    block is freed): each is a new ``mmap`` whose pages the kernel faults in and zeroes, then
    an ``munmap``: about 700 page faults a phone in ``bench/worker_cpu.py``'s worker (one
    thread), 11 with blocks up to ``mmap_below`` taken from the arena and ``trim_above`` bytes
    of free top kept; a whole 100-phone round's faults fell by a third (bench/RESULTS.md,
    "Agent round", session 26). An arena holds at most ``trim_above`` more than it uses."""
    if not sys.platform.startswith("linux") or any(
        f"MALLOC_{name}_" in os.environ for name in ("MMAP_THRESHOLD", "TRIM_THRESHOLD")
    ):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, mmap_below)) and bool(
            libc.mallopt(M_TRIM_THRESHOLD, trim_above)
        )
    except (OSError, AttributeError):  # not glibc
        return False

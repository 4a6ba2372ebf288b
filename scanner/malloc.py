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
"""mallopt() parameter (glibc malloc.h)."""


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

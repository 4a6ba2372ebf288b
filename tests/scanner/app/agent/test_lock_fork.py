"""The state directory's lock is closed in a forked child, for every lock this process holds,
and a lock closed and dropped is forgotten (one fork hook for the process, not one per call)."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import IO

from scanner.app.agent import startup


def _closed_in_child(*handles: IO[str]) -> int:
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if every handle is closed here
        os._exit(0 if all(h.closed for h in handles) else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_every_held_lock_is_closed_in_a_forked_child(tmp_path: Path) -> None:
    first = startup.lock(tmp_path / "a")
    second = startup.lock(tmp_path / "b")
    try:
        assert _closed_in_child(first, second) == 0
        assert not first.closed and not second.closed  # the parent keeps both
    finally:
        first.close()
        second.close()


def test_a_dropped_lock_is_forgotten(tmp_path: Path) -> None:
    handle = startup.lock(tmp_path / "a")
    assert handle in startup._HELD
    handle.close()
    del handle
    gc.collect()
    assert len(startup._HELD) == 0

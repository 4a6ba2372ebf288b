"""Wall time, CPU and peak RSS of one child process, the child's own.

``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the largest peak of *all* children waited
for so far (a simulator started earlier, the previous tool), and a child's peak includes the
pages of its parent that it held between fork and exec: Linux folds the old memory map's
high-water mark into the process's ``maxrss`` at exec (``setmax_mm_hiwater_rss`` in
fs/exec.c). So a 40 MB scan forked from a 140 MB bench reported 140 MB. Here GNU time
(``/usr/bin/time``, a 2 MB process) forks and execs the command and reports that command's own
``ru_maxrss`` (``%M``, KiB) and CPU (``%U``, ``%S``).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = Path("/usr/bin/time")


@dataclass(frozen=True, slots=True)
class Measured:
    wall: float
    """Seconds from start to exit, as the bench saw them."""
    cpu: float
    """User + system CPU seconds of the command (its own children included)."""
    peak_rss_mb: float
    """The command's own peak resident set, MB (10^6 bytes)."""
    returncode: int
    stdout: str
    stderr: str


def run(argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Measured:
    """Run ``argv`` to its end under GNU time; raises if GNU time is missing."""
    if not GNU_TIME.exists():
        raise SystemExit(f"{GNU_TIME} is missing (Debian package `time`)")
    fd, name = tempfile.mkstemp(prefix="msgscan-time-")
    os.close(fd)
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [str(GNU_TIME), "-q", "-f", "%U %S %M", "-o", name, *argv],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        user, system, kib = Path(name).read_text().split()[-3:]
    finally:
        os.unlink(name)
    return Measured(
        wall,
        float(user) + float(system),
        int(kib) * 1024 / 1e6,
        done.returncode,
        done.stdout,
        done.stderr,
    )

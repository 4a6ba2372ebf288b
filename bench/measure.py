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
import sys
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


def simulator(
    recording: Path,
    port: int,
    *,
    latency_ms: float,
    env: dict[str, str],
    count: int | None = None,
    kbps: int | None = None,
    device_time: bool = False,
    cwd: Path | None = None,
) -> subprocess.Popen[str]:
    """``msgscan simulate`` serving ``recording`` (``count`` phones from ``port`` on) in a
    process of its own, so that the phones' CPU is not the measured command's; ``ready`` waits
    for it."""
    argv = ["simulate", "--recording", str(recording), "--port", str(port), "--accept-any-key"]
    argv += ["--latency-ms", str(latency_ms)]
    if count is not None:
        argv += ["--count", str(count)]
    if kbps is not None:
        argv += ["--bandwidth-kbps", str(kbps)]
    if device_time:
        argv.append("--device-time")
    return subprocess.Popen(
        [sys.executable, "-m", "scanner.app.cli", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def ready(sim: subprocess.Popen[str]) -> list[str]:
    """The lines ``msgscan simulate`` printed before "simulating …" (one per phone); exits the
    bench when the simulator ended first (e.g. a port taken: its phones would count as lost)."""
    assert sim.stdout is not None
    before: list[str] = []
    for line in sim.stdout:
        if line.startswith("simulating"):
            return before
        before.append(line)
    raise SystemExit(f"a simulator did not start (exit {sim.wait()}); are its ports free?")

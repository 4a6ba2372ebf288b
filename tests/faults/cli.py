"""Running msgscan as cron or a user does: its own process, with a time bound on every run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "scanner" / "recordings"
A14 = RECORDINGS / "android14-work-profile-business.json"
A16 = RECORDINGS / "android16-personal-whatsapp-telegram.json"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float


def msgscan(*argv: str, timeout: float = 30.0, home: Path | None = None,
            env: dict[str, str] | None = None, stdin: bytes | None = None) -> Run:
    """``msgscan ARGV`` in a process of its own; fails the test if it outlives ``timeout``."""
    environ = {**os.environ, **(env or {})}
    if home is not None:
        environ["ANDROID_USER_HOME"] = str(home)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "scanner.app.cli", *argv], cwd=ROOT, env=environ,
                          input=stdin, capture_output=True, timeout=timeout, check=False)
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"),
               done.stderr.decode("utf-8", "replace"), time.monotonic() - started)


def no_traceback(run: Run) -> bool:
    return "Traceback" not in run.err

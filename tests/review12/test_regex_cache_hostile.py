"""review12: the regex programs file (``scanner.app.cli.regex_cache``) replaced by what is not a
regular file. ``load`` opened the file and read it whole: a FIFO in its place (no writer) held
every msgscan command at its first pattern for ever, and a symlink to ``/dev/zero`` (or any file
without end) read until memory ran out. Python's own byte-code loader reads a ``.pyc`` only as a
regular file; the programs file, trusted as much, is now read the same way (a FIFO or a device
is ignored, the pattern compiled): the replay ends with its verdicts, and the next run writes a
regular file in its place."""

from __future__ import annotations

import marshal
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner.app.cli import regex_cache
from tests.scanner.app.cli.test_regex_cache_s26 import programs_file, run_replay, verdicts
from tests.scanner.app.cli.test_startup import A16

TIMEOUT = 90
"""A replay takes a few seconds under this machine's load; a hang never ends."""


def _replay(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``run_replay``'s replay, bounded: a held run fails the test instead of the suite."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "prefix")
    env["HOME"] = str(tmp_path / "home")
    argv = [sys.executable, "-m", "scanner.app.cli", "scan", "--replay", str(A16)]
    try:
        return subprocess.run(
            [*argv, "--format", "json"],
            cwd=tmp_path / "cwd",
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the replay did not end in {TIMEOUT} s (held by the programs file)")


def _first(tmp_path: Path) -> tuple[Path, object]:
    for folder in ("home", "cwd"):
        (tmp_path / folder).mkdir()
    first = run_replay(tmp_path)
    assert first.returncode in (0, 1), first.stderr
    (kept,) = programs_file(tmp_path / "prefix")
    return kept, verdicts(first.stdout)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_a_programs_file_that_is_not_a_regular_file_holds_nothing(
    tmp_path: Path, kind: str
) -> None:
    kept, expected = _first(tmp_path)
    kept.unlink()
    if kind == "fifo":
        os.mkfifo(kept)
    elif kind == "dev-zero":
        kept.symlink_to("/dev/zero")
    else:
        kept.mkdir()
    run = _replay(tmp_path)
    assert run.returncode in (0, 1), run.stderr
    assert verdicts(run.stdout) == expected
    if kind == "directory":
        assert kept.is_dir()  # left as it was: os.replace cannot put a file over a folder
    else:  # the run compiled every pattern and kept them in a regular file of its own
        assert stat.S_ISREG(os.lstat(kept).st_mode)
        again = _replay(tmp_path)
        assert verdicts(again.stdout) == expected


def test_load_reads_a_regular_file_only(tmp_path: Path) -> None:
    signal.signal(signal.SIGALRM, _held)
    signal.alarm(20)
    try:
        _load_each(tmp_path)
    finally:
        signal.alarm(0)


def _held(*_: object) -> None:
    raise AssertionError("load waited for a writer of a FIFO or read a file without end")


def _load_each(tmp_path: Path) -> None:
    head = regex_cache.header()
    fifo = tmp_path / "fifo.re"
    os.mkfifo(fifo)
    assert regex_cache.load(str(fifo), head) == {}  # returns at once: no writer is waited for
    link = tmp_path / "zero.re"
    link.symlink_to("/dev/zero")
    assert regex_cache.load(str(link), head) == {}


def test_a_symlink_to_a_good_file_is_read_as_python_reads_a_pyc(tmp_path: Path) -> None:
    """A symlink to a whole programs file of this build is read (as ``open`` of a ``.pyc``
    follows one): the check is on what it points at, not on the link."""
    pattern = r"^  Uid (\d{1,10}):\s*$"
    good = regex_cache.program(pattern, 0, regex_cache._plain(pattern, 0))
    assert good is not None
    payload = marshal.dumps({(False, pattern, 0): good})
    real = tmp_path / "real.re"
    head: Any = regex_cache.header()
    real.write_bytes(marshal.dumps((head, regex_cache._crc(payload), payload)))
    link = tmp_path / "link.re"
    link.symlink_to(real)
    assert regex_cache.load(str(link), regex_cache.header()) == {(False, pattern, 0): good}


def test_two_replays_writing_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    """Two first runs at once each write a file of their own and rename it into place: the one
    left is whole, and a third run builds every pattern from it with the same verdicts."""
    kept, expected = _first(tmp_path)
    kept.unlink()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=str(tmp_path / "prefix"), HOME=str(tmp_path / "home"))
    argv = [sys.executable, "-m", "scanner.app.cli", "scan", "--replay", str(A16)]
    argv += ["--format", "json"]
    runs = [
        subprocess.Popen(argv, cwd=tmp_path / "cwd", env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [run.communicate(timeout=TIMEOUT)[0] for run in runs]
    assert all(verdicts(out) == expected for out in outs)
    (left,) = programs_file(tmp_path / "prefix")
    head, checksum, payload = marshal.loads(left.read_bytes())
    assert head == regex_cache.header() and regex_cache._crc(payload) == checksum
    assert not list(left.parent.glob("*.tmp"))
    assert verdicts(_replay(tmp_path).stdout) == expected

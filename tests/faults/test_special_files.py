"""Fault matrix, special files: every file msgscan reads must be a regular file of bounded size,
and ``-o`` replaces only regular files (a device or a FIFO is written through or refused).

Each case runs msgscan in its own process and asserts the exit code, the error naming the file
and the problem, a time bound (a FIFO used to block forever, ``/dev/zero`` to eat 23 GB), and
the type of the file afterwards."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner import files
from tests.faults.cli import A14, A16, msgscan, no_traceback

BOUND_S = 10.0
"""Every refusal below comes within this (the interpreter's start-up is most of it)."""


def _zero(path: Path) -> str:
    path.symlink_to("/dev/zero")
    return "a character device"


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "a FIFO"


def _directory(path: Path) -> str:
    path.mkdir()
    return "a directory"


SPECIAL: dict[str, Callable[[Path], str]] = {"dev-zero-link": _zero, "fifo": _fifo, "directory": _directory}


def _agent_config(tmp: Path, extra: str = "", tcp: str = "") -> Path:
    config = tmp / "agent.toml"
    config.write_text(
        f'[agent]\nstate_dir = "state"\n{extra}\n[schedule]\nevery = "1h"\n[usb]\nenabled = false\n[adb_server]\nuse = false\n'
        f"[tcp]\nendpoints = [\"127.0.0.1:9\"]\n{tcp}\n")
    return config


READERS: dict[str, Callable[[Path, Path], list[str]]] = {
    "recording": lambda tmp, p: ["scan", "--replay", str(p)],
    "simulated recording": lambda tmp, p: ["simulate", "--recording", str(p), "--port", "7941",
                                           "--accept-any-key"],
    "report": lambda tmp, p: ["report", str(p)],
    "policy": lambda tmp, p: ["scan", "--replay", str(A14), "--policy", str(p)],
    "agent config": lambda tmp, p: ["agent", "--once", "--config", str(p)],
    "agent policy": lambda tmp, p: ["agent", "--once", "--config",
                                    str(_agent_config(tmp, f'policy = "{p}"'))],
    "send config": lambda tmp, p: ["scan", "--replay", str(A14), "--send", "x", "--config", str(p)],
    "trusted keys": lambda tmp, p: ["simulate", "--keys", str(p), "--port", "7942"],
    "CA file": lambda tmp, p: ["agent", "--once", "--config", str(_agent_config(
        tmp, tcp=f'[destinations.s]\ntype = "hec"\nurl = "https://127.0.0.1:9"\n'
                 f'token_env = "HOME"\nca_file = "{p}"\n'))],
    "capture": lambda tmp, p: ["parse", "dumpsys-package", str(p)],
}


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("reader", READERS)
def test_a_special_file_is_refused(tmp_path: Path, reader: str, kind: str) -> None:
    """A symlink to /dev/zero, a FIFO nobody writes to, a directory: exit 2 within the bound,
    naming the file and what it is; the file is left as it was."""
    path = tmp_path / "input"
    what = SPECIAL[kind](path)
    before = os.lstat(path).st_mode

    run = msgscan(*READERS[reader](tmp_path, path), timeout=BOUND_S + 20, home=tmp_path / "home")

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert run.seconds < BOUND_S
    assert f"{path}: " in run.err and "must be a regular file" in run.err, run.err
    assert what in run.err
    assert before == os.lstat(path).st_mode


# A file one byte over the limit of its kind (sparse: it costs no disk).
OVERSIZE = {
    "recording": files.LIMIT_RECORDING,
    "report": files.LIMIT_REPORT,
    "policy": files.LIMIT_SETTINGS,
    "agent config": files.LIMIT_SETTINGS,
    "trusted keys": files.LIMIT_KEY,
    "capture": files.LIMIT_CAPTURE,
}


def test_the_limits_are_those_the_readme_gives() -> None:
    assert (1, 64, 256) == (files.LIMIT_SETTINGS >> 20, files.LIMIT_REPORT >> 20, files.LIMIT_RECORDING >> 20)


@pytest.mark.parametrize("reader", OVERSIZE)
def test_an_oversized_file_is_refused_at_once(tmp_path: Path, reader: str) -> None:
    """A 50 MB policy used to take a minute and 2 GB: past its kind's limit a file is refused
    before it is read."""
    path = tmp_path / "input"
    with path.open("wb") as f:
        f.truncate(OVERSIZE[reader] + 1)

    run = msgscan(*READERS[reader](tmp_path, path), timeout=BOUND_S + 20, home=tmp_path / "home")

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert run.seconds < BOUND_S
    assert f"error: {path}: " in run.err and "more than the" in run.err, run.err


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    """Links are fine when they lead to a regular file: the replay scans as from the file."""
    link = tmp_path / "phone.json"
    link.symlink_to(A14)

    run = msgscan("scan", "--replay", str(link), "--format", "json")

    assert 0 == run.code, run.err
    assert "scan" in json.loads(run.out)


def test_the_adb_key_must_be_a_regular_file(tmp_path: Path) -> None:
    """~/.android/adbkey as a link to /dev/zero: refused before any phone is touched."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "adbkey").symlink_to("/dev/zero")

    run = msgscan("scan", "--tcp", "127.0.0.1:9", home=home, timeout=BOUND_S + 20)

    assert (2, True) == (run.code, no_traceback(run))
    assert run.seconds < BOUND_S
    assert f"{home / 'adbkey'}: the ADB key is a character device" in run.err


# --- writing -------------------------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true",
                    reason="root can rename over /dev/full; others cannot even try")
@pytest.mark.parametrize("command", [["scan", "--replay", str(A14)], ["report", "REPORT"]])
def test_dev_full_stays_a_device(tmp_path: Path, command: list[str]) -> None:
    """As root, -o /dev/full used to replace the device node with a regular file. Now it is
    written through, fails with "No space left on device" and exit 2, and stays a device."""
    report = tmp_path / "r.json"
    report.write_text(msgscan("scan", "--replay", str(A14), "--format", "json").out)
    argv = [str(report) if a == "REPORT" else a for a in command]

    run = msgscan(*argv, "-o", "/dev/full")

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert "error: /dev/full: cannot write (No space left on device)" in run.err
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_dev_null_and_dev_stdout_are_written_through(tmp_path: Path) -> None:
    """A character device is written into, not replaced: /dev/null takes the report, and
    /dev/stdout (here a pipe) carries it to the caller."""
    to_null = msgscan("scan", "--replay", str(A14), "-o", "/dev/null")
    to_stdout = msgscan("scan", "--replay", str(A14), "--format", "json", "-o", "/dev/stdout")

    assert (0, 0) == (to_null.code, to_stdout.code), to_null.err + to_stdout.err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert json.loads(to_stdout.out)["device"]


def test_a_fifo_without_reader_is_refused_and_kept(tmp_path: Path) -> None:
    """-o onto a FIFO no program reads: exit 2 at once (not a hang), the FIFO stays a FIFO."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    run = msgscan("scan", "--replay", str(A14), "-o", str(fifo), timeout=BOUND_S + 20)

    assert (2, True) == (run.code, no_traceback(run))
    assert run.seconds < BOUND_S
    assert f"error: {fifo}: cannot write: it is a FIFO (named pipe) that no program is reading" in run.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_with_a_reader_gets_the_report(tmp_path: Path) -> None:
    """-o onto a FIFO a program reads: the whole report goes through it; it stays a FIFO."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()

    run = msgscan("scan", "--replay", str(A16), "--format", "json", "-o", str(fifo))
    reader.join(10)

    assert 1 == run.code, run.err  # A16 has failed checks
    assert json.loads(got[0])["device"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_keeps_pointing_at_the_new_report(tmp_path: Path) -> None:
    """-o onto a symlink to a regular file replaces the file it points at (atomically), and
    the link stays a link."""
    target = tmp_path / "reports" / "phone.json"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.json"
    link.symlink_to(target)

    run = msgscan("scan", "--replay", str(A14), "--format", "json", "-o", str(link))

    assert 0 == run.code, run.err
    assert stat.S_ISLNK(os.lstat(link).st_mode)
    assert json.loads(target.read_text())["device"]
    assert ["phone.json"] == os.listdir(target.parent)  # no temporary file left behind


@pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true", reason="mknod needs root")
def test_a_block_device_is_refused(tmp_path: Path) -> None:
    """-o onto a block device (a disk) is refused: writing a report there would destroy it."""
    disk = tmp_path / "disk"
    os.mknod(disk, 0o600 | stat.S_IFBLK, os.makedev(7, 200))

    run = msgscan("scan", "--replay", str(A14), "-o", str(disk))

    assert (2, True) == (run.code, no_traceback(run))
    assert f"error: {disk}: cannot write: it is a block device" in run.err
    assert stat.S_ISBLK(os.lstat(disk).st_mode)


@pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true", reason="lchown needs root")
def test_another_users_symlink_is_not_followed(tmp_path: Path) -> None:
    """A link planted by another user (uid 4242) in the reports folder: a root msgscan refuses
    it instead of writing where it points; the target and the link are left as they were."""
    victim = tmp_path / "passwd"
    victim.write_text("root:x:0:0\n")
    link = tmp_path / "report.json"
    link.symlink_to(victim)
    os.lchown(link, 4242, 4242)

    run = msgscan("scan", "--replay", str(A14), "-o", str(link))

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert f"error: {link}: cannot write: it is a symlink of user id 4242" in run.err
    assert "root:x:0:0\n" == victim.read_text() and link.is_symlink()

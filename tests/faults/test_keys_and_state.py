"""Fault matrix, keys and state: an ADB key others can change is refused as ssh refuses an
unprotected key (exit 2, the file, the mode and the fix), and the agent's state folder and
database are private (0700/0600) whatever the umask."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.app.agent.state import State
from scanner.transport.keys import load_or_create_signer
from tests.faults.cli import msgscan, no_traceback


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A folder with a fresh adb key pair, as adb or msgscan creates it."""
    folder = tmp_path / "android"
    load_or_create_signer(folder)
    return folder


@pytest.mark.parametrize(("mode", "who"), [(0o666, "the group and others"), (0o602, "others"),
                                           (0o620, "the group")])
def test_a_key_others_can_change_is_refused(home: Path, mode: int, who: str) -> None:
    key = home / "adbkey"
    key.chmod(mode)

    run = msgscan("scan", "--tcp", "127.0.0.1:9", home=home)

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert f"error: {key}: the ADB key is writable by {who} (mode {mode:04o})" in run.err
    assert f"hint: run chmod 600 {key}" in run.err
    assert mode == stat.S_IMODE(key.stat().st_mode)  # refused, not silently "fixed"


@pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true", reason="chown needs root")
def test_a_key_of_another_user_is_refused(home: Path) -> None:
    key = home / "adbkey"
    os.chown(key, 4242, -1)

    run = msgscan("scan", "--tcp", "127.0.0.1:9", home=home)

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert f"error: {key}: the ADB key belongs to user id 4242, not to you ({os.geteuid()})" in run.err


@pytest.mark.parametrize("mode", [0o600, 0o644, 0o400])
def test_a_private_or_merely_readable_key_is_used(home: Path, mode: int) -> None:
    """0644 is how Google's adb writes adbkey under umask 022: accepted (readable is not
    changeable). The scan gets as far as the network: nothing listens on port 9."""
    (home / "adbkey").chmod(mode)

    run = msgscan("scan", "--tcp", "127.0.0.1:9", home=home)

    assert 2 == run.code
    assert "ADB key" not in run.err and "127.0.0.1:9" in run.err


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o002])
def test_the_state_is_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    """The folders State creates are 0700 and the database (with its -wal and -shm) 0600."""
    previous = os.umask(umask)
    try:
        db = State.open(tmp_path / "var" / "msgscan" / "msgscan.db")
        db.begin_round(datetime.now(UTC))  # a write: SQLite creates -wal and -shm
    finally:
        os.umask(previous)
    try:
        for folder in (tmp_path / "var", tmp_path / "var" / "msgscan"):
            assert 0o700 == stat.S_IMODE(folder.stat().st_mode), folder
        for name in ("msgscan.db", "msgscan.db-wal", "msgscan.db-shm"):
            path = tmp_path / "var" / "msgscan" / name
            assert 0o600 == stat.S_IMODE(path.stat().st_mode), path
    finally:
        db.close()


def test_the_agent_state_dir_is_private(tmp_path: Path) -> None:
    """`agent --once` under umask 0: the state folder it creates (lock, database, reports) is
    0700 and the database 0600."""
    cfg = tmp_path / "agent.toml"
    cfg.write_text('[agent]\nstate_dir = "state"\n[schedule]\nevery = "1h"\n[usb]\nenabled = false\n'
                   '[adb_server]\nuse = false\n[tcp]\nendpoints = ["127.0.0.1:9"]\n')
    previous = os.umask(0)
    try:
        run = msgscan("agent", "--once", "--config", str(cfg), home=tmp_path / "home")
    finally:
        os.umask(previous)

    assert 3 == run.code, run.err  # the phone at port 9 cannot be scanned
    assert 0o700 == stat.S_IMODE((tmp_path / "state").stat().st_mode)
    assert 0o600 == stat.S_IMODE((tmp_path / "state" / "msgscan.db").stat().st_mode)

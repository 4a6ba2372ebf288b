"""``Addresses`` (session 26): what a round learns goes to a journal, one fdatasync-ed line a
change, and ``addresses.json`` is written once at the round's end. An agent killed mid-round
(SIGKILL: no ``finally`` runs) forgets no phone it recorded, nor one it knew before; a line cut
short by the kill or damaged is skipped; a journal replayed over the map that already holds it
changes nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.app.agent.addresses import FILE, JOURNAL, Addresses

from .test_agent import ROOT

_KILLED = """
import os, signal, sys
from pathlib import Path

import pytest
from scanner.app.agent.addresses import Addresses
book = Addresses(Path(sys.argv[1]))
for i in range(int(sys.argv[2])):
    book.remember(f"10.0.1.{i}:5555", f"new-{i}")
book.remember("10.0.0.1:5555", "old-0")  # old-0 moved to old-1's address
os.kill(os.getpid(), signal.SIGKILL)  # before the round's end: no flush
"""


def _book(folder: Path) -> dict[str, str]:
    return Addresses(folder).by_address


def test_a_killed_process_forgets_nothing_it_remembered(tmp_path: Path) -> None:
    before = Addresses(tmp_path)
    for i in range(3):
        before.remember(f"10.0.0.{i}:5555", f"old-{i}")
    before.flush()
    known = (tmp_path / FILE).read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", _KILLED, str(tmp_path), "40"], cwd=ROOT, check=False
    )
    assert done.returncode == -signal.SIGKILL
    assert (tmp_path / FILE).read_bytes() == known  # untouched: the journal has the round
    book = Addresses(tmp_path)
    for i in range(40):
        assert book.device_at(f"10.0.1.{i}:5555") == f"new-{i}"
    assert book.device_at("10.0.0.0:5555") == "old-0"  # known before: still known
    assert book.device_at("10.0.0.1:5555") == "old-0"
    assert book.address_of("old-0") == "10.0.0.1:5555"  # its newest address, as remembered
    assert book.address_of("old-1") is None  # its only address is old-0's now
    assert book.address_of("old-2") == "10.0.0.2:5555"
    # the next round's end folds the journal into the file
    book.flush()
    assert not (tmp_path / JOURNAL).exists()
    assert json.loads((tmp_path / FILE).read_text()) == book.by_address
    assert _book(tmp_path) == book.by_address


def test_the_journal_replayed_over_the_map_that_holds_it_changes_nothing(tmp_path: Path) -> None:
    """A kill between writing the map and removing the journal: both are read, in that order."""
    book = Addresses(tmp_path)
    moves = [("a:1", "p1"), ("b:1", "p1"), ("a:1", "p2"), ("c:1", "p1"), ("b:1", "p2")]
    for address, device in moves:
        book.remember(address, device)
    journal = (tmp_path / JOURNAL).read_bytes()
    book.flush()
    (tmp_path / JOURNAL).write_bytes(journal)  # as if the removal never happened
    again = Addresses(tmp_path)
    assert list(again.by_address.items()) == list(book.by_address.items())
    assert again.newest == book.newest


def test_damaged_and_cut_lines_are_skipped(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text('{"10.0.0.9:5555": "kept"}\n')
    lines = [
        b'["10.0.0.1:5555", "one"]',
        b"\xff\xfe not json",
        b'{"10.0.0.2:5555": "a dict"}',
        b'["10.0.0.3:5555", 3]',
        b'["10.0.0.4:5555", "x", "y"]',
        b"[" * 100_000,
        b'["10.0.0.5:5555", "five"]',
        b'["10.0.0.6:55',  # the kill cut it short
    ]
    (tmp_path / JOURNAL).write_bytes(b"\n".join(lines))
    assert _book(tmp_path) == {
        "10.0.0.9:5555": "kept",
        "10.0.0.1:5555": "one",
        "10.0.0.5:5555": "five",
    }


def test_a_round_without_news_writes_nothing(tmp_path: Path) -> None:
    book = Addresses(tmp_path)
    book.remember("10.0.0.1:5555", "p1")
    book.flush()
    stamp = (tmp_path / FILE).stat().st_mtime_ns
    book.remember("10.0.0.1:5555", "p1")  # every later round's case
    book.flush()
    assert not (tmp_path / JOURNAL).exists()
    assert (tmp_path / FILE).stat().st_mtime_ns == stamp
    again = Addresses(tmp_path)  # the next agent: no journal to fold in
    again.remember("10.0.0.1:5555", "p1")
    again.flush()
    assert (tmp_path / FILE).stat().st_mtime_ns == stamp


def test_the_journal_is_private(tmp_path: Path) -> None:
    Addresses(tmp_path).remember("10.0.0.1:5555", "p1")
    assert (tmp_path / JOURNAL).stat().st_mode & 0o777 == 0o600  # device ids: the agent's


def test_a_journal_that_cannot_be_written_is_logged_and_the_map_still_answers(
    tmp_path: Path,
) -> None:
    from structlog.testing import capture_logs

    (tmp_path / JOURNAL).mkdir()  # a directory in its place
    book = Addresses(tmp_path)
    with capture_logs() as quiet:
        book.flush()  # nothing to fold in: a directory is no journal
    assert quiet == [] and not (tmp_path / FILE).exists()
    with capture_logs() as logs:
        book.remember("10.0.0.1:5555", "p1")
    assert [e["event"] for e in logs] == ["addresses.write_failed"]
    assert str(tmp_path / JOURNAL) in logs[0]["problem"]
    # written whole at once instead, as before the journal: a kill now loses nothing
    assert json.loads((tmp_path / FILE).read_text()) == {"10.0.0.1:5555": "p1"}
    assert book.device_at("10.0.0.1:5555") == "p1"  # this round still knows it
    book.flush()  # the whole map still reaches the file
    assert json.loads((tmp_path / FILE).read_text()) == {"10.0.0.1:5555": "p1"}


def test_each_line_is_on_disk_before_remember_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line is written and ``fdatasync``-ed (a power loss after the phone's scan was
    recorded, with ``synchronous=FULL``, still finds it): the sync sees the whole line."""
    import scanner.app.agent.addresses as module

    synced: list[bytes] = []
    real = os.fdatasync

    def fdatasync(fd: int) -> None:
        synced.append((tmp_path / JOURNAL).read_bytes())
        real(fd)

    monkeypatch.setattr(module.os, "fdatasync", fdatasync)
    book = Addresses(tmp_path)
    book.remember("10.0.0.1:5555", "p1")
    book.remember("10.0.0.2:5555", "p2")
    assert synced == [
        b'["10.0.0.1:5555", "p1"]\n',
        b'["10.0.0.1:5555", "p1"]\n["10.0.0.2:5555", "p2"]\n',
    ]


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="Linux's /proc")
def test_rounds_leave_no_descriptor_open(tmp_path: Path) -> None:
    """A running agent's rounds, and agents started over a journal: no descriptor kept."""
    book = Addresses(tmp_path)
    book.remember("10.0.0.0:5555", "p0")
    book.flush()
    before = _open_fds()
    for i in range(1, 40):
        book.remember(f"10.0.0.{i}:5555", f"p{i}")
        book.flush()  # the round's end closes the journal it opened
    assert _open_fds() == before
    book.remember("10.0.1.1:5555", "late")  # a journal left behind
    for _ in range(40):
        assert Addresses(tmp_path).device_at("10.0.1.1:5555") == "late"
    assert _open_fds() == before + 1  # the book's own journal, open until its round ends


def test_a_map_that_cannot_be_written_is_logged(tmp_path: Path) -> None:
    from structlog.testing import capture_logs

    (tmp_path / FILE).mkdir()  # a directory in the file's place
    book = Addresses(tmp_path)
    book.remember("10.0.0.1:5555", "p1")
    with capture_logs() as logs:
        book.flush()
    assert [e["event"] for e in logs] == ["addresses.write_failed"]
    assert str(tmp_path / FILE) in logs[0]["problem"]
    assert (tmp_path / JOURNAL).exists()  # kept: the next load still has the line
    assert Addresses(tmp_path).device_at("10.0.0.1:5555") == "p1"


def test_a_journal_that_starts_damaged(tmp_path: Path) -> None:
    (tmp_path / JOURNAL).write_bytes(b'\x00\x00["10.0.0.1:5555", "one"\n["10.0.0.2:5555", "two"]\n')
    assert _book(tmp_path) == {"10.0.0.2:5555": "two"}
    (tmp_path / JOURNAL).write_bytes(b'["10.0.0.3:55')
    assert _book(tmp_path) == {}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("reader", [False, True])
def test_a_fifo_in_the_journals_place_is_not_written(tmp_path: Path, reader: bool) -> None:
    """Without a reader the open would wait forever; with one, lines would leave the state."""
    os.mkfifo(tmp_path / JOURNAL)
    end = os.open(tmp_path / JOURNAL, os.O_RDONLY | os.O_NONBLOCK) if reader else None
    try:
        before = _open_fds()
        book = Addresses(tmp_path)
        book.remember("10.0.0.1:5555", "p1")
        assert _open_fds() == before  # none kept of the FIFO
        other = os.open(tmp_path / "other", os.O_RDWR | os.O_CREAT, 0o600)  # a freed number
        book.remember("10.0.0.2:5555", "p2")  # is never written as if it were the journal
        os.close(other)
        assert (tmp_path / "other").read_bytes() == b""
        if end is not None:
            assert os.read(end, 100) == b""  # nothing went into it (no writer left: EOF)
    finally:
        if end is not None:
            os.close(end)
    written = json.loads((tmp_path / FILE).read_text())
    assert written == {"10.0.0.1:5555": "p1", "10.0.0.2:5555": "p2"}

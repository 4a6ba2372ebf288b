"""review12: the address journal (agent11, session 26) on a disk that fills up mid-line and frees
again, on a real file system (a tmpfs of a few pages; root, as CI runs). ``os.write`` wrote the
part of a line that fit and the next write failed (``ENOSPC``): the journal kept a line cut
short without its end, and the next phone's line was appended right after it, so a replay read
the two as one damaged line and skipped it: an agent killed before the round's end forgot the
phone it recorded after the disk had room again (its failed attempts then fall to a new device
named by its address). Now a line that follows a failed write starts on a line of its own."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.app.agent.addresses import JOURNAL, Addresses

PAGE = 4096


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={8 * PAGE}", "tmpfs", str(folder)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        why = f"a tmpfs cannot be mounted here: {mounted.stderr.decode(errors='replace')}"
        if os.environ.get("CI") == "true":  # CI runs as root: a real full disk, never skipped
            pytest.fail(why)
        pytest.skip(why)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path) -> Path:
    """Every free page of the disk taken by one file."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"x" * PAGE)
        except OSError as e:
            assert e.errno == errno.ENOSPC
    return filler


def test_a_line_after_a_full_disk_is_not_lost(small_disk: Path) -> None:
    book = Addresses(small_disk)
    number = 0
    journal = small_disk / JOURNAL
    while number < 200 and (not journal.exists() or journal.stat().st_size < PAGE - 40):
        book.remember(f"10.0.1.{number}:5555", f"phone-{number:04d}")
        number += 1
    assert PAGE - 40 <= journal.stat().st_size < PAGE
    filler = _fill(small_disk)
    book.remember("10.0.9.9:5555", "torn-" + "t" * 60)  # crosses the page: written in part
    torn = (small_disk / JOURNAL).read_bytes()
    assert not torn.endswith(b"\n")  # what the full disk left: a line without its end
    filler.unlink()  # room again
    book.remember("10.0.9.10:5555", "after")
    # killed here (no flush): the next agent's load replays the journal
    again = Addresses(small_disk)
    assert again.device_at("10.0.9.10:5555") == "after"
    assert all(again.device_at(f"10.0.1.{i}:5555") == f"phone-{i:04d}" for i in range(number))
    os.sync()


def test_a_line_after_a_kill_mid_line_is_not_lost(tmp_path: Path) -> None:
    """A journal a killed agent cut inside a line: the next agent's first line starts anew, so
    a second kill before the round's end keeps it."""
    (tmp_path / JOURNAL).write_bytes(b'["10.0.0.1:5555", "first"]\n["10.0.0.2:5555", "cu')
    book = Addresses(tmp_path)
    assert book.device_at("10.0.0.1:5555") == "first"
    book.remember("10.0.0.3:5555", "next")  # killed again before flush
    again = Addresses(tmp_path)
    assert again.device_at("10.0.0.3:5555") == "next"
    assert again.device_at("10.0.0.1:5555") == "first"


def test_a_whole_journal_gets_no_blank_line(tmp_path: Path) -> None:
    (tmp_path / JOURNAL).write_bytes(b'["10.0.0.1:5555", "first"]\n')
    book = Addresses(tmp_path)
    book.remember("10.0.0.3:5555", "next")
    book.remember("10.0.0.4:5555", "then")
    assert b"\n\n" not in (tmp_path / JOURNAL).read_bytes()

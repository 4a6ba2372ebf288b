"""A listing of nothing but ``<mtime> <size>`` lines is read in one pass (session 23); every
listing reads as the line reader reads it (the loop below is that reader as it was)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from checks.facts import FolderSummary, Unseen
from scanner.parse.storage import parse_find_stat

_STAT_LINE = re.compile(r"^(\d{1,12}) (\d{1,15})$")
_ERROR = re.compile(r"^(?:find|stat): (.*): ([A-Za-z][A-Za-z ]+)$")
LAST = 253402300799


def line_by_line(text: str, path: str, exit_code: int | None) -> FolderSummary | Unseen:
    files = total = newest = unreadable = junk = 0
    gone: FolderSummary | Unseen | None = None  # review9: the location's error only alone
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if (m := _STAT_LINE.match(line)) and int(m.group(1)) <= LAST:
            files += 1
            total += int(m.group(2))
            newest = max(newest, int(m.group(1)))
            continue
        if m := _ERROR.match(line):
            where, why = m.group(1).rstrip("/"), m.group(2)
            if where == path.rstrip("/") and gone is None:
                absent = why == "No such file or directory"
                gone = FolderSummary(exists=False) if absent else Unseen(f"{why.lower()}: {path}")
                continue
            unreadable += 1
            continue
        junk += 1
    if gone is not None and not (files or unreadable or junk):
        return gone
    junk += gone is not None
    if junk:
        status = "no exit status" if exit_code is None else f"exit {exit_code}"
        return Unseen(f"find could not list {path} ({status}, {junk} unexpected lines)")
    when = datetime.fromtimestamp(newest, UTC) if files else None
    return FolderSummary(
        exists=True, files=files, total_bytes=total, newest=when, unreadable=unreadable
    )


PIECES = ["1", "0", "9", " ", "\n", "\r\n", "\t", "\u0663", "  ", "253402300799",
          "253402300800", "1234567890123", "1795197600 150000\n",
          "find: /a: No such file or directory\n", "find: /a/b: Permission denied\n", "\x0b",
          "\u2028"]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from([0, 1, None]))
def test_every_listing_reads_as_line_by_line(pieces: list[str], code: int | None) -> None:
    text = "".join(pieces)
    for path in ("/a", "/b/"):
        assert parse_find_stat(text, path, code) == line_by_line(text, path, code)


def test_a_large_folder() -> None:
    text = "".join(f"{1795197600 - 600 * i} {150000 + i}\n" for i in range(2000))
    summary = parse_find_stat(text, "/a", 0)
    assert summary == line_by_line(text, "/a", 0)
    assert summary == FolderSummary(
        exists=True,
        files=2000,
        total_bytes=sum(150000 + i for i in range(2000)),
        newest=datetime.fromtimestamp(1795197600, UTC),
        unreadable=0,
    )
    assert parse_find_stat(text.rstrip("\n"), "/a", 0) == summary  # a last line without "\n"
    late = text + f"{LAST + 1} 5\n"  # not a date: the line reader says so
    assert isinstance(parse_find_stat(late, "/a", 0), Unseen)
    assert parse_find_stat(late, "/a", 0) == line_by_line(late, "/a", 0)


def test_the_line_reader_still_counts_what_the_one_pass_does_not_take() -> None:
    """A listing with one unreadable subfolder (or a line with a blank) is not read in one pass:
    the line reader's counts are pinned on their own (lead's mutation sample: with every clean
    listing in one pass, a wrong start of its file count went unnoticed)."""
    text = "1700000000 10\n1700000100 20\nfind: /sdcard/WhatsApp/x: Permission denied\n"
    assert parse_find_stat(text, "/sdcard/WhatsApp", 1) == FolderSummary(
        exists=True,
        files=2,
        total_bytes=30,
        newest=datetime.fromtimestamp(1700000100, UTC),
        unreadable=1,
    )
    padded = parse_find_stat(" 1700000000 10\n", "/sdcard/WhatsApp", 0)
    assert isinstance(padded, FolderSummary) and (padded.files, padded.total_bytes) == (1, 10)

"""``apk_reads.dd_data`` finds dd's report from the end (session 25): the same answer as the
forward ``finditer`` it replaces, for every byte string.

The reference below is the code as it was. The strategy builds reads from the pieces a report
is made of (digit runs, "+", " records in", " records out", " bytes", LF and CR LF), whole
reports with right and wrong counts, and random bytes, in any order, so that reports cut,
doubled, nested in digits or forged inside the data all occur.
"""

from __future__ import annotations

import os
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scanner.apk_reads import _DD_TAIL, _last_report, dd_data


def reference(raw: bytes) -> bytes | None:
    last = None
    for m in _DD_TAIL.finditer(raw):
        last = m
    if last is None:
        return None
    n = int(last.group(5))
    report = _DD_TAIL.match(raw, n) if n <= len(raw) else None
    if report is None or report.end() != last.end():
        return None
    return raw[:n]


def last_match(raw: bytes) -> tuple[int, int, tuple[bytes | None, ...]] | None:
    last = None
    for m in _DD_TAIL.finditer(raw):
        last = m
    return None if last is None else (last.start(), last.end(), last.groups())


def report(records: int, size: int, crlf: bool = False) -> bytes:
    nl = b"\r\n" if crlf else b"\n"
    return (
        b"%d+0 records in%s%d+0 records out%s%d bytes (%d B) copied, 0.0001 s, 1 MB/s\n"
        % (records, nl, records, nl, size, size)
    )


PIECES = st.one_of(
    st.sampled_from(
        [b"+", b" records in", b" records out", b" bytes", b"\n", b"\r\n", b"\r", b"0", b" "]
    ),
    st.integers(0, 10**12).map(lambda n: b"%d" % n),
    st.binary(max_size=40),
    st.builds(report, st.integers(0, 99), st.integers(0, 400), st.booleans()),
)


def read_of(data: bytes, crlf: bool = False) -> bytes:
    return data + report(-(-len(data) // 512), len(data), crlf)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=30))
@example([b"1+2 records in\n3+4 records out\n5 bytes"])
@example([b"11+2 records in\n3+4 records out\n0 bytes", b"9+9 records in\n9+9 records out\n9 b"])
@example([b"+1+2 records in\n3+4 records out\n5 bytes"])
@example([b"1+2 records in\r\n3+4 records out\r\n0 bytes"])
def test_the_same_last_report_and_data(pieces: list[bytes]) -> None:
    raw = b"".join(pieces)
    got = _last_report(raw)
    assert (None if got is None else (got.start(), got.end(), got.groups())) == last_match(raw)
    assert dd_data(raw) == reference(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.lists(PIECES, max_size=8), st.booleans())
def test_a_read_with_data_before_its_report(data: bytes, inside: list[bytes], crlf: bool) -> None:
    """A read as a phone sends it: the data (forged report pieces in it), then dd's report."""
    body = data + b"".join(inside)
    raw = read_of(body, crlf)
    assert dd_data(raw) == reference(raw)
    if not re.search(rb"\d\+\d", body):  # nothing in the data that could pass for a report
        assert dd_data(raw) == body


def test_real_window_sizes() -> None:
    for size in (0, 1, 511, 512, 16 << 10, 17 << 10, 44 << 10):
        data = os.urandom(size)
        raw = read_of(data)
        assert dd_data(raw) == reference(raw) == data
        assert dd_data(raw[:-1]) == reference(raw[:-1])  # the report's line cut
        assert dd_data(raw[:size]) == reference(raw[:size])  # no report


def test_many_forged_reports_stay_linear_and_equal() -> None:
    """Hostile: 20,000 "1+1 records in" fragments, long digit runs between them."""
    raw = (b"7" * 50 + b"+" + b"1" * 50 + b" records in\n") * 20_000
    assert _last_report(raw) is None is reference(raw)
    raw += report(1, 0)
    assert dd_data(raw) == reference(raw)

"""``batch.split`` finds its status markers with ``bytes.find`` and one pattern for every nonce
(session 21); it must cut every output where the regex of the whole marker did, hostile output
(markers of other nonces, cut markers, markers inside a checksum line) included."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner import batch
from scanner.probes import Probe

PROBES = [Probe(f"p{i}", ("true",)) for i in range(3)]
NONCE = "ab12cd34"


def reference(stdout: bytes, probes: Sequence[Probe], nonce: str) -> dict[str, batch.Output]:
    """``split`` as it was (finditer of the whole marker), the same checks after each cut."""
    marker = re.compile(rb":msgscan:" + nonce.encode() + rb":(\d+):(\d+)(\r?\n)?")
    outputs: dict[str, batch.Output] = {}
    start = 0
    for m in marker.finditer(stdout):
        index = int(m.group(1))
        if index >= len(probes) or m.start() < start:
            continue
        raw = stdout[start : m.start()]
        end = stdout.find(batch.CHECKSUM_END, m.end(), m.end() + 256)
        between = None if end < 0 else stdout[m.end() : end]
        damaged, verified = batch._check(raw, m.group(), between)
        outputs[probes[index].name] = batch.Output(int(m.group(2)), raw, damaged, verified)
        start = m.end() if end < 0 else batch._line_end(stdout, end + len(batch.CHECKSUM_END))
    return outputs


def framed(output: bytes, index: int, status: int = 0) -> bytes:
    checked = output + f":msgscan:{NONCE}:{index}:{status}\n".encode()
    return checked + batch.cksum_line(checked)


PIECES = st.sampled_from(
    [
        b":msgscan:",
        NONCE.encode(),
        b"deadbeef",
        b":",
        b"0",
        b"1",
        b"7",
        b"\r",
        b"\n",
        b"x",
        b"12 34\n",
        b":msgscan:=\n",
        f":msgscan:{NONCE}:".encode(),
        f":msgscan:{NONCE}:1:0\n".encode(),
        framed(b"out\n", 0),
        framed(b"two\n", 1, 3),
        framed(b"", 2),
    ]
)


@settings(max_examples=400)
@given(st.lists(PIECES, max_size=25).map(b"".join))
def test_cuts_where_the_whole_marker_regex_cut(stdout: bytes) -> None:
    assert batch.split(stdout, PROBES, NONCE) == reference(stdout, PROBES, NONCE)


def test_a_whole_stream_is_cut_into_verified_outputs() -> None:
    stdout = framed(b"a\nb\n", 0) + framed(b"", 1, 1) + framed(b"\x00binary", 2)
    got = batch.split(stdout, PROBES, NONCE)
    assert [(o.raw, o.exit_code, o.verified, o.damaged) for o in got.values()] == [
        (b"a\nb\n", 0, True, None),
        (b"", 1, True, None),
        (b"\x00binary", 0, True, None),
    ]
    assert got == reference(stdout, PROBES, NONCE)

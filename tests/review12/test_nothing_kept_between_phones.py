"""review12, on agent11's kept worker memory (session 26: freed memory kept for the next phone)
and the parsers' caches of lines (``functools.lru_cache`` over field lines, user lines,
grants): nothing of one phone's scan may reach the next phone's result in the same process. A
worker scans phone after phone; here one process scans every shipped recording in one order and
again in the reverse order, and each scan's whole result (snapshot, findings, problems) equals
the result of that recording's first scan, whichever phone came before it."""

from __future__ import annotations

from pathlib import Path

from checks.policy import Policy
from scanner.app.scan import scan_result
from scanner.recording import load
from scanner.replay import ReplayTransport

RECORDINGS = sorted((Path(__file__).resolve().parents[2] / "scanner" / "recordings").glob("*.json"))


def _result(path: Path) -> bytes:
    result = scan_result(ReplayTransport(load(path)), Policy())
    whole = (result.snapshot, result.findings)
    return repr(whole).encode()


def test_each_phones_result_is_the_same_whichever_phone_came_before() -> None:
    assert len(RECORDINGS) >= 10
    first = {path: _result(path) for path in RECORDINGS}
    for path in reversed(RECORDINGS):
        assert _result(path) == first[path], path.name
    for path in RECORDINGS[::2] + RECORDINGS[1::2]:
        assert _result(path) == first[path], path.name

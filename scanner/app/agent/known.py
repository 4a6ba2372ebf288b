"""What the agent last knew about each phone, for a fleet page that never hides risk.

A phone that cannot be scanned this round (unreachable, unauthorized, busy, lost half way) keeps
its last known results: the last scan that evaluated anything, the last complete one, and the
failures still open in the state (a scan that lost the phone never resolves what it did not
evaluate, ``checks.drift``). The fleet page shows them marked stale with their date and counts
them in the verdict until a newer scan replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass

from checks.findings import Status
from scanner.app.agent.columns import _scan
from scanner.app.agent.rows import ScanRow
from scanner.app.agent.state import State

_LAST = (
    "SELECT s.* FROM scans s WHERE {where} AND s.rowid = (SELECT s2.rowid FROM scans s2"
    " WHERE s2.device_id = s.device_id AND {where2} ORDER BY s2.rowid DESC LIMIT 1)"
)
"""The phone's latest such scan: the one recorded last (the agent records a phone's scans in
the order they ran), not the one with the latest clock time, which a clock that once ran ahead
would keep "latest" until it caught up."""


_TWINS = (
    "SELECT s.device_id, s.report_path, s.failed FROM devices d JOIN scans s"
    " ON s.device_id = d.id WHERE d.ambiguous_round IS NOT NULL AND s.state = ?1"
    " AND s.verdict IS NOT NULL AND s.round_id = d.ambiguous_round ORDER BY s.rowid"
)
"""The ambiguous scans of each phone's last round in which two phones answered as its id (from
the few such devices, by their scans' index: not a walk over every scan). Not by the device's
last state: a failed attempt after the twins' round (unauthorized, busy) overwrites it, and the
fleet page then showed one twin's columns and failures as the last known results, hiding the
other's failures (retire10). Not the round of its last evaluated scan either: when one twin
vanished, the other's scans alone continued the history and the vanished twin's failures left
the page, though no scan of that phone resolved them (gaps11). They stay until a round in which
two phones answer again (each scanned anew), a swap (they move with the history) or the
operator's ``msgscan agent --adopt ID`` (``history.adopt``)."""


@dataclass(frozen=True, slots=True)
class Known:
    evaluated: ScanRow | None
    """The last scan that evaluated checks (a verdict), complete or not."""
    complete: ScanRow | None
    """The last complete scan."""
    open_failures: int
    """Failures still open in the state (not waived): what the phone is known to fail."""
    twins: tuple[str, ...]
    """The reports of the ambiguous scans of its last round with twins (two phones answered as
    its id, ``lineage``): its columns are the worst of them all (``_TWINS``)."""
    twins_failed: int
    """The most failures one of those scans found (the twins' failures never enter the state)."""


def _last(state: State, where: str) -> dict[str, ScanRow]:
    sql = _LAST.format(where=f"s.{where}", where2=f"s2.{where}")
    return {r["device_id"]: _scan(r) for r in state._rows(sql)}


def last_known(state: State) -> dict[str, Known]:
    """Per device id: its last evaluated and last complete scans and its open failures."""
    evaluated = _last(state, "verdict IS NOT NULL")
    complete = _last(state, "complete = 1")
    failures: dict[str, int] = {}
    for row in state.open_findings():
        if row.tracked.status is Status.FAIL and not row.tracked.waived:
            failures[row.device_id] = failures.get(row.device_id, 0) + 1
    twins: dict[str, list[str]] = {}
    twins_failed: dict[str, int] = {}
    for r in state._rows(_TWINS, ("ambiguous",)):
        if r["report_path"] is not None:
            twins.setdefault(r["device_id"], []).append(r["report_path"])
        twins_failed[r["device_id"]] = max(twins_failed.get(r["device_id"], 0), r["failed"])
    ids = set(evaluated) | set(complete) | set(failures)
    return {
        d: Known(
            evaluated.get(d),
            complete.get(d),
            failures.get(d, 0),
            tuple(twins.get(d, ())),
            twins_failed.get(d, 0),
        )
        for d in ids
    }


def ever_evaluated(state: State, device_id: str) -> bool:
    """True once the phone had a scan that evaluated checks (its first scan is then behind it);
    an ambiguous scan (two phones under one id, ``lineage``) changed nothing and does not count."""
    rows = state._rows(
        "SELECT 1 FROM scans WHERE device_id = ? AND verdict IS NOT NULL AND state != ? LIMIT 1",
        (device_id, "ambiguous"),
    )
    return bool(rows)


__all__ = ["Known", "ever_evaluated", "last_known"]

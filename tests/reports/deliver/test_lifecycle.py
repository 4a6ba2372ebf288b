"""Which events a scan's drift calls for (``scanner.app.agent.delivery.lifecycle``)."""

from __future__ import annotations

from datetime import date, timedelta

from msgspec.structs import replace

from checks.drift import Drift, FindingKey, Tracked, diff
from checks.findings import Finding, Severity, Status, Waiver
from checks.result import ScanResult
from reports.render.ocsf import Activity, ocsf_event
from reports.report import build_report
from scanner.app.agent.delivery import lifecycle
from tests.reports.deliver.peers import assert_ocsf
from tests.reports.scans import FINISHED, handmade, scan

FIRST = scan(handmade())
KEY = FindingKey("TST-01", "com.whatsapp", 0)


def changed(result: ScanResult, fn, n: int) -> ScanResult:  # type: ignore[no-untyped-def]
    """The scan ``n`` days later with ``fn`` applied to each finding (None drops it)."""
    findings = tuple(f2 for f in result.findings if (f2 := fn(f)) is not None)
    at = FINISHED + timedelta(days=n)
    return replace(result, findings=findings, finished=at, scan_id=f"scan-{n}")


def step(previous: dict[FindingKey, Tracked], result: ScanResult) -> tuple[Drift, list]:  # type: ignore[type-arg]
    drift = diff(previous, result.findings, complete=True, at=result.finished)
    report = build_report(result)
    events = [(k, ocsf_event(result, report, occ)) for k, occ in lifecycle(report, drift, previous)]
    previous.clear()
    previous.update({r.key: r for r in drift.rows})
    return drift, events


def on_key(events: list, key: FindingKey) -> list[tuple[int, int]]:  # type: ignore[type-arg]
    return [(e["activity_id"], e["status_id"]) for k, e in events if k == key]


def test_create_update_suppress_reopen_close() -> None:
    """Create when it opens; Update when it changes; Close/Suppressed when waived; Create when
    the waiver goes; Close/Resolved when it passes. Same finding uid throughout."""
    state: dict[FindingKey, Tracked] = {}
    is_key = lambda f: (f.check_id, f.package, f.user_id) == ("TST-01", "com.whatsapp", 0)

    def with_(**kw: object):  # type: ignore[no-untyped-def]
        return lambda f: replace(f, **kw) if is_key(f) else f

    waiver = Waiver("TST-01", "*", date(2027, 1, 1), "accepted risk")
    rounds = [
        FIRST,
        changed(FIRST, lambda f: f, 1),
        changed(FIRST, with_(severity=Severity.CRITICAL), 2),
        changed(FIRST, with_(severity=Severity.CRITICAL, waived=waiver), 3),
        changed(FIRST, with_(severity=Severity.CRITICAL), 4),
        changed(FIRST, with_(status=Status.PASS), 5),
    ]
    seen = [on_key(step(state, r)[1], KEY) for r in rounds]
    uids = {e["finding_info"]["uid"] for r in rounds for _, e in step({}, r)[1] if _ == KEY}

    assert [[(1, 1)], [], [(2, 1)], [(3, 3)], [(1, 1)], [(3, 4)]] == seen
    assert 1 == len(uids)


def test_gone_from_a_complete_scan_closes() -> None:
    """A finding whose app is gone from a complete scan is closed from its stored row."""
    state: dict[FindingKey, Tracked] = {}
    step(state, FIRST)
    gone = changed(FIRST, lambda f: None if f.package == "com.whatsapp" else f, 1)

    drift, events = step(state, gone)

    closed = [e for k, e in events if k == KEY]
    assert KEY in drift.resolved and [(3, 4)] == [(e["activity_id"], e["status_id"]) for e in closed]
    assert "no longer present in a complete scan" in closed[0]["compliance"]["status_details"]
    assert closed[0]["finding_info"]["uid"] == next(
        e for k, e in step({}, FIRST)[1] if k == KEY)["finding_info"]["uid"]
    assert len(events) == assert_ocsf(e for _, e in events)


def test_unchanged_sends_nothing_and_ids_differ_per_scan() -> None:
    state: dict[FindingKey, Tracked] = {}
    _, first = step(state, FIRST)
    _, again = step(state, changed(FIRST, lambda f: f, 1))

    assert first and [] == again
    assert all(isinstance(f, Finding) for f in FIRST.findings)
    assert {Activity.CREATE.value} == {e["activity_id"] for _, e in first}

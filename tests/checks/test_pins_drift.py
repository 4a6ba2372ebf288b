"""Pins for mutants of ``checks/drift.py`` that the agent's drift tests let live.

A finding resolved by a pass is closed for good: the next scan that still sees it passing,
or no longer sees it, resolves nothing again (the agent would send a second Close event).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checks.drift import Drift, FindingKey, Lifecycle, Tracked, diff
from checks.findings import Article, Finding, Severity, Status

T0 = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
KEY = FindingKey("MSG-03", "com.whatsapp", 0)


def finding(status: Status) -> Finding:
    return Finding(
        check_id="MSG-03",
        status=status,
        severity=Severity.HIGH,
        title="Chat archives in shared storage",
        evidence=(),
        remediation=(),
        article=Article("Konfiguration", "Backups"),
        package="com.whatsapp",
        user_id=0,
    )


def rows(drift: Drift) -> dict[FindingKey, Tracked]:
    return {r.key: r for r in drift.rows}


@pytest.mark.parametrize("third", [[Status.PASS], []], ids=["passes-again", "gone"])
def test_a_resolved_finding_stays_resolved(third: list[Status]) -> None:
    first = diff({}, [finding(Status.FAIL)], complete=True, at=T0)
    second = diff(rows(first), [finding(Status.PASS)], complete=True, at=T0 + timedelta(days=1))
    [row] = second.rows
    assert (second.resolved, row.lifecycle, row.open) == ((KEY,), Lifecycle.RESOLVED, False)

    later = T0 + timedelta(days=2)
    third_drift = diff(rows(second), [finding(s) for s in third], complete=True, at=later)
    assert (third_drift.resolved, third_drift.new, third_drift.changed) == ((), (), ())
    assert [r.resolved_at for r in third_drift.rows] == [T0 + timedelta(days=1)]

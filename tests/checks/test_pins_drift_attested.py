"""Pins for mutants of ``checks/drift.py`` (``_step``'s ``waived``) that the drift tests let live.

An attested manual item is tracked as ``waived`` (the agent's "suppressed/attested" state and
its SIEM event, ``checks.drift``'s docstring); a manual item nobody attested is open and not
waived, and an attestation made between two scans changes the row.
"""

from __future__ import annotations

from msgspec.structs import replace
from datetime import UTC, date, datetime, timedelta

from checks.drift import Drift, FindingKey, Lifecycle, Tracked, diff
from checks.findings import Article, Attestation, Finding, Severity, Status

T0 = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
KEY = FindingKey("MSG-07", "org.telegram.messenger", 0)
ATTESTED = Attestation("Team lead", date(2026, 11, 19), "", date(2027, 1, 31), "TESTPHONE")

MANUAL = Finding(
    check_id="MSG-07",
    status=Status.MANUAL,
    severity=Severity.MEDIUM,
    title="Telegram cloud chats",
    evidence=(),
    remediation=(),
    article=Article("Konfiguration", "Cloud"),
    package="org.telegram.messenger",
    user_id=0,
)


def rows(drift: Drift) -> dict[FindingKey, Tracked]:
    return {r.key: r for r in drift.rows}


def test_an_unattested_manual_item_is_open_and_not_waived() -> None:
    [row] = diff({}, [MANUAL], complete=True, at=T0).rows
    assert (row.status, row.lifecycle, row.open, row.waived) == (
        Status.MANUAL,
        Lifecycle.NEW,
        True,
        False,
    )


def test_an_attested_manual_item_is_tracked_as_waived() -> None:
    [row] = diff({}, [replace(MANUAL, attested=ATTESTED)], complete=True, at=T0).rows
    assert (row.status, row.open, row.waived) == (Status.MANUAL, True, True)


def test_an_attestation_between_two_scans_changes_the_row() -> None:
    first = diff({}, [MANUAL], complete=True, at=T0)
    second = diff(
        rows(first), [replace(MANUAL, attested=ATTESTED)], complete=True, at=T0 + timedelta(1)
    )
    [row] = second.rows
    assert (second.changed, row.lifecycle, row.waived) == ((KEY,), Lifecycle.CHANGED, True)
    third = diff(
        rows(second), [replace(MANUAL, attested=ATTESTED)], complete=True, at=T0 + timedelta(2)
    )
    assert (third.changed, third.unchanged, third.rows[0].waived) == ((), (KEY,), True)

"""checks.drift behaviours that mutation testing (``python -m bench.mutation checks/drift.py``)
found unpinned: each test fails for a mutant that survived tests/scanner/app/agent/test_drift.py."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

import pytest

from checks.drift import diff
from checks.findings import Severity, Status
from tests.scanner.app.agent.test_drift import T0, finding


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        (Status.UNKNOWN, Status.MANUAL, Status.UNKNOWN),
        (Status.MANUAL, Status.UNKNOWN, Status.UNKNOWN),
        (Status.FAIL, Status.ERROR, Status.FAIL),
        (Status.ERROR, Status.UNKNOWN, Status.ERROR),
        (Status.PASS, Status.MANUAL, Status.MANUAL),
        (Status.UNKNOWN, Status.PASS, Status.UNKNOWN),
    ],
)
def test_one_key_twice_keeps_the_worst(first: Status, second: Status, kept: Status) -> None:
    """Two findings for one key (check, package, user) are one row, with the worse status in
    the order of ``findings.WORST_FIRST``: fail, error, unknown, manual, informational, pass,
    not applicable."""
    [row] = diff({}, [finding(first), finding(second)], complete=True, at=T0).rows

    assert kept == row.status


def test_pass_and_not_applicable_open_nothing() -> None:
    assert () == diff({}, [finding(Status.NOT_APPLICABLE), finding(Status.PASS)], complete=True,
                      at=T0).rows


def test_a_tie_keeps_the_first() -> None:
    a = finding(Status.FAIL, title="first", severity=Severity.HIGH)
    b = finding(Status.FAIL, title="second", severity=Severity.HIGH)

    [row] = diff({}, [a, b], complete=True, at=T0).rows

    assert "first" == row.title


class _NoOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


@pytest.mark.parametrize("at", [datetime(2026, 11, 20), datetime(2026, 11, 20, tzinfo=_NoOffset())])
def test_times_must_be_aware(at: datetime) -> None:
    """A naive time, or one whose zone gives no offset, cannot order findings: refused."""
    with pytest.raises(ValueError, match="timezone-aware"):
        diff({}, [finding(Status.FAIL)], complete=True, at=at)

"""Finding lifecycle across scans (checks.drift): every transition, partial scans and waivers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from checks.drift import Drift, FindingKey, Lifecycle, Tracked, diff
from checks.findings import Article, Finding, Severity, Status, Waiver

T0 = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
WA = "com.whatsapp"
KEY = FindingKey("MSG-03", WA, 0)
WAIVER = Waiver("MSG-03", "*", date(2027, 1, 31), "migration to the business app under way")


def finding(
    status: Status,
    *,
    check_id: str = "MSG-03",
    severity: Severity = Severity.HIGH,
    package: str | None = WA,
    user_id: int | None = 0,
    waived: Waiver | None = None,
    title: str = "Chat archives in shared storage",
) -> Finding:
    """A finding as ``checks.evaluate`` makes it, with only what drift looks at varying."""
    return Finding(
        check_id=check_id,
        status=status,
        severity=severity,
        title=title,
        evidence=(),
        remediation=("Delete the local chat backups.",),
        article=Article("Konfiguration", "Backups"),
        package=package,
        user_id=user_id,
        waived=waived,
    )


def tracked(
    status: Status = Status.FAIL,
    lifecycle: Lifecycle = Lifecycle.NEW,
    *,
    key: FindingKey = KEY,
    severity: Severity = Severity.HIGH,
    resolved_at: datetime | None = None,
    waived: bool = False,
) -> Tracked:
    """A stored row first seen and last seen at T0."""
    return Tracked(
        key,
        status,
        severity,
        "Chat archives in shared storage",
        lifecycle,
        T0,
        T0,
        resolved_at,
        waived,
    )


OPEN_FAIL = tracked()
RESOLVED = tracked(Status.PASS, Lifecycle.RESOLVED, resolved_at=T0)


def outcome(drift: Drift) -> str:
    """Which of drift's lists holds KEY ("none" when the key has no row at all)."""
    for name in ("new", "changed", "resolved", "unchanged", "kept"):
        if KEY in getattr(drift, name):
            return name
    return "none"


# (row before, this scan's finding, complete, which list, status of the row after)
TRANSITIONS = [
    # nothing before
    (None, finding(Status.FAIL), True, "new", Status.FAIL),
    (None, finding(Status.MANUAL), True, "new", Status.MANUAL),
    (None, finding(Status.UNKNOWN), True, "new", Status.UNKNOWN),
    (None, finding(Status.ERROR), True, "new", Status.ERROR),
    (None, finding(Status.PASS), True, "none", None),
    (None, finding(Status.NOT_APPLICABLE), True, "none", None),
    (None, finding(Status.FAIL, waived=WAIVER), True, "new", Status.FAIL),
    (None, finding(Status.FAIL), False, "new", Status.FAIL),
    (None, finding(Status.ERROR), False, "none", None),
    (None, None, True, "none", None),
    # open before
    (OPEN_FAIL, finding(Status.FAIL), True, "unchanged", Status.FAIL),
    (OPEN_FAIL, finding(Status.FAIL, severity=Severity.CRITICAL), True, "changed", Status.FAIL),
    (OPEN_FAIL, finding(Status.UNKNOWN), True, "changed", Status.UNKNOWN),
    (OPEN_FAIL, finding(Status.ERROR), True, "changed", Status.ERROR),
    (OPEN_FAIL, finding(Status.MANUAL), True, "changed", Status.MANUAL),
    (OPEN_FAIL, finding(Status.FAIL, waived=WAIVER), True, "changed", Status.FAIL),
    (OPEN_FAIL, finding(Status.PASS), True, "resolved", Status.PASS),
    (OPEN_FAIL, finding(Status.NOT_APPLICABLE), True, "resolved", Status.NOT_APPLICABLE),
    (OPEN_FAIL, None, True, "resolved", Status.FAIL),
    (tracked(Status.ERROR), finding(Status.FAIL), True, "changed", Status.FAIL),
    (tracked(waived=True), finding(Status.FAIL, waived=WAIVER), True, "unchanged", Status.FAIL),
    (tracked(waived=True), finding(Status.FAIL), True, "changed", Status.FAIL),
    # open before, partial scan
    (OPEN_FAIL, None, False, "kept", Status.FAIL),
    (OPEN_FAIL, finding(Status.ERROR), False, "kept", Status.FAIL),
    (OPEN_FAIL, finding(Status.FAIL), False, "unchanged", Status.FAIL),
    (OPEN_FAIL, finding(Status.UNKNOWN), False, "changed", Status.UNKNOWN),
    (OPEN_FAIL, finding(Status.PASS), False, "resolved", Status.PASS),
    # resolved before
    (RESOLVED, finding(Status.FAIL), True, "new", Status.FAIL),
    (RESOLVED, finding(Status.FAIL), False, "new", Status.FAIL),
    (RESOLVED, finding(Status.PASS), True, "kept", Status.PASS),
    (RESOLVED, None, True, "kept", Status.PASS),
    (RESOLVED, finding(Status.ERROR), False, "kept", Status.PASS),
    (RESOLVED, finding(Status.ERROR), True, "new", Status.ERROR),
]


class TestTransitions:
    @pytest.mark.parametrize(("before", "now", "complete", "expected", "status"), TRANSITIONS)
    def test_table(
        self,
        before: Tracked | None,
        now: Finding | None,
        complete: bool,
        expected: str,
        status: Status | None,
    ) -> None:
        """Each (row before, finding now, complete) lands in one list with the expected status."""
        previous = {} if before is None else {KEY: before}
        drift = diff(previous, [] if now is None else [now], complete=complete, at=T1)

        rows = {r.key: r for r in drift.rows}
        assert expected == outcome(drift)
        assert status == (rows[KEY].status if KEY in rows else None)

    @pytest.mark.parametrize("status", [Status.FAIL, Status.MANUAL, Status.UNKNOWN, Status.ERROR])
    def test_open_statuses_create(self, status: Status) -> None:
        """Fail, manual, unknown and error open a finding in a complete scan."""
        drift = diff({}, [finding(status)], complete=True, at=T1)

        assert (KEY,) == drift.new
        assert [True] == [r.open for r in drift.rows]


class TestPartialScans:
    def test_absent_and_error_keys_keep_their_rows(self) -> None:
        """A partial scan carries over, byte for byte, every row it did not evaluate."""
        other = FindingKey("MSG-05", WA, 0)
        previous = {KEY: OPEN_FAIL, other: tracked(key=other)}

        drift = diff(previous, [finding(Status.ERROR)], complete=False, at=T1)

        assert (KEY, other) == drift.kept
        assert (OPEN_FAIL, previous[other]) == drift.rows
        assert () == drift.resolved

    def test_evaluated_findings_still_move(self) -> None:
        """In a partial scan, what was evaluated resolves and opens as usual."""
        gone = FindingKey("MSG-05", WA, 0)
        added = FindingKey("MSG-06", "org.telegram.messenger", 0)
        previous = {KEY: OPEN_FAIL, gone: tracked(key=gone)}
        current = [
            finding(Status.PASS),
            finding(Status.FAIL, check_id="MSG-06", package="org.telegram.messenger"),
        ]

        drift = diff(previous, current, complete=False, at=T1)

        assert ((added,), (KEY,), (gone,)) == (drift.new, drift.resolved, drift.kept)


class TestRows:
    def test_unchanged_keeps_first_seen(self) -> None:
        """An unchanged finding keeps when it opened and moves when it was last seen."""
        drift = diff({KEY: OPEN_FAIL}, [finding(Status.FAIL)], complete=True, at=T1)

        assert [(T0, T1, Lifecycle.UNCHANGED)] == [
            (r.first_seen, r.last_seen, r.lifecycle) for r in drift.rows
        ]

    def test_resolved_by_pass(self) -> None:
        """A pass resolves at the scan time and records that it was seen passing."""
        drift = diff({KEY: OPEN_FAIL}, [finding(Status.PASS)], complete=True, at=T1)

        assert [(T0, T1, T1, Status.PASS)] == [
            (r.first_seen, r.last_seen, r.resolved_at, r.status) for r in drift.rows
        ]

    def test_resolved_by_absence_keeps_last_seen(self) -> None:
        """A finding gone from a complete scan keeps its last status and when it was last seen."""
        drift = diff({KEY: OPEN_FAIL}, [], complete=True, at=T1)

        assert [(Status.FAIL, T0, T1, Lifecycle.RESOLVED)] == [
            (r.status, r.last_seen, r.resolved_at, r.lifecycle) for r in drift.rows
        ]

    def test_reopened_is_a_new_occurrence(self) -> None:
        """A resolved finding that fails again starts a fresh occurrence."""
        drift = diff({KEY: RESOLVED}, [finding(Status.FAIL)], complete=True, at=T1)

        assert [
            Tracked(KEY, Status.FAIL, Severity.HIGH, OPEN_FAIL.title, Lifecycle.NEW, T1, T1)
        ] == list(drift.rows)

    def test_waiver_is_noted(self) -> None:
        """A waived failure is open and marked waived."""
        drift = diff({}, [finding(Status.FAIL, waived=WAIVER)], complete=True, at=T1)

        assert [(True, True)] == [(r.open, r.waived) for r in drift.rows]

    def test_new_title_is_not_a_change(self) -> None:
        """A renamed check keeps the finding unchanged but stores the new title."""
        drift = diff(
            {KEY: OPEN_FAIL}, [finding(Status.FAIL, title="Chat backups")], complete=True, at=T1
        )

        assert ((KEY,), "Chat backups") == (drift.unchanged, drift.rows[0].title)

    def test_duplicate_keys_merge_into_the_worst(self) -> None:
        """Two findings for one key count as the worse: an unwaived fail beats a pass."""
        current = [finding(Status.PASS), finding(Status.FAIL), finding(Status.FAIL, waived=WAIVER)]

        drift = diff({}, current, complete=True, at=T1)

        assert [(Status.FAIL, False)] == [(r.status, r.waived) for r in drift.rows]

    def test_rows_are_the_full_state_sorted(self) -> None:
        """Rows hold every key after the scan, sorted by its text form."""
        dev = FindingKey("DEV-01", None, None)
        previous = {KEY: RESOLVED}
        current = [finding(Status.FAIL, check_id="DEV-01", package=None, user_id=None)]

        drift = diff(previous, current, complete=True, at=T1)

        assert [dev, KEY] == [r.key for r in drift.rows]

    def test_naive_time_is_refused(self) -> None:
        """The scan time must carry a timezone."""
        with pytest.raises(ValueError, match="timezone-aware"):
            diff({}, [], complete=True, at=datetime(2026, 11, 20))


class TestFindingKey:
    @pytest.mark.parametrize(
        ("key", "text"),
        [
            (FindingKey("MSG-04", WA, 0), "MSG-04|com.whatsapp|0"),
            (FindingKey("MSG-02", None, 10), "MSG-02||10"),
            (FindingKey("DEV-01", None, None), "DEV-01||"),
        ],
    )
    def test_text_form_round_trips(self, key: FindingKey, text: str) -> None:
        """The text form is stable and parses back to the same key."""
        assert (text, key) == (str(key), FindingKey.parse(text))

    @pytest.mark.parametrize("text", ["", "MSG-04", "|com.whatsapp|0", "a|b|c|d"])
    def test_garbage_is_refused(self, text: str) -> None:
        """Text that is not a key's form raises."""
        with pytest.raises(ValueError):
            FindingKey.parse(text)

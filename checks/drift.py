"""Finding lifecycle across scans of one phone: what is new, changed, resolved or unchanged.

Pure: no I/O and no clock; the scan time comes in as ``at``. The agent keeps the rows ``diff``
returns (``scanner.app.agent.state``) and hands them back as ``previous`` on the next scan.

A finding is *open* while its status is fail, manual, unknown or error; pass, informational and
not_applicable are closed (an informational result asks nothing of anyone). One ``Tracked`` row
per ``FindingKey`` (check, package, user) records the current occurrence. Rows exist only for
keys that were open at some point: a check that has always passed has nothing to track.

Decisions (siem.md §7, issue 5):

- **Partial scans never resolve or open what they did not evaluate.** With ``complete=False``, a
  key absent from the scan keeps its previous row, and so does a finding with status ``error``:
  in a partial scan the rules say ``error`` exactly when the data was not collected
  (``checks.rules._common``), which is "not evaluated", not a result. Such an error with no
  previous row creates no row either (not NEW): the key may have passed last time, and a Create
  now plus a Close on the next complete scan would be churn for every dropped phone. The scan
  itself records that it was incomplete.
- In a **complete** scan ``error`` and ``unknown`` are results like any other: they keep a finding
  open (unreadable is never better than failed) and a change to or from them is CHANGED.
- **Waived failures stay open** (the status stays fail, as in ``Finding``); ``Tracked.waived``
  notes the waiver, and granting or losing a waiver is CHANGED so a SIEM can mark the finding
  suppressed or active again. An attested manual item is suppressed the same way (siem.md §7:
  "suppressed/attested"): ``Tracked.waived`` is set for it too.
- CHANGED compares status, severity and the waiver, never the title or evidence (sizes and dates
  move every night; siem.md hashes stable attributes only). The newest title is kept regardless.
- Two findings with the same key in one scan (a rule yielding twice for one resource) merge into
  the worst of them (``findings.WORST_FIRST`` order, unwaived before waived); ``evaluate``
  already merges them, so this only matters for findings from elsewhere.
- A key that re-opens after it was resolved is NEW again, with a fresh ``first_seen``: each
  occurrence has its own lifetime.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime

from msgspec import Struct
from msgspec.structs import replace

from checks.findings import WORST_FIRST, Finding, Severity, Status

OPEN_STATUSES = frozenset({Status.FAIL, Status.MANUAL, Status.UNKNOWN, Status.ERROR})
"""Statuses that keep a finding open; pass, informational and not_applicable close it."""

_SEP = "|"


class FindingKey(Struct, frozen=True):
    """What a finding is about: one check on one messenger install, user, or the whole device."""

    check_id: str
    package: str | None
    user_id: int | None

    def __str__(self) -> str:
        """Stable text form, e.g. "MSG-04|com.whatsapp|0" or "DEV-01||" (stored, never reparsed
        differently: check ids and Android package names contain no "|")."""
        package = "" if self.package is None else self.package
        user = "" if self.user_id is None else str(self.user_id)
        return f"{self.check_id}{_SEP}{package}{_SEP}{user}"

    @classmethod
    def parse(cls, text: str) -> FindingKey:
        """The key whose ``str()`` is ``text``."""
        parts = text.split(_SEP)
        if len(parts) != 3 or not parts[0]:
            raise ValueError(f"not a finding key: {text!r} (expected 'CHECK|package|user')")
        check_id, package, user = parts
        return cls(check_id, package or None, int(user) if user else None)

    @classmethod
    def of(cls, finding: Finding) -> FindingKey:
        return cls(finding.check_id, finding.package, finding.user_id)


class Lifecycle(enum.Enum):
    NEW = "new"
    """Open now, and not open before (never seen, or resolved)."""
    UNCHANGED = "unchanged"
    """Open before and now, same status, severity and waiver."""
    CHANGED = "changed"
    """Open before and now, but the status, severity or waiver changed."""
    RESOLVED = "resolved"
    """Closed: passed, not applicable, or gone from a complete scan."""


class Tracked(Struct, frozen=True):
    """The stored state of one finding on one phone."""

    key: FindingKey
    status: Status
    """The last evaluated status; for a finding resolved by absence, the status it last had."""
    severity: Severity
    title: str
    lifecycle: Lifecycle
    """What the scan that last evaluated this key did to it (``Drift`` lists what *this* scan
    did; a row carried over unevaluated keeps its old lifecycle)."""
    first_seen: datetime
    """When this occurrence opened."""
    last_seen: datetime
    """When a scan last evaluated the key (for a resolution by absence: last saw it)."""
    resolved_at: datetime | None = None
    waived: bool = False
    """The failure is waived (or the manual item attested) by the policy: still open, but
    suppressed: the verdict ignores it."""

    @property
    def open(self) -> bool:
        return self.lifecycle is not Lifecycle.RESOLVED


class Drift(Struct, frozen=True):
    """What one scan changed. Each key of ``rows`` is in at most one list."""

    rows: tuple[Tracked, ...]
    """Every row that exists after the scan (open and resolved), sorted by key: the full state."""
    new: tuple[FindingKey, ...] = ()
    changed: tuple[FindingKey, ...] = ()
    resolved: tuple[FindingKey, ...] = ()
    """Resolved by this scan (not those resolved earlier)."""
    unchanged: tuple[FindingKey, ...] = ()
    kept: tuple[FindingKey, ...] = ()
    """Rows carried over as they were: not evaluated by a partial scan, or resolved and still
    closed."""


def is_open(status: Status) -> bool:
    return status in OPEN_STATUSES


_ORDER = {s: i for i, s in enumerate(WORST_FIRST)}


def _worst(a: Finding, b: Finding) -> Finding:
    def rank(f: Finding) -> tuple[int, bool, int]:
        return (_ORDER[f.status], f.waived is not None, -f.severity.rank)

    return a if rank(a) <= rank(b) else b


def _merge(findings: Iterable[Finding]) -> dict[FindingKey, Finding]:
    merged: dict[FindingKey, Finding] = {}
    for f in findings:
        key = FindingKey.of(f)
        other = merged.get(key)
        merged[key] = f if other is None else _worst(other, f)
    return merged


def diff(
    previous: Mapping[FindingKey, Tracked],
    current: Iterable[Finding],
    *,
    complete: bool,
    at: datetime,
    switched_off: frozenset[str] = frozenset(),
    resolve: bool = True,
) -> Drift:
    """The rows after a scan that saw ``current`` at ``at``, and what changed since ``previous``.

    ``complete`` is True only when the inventory and every selected check finished; only then may
    a finding be resolved by its absence. ``switched_off``: check ids the policy switched off
    (``[rules.X] disabled``): absent because nobody looked, never resolved by that; an open
    finding of one is suppressed (``waived``, CHANGED), as a waiver suppresses a failure.
    ``resolve`` False: the scan may not close anything (the phone's identity is unconfirmed):
    an open row it would resolve is kept as it was; what it opens or changes it still records.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"diff(at=...) must be timezone-aware, got {at!r}")
    seen = _merge(current)
    rows: list[Tracked] = []
    lists: dict[Lifecycle | None, list[FindingKey]] = {
        Lifecycle.NEW: [],
        Lifecycle.CHANGED: [],
        Lifecycle.RESOLVED: [],
        Lifecycle.UNCHANGED: [],
        None: [],  # kept
    }
    for key in sorted(previous.keys() | seen.keys(), key=str):
        before = previous.get(key)
        now = seen.get(key)
        if now is None and key.check_id in switched_off:
            row, what = _switched_off(before, at)
        else:
            row, what = _step(key, before, now, complete=complete, at=at)
            if what is Lifecycle.RESOLVED and not resolve:
                row, what = before, None
        if row is not None:
            rows.append(row)
            lists[what].append(key)
    return Drift(
        rows=tuple(rows),
        new=tuple(lists[Lifecycle.NEW]),
        changed=tuple(lists[Lifecycle.CHANGED]),
        resolved=tuple(lists[Lifecycle.RESOLVED]),
        unchanged=tuple(lists[Lifecycle.UNCHANGED]),
        kept=tuple(lists[None]),
    )


def _switched_off(before: Tracked | None, at: datetime) -> tuple[Tracked | None, Lifecycle | None]:
    """A key of a rule the policy switched off: suppressed if it was open, else kept."""
    if before is None or not before.open or before.waived:
        return before, None
    return replace(before, lifecycle=Lifecycle.CHANGED, waived=True), Lifecycle.CHANGED


def _step(
    key: FindingKey,
    before: Tracked | None,
    now: Finding | None,
    *,
    complete: bool,
    at: datetime,
) -> tuple[Tracked | None, Lifecycle | None]:
    """One key's new row and what happened to it (None: carried over as it was)."""
    was_open = before is not None and before.open
    evaluated = now is not None and (complete or now.status is not Status.ERROR)
    if now is None or not evaluated:
        if before is None:
            return None, None
        if complete and was_open:  # gone from a complete scan: the resource is gone
            return replace(before, lifecycle=Lifecycle.RESOLVED, resolved_at=at), Lifecycle.RESOLVED
        return before, None
    waived = now.waived is not None or (now.status is Status.MANUAL and now.attested is not None)
    if is_open(now.status):
        if before is None or not was_open:
            row = Tracked(
                key, now.status, now.severity, now.title, Lifecycle.NEW, at, at, None, waived
            )
            return row, Lifecycle.NEW
        same = (before.status, before.severity, before.waived) == (now.status, now.severity, waived)
        what = Lifecycle.UNCHANGED if same else Lifecycle.CHANGED
        row = replace(
            before,
            status=now.status,
            severity=now.severity,
            title=now.title,
            lifecycle=what,
            last_seen=at,
            waived=waived,
        )
        return row, what
    if was_open:
        assert before is not None
        row = replace(
            before,
            status=now.status,
            severity=now.severity,
            title=now.title,
            lifecycle=Lifecycle.RESOLVED,
            last_seen=at,
            resolved_at=at,
            waived=False,
        )
        return row, Lifecycle.RESOLVED
    return before, None  # closed and still closed (or never open: no row)


__all__ = ["OPEN_STATUSES", "Drift", "FindingKey", "Lifecycle", "Tracked", "diff", "is_open"]

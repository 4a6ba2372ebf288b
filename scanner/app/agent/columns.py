"""How the agent's rows are stored: Python values as SQLite columns and back (times as UTC ISO
text, enums by value, booleans as 0/1). Used by ``scanner.app.agent.state`` only."""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from checks.drift import FindingKey, Lifecycle, Tracked
from checks.findings import Severity, Status
from scanner.app.agent.rows import DeviceRow, DeviceState, RoundRow, ScanRow, Via

_Row = TypeVar("_Row", "DeviceRow", "RoundRow", "ScanRow")


def _iso(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"state times must be timezone-aware (UTC), got {value!r}")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _maybe_time(text: str | None) -> datetime | None:
    return None if text is None else _time(text)


def _db(value: object) -> object:
    """A Python value as the state stores it."""
    match value:
        case datetime():
            return _iso(value)
        case enum.Enum():
            return value.value
        case bool():
            return int(value)
        case _:
            return value


def _values(row: Any) -> dict[str, object]:
    return {f.name: _db(getattr(row, f.name)) for f in fields(row)}


def _insert(table: str, columns: Sequence[str], *, replace: bool = False) -> str:
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    names = ", ".join(columns)
    return f"{verb} INTO {table} ({names}) VALUES ({', '.join(':' + c for c in columns)})"


_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (DeviceRow, RoundRow, ScanRow)}
_TRACKED = ("status", "severity", "title", "lifecycle", "first_seen", "last_seen", "resolved_at")
_FINDING_COLUMNS = (
    *("device_id", "key", "check_id", "package", "user_id"),
    *_TRACKED,
    *("waived", "last_scan_id"),
)


def _finding_values(device_id: str, row: Tracked, scan_id: str) -> dict[str, object]:
    key = row.key
    return {
        "device_id": device_id,
        "key": str(key),
        "check_id": key.check_id,
        "package": key.package,
        "user_id": key.user_id,
        **{name: _db(getattr(row, name)) for name in _TRACKED},
        "waived": int(row.waived),
        "last_scan_id": scan_id,
    }


def _tracked(r: sqlite3.Row) -> Tracked:
    return Tracked(
        key=FindingKey(r["check_id"], r["package"], r["user_id"]),
        status=Status(r["status"]),
        severity=Severity(r["severity"]),
        title=r["title"],
        lifecycle=Lifecycle(r["lifecycle"]),
        first_seen=_time(r["first_seen"]),
        last_seen=_time(r["last_seen"]),
        resolved_at=_maybe_time(r["resolved_at"]),
        waived=bool(r["waived"]),
    )


def _load(cls: type[_Row], r: sqlite3.Row, **converted: object) -> _Row:
    """A row dataclass from its columns (extra columns ignored), ``converted`` ones replaced."""
    return cls(**{name: r[name] for name in _FIELDS[cls]} | converted)


def _device(r: sqlite3.Row) -> DeviceRow:
    first, last = _time(r["first_seen"]), _time(r["last_seen"])
    via, state = Via(r["via"]), DeviceState(r["last_state"])
    return _load(DeviceRow, r, via=via, first_seen=first, last_seen=last, last_state=state)


def _round(r: sqlite3.Row) -> RoundRow:
    return _load(RoundRow, r, started=_time(r["started"]), finished=_maybe_time(r["finished"]))


def _scan(r: sqlite3.Row) -> ScanRow:
    started, finished = _time(r["started"]), _time(r["finished"])
    state, complete = DeviceState(r["state"]), bool(r["complete"])
    return _load(ScanRow, r, started=started, finished=finished, state=state, complete=complete)


def _previous(tx: Any, device_id: str) -> dict[FindingKey, Tracked]:
    """The tracked findings of ``device_id``, read inside the open transaction ``tx``."""
    rows = tx.execute("SELECT * FROM findings WHERE device_id = ?", (device_id,)).fetchall()
    return {t.key: t for t in map(_tracked, rows)}

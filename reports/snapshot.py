"""A ``Snapshot`` as plain JSON: what ``msgscan snapshot --json`` prints.

Facts the phone withheld appear as ``{"unseen": "<reason>"}`` so a reader never mistakes them for
"none". Keys are stable; new keys may be added.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from checks.facts import AppOps, Snapshot, Unseen

SNAPSHOT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, Unseen):
        return {"unseen": value.reason}
    if isinstance(value, AppOps):
        return [
            {"user": user, "package": package, "ops": {op: mode.value for op, mode in sorted(ops.items())}}
            for (user, package), ops in sorted(value.modes.items())
        ]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def snapshot_to_json(snapshot: Snapshot) -> dict[str, Any]:
    body = _plain(snapshot)
    assert isinstance(body, dict)
    return {"snapshot_version": SNAPSHOT_VERSION, **body}

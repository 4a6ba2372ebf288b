"""A ``Snapshot`` (the device facts, before any judgement) for people and for machines: what
``msgscan snapshot`` prints, as a short summary (``snapshot_text``) or plain JSON
(``snapshot_to_json``, ``--json``).

Facts the phone withheld appear as ``{"unseen": "<reason>"}`` in JSON and as ``unknown (<reason>)``
in the text, so a reader never mistakes them for "none". JSON keys are stable; new keys may be
added. Every line of text is cleaned of control characters (a phone may put ESC in a model name).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from msgspec import Struct

from checks.catalog import VARIANTS
from checks.facts import AppOps, Snapshot, Unseen
from reports.render.controls import strip_controls

SNAPSHOT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, Unseen):
        return {"unseen": value.reason}
    if isinstance(value, AppOps):
        return [
            {
                "user": user,
                "package": package,
                "ops": {op: mode.value for op, mode in sorted(ops.items())},
            }
            for (user, package), ops in sorted(value.modes.items())
        ]
    if isinstance(value, Struct):  # the facts model's values (checks/)
        return {name: _plain(getattr(value, name)) for name in value.__struct_fields__}
    if hasattr(type(value), "__dataclass_fields__"):  # a dataclass instance: its module is
        import dataclasses  # loaded already; a scan has none (start-up: no ``dataclasses``)

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
    if isinstance(snapshot.boot_id, str):  # it names one running phone: said read, not shown
        body["boot_id"] = "read"
    return {"snapshot_version": SNAPSHOT_VERSION, **body}


def snapshot_text(snapshot: Snapshot) -> str:
    """The summary ``msgscan snapshot`` prints: identity, users, messengers, storage, problems."""
    lines = [f"phone {snapshot.serial}" + ("" if snapshot.complete else "  (INCOMPLETE)")]
    ident = snapshot.identity
    if isinstance(ident, Unseen):
        lines.append(f"  identity: unknown ({ident.reason})")
    else:
        lines.append(
            f"  {ident.manufacturer} {ident.model}, Android {ident.release} (SDK {ident.sdk}), "
            f"security patch {ident.security_patch or 'unknown'}, "
            f"encryption {ident.encryption.value}"
        )
    if isinstance(snapshot.users, Unseen):
        lines.append(f"  users: unknown ({snapshot.users.reason})")
    else:
        lines.append("  users: " + ", ".join(f"{u.id} ({u.kind.value})" for u in snapshot.users))
    if isinstance(snapshot.packages, Unseen):
        lines.append(f"  packages: unknown ({snapshot.packages.reason})")
    else:
        lines.append(f"  packages: {len(snapshot.packages)}")
        for p in snapshot.packages:
            if p.name in VARIANTS:
                users = ", ".join(str(u) for u in p.installed_for()) or "none"
                lines.append(f"  messenger {p.name} {p.version_name} (users: {users})")
    for e in snapshot.storage:
        s = e.summary
        if isinstance(s, Unseen):
            lines.append(
                f"  storage {e.package} user {e.user_id} {e.location}: unknown ({s.reason})"
            )
        elif s.exists and s.files:
            newest = s.newest.date().isoformat() if s.newest else "-"
            lines.append(
                f"  storage {e.package} user {e.user_id} {e.location}: {s.files} files, "
                f"{s.total_bytes} bytes, newest {newest}, .nomedia {s.nomedia}"
            )
    for problem in snapshot.problems:
        lines.append(f"  problem: {problem}")
    return "\n".join(strip_controls(line) for line in lines) + "\n"


__all__ = ["SNAPSHOT_VERSION", "snapshot_text", "snapshot_to_json"]

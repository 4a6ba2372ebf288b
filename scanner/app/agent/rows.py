"""What the agent's state holds, row by row: devices, rounds, scans and findings.

Enumerated columns are validated by these enums, not by CHECK constraints (see ``state``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from checks.drift import Tracked


class Via(enum.StrEnum):
    USB = "usb"
    TCP = "tcp"
    SERVER = "server"
    """Through a running adb server."""


class DeviceState(enum.StrEnum):
    """How a phone was found, or how its last scan ended."""

    READY = "ready"
    SCANNED = "scanned"
    UNAUTHORIZED = "unauthorized"
    BUSY = "busy"
    NO_PERMISSION = "no_permission"
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"
    LOST = "lost"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"
    ERROR = "error"
    AMBIGUOUS = "ambiguous"
    """Two phones answered as this id in one round (or the last one): nothing resolved."""
    REPLACED = "replaced"
    """Another phone answered as this id: the earlier phone's history, kept under a new id.
    The lasting mark is ``DeviceRow.retired``; this state is what the history showed last."""


@dataclass(frozen=True, slots=True)
class DeviceRow:
    id: str
    """Serial, or host:port for a phone reached over TCP."""
    via: Via
    first_seen: datetime
    last_seen: datetime
    last_state: DeviceState
    last_error: str | None
    model: str | None
    last_scan_id: str | None
    """The last scan recorded for the phone, whether or not it got to evaluate anything."""
    trait: str | None = None
    """Who the phone seems to be (``identity.trait_of``); None before its first scan with one."""
    ambiguous_round: int | None = None
    """The last round in which two phones answered as this id."""
    lineage: int = 0
    """Which phone behind the id: how many were retired from it before this one (``lineage``)."""
    siem_name: str | None = None
    """A retired history: the id its SIEM events name (the one it was scanned as); None: its own."""
    retired: str | None = None
    """A retired history (``lineage.retire``): why its phone was retired; None: a live id. No
    attempt at the id overwrites it (``State.seen_device`` moves the history aside first)."""


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: int
    started: datetime
    finished: datetime | None
    devices_seen: int | None
    scanned: int | None
    failed: int | None
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class ScanRow:
    id: str
    """A UUID naming the scan in reports, logs and events."""
    round_id: int | None
    """None for a scan outside a round (``msgscan scan --send``)."""
    device_id: str
    started: datetime
    finished: datetime
    """Also the observation time of the findings (``first_seen``/``last_seen``)."""
    state: DeviceState
    complete: bool
    """Inventory and every selected check finished; only then are absent findings resolved."""
    verdict: str | None = None
    score: float | None = None
    failed: int = 0
    report_path: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FindingRow:
    """A stored finding with the phone it is on and the scan that last wrote it."""

    device_id: str
    tracked: Tracked
    last_scan_id: str | None

"""The fleet agent's settings, as its config file (``agent.example.toml``) gives them.

The schema only: ``scanner.app.agent.config`` reads the TOML into these, ``schedule`` holds the
``[schedule]`` triggers and ``inventory`` the TCP inventory file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from checks.errors import MsgscanError
from scanner.app.agent.schedule import Cron, Interval
from scanner.endpoints import Endpoint

if TYPE_CHECKING:  # at run time only the config reader needs it (start-up cost)
    from reports.deliver.settings import Destination

__all__ = [
    "AUTO_CONCURRENCY",
    "CONCURRENCY",
    "HEARTBEAT_SECONDS",
    "MAX_POLL",
    "PHONES_PER_PROCESS",
    "PROCESSES",
    "RETENTION_DAYS",
    "AdbServerSettings",
    "AgentConfig",
    "AgentConfigError",
    "AgentSettings",
    "LogLevel",
    "ScanSettings",
    "ScheduleSettings",
    "TcpSettings",
    "UsbSettings",
    "usable_cores",
    "auto_concurrency",
    "auto_processes",
    "processes_for",
]


class AgentConfigError(MsgscanError):
    """An agent config or TCP inventory that cannot be used: names the file, key and problem."""


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class AgentSettings:
    """``[agent]``: where the agent keeps its state and how it judges and logs."""

    state_dir: Path
    """SQLite state and the single-instance lock."""
    reports_dir: Path
    """Per-device JSON reports and the fleet summary; default ``<state_dir>/reports``."""
    database: Path
    """The SQLite file; default ``<state_dir>/msgscan.db``."""
    policy: Path | None
    """The organisation's policy file, or None for the article's defaults."""
    pseudonymize: bool
    """Keyed pseudonyms instead of serials; the key comes from ``checks.result.pseudonym_key``."""
    retention_days: int
    """Scan history older than this is pruned."""
    heartbeat_seconds: int
    log_level: LogLevel
    signing_key: Path | None = None
    """The Ed25519 key that signs every report and fleet summary (``msgscan keygen``), or None."""
    reports_retention_days: int = 90
    """Per-phone report files not rewritten for this long are deleted (default: retention_days)."""


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """``[schedule]``: when rounds start."""

    trigger: Interval | Cron
    jitter: timedelta
    """A random delay of up to this much added to each round (APScheduler's ``jitter``)."""


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """``[scan]``: how many phones at once, and how long each may take."""

    concurrency: int
    """Phones scanned at once: as configured, or ``auto_concurrency()`` for "auto"."""
    timeout: timedelta
    """Per phone, the whole scan: connect, authorise and collect."""
    connect_timeout: timedelta
    auth_timeout: timedelta
    """How long to wait for "Allow USB debugging?"; no one is there to tap it, so short."""
    retry_unauthorized: bool
    """Scan a phone that was unauthorised again in the next round."""
    processes: int = 1
    """Processes a round's scans may spread over: as configured, or ``auto_processes()``; a
    round uses fewer when it has few phones (``processes_for``)."""


@dataclass(frozen=True, slots=True)
class UsbSettings:
    enabled: bool
    poll: timedelta
    """How often to look for newly plugged phones; at most 10 s."""


@dataclass(frozen=True, slots=True)
class AdbServerSettings:
    use: bool
    """Scan phones held by a running adb server (never started or killed by the agent)."""


@dataclass(frozen=True, slots=True)
class TcpSettings:
    endpoints: tuple[Endpoint, ...]
    """Fixed phones, duplicates dropped, in the order written."""
    inventory_file: Path | None
    """Re-read every round with ``load_tcp_inventory``; None when not set."""


@dataclass(frozen=True, slots=True)
class AgentConfig:
    agent: AgentSettings
    schedule: ScheduleSettings
    scan: ScanSettings
    usb: UsbSettings
    adb_server: AdbServerSettings
    tcp: TcpSettings
    destinations: Mapping[str, Destination]
    """``[destinations.<name>]``, parsed once (``reports.deliver.settings``), read-only."""
    source: str
    digest: str
    """sha256 of the file's bytes: tells a reload (SIGHUP) that changed nothing from one that
    did."""


MAX_POLL = timedelta(seconds=10)
"""A newly plugged phone must be scanned within 10 s of appearing (issue 5)."""
CONCURRENCY = range(1, 257)
PER_CORE = 8
AUTO_CONCURRENCY = range(4, 65)


def usable_cores() -> int:
    """The CPU cores this process may run on: its affinity (cgroup cpusets show there too)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def auto_concurrency(cores: int | None = None) -> int:
    """``[scan] concurrency = "auto"`` (the default): 8 phones in flight per CPU core this
    process may run on (``os.sched_getaffinity``), at least 4 and at most 64.

    Why: a round scans in one process per core (``auto_processes``), each running its share of
    the phones in flight on threads. A scan mostly waits for the phone, and at about 0.15 s of
    CPU per 300-package phone a few waiting phones keep a core busy; each phone in flight holds
    about 7 MB at its peak (its output, snapshot and report until the report is written), so 8
    per core keeps a 2-core agent's process tree near 150 MB (bench/RESULTS.md, "Agent round").
    """
    if cores is None:
        cores = usable_cores()
    return max(AUTO_CONCURRENCY.start, min(AUTO_CONCURRENCY.stop - 1, PER_CORE * max(1, cores)))


PROCESSES = range(1, 65)
PHONES_PER_PROCESS = 16
"""A worker process costs its start-up (about 0.3 s of CPU importing msgscan) and its memory:
a round starts one only for every 16 phones it has."""


def auto_processes(cores: int | None = None) -> int:
    """``[scan] processes = "auto"`` (the default): one per CPU core this process may run on,
    at most 64. One process runs its scans' CPU on one core at a time (Python's GIL)."""
    if cores is None:
        cores = usable_cores()
    return max(PROCESSES.start, min(PROCESSES.stop - 1, cores))


def processes_for(processes: int, phones: int) -> int:
    """How many processes a round of ``phones`` phones scans in, at most ``processes``: one per
    ``PHONES_PER_PROCESS`` phones; 1 means the agent's own threads, no worker process."""
    return max(1, min(processes, phones // PHONES_PER_PROCESS))


RETENTION_DAYS = range(1, 3651)
HEARTBEAT_SECONDS = range(1, 86401)

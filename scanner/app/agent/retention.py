"""How long the agent keeps its evidence, as each report states it, and the pruning of report
files.

Scan history is pruned after ``[agent] retention_days`` (``State.prune``, which keeps each
phone's last scan and last evaluated scan); a phone's report file is rewritten by every scan
that evaluated it, and one not rewritten for ``reports_retention_days`` is deleted (a phone gone
for good). Each report says ``retention.kept_until``: its scan date plus the shorter period,
the first day after which the agent may delete it unless a newer scan replaces it.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from scanner.app.agent.attestations import prune as prune_attestations
from scanner.app.agent.settings import AgentSettings

if TYPE_CHECKING:
    from scanner.app.agent.state import State

log = structlog.get_logger("msgscan.agent")


def statement(settings: AgentSettings, on: date) -> dict[str, Any]:
    """The report's ``retention`` member for a scan on ``on``."""
    shortest = min(settings.retention_days, settings.reports_retention_days)
    return {
        "kept_until": (on + timedelta(days=shortest)).isoformat(),
        "history_days": settings.retention_days,
        "reports_days": settings.reports_retention_days,
    }


_REPORT_START = re.compile(rb'\s*\{\s*"schema_version"\s*:')
"""How every msgscan report begins (``reports.report.build_report``'s first member)."""


def _is_report(path: Path) -> bool:
    """A msgscan report, not some other JSON that shares the folder (an attestation file)."""
    with path.open("rb") as f:
        return _REPORT_START.match(f.read(64)) is not None


def prune_reports(reports_dir: Path, days: int, keep: set[str], now: float | None = None) -> int:
    """Delete per-phone reports (``*.json`` that are msgscan reports) not rewritten for
    ``days``; never ``keep`` (the fleet summary), never other JSON files that share the folder,
    never anything but regular files. Returns how many went."""
    cutoff = (now if now is not None else time.time()) - days * 86400
    gone = 0
    try:
        entries = list(reports_dir.glob("*.json"))
    except OSError:
        return 0
    for path in entries:
        try:
            if path.name in keep or path.is_symlink() or not path.is_file():
                continue
            if path.stat().st_mtime < cutoff and _is_report(path):
                path.unlink()
                gone += 1
        except OSError as e:
            log.warning("report.prune_failed", file=path.name, error=e.strerror)
    if gone:
        log.info("reports.pruned", files=gone, days=days)
    return gone


__all__ = ["prune_reports", "statement"]


def prune_all(state: State, settings: AgentSettings, finished: datetime, keep: set[str]) -> None:
    """After a round: the scan history and the attestations older than ``retention_days``, and
    report files not rewritten for ``reports_retention_days`` (but the files in ``keep``)."""
    cutoff = finished - timedelta(days=settings.retention_days)
    state.prune(cutoff)
    prune_attestations(state, cutoff.date())
    prune_reports(settings.reports_dir, settings.reports_retention_days, keep)

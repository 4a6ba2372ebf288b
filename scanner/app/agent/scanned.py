"""What the agent keeps of one scan once its report is written: small, and the same whichever
process scanned the phone.

A phone is scanned, judged and its JSON report written where it was scanned (a thread of the
agent, or of one of its worker processes, ``scanner.app.agent.workers``). The agent's own process
then needs only what its state, the fleet summary and SIEM delivery read: the findings, the
scan's metadata, the report's columns and, when a destination is configured, the report itself.
The phone's output and snapshot (1 MB of ``dumpsys package`` alone for 300 packages, more once
parsed) never cross a process boundary.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from checks.errors import MsgscanError
from checks.evaluate import Summary, summarize
from checks.facts import DeviceIdentity
from checks.findings import Finding
from checks.result import ScanResult
from reports.render.json import JsonRenderer
from reports.render.ocsf_context import ScanContext
from reports.report import build_report
from scanner.app.agent.attestations import awaiting
from scanner.app.agent.identity import trait_of
from scanner.app.agent.summary import worst
from scanner.files import write_atomic

log = structlog.get_logger("msgscan.agent")


@dataclass(frozen=True, slots=True)
class Scanned:
    """One scan as the agent's state, summary and delivery see it."""

    scan_id: str
    started: datetime
    finished: datetime
    device_name: str
    complete: bool
    model: str | None
    findings: tuple[Finding, ...]
    context: ScanContext
    """What a SIEM event says of the scan (``reports.render.ocsf``)."""
    report: dict[str, Any] | None = None
    """The report as ``build_report`` made it, for SIEM events; None without destinations."""
    columns: dict[str, str] | None = None
    """check id -> worst status in the written report (``summary.worst``); None if unwritten."""
    written: tuple[int, int] | None = None
    """(mtime_ns, size) of the written report: the summary trusts ``columns`` while it holds."""
    awaiting: list[dict[str, Any]] | None = None
    """What in the written report awaits attestation (``attestations.awaiting``), for the
    summary as ``columns``; None if unwritten."""
    trait: str | None = None
    """Who the phone seems to be (``identity.trait_of``): a swapped phone starts a new history."""
    boot: str | None = None
    """The kernel's boot id, read (``Snapshot.boot_id``): held in memory for the round only, to
    tell one phone reached two ways from clones (``onephone``); no state or report keeps it."""
    summary: Summary | None = None
    """``summarize(findings, complete=complete)``, made where the scan was (a worker): the
    recorder's; None: the recorder makes it."""


@dataclass(frozen=True, slots=True)
class ReportJob:
    """Where and how a scanned phone's report is written."""

    reports_dir: Path
    renderer: JsonRenderer
    keep_report: bool = False
    """Keep the report for SIEM delivery (a destination is configured)."""


def report_name(device: str) -> str:
    """A file name for a device's report: safe on every file system, stable per device."""
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in device)
    return f"{safe or 'device'}.json"


CLAIMS = ".report-names.lock"
"""Held (``flock``) while a report's name is claimed, by the agent and its worker processes."""


def _own_path(job: ReportJob, result: ScanResult, since_ns: int) -> Path:
    """The report's path: the phone's name, unless a report of that name was written (or
    claimed) since ``since_ns`` (before the round began): then another phone answered as the
    same id this round, and each keeps its own report (the name with the scan's id). The name
    is claimed under a lock by touching the file, so a twin finishing at the same time sees it."""
    path = job.reports_dir / report_name(result.device_name)
    if not since_ns:
        return path
    try:
        fd = os.open(job.reports_dir / CLAIMS, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return path
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            taken = os.stat(path).st_mtime_ns >= since_ns
        except FileNotFoundError:
            taken = False
        if taken:
            return job.reports_dir / report_name(f"{result.device_name}-{result.scan_id[:8]}")
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
        os.utime(path)
    except OSError:  # the report is written, or its failure logged, as without the claim
        pass
    finally:
        os.close(fd)
    return path


def _unclaim(path: Path | None) -> None:
    """Remove the empty file that claimed a report's name (``_own_path``) if no report came."""
    try:
        if path is not None and os.stat(path).st_size == 0:
            os.unlink(path)
    except OSError:
        pass


def written(
    result: ScanResult, job: ReportJob, name: str, since_ns: int = 0
) -> tuple[Scanned, Path | None, int]:
    """Write ``result``'s report atomically (``name``: the phone in logs). Returns what the
    agent keeps of the scan, the report's path (None when it could not be written: a full disk
    must not end the round, the state still records) and the failed checks. ``since_ns``: when
    the round began (``Target.since_ns``), to keep a twin's report (``_own_path``)."""
    path: Path | None = _own_path(job, result, since_ns)
    report = build_report(result)
    kept = dict(report) if job.keep_report else None  # before rendering adds retention
    columns: dict[str, str] | None = None
    waits: list[dict[str, Any]] | None = None
    stat: tuple[int, int] | None = None
    try:
        assert path is not None
        write_atomic(path, job.renderer.render_report(report))
        columns = worst(report)
        waits = awaiting(report)
        st = os.stat(path)
        stat = (st.st_mtime_ns, st.st_size)
    except MsgscanError as e:
        log.error("report.write_failed", device=name, problem=e.problem)
        _unclaim(path)
        path = None
    except OSError:  # written, then gone before it was looked at: the summary reads it again
        pass
    identity = result.snapshot.identity
    summary = summarize(result.findings, complete=result.snapshot.complete)
    scanned = Scanned(
        scan_id=result.scan_id,
        started=result.started,
        finished=result.finished,
        device_name=result.device_name,
        complete=result.snapshot.complete,
        model=identity.model if isinstance(identity, DeviceIdentity) else None,
        findings=result.findings,
        context=ScanContext.of(result),
        report=kept,
        columns=columns,
        written=stat,
        awaiting=waits,
        trait=trait_of(identity),
        boot=boot if isinstance(boot := result.snapshot.boot_id, str) else None,
        summary=summary,
    )
    return scanned, path, summary.failed


__all__ = ["ReportJob", "Scanned", "report_name", "written"]

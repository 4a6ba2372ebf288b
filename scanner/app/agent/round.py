"""One round of the fleet agent: scan every reachable phone in parallel, record what changed.

Each phone gets a deadline (``[scan] timeout``) that every exchange respects, so one hung, broken
or slow phone never holds the round longer than its own timeout, and never disturbs the others.
A phone that cannot be scanned (unauthorized, busy, gone) is recorded in that state and tried
again next round. Per phone the round writes its JSON report (atomically) and, in one state
transaction, the scan and the finding lifecycle; at the end the fleet summary.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import structlog

from checks.errors import (
    DeviceBusy,
    DeviceLost,
    DeviceNotFound,
    DevicePermission,
    DeviceUnauthorized,
    MsgscanError,
    ProbeTimeout,
)
from checks.policy import Policy
from checks.result import ScanResult
from reports.render.json import JsonRenderer
from scanner import waves
from scanner.app.agent.scanned import ReportJob, Scanned, report_name, written
from scanner.app.agent.summary import remember
from scanner.app.agent.targets import Sighting, Target
from scanner.app.scan import device_name, hide, scan_result
from scanner.transport.interface import Transport

if TYPE_CHECKING:
    from scanner.app.agent.workers import KeptWorkers

log = structlog.get_logger("msgscan.agent")

__all__ = [
    "INTERRUPTED",
    "Limits",
    "Openers",
    "PhoneOutcome",
    "RoundOutcome",
    "report_name",
    "run_round",
    "scan_and_write",
    "scan_phone",
]

STOP_GRACE_S = 5.0
INTERRUPTED = (
    "the agent was stopping (SIGTERM or SIGINT) and cut the scan short; the next round scans the "
    "phone again"
)


@dataclass(frozen=True, slots=True)
class Limits:
    timeout_s: float
    connect_timeout_s: float
    auth_timeout_s: float
    pseudonymize: bool = False


@dataclass(slots=True)
class PhoneOutcome:
    target: Target
    state: str
    """scanned, incomplete, unauthorized, busy, no_permission, unreachable, lost, timeout,
    interrupted, error."""
    result: ScanResult | None = None
    """The scan, until its report is written (``scan_and_write``); then ``scanned``."""
    scanned: Scanned | None = None
    """What the agent keeps of the scan (``scanner.app.agent.scanned``); None after recording."""
    error: str | None = None
    seconds: float = 0.0
    report_path: Path | None = None
    failed: int | None = None
    """Failed checks (not waived, not informational); None when nothing was evaluated."""
    name: str = ""
    """What the phone is called in reports, state and logs: its id, or its pseudonym."""
    waves: int | None = None
    """The scan's waves and the streams that carried the probes its report records (their
    ``wave``/``stream``; a stream whose probes the report does not keep is not counted), for
    the ``phone.done`` line; None when nothing was scanned."""
    streams: int | None = None


@dataclass(slots=True)
class RoundOutcome:
    started: datetime
    finished: datetime | None = None
    phones: list[PhoneOutcome] = field(default_factory=list)
    sightings: list[Sighting] = field(default_factory=list)
    interrupted: bool = False
    processes: int = 1
    """The processes the round scanned in: 1 is the agent's own threads (``scanners_for``)."""


def _state_of(error: MsgscanError) -> str:
    match error:
        case DeviceUnauthorized():
            return "unauthorized"
        case DeviceBusy():
            return "busy"
        case DevicePermission():
            return "no_permission"
        case DeviceNotFound():
            return "unreachable"
        case ProbeTimeout():
            return "timeout"
        case DeviceLost():
            return "lost"
        case _:
            return "error"


class Openers:
    """Opens transports and remembers the open ones, so a stop can cut them all at once."""

    def __init__(self, signer: Any, settings: Limits) -> None:
        self.signer = signer
        self.settings = settings
        self._open: set[Any] = set()
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def open(self, target: Target) -> Transport:
        s = self.settings
        transport: Any
        if target.via == "tcp":
            from scanner.transport.tcp import TcpTransport

            assert target.host is not None and target.port is not None
            transport = TcpTransport.connect(
                target.host,
                target.port,
                signer=self.signer,
                connect_timeout_s=s.connect_timeout_s,
                auth_timeout_s=s.auth_timeout_s,
            )
        elif target.via == "usb":
            from scanner.transport.usb import UsbTransport

            transport = UsbTransport.connect(
                target.id,
                signer=self.signer,
                connect_timeout_s=s.connect_timeout_s,
                auth_timeout_s=s.auth_timeout_s,
            )
        else:
            from scanner.transport.server_shell import ServerTransport

            transport = ServerTransport(target.id, connect_timeout_s=s.connect_timeout_s)
        with self._lock:
            self._open.add(transport)
        if self.stopping.is_set():
            self.cut_all()
        return cast(Transport, transport)

    def release(self, transport: Transport) -> None:
        with self._lock:
            self._open.discard(transport)
        try:
            transport.close()
        except (
            OSError,
            MsgscanError,
        ) as e:  # closing a broken connection may fail; nothing to save
            log.debug("transport.close_failed", device=transport.serial, error=str(e))

    def cut_all(self) -> None:
        """Close every open transport: blocked reads end at once (SIGTERM handling)."""
        self.stopping.set()
        with self._lock:
            open_now = list(self._open)
        for t in open_now:
            try:
                # abort() where a transport has it: close() may wait for the blocked read.
                getattr(t, "abort", t.close)()
            except (OSError, MsgscanError) as e:
                log.debug("transport.abort_failed", device=t.serial, error=str(e))


def _named(
    target: Target,
    policy: Policy,
    openers: Openers,
    state: str,
    error: str | None = None,
    seconds: float = 0.0,
) -> PhoneOutcome:
    """An outcome that calls the phone by its report name; the id never leaks through ``error``."""
    name = device_name(target.id, policy, openers.settings.pseudonymize)
    return PhoneOutcome(
        target,
        state,
        error=hide(error, target.id, name) if error else None,
        seconds=seconds,
        name=name,
    )


def scan_phone(target: Target, policy: Policy, openers: Openers) -> PhoneOutcome:
    """Scan one phone within its deadline; never raises for what the phone does."""
    started = time.monotonic()
    deadline = started + openers.settings.timeout_s
    outcome = _named(target, policy, openers, "error")
    try:
        transport = openers.open(target)
    except MsgscanError as e:
        outcome.state = _state_of(e)
        outcome.error = hide(f"{e.problem} ({e.hint})", target.id, outcome.name)
        if openers.stopping.is_set():
            outcome.state, outcome.error = "interrupted", INTERRUPTED
        outcome.seconds = time.monotonic() - started
        return outcome
    try:
        result = scan_result(
            transport,
            policy,
            timeout=openers.settings.timeout_s,
            deadline=deadline,
            pseudonymize=openers.settings.pseudonymize,
        )
        outcome.result = result
        outcome.error = result.error
        if openers.stopping.is_set() and not result.snapshot.complete:
            outcome.state, outcome.error = "interrupted", INTERRUPTED
        elif result.snapshot.complete:
            outcome.state = "scanned"
        else:  # how the phone was lost decides how it is recorded: timed out, or gone;
            # a phone that answered in full but with damaged output was not lost: "error"
            outcome.state = result.snapshot.interrupted_by or "error"
    except MsgscanError as e:
        outcome.state = _state_of(e)
        outcome.error = hide(f"{e.problem} ({e.hint})", target.id, outcome.name)
        if openers.stopping.is_set():  # the cut connection, not the phone, ended the scan
            outcome.state, outcome.error = "interrupted", INTERRUPTED
    finally:
        openers.release(transport)
    outcome.seconds = time.monotonic() - started
    return outcome


def scan_and_write(
    target: Target, policy: Policy, openers: Openers, job: ReportJob
) -> PhoneOutcome:
    """Scan one phone and write its report; the outcome carries ``scanned``, not the snapshot."""
    phone = scan_phone(target, policy, openers)
    if phone.result is not None:
        runs = {(p.wave, p.stream) for p in phone.result.snapshot.probes if p.wave is not None}
        phone.waves = max((w for w, _ in runs), default=0)
        phone.streams = len(runs)
        phone.scanned, phone.report_path, phone.failed = written(
            phone.result, job, phone.name, target.since_ns
        )
        phone.result = None
    return phone


def run_round(
    targets: Sequence[Target],
    sightings: Sequence[Sighting],
    *,
    policy: Policy,
    openers: Openers,
    concurrency: int,
    reports_dir: Path,
    on_phone: Callable[[PhoneOutcome], None] | None = None,
    stop: threading.Event | None = None,
    renderer: JsonRenderer | None = None,
    processes: int = 1,
    keep_report: bool = False,
    kept: KeptWorkers | None = None,
) -> RoundOutcome:
    """Scan ``targets`` with at most ``concurrency`` at a time, in ``processes`` processes (1:
    threads of this one); ``on_phone`` gets each outcome as soon as it is known (the agent
    records it in its state there). ``keep_report``: outcomes carry the report (SIEM events).
    ``kept``: a running agent's workers, kept across its rounds."""
    stop = stop or threading.Event()
    outcome = RoundOutcome(datetime.now(UTC), sightings=list(sightings))
    reports_dir.mkdir(parents=True, exist_ok=True)
    job = ReportJob(reports_dir, renderer or JsonRenderer(), keep_report)
    grace = openers.settings.connect_timeout_s + openers.settings.auth_timeout_s + 5.0

    def finish(phone: PhoneOutcome) -> None:
        scanned, path = phone.scanned, phone.report_path
        if scanned and path and scanned.written is not None and scanned.columns is not None:
            remember(path, scanned.written, scanned.columns, scanned.awaiting)  # for the summary
        if on_phone is not None:
            on_phone(phone)
        # The findings are in the state now: holding 1000 phones' until the round ends would
        # cost more memory than everything else the agent does.
        phone.scanned = None
        outcome.phones.append(phone)
        log.info(
            "phone.done",
            device=phone.name,
            via=phone.target.via,
            state=phone.state,
            seconds=round(phone.seconds, 2),
            failed=phone.failed,
            waves=phone.waves,
            streams=phone.streams,
        )

    def give_up(n: int, state: str, why: str) -> None:
        target, began = pending.pop(n)
        finish(_named(target, policy, openers, state, why, time.monotonic() - began))

    from scanner.app.agent import scanners as scanning  # it scans with this module

    LocalScanners, scanners_for = scanning.LocalScanners, scanning.scanners_for

    scanners = scanners_for(processes, concurrency, policy, openers, job, kept)
    outcome.processes = getattr(scanners, "processes", 1)
    pending: dict[int, tuple[Target, float]] = {}
    queue = list(targets)
    stopped_at: float | None = None
    submitted = 0
    scanning.collecting_less()
    level = waves.in_agent()  # the phone.done line says what its wave lines said
    try:
        while queue or pending:
            while queue and len(pending) < concurrency and not stop.is_set():
                submitted += 1
                pending[submitted] = (queue[0], time.monotonic())
                scanners.submit(submitted, queue.pop(0))
            if stop.is_set() and stopped_at is None:
                stopped_at = time.monotonic()
                scanners.cut()
                outcome.interrupted = True
                queue.clear()
            for n, phone in scanners.finished(0.5):
                if n not in pending:  # abandoned already
                    continue
                if phone is None:  # its worker process was killed (out of memory, a signal)
                    give_up(n, "error", "the process scanning the phone ended unexpectedly")
                else:
                    del pending[n]
                    finish(phone)
            # A phone past its deadline plus connect/auth grace is abandoned: its thread ends
            # when its transport deadline fires, but the round no longer waits for it.
            now = time.monotonic()
            for n, (_, began) in list(pending.items()):
                if now - began > openers.settings.timeout_s + grace:
                    give_up(n, "timeout", "abandoned after the scan timeout")
            # Stopping: cut connections end blocked reads at once; whatever still runs after
            # STOP_GRACE_S is left behind so the agent exits within its 10 s promise.
            if stopped_at is not None and time.monotonic() - stopped_at > STOP_GRACE_S:
                for n in list(pending):
                    give_up(n, "interrupted", INTERRUPTED)
            if not scanners.alive():  # every worker process died: the rest scans here
                log.error("workers.lost", phones=len(queue))
                scanners.close()
                scanners = LocalScanners(policy, openers, job, concurrency)
    finally:
        scanners.close()
        scanning.collecting_as_before()
        waves.in_agent(level)
    outcome.finished = datetime.now(UTC)
    return outcome

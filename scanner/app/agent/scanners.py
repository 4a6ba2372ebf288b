"""Where a round's phones are scanned: threads of the agent's process, or worker processes.

``run_round`` (``scanner.app.agent.round``) hands each phone to a ``Scanners`` and takes the
outcomes back as they come; ``scanners_for`` picks threads or ``scanner.app.agent.workers``.
"""

from __future__ import annotations

import pickle
import queue as queues
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

import structlog

from checks.policy import Policy
from scanner.app.agent.round import Openers, PhoneOutcome, scan_and_write
from scanner.app.agent.scanned import ReportJob
from scanner.app.agent.targets import Target

if TYPE_CHECKING:
    from scanner.app.agent.workers import KeptWorkers

log = structlog.get_logger("msgscan.agent")

__all__ = ["LocalScanners", "Scanners", "scanners_for"]


class Scanners(Protocol):
    """Where a round's phones are scanned: threads of this process, or worker processes."""

    def submit(self, n: int, target: Target) -> None: ...

    def finished(self, timeout: float) -> list[tuple[int, PhoneOutcome | None]]:
        """Outcomes done since the last call (waits up to ``timeout`` for the first one); None
        for a phone whose process ended before it; raises what a scan raised (a bug, not the
        phone: ``scan_phone`` never raises)."""
        ...

    def alive(self) -> bool: ...

    def cut(self) -> None:
        """Stopping: close every open connection, so blocked reads end at once."""
        ...

    def close(self) -> None: ...


class LocalScanners:
    """Scans on a pool of threads in this process (the GIL: one core's CPU at a time)."""

    def __init__(self, policy: Policy, openers: Openers, job: ReportJob, threads: int) -> None:
        self.policy, self.openers, self.job = policy, openers, job
        self.pool = ThreadPoolExecutor(
            max_workers=max(1, threads), thread_name_prefix="msgscan-scan"
        )
        self.done: queues.SimpleQueue[tuple[int, Future[PhoneOutcome]]] = queues.SimpleQueue()

    def submit(self, n: int, target: Target) -> None:
        fut = self.pool.submit(scan_and_write, target, self.policy, self.openers, self.job)
        fut.add_done_callback(lambda f: self.done.put((n, f)))

    def finished(self, timeout: float) -> list[tuple[int, PhoneOutcome | None]]:
        ready: list[tuple[int, Future[PhoneOutcome]]] = []
        try:
            ready.append(self.done.get(timeout=timeout))
            while True:
                ready.append(self.done.get_nowait())
        except queues.Empty:
            pass
        return [(n, fut.result()) for n, fut in ready if not fut.cancelled()]

    def alive(self) -> bool:
        return True

    def cut(self) -> None:
        self.openers.cut_all()

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def scanners_for(
    processes: int,
    concurrency: int,
    policy: Policy,
    openers: Openers,
    job: ReportJob,
    kept: KeptWorkers | None = None,
) -> Scanners:
    """Worker processes when ``processes`` > 1 and the keys can cross to them (``kept``'s,
    when it has them free: a running agent's, kept across its rounds), else threads."""
    if processes > 1:
        from scanner.app.agent.workers import WorkerScanners, portable

        setup = portable(policy, openers, job, -(-concurrency // processes))
        if setup is None:
            log.info("workers.unavailable", reason="the ADB signer cannot be passed to a process")
        else:
            try:
                lent = kept.lend(processes, setup) if kept is not None else None
                return lent or WorkerScanners(processes, setup)
            except (OSError, TypeError, AttributeError, pickle.PicklingError) as e:
                log.warning("workers.unavailable", reason=f"{type(e).__name__}: {e}")
    return LocalScanners(policy, openers, job, concurrency)

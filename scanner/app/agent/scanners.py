"""Where a round's phones are scanned: threads of the agent's process, or worker processes.

``run_round`` (``scanner.app.agent.round``) hands each phone to a ``Scanners`` and takes the
outcomes back as they come; ``scanners_for`` picks threads or ``scanner.app.agent.workers``.
"""

from __future__ import annotations

import gc
import pickle
import queue as queues
import threading
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

__all__ = ["LocalScanners", "Scanners", "collecting_as_before", "collecting_less", "scanners_for"]

ROUND_THRESHOLDS = (50_000, 10, 10)
"""The collector's thresholds in the agent's process while a round runs (CPython's: 700, 10,
10), as in a worker (``worker_side.GC_THRESHOLDS``). Each phone's outcome (its findings,
unpickled from a worker: ~900 objects the collector tracks) and state rows are freed by their
reference counts once recorded; with 700 the collector ran ~480 young and 4 full collections in
a 300-phone round (0.20-0.22 s of the agent's own CPU, ``gc.callbacks``), walking the
start-up's objects in each full one. The objects alive when the round starts are frozen
(``gc.freeze``: a full collection does not walk them) until the last round running ends."""
_rounds = 0
_rounds_lock = threading.Lock()
_before: tuple[int, int, int] = (700, 10, 10)


def collecting_less() -> None:
    """``ROUND_THRESHOLDS`` from now until the matching ``collecting_as_before`` (a running
    agent's hotplug round may run beside a scheduled one: the first to start sets them, the
    last to end puts back what was)."""
    global _rounds, _before
    with _rounds_lock:
        _rounds += 1
        if _rounds == 1:
            _before = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*ROUND_THRESHOLDS)


def collecting_as_before() -> None:
    global _rounds
    with _rounds_lock:
        _rounds -= 1
        if _rounds == 0:
            gc.set_threshold(*_before)
            gc.unfreeze()


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

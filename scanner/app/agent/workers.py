"""Worker processes for a round: the scans' CPU spread over the cores.

The agent is one Python process, and Python runs one thread's bytecode at a time (the GIL): with
every phone scanned on a thread of the agent, a round uses one core however many it has. A round
with many phones therefore scans them in worker processes (``[scan] processes``, one per core
by default; ``settings.processes_for``). Each worker runs a share of the phones in flight on its
own threads, exactly as the agent does in-process (``round.scan_and_write``): it connects,
collects, judges and writes the phone's report, and sends back only what the agent keeps
(``scanned.Scanned``: findings and metadata, not the phone's output). The agent's process keeps
the state database, the schedule, delivery and the summary.

Workers are the agent's own children, so the kernel counts their CPU and memory with it. They
are forked from the agent when it runs no other thread (``agent --once``): msgscan is imported
already, and the start costs a fork instead of a fresh interpreter importing msgscan (0.7-1.2 s of
CPU each under load). A fork copies only the calling thread, so a lock another thread held
would stay locked forever in the child: with any other thread running (the service's scheduler,
delivery, a test's simulated phones) they are started with ``spawn``, as before. A forked
worker closes the agent's ends of the pipes it inherited, so it still sees the agent go.
They ignore SIGINT and SIGHUP (a Ctrl-C or a closed terminal reaches the whole process group;
the agent decides: it stops, or reloads its config for the next round) and treat
SIGTERM, and the agent's stop, as a stop: every connection is cut at once and the phones are
reported interrupted, as in-process. Their log lines go to the agent, which writes them as its
own (one log, one format).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, cast

import structlog

from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.targets import Target
from scanner.app.agent.worker_side import PemSigner, Setup, _serve, portable, report_job

log = structlog.get_logger("msgscan.agent")

CLOSE_GRACE_S = 2.0
"""After the round: how long workers get to end before they are killed (a scan the round
abandoned may still hang on its phone; the report files are written atomically)."""


def start_method() -> str:
    """``fork`` when the calling thread is the process's only one, else ``spawn``."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


@dataclass(slots=True)
class _Worker:
    process: Any
    conn: Connection
    phones: set[int] = field(default_factory=set)
    """The phones sent to it whose outcome has not come back."""
    gone: bool = False


class WorkerScanners:
    """``round.Scanners`` over ``processes`` worker processes, one pipe each (``start_method``).

    ``keep``: the workers outlive the round (``KeptWorkers``): ``close`` ends only those that
    died or still hold a phone the round gave up on (a hung phone's scan), and the next round
    starts with ``renew``."""

    def __init__(self, processes: int, setup: Setup, *, keep: bool = False) -> None:
        self.start_method = start_method()
        self.keep = keep
        self.after_close: Callable[[], None] | None = None
        """Called at the end of ``close`` (``KeptWorkers`` takes its pool back)."""
        self.threads = setup.threads
        self.epoch = 0
        """The round the outcomes are taken for: a late one of an earlier round is dropped."""
        self.workers: list[_Worker] = []
        for i in range(processes):
            self.workers.append(self._start(i, setup))
        self.processes = processes
        log.info(
            "workers.started",
            processes=processes,
            phones_each=setup.threads,
            start=self.start_method,
        )

    def _start(self, i: int, setup: Setup) -> _Worker:
        method = start_method()
        ctx: Any = multiprocessing.get_context(method)
        ours, theirs = ctx.Pipe()
        alive = tuple(w.conn for w in self.workers if not w.gone)
        inherited = (*alive, ours) if method == "fork" else ()
        proc = ctx.Process(
            target=_serve,
            args=(setup, theirs, inherited),
            name=f"msgscan-worker-{i}",
            daemon=True,
        )
        proc.start()
        theirs.close()
        return _Worker(proc, ours)

    def renew(self, setup: Setup) -> None:
        """A kept pool's next round: a fresh worker for each that ended since (killed, out of
        memory, retired by ``close``), this round's setup to the others."""
        self.epoch += 1
        for i, worker in enumerate(self.workers):
            alive = not worker.gone and worker.process.is_alive()
            if alive and self._send(worker, ("setup", setup)):
                continue
            self._end(worker)
            self.workers[i] = self._start(i, setup)
            log.info("workers.replaced", worker=i, start=self.workers[i].process.name)

    def _send(self, worker: _Worker, message: tuple[Any, ...]) -> bool:
        try:
            worker.conn.send(message)
        except (OSError, ValueError):  # it died: its phones are reported by ``finished``
            worker.gone = True
            return False
        return True

    def submit(self, n: int, target: Target) -> None:
        for worker in sorted(self._alive(), key=lambda w: len(w.phones)):
            worker.phones.add(n)  # a dead one reports it lost
            if self._send(worker, ("scan", self.epoch, n, target)):
                return

    def finished(self, timeout: float) -> list[tuple[int, PhoneOutcome | None]]:
        done: list[tuple[int, PhoneOutcome | None]] = []
        conns = {w.conn: w for w in self.workers if not w.gone}
        for conn in wait(list(conns), timeout):
            worker = conns[cast(Connection, conn)]
            try:
                while worker.conn.poll():
                    self._take(worker, worker.conn.recv(), done)
            except (EOFError, OSError):
                worker.gone = True
        for worker in self.workers:
            if not worker.gone and not worker.process.is_alive():
                try:  # its last words, then its end
                    while worker.conn.poll():
                        self._take(worker, worker.conn.recv(), done)
                except (EOFError, OSError):
                    pass
                worker.gone = True
            if worker.gone and worker.phones:  # killed, out of memory: what it held is lost
                done += [(n, None) for n in sorted(worker.phones)]
                worker.phones.clear()
        return done

    def _take(
        self, worker: _Worker, message: Any, done: list[tuple[int, PhoneOutcome | None]]
    ) -> None:
        match message:
            case ("phone", epoch, n, phone):
                if epoch == self.epoch:  # else a phone an earlier round gave up on
                    worker.phones.discard(n)
                    done.append((n, phone))
            case ("log", method, event):
                _relay(method, event)
            case ("crash", epoch, n, text):
                if epoch == self.epoch:
                    worker.phones.discard(n)
                    raise RuntimeError(f"a worker process failed scanning phone {n}:\n{text}")

    def _alive(self) -> list[_Worker]:
        return [w for w in self.workers if not w.gone and w.process.is_alive()]

    def alive(self) -> bool:
        return bool(self._alive())

    def cut(self) -> None:
        for worker in self._alive():
            self._send(worker, ("stop",))

    def close(self) -> None:
        """The round's end. Kept workers stay, but one that still holds a phone (abandoned:
        a hung scan) or died is ended as every worker is without ``keep``: at once when idle,
        killed after ``CLOSE_GRACE_S`` when not."""
        try:
            if not self.keep:
                self.shutdown()
                return
            ending = [w for w in self.workers if w.phones or w.gone or not w.process.is_alive()]
            self._finish(ending)
            for worker in self.workers:
                worker.phones.clear()
        finally:
            then, self.after_close = self.after_close, None
            if then is not None:
                then()

    def shutdown(self) -> None:
        """End every worker (the agent stops, or the pool no longer fits the round)."""
        self._finish(self.workers)

    def _finish(self, workers: list[_Worker]) -> None:
        for worker in workers:
            if not worker.gone and worker.process.is_alive():
                self._send(worker, ("end",))
        ends = time.monotonic() + CLOSE_GRACE_S
        while any(not w.gone and w.process.is_alive() for w in workers) and (
            time.monotonic() < ends
        ):
            try:
                self.finished(0.05)  # their last lines; a late outcome is dropped (abandoned)
            except RuntimeError:
                pass
            for w in workers:
                w.gone = w.gone or not w.process.is_alive()
        for worker in workers:
            self._end(worker)

    @staticmethod
    def _end(worker: _Worker) -> None:
        worker.gone = True
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=CLOSE_GRACE_S)
        worker.conn.close()


class KeptWorkers:
    """Worker processes kept across the rounds of a running agent (``msgscan agent``, whose
    other threads mean spawned workers, each importing msgscan): lent to one round at a time
    (a round of phones that appeared meanwhile gets workers of its own), renewed with each
    round's setup, replaced when they end, ended with the agent."""

    def __init__(self) -> None:
        self.pool: WorkerScanners | None = None
        self.lent = threading.Lock()

    def lend(self, processes: int, setup: Setup) -> WorkerScanners | None:
        """The pool for a round (None while another round has it) until its ``close``."""
        if not self.lent.acquire(blocking=False):
            return None
        try:
            pool = self.pool
            if pool is not None and (pool.processes, pool.threads) != (processes, setup.threads):
                pool.shutdown()
                pool = None
            if pool is None:
                pool = WorkerScanners(processes, setup, keep=True)
            else:
                pool.renew(setup)
        except BaseException:
            self.lent.release()
            raise
        self.pool = pool
        pool.after_close = self.lent.release  # the round's ``close`` gives it back
        return pool

    def close(self) -> None:
        with self.lent:
            if self.pool is not None:
                self.pool.shutdown()
                self.pool = None


def _relay(method: str, event: dict[str, Any]) -> None:
    """A worker's log line, written by the agent's logger (its level, format and stream)."""
    name = str(event.pop("event", ""))
    write = getattr(log, method if method in ("debug", "info", "warning", "error") else "error")
    write(name, **event)


__all__ = [
    "KeptWorkers",
    "PemSigner",
    "Setup",
    "WorkerScanners",
    "portable",
    "report_job",
    "start_method",
]

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

import gc
import multiprocessing
import pickle
import queue as queues
import signal
import threading
import time
import traceback
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, cast

import structlog
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checks.policy import Policy
from reports.render.json import JsonRenderer
from reports.signing import SigningKey
from scanner.app.agent.round import Limits, Openers, PhoneOutcome, scan_and_write
from scanner.app.agent.scanned import ReportJob
from scanner.app.agent.targets import Target

log = structlog.get_logger("msgscan.agent")

CLOSE_GRACE_S = 2.0
"""After the round: how long workers get to end before they are killed (a scan the round
abandoned may still hang on its phone; the report files are written atomically)."""


class PemSigner:
    """An ADB signer that can cross to a worker: the key as PEM bytes, loaded on arrival.

    Signs as adb-shell's ``CryptographySigner`` does (PKCS#1 v1.5 over the SHA-1 token)."""

    def __init__(self, pem: bytes, public: str) -> None:
        self.pem, self.public = pem, public
        self.key: Any = serialization.load_pem_private_key(pem, None)

    def __getstate__(self) -> tuple[bytes, str]:
        return self.pem, self.public

    def __setstate__(self, state: tuple[bytes, str]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def Sign(self, data: bytes) -> bytes:  # noqa: N802 - adb-shell's signer interface
        return bytes(self.key.sign(data, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1())))

    def GetPublicKey(self) -> str:  # noqa: N802 - adb-shell's signer interface
        return self.public


def _portable_signer(signer: Any) -> Any | None:
    """``signer`` as it can be pickled to a worker, or None when it cannot."""
    key = getattr(signer, "rsa_key", None)
    if key is not None and callable(getattr(signer, "GetPublicKey", None)):
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public = signer.GetPublicKey()
        return PemSigner(pem, public.decode() if isinstance(public, bytes) else public)
    try:
        pickle.dumps(signer)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return signer


@dataclass(frozen=True, slots=True)
class Setup:
    """Everything a worker needs, sent once when it starts."""

    policy: Policy
    limits: Limits
    signer: Any
    job: ReportJob
    """Its renderer without the signing key (``key``), which does not pickle as it is."""
    key: tuple[bytes, str] | None
    """The report signing key: raw Ed25519 private bytes and its fingerprint."""
    threads: int
    log_level: int


def portable(policy: Policy, openers: Openers, job: ReportJob, threads: int) -> Setup | None:
    """A worker's setup for this round, or None when the ADB signer cannot cross."""
    signer = _portable_signer(openers.signer)
    if signer is None:
        return None
    r = job.renderer
    key = None
    if r.key is not None:
        raw = r.key.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        key = (raw, r.key.fingerprint)
    bare = ReportJob(
        job.reports_dir, JsonRenderer(r.lang, None, r.retention, compact=r.compact), job.keep_report
    )
    level = structlog.get_logger().bind().get_effective_level()
    return Setup(policy, openers.settings, signer, bare, key, threads, level)


def report_job(setup: Setup) -> ReportJob:
    """The agent's report job as a worker uses it: its renderer with the signing key again."""
    job = setup.job
    if setup.key is None:
        return job
    key = SigningKey(Ed25519PrivateKey.from_private_bytes(setup.key[0]), setup.key[1])
    r = job.renderer
    return ReportJob(
        job.reports_dir, JsonRenderer(r.lang, key, r.retention, compact=r.compact), job.keep_report
    )


class _ToAgent:
    """A structlog logger whose lines go to the agent's process."""

    def __init__(self, send: Any) -> None:
        self.send = send

    def __getattr__(self, method: str) -> Any:
        return lambda *_a, **kw: self.send(("log", method, dict(kw["event"])))


def _to_agent(_logger: object, method: str, event: MutableMapping[str, Any]) -> Any:
    return (), {"event": event}


def _serve(setup: Setup, conn: Connection, inherited: tuple[Connection, ...] = ()) -> None:
    """A worker's life: scan the phones ``conn`` brings, send back their outcomes; cut every
    connection on "stop" or SIGTERM; end on "end" (or when the agent is gone).

    ``inherited``: the agent's ends of the pipes a forked worker got with the fork (its own
    included); closed at once, or the agent's death would never reach it as end of file."""
    for end in inherited:
        end.close()
    gc.freeze()  # a fork's objects: the collector never walks them, so their pages stay shared
    for ignored in (signal.SIGINT, signal.SIGHUP):  # sent to the whole group; the agent decides
        signal.signal(ignored, signal.SIG_IGN)
    cut = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: cut.set())
    from scanner.malloc import limit_arenas

    limit_arenas()  # before any thread: see scanner/malloc.py
    sending = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with sending:
            conn.send(message)

    structlog.configure(
        processors=[structlog.processors.format_exc_info, _to_agent],
        wrapper_class=structlog.make_filtering_bound_logger(setup.log_level),
        logger_factory=lambda *_: _ToAgent(send),
        cache_logger_on_first_use=False,
    )
    openers = Openers(setup.signer, setup.limits)
    job = report_job(setup)
    work: queues.SimpleQueue[tuple[int, Target] | None] = queues.SimpleQueue()

    def scan() -> None:
        while (item := work.get()) is not None:
            n, target = item
            try:
                phone = scan_and_write(target, setup.policy, openers, job)
            except Exception:  # a bug: the agent raises it, as it would in-process
                send(("crash", n, traceback.format_exc()))
                continue
            send(("phone", n, phone))

    threads = [
        threading.Thread(target=scan, name=f"msgscan-scan-{i}", daemon=True)
        for i in range(setup.threads)
    ]
    for t in threads:
        t.start()
    ending = False
    while not ending:
        if cut.is_set():
            openers.cut_all()  # also cuts what opens later (Openers.stopping)
            cut.clear()
        try:
            if not conn.poll(0.2):
                continue
            message = conn.recv()
        except (EOFError, OSError):  # the agent is gone: nobody to report to
            openers.cut_all()
            message = ("end",)
        match message:
            case ("scan", n, target):
                work.put((n, target))
            case ("stop",):
                cut.set()
            case ("end",):
                ending = True
    for _ in threads:
        work.put(None)
    for t in threads:
        t.join()


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
    """``round.Scanners`` over ``processes`` worker processes, one pipe each (``start_method``)."""

    def __init__(self, processes: int, setup: Setup) -> None:
        self.start_method = start_method()
        ctx: Any = multiprocessing.get_context(self.start_method)
        forked = self.start_method == "fork"
        self.workers: list[_Worker] = []
        for i in range(processes):
            ours, theirs = ctx.Pipe()
            inherited = tuple(w.conn for w in self.workers) + (ours,) if forked else ()
            proc = ctx.Process(
                target=_serve,
                args=(setup, theirs, inherited),
                name=f"msgscan-worker-{i}",
                daemon=True,
            )
            proc.start()
            theirs.close()
            self.workers.append(_Worker(proc, ours))
        self.processes = processes
        log.info(
            "workers.started",
            processes=processes,
            phones_each=setup.threads,
            start=self.start_method,
        )

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
            if self._send(worker, ("scan", n, target)):
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
            case ("phone", n, phone):
                worker.phones.discard(n)
                done.append((n, phone))
            case ("log", method, event):
                _relay(method, event)
            case ("crash", n, text):
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
        """End every worker: at once when idle, killed after ``CLOSE_GRACE_S`` when not."""
        for worker in self._alive():
            self._send(worker, ("end",))
        ends = time.monotonic() + CLOSE_GRACE_S
        while self._alive() and time.monotonic() < ends:
            try:
                self.finished(0.05)  # their last lines; a late outcome is dropped (abandoned)
            except RuntimeError:
                pass
            for w in self.workers:
                w.gone = w.gone or not w.process.is_alive()
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(timeout=CLOSE_GRACE_S)
            worker.conn.close()


def _relay(method: str, event: dict[str, Any]) -> None:
    """A worker's log line, written by the agent's logger (its level, format and stream)."""
    name = str(event.pop("event", ""))
    write = getattr(log, method if method in ("debug", "info", "warning", "error") else "error")
    write(name, **event)


__all__ = ["PemSigner", "Setup", "WorkerScanners", "portable", "report_job", "start_method"]

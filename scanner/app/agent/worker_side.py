"""A worker process's side of ``scanner.app.agent.workers``: what crosses to it (``Setup``,
the keys in a form that pickles) and its life (``_serve``): its share of the phones in flight on
threads, each scanned as the agent does in-process, the outcomes and log lines sent back.
"""

from __future__ import annotations

import gc
import pickle
import queue as queues
import signal
import threading
import traceback
from collections.abc import MutableMapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import structlog
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checks.policy import Policy
from reports.render.json import JsonRenderer
from reports.signing import SigningKey
from scanner.app.agent.round import Limits, Openers, scan_and_write
from scanner.app.agent.scanned import ReportJob
from scanner.app.agent.targets import Target


class PemSigner:
    """An ADB signer that can cross to a worker: the key as PEM bytes, loaded on arrival.

    Signs as adb-shell's ``CryptographySigner`` does (PKCS#1 v1.5 over the SHA-1 token).
    The PEM is the agent's own key, checked when the agent loaded it from its file
    (``scanner.transport.keys``): loading it again skips OpenSSL's RSA key check, which cost
    40 ms of CPU in the agent and again in each worker, every round (a damaged key would only
    be refused by the phone: unauthorized, never a result)."""

    def __init__(self, pem: bytes, public: str) -> None:
        self.pem, self.public = pem, public
        self.key: Any = serialization.load_pem_private_key(
            pem, None, unsafe_skip_rsa_key_validation=True
        )

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
    gc.set_threshold(*GC_THRESHOLDS)
    for ignored in (signal.SIGINT, signal.SIGHUP):  # sent to the whole group; the agent decides
        signal.signal(ignored, signal.SIG_IGN)
    cut = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: cut.set())
    from scanner import waves
    from scanner.malloc import keep_freed, limit_arenas

    waves.in_agent()  # a spawned worker's too: wave lines at debug, dropped below its level

    limit_arenas()  # before any thread: see scanner/malloc.py
    keep_freed()  # each phone's 1 MB blocks reuse the last one's pages
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
    current = _Round(setup.policy, Openers(setup.signer, setup.limits), report_job(setup))
    opened = [current.openers]  # every round's, so that a stop cuts them all
    work: queues.SimpleQueue[tuple[int, int, Target, _Round] | None] = queues.SimpleQueue()

    def scan() -> None:
        while (item := work.get()) is not None:
            epoch, n, target, this = item
            try:
                phone = scan_and_write(target, this.policy, this.openers, this.job)
            except Exception:  # a bug: the agent raises it, as it would in-process
                send(("crash", epoch, n, traceback.format_exc()))
                continue
            send(("phone", epoch, n, phone))

    threads = [
        threading.Thread(target=scan, name=f"msgscan-scan-{i}", daemon=True)
        for i in range(setup.threads)
    ]
    for t in threads:
        t.start()
    ending = False
    while not ending:
        if cut.is_set():
            for each in opened:
                each.cut_all()  # also cuts what opens later (Openers.stopping)
            cut.clear()
        try:
            if not conn.poll(0.2):
                continue
            message = conn.recv()
        except (EOFError, OSError):  # the agent is gone: nobody to report to
            for each in opened:
                each.cut_all()
            message = ("end",)
        match message:
            case ("scan", epoch, n, target):
                work.put((epoch, n, target, current))
            case ("setup", later):  # a kept worker's next round: its policy, limits, keys
                current = _Round(
                    later.policy, Openers(later.signer, later.limits), report_job(later)
                )
                opened = [*opened[-1:], current.openers]  # the last round's may still scan
            case ("stop",):
                cut.set()
            case ("end",):
                ending = True
    for _ in threads:
        work.put(None)
    for t in threads:
        t.join()


GC_THRESHOLDS = (50_000, 10, 10)
"""The collector's thresholds in a worker (CPython's default: 700, 10, 10). A scan's objects are
freed by their reference counts: over 25 large phones a worker's ~200 collections found 10
objects in cycles, and cost ~1.7-3 ms of CPU a phone walking the young objects of the eight
scans in flight (``gc.callbacks``, agent_round.py --phones 50). Collecting after 50,000 more
allocations than frees instead of 700: 3-4 collections a worker, the same objects collected,
full collections still made (after 100 young ones)."""


@dataclass(frozen=True, slots=True)
class _Round:
    """What a worker scans a round's phones with (a kept worker gets a new one each round)."""

    policy: Policy
    openers: Openers
    job: ReportJob


__all__ = ["PemSigner", "Setup", "portable", "report_job"]

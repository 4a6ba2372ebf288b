"""One sender thread per destination: takes the oldest outbox rows, delivers them, settles.

A dead Splunk never stalls Elasticsearch: each destination has its own thread, its own
backoff and its own state (ok, retrying, paused). Order is FIFO per destination; a batch that
must be retried holds back what comes after it, so a Close never overtakes its Create.

* Retry (408, 425, 429, 5xx, network and TLS errors, per-item retries): wait a full-jitter
  ``random() * min(backoff_max, backoff * 2**failures)``, and at least the server's
  ``Retry-After``. No retry limit: the queue bound decides what is dropped.
* 413, or 400/422 for a whole request: halve the batch until the event at fault is alone, and
  dead-letter it (with the receiver's reason); the others go on.
* Other 4xx: the destination is **paused** and an alert logged (``delivery.paused``, level
  error); events keep queueing; ``resume()`` (agent start, SIGHUP) tries again.

Health (``delivery.health``: state, queue depth, oldest unsent, last success, failures, drops,
dead letters) is logged on every state change and whenever ``health()`` is asked.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog

from reports.deliver import spool
from reports.deliver.elastic import ElasticSink
from reports.deliver.file import FileSink, StdoutSink
from reports.deliver.hec import HecSink
from reports.deliver.http import WebhookSink
from reports.deliver.interface import (
    DeliveryError,
    Receipt,
    RejectedError,
    Sink,
    TooLarge,
    TransientError,
    Unacceptable,
)
from reports.deliver.settings import Destination
from reports.deliver.syslog import SyslogSink

log = structlog.get_logger("msgscan.delivery")

IDLE_S = 1.0
"""How long an idle sender sleeps when nobody wakes it (an enqueue from another process)."""


def open_sink(dest: Destination) -> Sink:
    """The sink for a destination's ``type``."""
    match dest.kind:
        case "file":
            return FileSink(dest)
        case "stdout":
            return StdoutSink(dest)
        case "syslog":
            return SyslogSink(dest)
        case "hec":
            return HecSink(dest)
        case "elastic":
            return ElasticSink(dest)
        case "webhook":
            return WebhookSink(dest)
        case _:
            raise ValueError(f"unknown destination type {dest.kind!r}")


class Sender:
    def __init__(self, dest: Destination, sink: Sink, db: spool.Db, *,
                 rand: Callable[[], float] = random.random) -> None:
        self.dest, self.sink, self.db, self.rand = dest, sink, db, rand
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.limit = max(1, min(dest.batch, sink.max_batch))
        self._thread: threading.Thread | None = None
        self._last_state: str | None = None

    # -- one step ---------------------------------------------------------------------------

    def backoff(self, failures: int, retry_after: float | None) -> float:
        window = min(self.dest.backoff_max_s, self.dest.backoff_s * 2 ** min(failures, 30))
        return float(max(retry_after or 0.0, self.rand() * window))

    def step(self) -> bool:
        """Send one batch if one is due; returns True if it sent something (success or not)."""
        state = spool.load_state(self.db, self.dest.name)
        if state.state == "paused" or time.time() < state.next_attempt_at:
            return False
        rows = spool.pending(self.db, self.dest.name, limit=self.limit,
                             max_bytes=self.sink.max_bytes)
        if not rows:
            return False
        batch = [r.event for r in rows]
        retry_after: float | None = None
        try:
            receipt = self.sink.deliver(batch)
        except (TooLarge, Unacceptable) as e:
            if len(rows) > 1:
                self.limit = max(1, len(rows) // 2)
                log.warning("delivery.split", destination=self.dest.name, batch=self.limit)
                return True
            receipt = Receipt(dead={rows[0].event.id: e.problem})
        except RejectedError as e:
            spool.attempt_failed(self.db, rows, e.problem)
            state.state, state.last_error = "paused", e.problem
            state.failures += 1
            spool.save_state(self.db, state)
            log.error("delivery.paused", destination=self.dest.name, problem=e.problem,
                      hint=e.hint, alert=True)
            self._health(state.state)
            return True
        except DeliveryError as e:  # TransientError and anything else on purpose: retry
            retry_after = e.retry_after if isinstance(e, TransientError) else None
            spool.attempt_failed(self.db, rows, e.problem)
            self._failed(state, e.problem, retry_after, len(rows))
            return True
        spool.settle(self.db, self.dest.name, rows, receipt)
        if receipt.dead:
            log.warning("delivery.dead_letter", destination=self.dest.name,
                        events=len(receipt.dead), reason=next(iter(receipt.dead.values())))
        if receipt.retry:
            self._failed(state, next(iter(receipt.retry.values())), receipt.retry_after,
                         len(receipt.retry))
            return True
        state.state, state.failures, state.next_attempt_at = "ok", 0, 0.0
        state.last_success = datetime.now(UTC).isoformat(timespec="milliseconds")
        if len(rows) == self.limit:
            self.limit = max(1, min(self.dest.batch, self.sink.max_batch))
        spool.save_state(self.db, state)
        log.debug("delivery.sent", destination=self.dest.name, events=len(receipt.done))
        self._health(state.state)
        return True

    def _failed(self, state: spool.DestinationState, why: str, retry_after: float | None,
                events: int) -> None:
        delay = self.backoff(state.failures, retry_after)
        state.state, state.last_error = "retrying", why
        state.failures += 1
        state.next_attempt_at = time.time() + delay
        spool.save_state(self.db, state)
        log.warning("delivery.retry", destination=self.dest.name, events=events,
                    problem=why, retry_in_s=round(delay, 3), failures=state.failures)
        self._health(state.state)

    def _health(self, state: str) -> None:
        if state != self._last_state:
            self._last_state = state
            self.health()

    def health(self) -> dict[str, Any]:
        figures = spool.health(self.db, self.dest.name)
        log.info("delivery.health", **figures)
        return figures

    def resume(self) -> None:
        """Un-park a paused destination (after a config reload or a restart) and try now."""
        state = spool.load_state(self.db, self.dest.name)
        if state.state == "paused":
            state.state, state.next_attempt_at = "retrying", 0.0
            spool.save_state(self.db, state)
            log.info("delivery.resumed", destination=self.dest.name)
        self.wake.set()

    # -- the thread -------------------------------------------------------------------------

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                busy = self.step()
            except Exception as e:  # a database hiccup must not end delivery for good
                if isinstance(e, DeliveryError | OSError) or e.__class__.__module__ == "sqlite3":
                    log.error("delivery.failed", destination=self.dest.name, error=str(e))
                    busy = False
                else:
                    raise
            if busy:
                continue
            state = spool.load_state(self.db, self.dest.name)
            wait = IDLE_S
            if state.state == "retrying":
                wait = min(IDLE_S, max(0.01, state.next_attempt_at - time.time()))
            self.wake.wait(wait)
            self.wake.clear()
        self.sink.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"msgscan-send-{self.dest.name}",
                                        daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        self.stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def flush(self, timeout: float) -> bool:
        """Send until the queue is empty (True), or give up after ``timeout`` or when paused."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            figures = spool.health(self.db, self.dest.name)
            if figures["queue_depth"] == 0:
                return True
            if figures["state"] == "paused":
                return False
            if not self.step():
                state = spool.load_state(self.db, self.dest.name)
                time.sleep(min(0.2, max(0.01, state.next_attempt_at - time.time())))
        return bool(spool.health(self.db, self.dest.name)["queue_depth"] == 0)


__all__ = ["Sender", "open_sink"]

"""The agent's SIEM delivery: events from each scan's drift into the outbox, senders draining it.

``Delivery.record`` runs inside the transaction that applies a phone's scan to the finding
state (``Agent._record``), so events and state are committed together. The lifecycle follows
the drift (siem.md §7):

| drift | event |
|---|---|
| new | Create (workflow New, or Suppressed when already waived) |
| changed, now waived | Close, workflow Suppressed |
| changed, waiver gone | Create (the same finding uid opens again) |
| changed otherwise | Update |
| resolved | Close, workflow Resolved (also when the resource is gone from a complete scan) |
| unchanged, open | Update as heartbeat when the destination last got it ``heartbeat`` ago |

Each destination gets its own copy of the events (its own queue, bound and sender thread).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog

from checks.drift import Drift, FindingKey, Tracked
from reports.deliver import spool
from reports.deliver.interface import Event
from reports.deliver.sender import Sender, open_sink
from reports.deliver.settings import Destination
from reports.render.ocsf import Activity, Occurrence, merged, ocsf_event
from scanner.app.agent.scanned import Scanned
from scanner.files import LIMIT_CA, read_regular

log = structlog.get_logger("msgscan.delivery")
HEALTH_EVERY_S = 300.0
"""The agent's health goes to the SIEM at least this often (siem.md §6.2: every 5 min) and
whenever a destination's state or drop count changes, and after every round."""


def _key(f: Mapping[str, Any]) -> FindingKey:
    return FindingKey(f["check_id"], f.get("package"), f.get("profile"))


def _gone(row: Tracked) -> dict[str, Any]:
    """A report-shaped finding for a key that vanished from a complete scan, or (``waived``)
    whose rule the policy switched off: its last status stands, suppressed."""
    from checks.registry import INDEX

    known = INDEX.get(row.key.check_id)
    article = known.info.article if known else None
    why = "switched off by the policy" if row.waived else "no longer present in a complete scan"
    return {
        "check_id": row.key.check_id,
        "status": row.status.value if row.waived else "not_applicable",
        "severity": row.severity.value,
        "package": row.key.package,
        "profile": row.key.user_id,
        "title": row.title,
        "evidence": [{"text": why, "source": "drift", "data": {}}],
        "remediation": [],
        "article_ref": {
            "section": article.section if article else "",
            "ref": article.ref if article else "",
        },
        "waived": None,
    }


def lifecycle(
    report: Mapping[str, Any], drift: Drift, previous: Mapping[FindingKey, Tracked]
) -> list[tuple[FindingKey, Occurrence]]:
    """The lifecycle events one scan's drift calls for, in key order."""
    found = {_key(f): f for f in merged(report)}
    rows = {r.key: r for r in drift.rows}
    out: list[tuple[FindingKey, Occurrence]] = []

    def add(key: FindingKey, activity: Activity, suppressed: bool = False) -> None:
        row = rows[key]
        finding = found.get(key) or _gone(row)
        out.append(
            (
                key,
                Occurrence(
                    finding,
                    activity,
                    first_seen=row.first_seen,
                    last_seen=row.resolved_at or row.last_seen,
                    suppressed=suppressed,
                ),
            )
        )

    for key in drift.new:
        add(key, Activity.CREATE)
    for key in drift.changed:
        before, now = previous.get(key), rows[key]
        if now.waived and not (before and before.waived):
            add(key, Activity.CLOSE, suppressed=True)
        elif before is not None and before.waived and not now.waived:
            add(key, Activity.CREATE)
        else:
            add(key, Activity.UPDATE)
    for key in drift.resolved:
        add(key, Activity.CLOSE)
    return sorted(out, key=lambda kv: str(kv[0]))


def check_ca_files(
    destinations: Mapping[str, Destination], source: str
) -> Mapping[str, Destination]:
    """Each ``ca_file`` is a regular file of bounded size (OpenSSL would block on a FIFO)."""
    for name, d in destinations.items():
        if d.ca_file is not None:
            read_regular(
                d.ca_file,
                what="the CA file",
                limit=LIMIT_CA,
                hint=f"fix destinations.{name}.ca_file in {source}",
            )
    return destinations


class Delivery:
    """Every configured destination: its outbox and its sender thread."""

    def __init__(self, destinations: Mapping[str, Destination], db: Any) -> None:
        self.destinations = dict(destinations)
        self.db = db
        self.senders = {name: Sender(d, open_sink(d), db) for name, d in self.destinations.items()}
        self._health_seen: list[tuple[str, str, int]] = []
        self._health_at = float("-inf")

    @classmethod
    def from_config(cls, destinations: Mapping[str, Destination], source: str, db: Any) -> Delivery:
        """The config's destinations (parsed once, with the config), their CA files checked."""
        return cls(check_ca_files(destinations, source), db)

    def record(
        self,
        tx: Any,
        device_id: str,
        result: Scanned,
        drift: Drift,
        previous: Mapping[FindingKey, Tracked],
        *,
        now: datetime | None = None,
    ) -> int:
        """Queue the events of one scan for every destination, inside ``tx``; returns how many.
        ``result`` carries its report (``keep_report``) whenever a destination is configured."""
        if not self.destinations:
            return 0
        now = now or datetime.now(UTC)
        report = result.report
        if report is None:  # a round run without keep_report: a bug, never a silent loss
            raise RuntimeError(f"no report kept for the SIEM events of {result.device_name}")
        events = lifecycle(report, drift, previous)
        found = {_key(f): f for f in merged(report)}
        rows = {r.key: r for r in drift.rows}
        queued = 0
        for name, dest in self.destinations.items():
            batch = [(k, o) for k, o in events]
            for key in drift.unchanged:
                row = rows[key]
                if row.waived or key not in found:
                    continue
                if spool.heartbeat_due(
                    tx, name, device_id, str(key), now=now, period_s=dest.heartbeat_s
                ):
                    batch.append(
                        (
                            key,
                            Occurrence(
                                found[key],
                                Activity.UPDATE,
                                heartbeat=now.date().isoformat(),
                                first_seen=row.first_seen,
                                last_seen=row.last_seen,
                            ),
                        )
                    )
            made = []
            for key, occ in batch:
                ev = ocsf_event(result.context, report, occ)
                made.append(Event(ev["metadata"]["uid"], ev))
                spool.mark_sent(tx, name, device_id, str(key), now)
            dropped = spool.enqueue(tx, name, made, max_queue=dest.max_queue, now=now)
            if dropped:
                log.warning(
                    "delivery.dropped", destination=name, events=dropped, reason="queue_full"
                )
            queued += len(made)
        return queued

    def wake(self) -> None:
        for s in self.senders.values():
            s.wake.set()

    def start(self) -> None:
        for s in self.senders.values():
            s.resume()
            s.start()

    def close(self, timeout: float = 5.0) -> None:
        for s in self.senders.values():
            s.close(timeout)

    def flush(self, timeout: float) -> bool:
        """Deliver what is queued (``--once``), each destination for up to ``timeout``."""
        ok = True
        for s in self.senders.values():
            s.resume()
            ok = s.flush(timeout) and ok
            s.sink.close()
        return ok

    def health(self) -> list[dict[str, Any]]:
        return [s.health() for s in self.senders.values()]

    def report_health(
        self, *, rounds: int, now: datetime | None = None, force: bool = True, **more: Any
    ) -> int:
        """Queue the agent's health (every destination's figures, the rounds) as an event for
        each destination, so the SIEM sees a paused or dropping destination too: after each
        round (``force``), else (the agent's heartbeat) every ``HEALTH_EVERY_S`` or when a
        destination's state or drops changed. A newer health event replaces one still waiting,
        so a destination that is down keeps one, never a pile. Never raises: health must not
        stop a round."""
        if not self.destinations:
            return 0
        import socket

        from reports.render.health import HEALTH_LOG, health_event
        from scanner import __version__

        try:
            figures = self.health()
            changed = [(d["destination"], d["state"], d["dropped_total"]) for d in figures]
            if (
                not force
                and changed == self._health_seen
                and (time.monotonic() - self._health_at < HEALTH_EVERY_S)
            ):
                return 0
            ev = health_event(
                host=socket.gethostname(),
                version=__version__,
                destinations=figures,
                rounds=rounds,
                when=now or datetime.now(UTC),
                **more,
            )
            with self.db.transaction() as tx:
                for name, dest in self.destinations.items():
                    tx.execute(
                        "DELETE FROM outbox WHERE destination = ? AND"
                        " json_extract(payload, '$.metadata.log_name') = ?",
                        (name, HEALTH_LOG),
                    )
                    spool.enqueue(
                        tx, name, [Event(ev["metadata"]["uid"], ev)], max_queue=dest.max_queue
                    )
            self._health_seen, self._health_at = changed, time.monotonic()
        except Exception as e:  # noqa: BLE001 - a log line, never a lost round
            log.error("health.queue_failed", error=str(e))
            return 0
        self.wake()
        return len(self.destinations)


def send_now(dest: Destination, events: Sequence[Event], db: Any, *, timeout: float) -> bool:
    """Queue ``events`` for ``dest`` in ``db`` and deliver them (``msgscan scan --send``)."""
    with db.transaction() as tx:
        spool.enqueue(tx, dest.name, events, max_queue=dest.max_queue)
    sender = Sender(dest, open_sink(dest), db)
    sender.resume()
    try:
        return sender.flush(timeout)
    finally:
        sender.sink.close()


__all__ = ["Delivery", "lifecycle", "send_now"]

"""The agent's own health as SIEM events, not only log lines (siem.md §6.2 item 7).

After every round and every heartbeat the agent queues one health event per destination. Each
carries the figures of *every* destination (state ok/retrying/paused, queue depth, drops, dead
letters, last success) and the agent's rounds, so a paused Splunk shows up in Elasticsearch.

The event is an OCSF 1.5.0 Base Event (class 0, activity 99 Other, ``metadata.log_name``
``msgscan.health``; OCSF has no class for a collector's own health) with the figures in
``unmapped.msgscan.health``. Every format has its rendition: ECS (``event.kind: metric``,
``event.dataset: msgscan.health``), CEF (class id ``HEALTH``), syslog (msgid ``HEALTH``,
``[health@PEN ...]``), HEC (sourcetype ``msgscan:health``) and ``_bulk`` (data stream
``logs-msgscan.health-<namespace>``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from reports.render.ocsf import EVENT_NAMESPACE, PRODUCT, ms

HEALTH_LOG = "msgscan.health"
HEALTH_CLASS = 0


def is_health(ev: Mapping[str, Any]) -> bool:
    return (
        ev.get("class_uid") == HEALTH_CLASS and ev.get("metadata", {}).get("log_name") == HEALTH_LOG
    )


def health_event(*, host: str, version: str, destinations: Sequence[Mapping[str, Any]],
                 rounds: int, when: datetime, devices_seen: int | None = None,
                 last_round_s: float | None = None) -> dict[str, Any]:
    """One health event: the agent on ``host`` and the figures of each destination."""
    paused = sorted(d["destination"] for d in destinations if d.get("state") == "paused")
    depth = sum(int(d.get("queue_depth") or 0) for d in destinations)
    dropped = sum(int(d.get("dropped_total") or 0) for d in destinations)
    rows = [{k: d.get(k) for k in ("destination", "state", "queue_depth", "oldest_unsent_s",
                                   "last_success", "failures", "dropped_total", "dead_letters")}
            for d in destinations]
    bad = bool(paused) or dropped > 0
    time_ms = ms(when)
    figures: dict[str, Any] = {"rounds": rounds, "queue_depth": depth, "dropped_total": dropped,
                               "paused": paused, "destinations": rows}
    if devices_seen is not None:
        figures["devices_seen"] = devices_seen
    if last_round_s is not None:
        figures["last_round_s"] = last_round_s
    summary = (f"msgscan agent on {host}: {rounds} rounds, {depth} events queued, {dropped} dropped"
               + (f", paused: {', '.join(paused)}" if paused else ""))
    return {
        "class_uid": HEALTH_CLASS,
        "class_name": "Base Event",
        "category_uid": 0,
        "category_name": "Uncategorized",
        "activity_id": 99,
        "activity_name": "Other",
        "type_uid": 99,
        "type_name": "Base Event: Other",
        "time": time_ms,
        "timezone_offset": 0,
        "severity_id": 3 if bad else 1,
        "severity": "Medium" if bad else "Informational",
        "status_id": 99 if bad else 1,
        "status": "Other" if bad else "Success",
        "status_code": "DEGRADED" if bad else "OK",
        "message": summary,
        "metadata": {
            "version": "1.5.0",
            "log_name": HEALTH_LOG,
            "event_code": "HEALTH",
            "uid": str(uuid.uuid5(EVENT_NAMESPACE, f"health|{host}|{time_ms}")),
            "product": {**PRODUCT, "version": version},
        },
        "unmapped": {"msgscan": {"health": {"host": host, **figures}}},
    }


def health_ecs(ev: Mapping[str, Any], iso: str, ecs_version: str,
               observer: str | None) -> dict[str, Any]:
    h = ev["unmapped"]["msgscan"]["health"]
    return {
        "@timestamp": iso, "ecs": {"version": ecs_version}, "message": ev["message"],
        "event": {"kind": "metric", "dataset": HEALTH_LOG, "id": ev["metadata"]["uid"],
                  "severity": 47 if ev["severity_id"] == 3 else 0},
        "host": {"name": h["host"]},
        "observer": {"type": "scanner", "product": "msgscan", "vendor": "msgscan project",
                     "version": ev["metadata"]["product"]["version"],
                     "hostname": observer or h["host"]},
        "msgscan": {"health": h},
    }


def health_cef_extension(ev: Mapping[str, Any]) -> list[tuple[str, object]]:
    h = ev["unmapped"]["msgscan"]["health"]
    return [("rt", ev["time"]), ("dvchost", h["host"]), ("cat", "Agent Health"),
            ("outcome", "failure" if ev["status_code"] == "DEGRADED" else "success"),
            ("externalId", ev["metadata"]["uid"]), ("msg", ev["message"]),
            ("cn1Label", "queueDepth"), ("cn1", h["queue_depth"]),
            ("cn2Label", "droppedTotal"), ("cn2", h["dropped_total"]),
            ("cn3Label", "rounds"), ("cn3", h["rounds"]),
            ("cs1Label", "pausedDestinations"), ("cs1", ",".join(h["paused"]) or "-")]


def health_sd(ev: Mapping[str, Any]) -> dict[str, object]:
    h = ev["unmapped"]["msgscan"]["health"]
    return {"rounds": h["rounds"], "queue_depth": h["queue_depth"],
            "dropped": h["dropped_total"], "paused": ",".join(h["paused"]) or "-",
            "status": ev["status_code"].lower()}


__all__ = ["HEALTH_LOG", "health_cef_extension", "health_ecs", "health_event", "health_sd",
           "is_health"]

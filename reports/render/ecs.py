"""Findings as Elastic Common Schema documents (NDJSON), converted from the OCSF events.

Modelled on Elastic's own posture findings (cloudbeat): ``event.kind: state``, category
``configuration``, ``event.outcome`` says whether the check could run (success for pass and
fail), the verdict sits in ``msgscan.result``. ``event.id`` is the OCSF ``metadata.uid`` (also the
Elasticsearch ``_id``, so a resent event is stored once). ``host.*`` (``host.name``: Kibana's host
views key on it) and ``device.*`` name the phone by its uid: the pseudonym when the policy asks
for one; ``observer.*`` is the computer that scanned it. ``rule.reference`` is a URL only (the
GDPR text); the article section the check comes from is the label ``labels.article``. Every ECS
field used here is checked against ECS 9.4.0's definitions
(tests/reports/deliver/test_siem_fields.py); ``msgscan.*`` is our own namespace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from checks.result import ScanResult
from reports.render.health import health_ecs, is_health
from reports.render.ocsf import compact, ndjson, report_events, snapshot_events
from reports.render.ocsf_context import ScanContext

ECS_VERSION = "9.4.0"
RISK = {1: 0, 2: 21, 3: 47, 4: 73, 5: 99}
"""OCSF severity_id -> ECS event.severity / risk_score (Elastic's rule convention)."""
_ACTION = {1: "finding-create", 2: "finding-update", 3: "finding-close", 99: "snapshot"}
DATA_STREAM = re.compile(r"(logs|metrics|traces|synthetics)-([^-]+)-([^-]+)")
"""A data stream name, ``<type>-<dataset>-<namespace>`` (Elastic's data stream naming scheme)."""
_OUTCOME = {"PASS": "success", "FAIL": "success", "INFORMATIONAL": "success", "ERROR": "failure"}


def iso_ms(epoch_ms: int) -> str:
    when = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def ecs_from_ocsf(ev: Mapping[str, Any], *, observer: str | None = None) -> dict[str, Any]:
    """The ECS document for one OCSF Compliance Finding event (or agent health event)."""
    if is_health(ev):
        return health_ecs(ev, iso_ms(ev["time"]), ECS_VERSION, observer)
    meta, info, comp = ev["metadata"], ev["finding_info"], ev["compliance"]
    device, resource = ev["device"], ev["resources"][0]
    native = ev["unmapped"]["msgscan"]
    os_ = device.get("os", {})
    stamp = iso_ms(ev["time"])
    doc: dict[str, Any] = {
        "@timestamp": stamp,
        "ecs": {"version": ECS_VERSION},
        "message": ev["message"],
        "event": {
            "kind": "state",
            "category": ["configuration"],
            "type": ["info"],
            "outcome": _OUTCOME.get(comp["status_code"], "unknown"),
            "action": _ACTION[ev["activity_id"]],
            "id": meta["uid"],
            "dataset": meta["log_name"],
            "severity": RISK.get(ev["severity_id"], 0),
            "risk_score": float(RISK.get(ev["severity_id"], 0)),
            "start": iso_ms(info["first_seen_time"]),
        },
        "rule": {
            "id": comp["control"],
            "name": info["analytic"]["name"],
            "description": info.get("desc") or info["title"],
            "ruleset": comp["standards"][0],
            **_some(reference=next((r["src_url"] for r in comp.get("compliance_references", [])
                                    if r.get("src_url")), None)),
        },
        # the article section (not a URL) and the organisation's policy, as keyword labels
        "labels": {"article": comp["requirements"][0],
                   **_some(policy=native.get("policy", {}).get("name"))},
        "host": {
            "id": device["uid"],
            "name": device["uid"],
            "type": "mobile",
            "os": {"type": "android", "name": "Android", **_some(version=os_.get("version"))},
        },
        "device": {
            "id": device["uid"],
            **_some(manufacturer=device.get("vendor_name")),
            **({"model": {"identifier": device["model"]}} if device.get("model") else {}),
        },
        "msgscan": {
            "finding": {
                "uid": info["uid"],
                "state": "closed" if ev["activity_id"] == 3 else "open",
                "resource_uid": resource["uid"],
                **_some(lineage=native.get("lineage")),  # a phone swapped in behind the id
                **_some(lineage_unknown=native.get("lineage_unknown")),  # no state said it
            },
            "result": {
                "status": native["status"],
                "severity": native["severity"],
                # events queued by an older msgscan lack the flag: derive it the same way
                "counts_as_failure": native.get(
                    "counts_as_failure", native["status"] == "fail" and not native.get("waived")
                ),
                "details": comp.get("status_details", []),
                "remediation": ev["remediation"]["desc"],
                "evidence": [e["data"] for e in ev.get("evidences", [])],
                **_some(android_user_id=resource.get("data", {}).get("android_user_id")),
            },
            "scan": {"id": meta["correlation_uid"], "complete": native["scan_complete"]},
        },
    }
    if resource["type"] == "Android Package":
        doc["package"] = {"name": resource["name"], **_some(version=resource.get("version"))}
    doc["observer"] = {"type": "scanner", "product": "msgscan", "vendor": "msgscan project",
                       "version": meta["product"]["version"], **_some(hostname=observer)}
    return doc


def with_data_stream(doc: dict[str, Any], index: str) -> dict[str, Any]:
    """``doc`` with ``data_stream.*`` naming the data stream ``index`` (as Fleet's integrations
    set it), unchanged when ``index`` is a plain index rather than a data stream name."""
    m = DATA_STREAM.fullmatch(index)
    if m is None:
        return doc
    return {**doc, "data_stream": {"type": m[1], "dataset": m[2], "namespace": m[3]}}


def _some(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class EcsRenderer:
    """ECS NDJSON, one document per finding (snapshots, as ``OcsfRenderer``)."""

    takes_lineage = True
    """``render_report(report, lineage)``: ``msgscan report --config`` (its events' uids)."""
    media_type = "application/x-ndjson"

    def __init__(self, observer: str | None = None) -> None:
        self.observer = observer

    def render(self, result: ScanResult) -> bytes:
        return ndjson(ecs_from_ocsf(e, observer=self.observer) for e in snapshot_events(result))

    def render_report(self, report: Mapping[str, Any], lineage: int | None = None) -> bytes:
        events = report_events(report, ScanContext.from_report(report, lineage))
        return ndjson(ecs_from_ocsf(e, observer=self.observer) for e in events)


__all__ = ["ECS_VERSION", "EcsRenderer", "compact", "ecs_from_ocsf", "iso_ms", "with_data_stream"]

"""Findings as OCSF 1.5.0 Compliance Finding events (class 2003), one per finding, as NDJSON.

The mapping follows siem.md §1: the phone is a ``device`` of type Mobile with Android as its OS,
the check result is ``compliance.status_id``, the workflow state is the top-level ``status_id``,
the scan id is ``metadata.correlation_uid`` and every time is integer milliseconds.

Identities are deterministic so a SIEM can drop duplicates and follow one finding across scans:

* ``finding_info.uid`` = ``"sha256:" + sha256(json(["v1", device, check, resource]))``: never the
  time, scan, severity or evidence; for the n-th phone swapped in behind a device id (the agent's
  lineage, ``unmapped.msgscan.lineage``) ``["v1", device, check, resource, n]``.
* ``metadata.uid`` (the event id; ECS ``event.id``, Elasticsearch ``_id``) = UUIDv5 of
  ``finding_uid|scan_id|activity`` (a heartbeat: ``finding_uid|hb|<UTC date>``), so a resent
  event keeps its id.

Events are built from the JSON report (``reports.report.build_report``), so a pseudonymized
scan shows only the pseudonym, and nothing the report leaves out (names, numbers, file names)
can reach an event. ``OcsfRenderer`` (``msgscan scan --format ocsf``) writes a stateless scan:
every finding as a Create (what this scan found); the agent makes Create / Update / Close events
that follow the finding's drift. ``compliance.standards`` names the checklist, the policy that
tuned it is in ``unmapped.msgscan.policy``; the article section and the GDPR articles behind a
check are ``compliance.compliance_references`` (``kb_article``: OCSF 1.5.0 has no other place
for a reference with a URL in ``compliance``).
"""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.findings import WORST_FIRST
from checks.registry import INDEX
from checks.result import ScanResult
from reports.render.controls import clean_tree
from reports.render.ocsf_context import STANDARD, ScanContext, references
from reports.report import build_report

OCSF_VERSION = "1.5.0"
EVENT_NAMESPACE = uuid.UUID("5b6c3f1e-8d0a-5c7e-9a41-6d2f0b3e7a19")
"""Fixed project namespace for UUIDv5 event ids: changing it changes every event id."""
PRODUCT = {"name": "msgscan", "uid": "msgscan", "vendor_name": "msgscan project"}
FINDING_LOG = "msgscan.finding"
SNAPSHOT_LOG = "msgscan.snapshot"


class Activity(enum.IntEnum):
    CREATE = 1
    UPDATE = 2
    CLOSE = 3
    SNAPSHOT = 99

    @property
    def label(self) -> str:
        return "Other" if self is Activity.SNAPSHOT else self.name.title()


SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
_SEVERITY_NAME = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
_COMPLIANCE = {  # native status -> compliance.status_id, status (siem.md §1.3)
    "pass": (1, "Pass"),
    "fail": (3, "Fail"),
    "unknown": (2, "Warning"),
    "error": (2, "Warning"),
    "manual": (99, "Manual"),
    "informational": (99, "Informational"),
    "not_applicable": (99, "Not Applicable"),
}
_CLOSED = frozenset({"pass", "not_applicable", "informational"})
"""Results nobody must act on: an informational one never counts as a failure (checks.drift)."""
_WORKFLOW = {1: "New", 3: "Suppressed", 4: "Resolved"}
_KIND = {"MSG": "Messenger Configuration", "DEV": "Device Configuration",
         "ORG": "Organisational Control"}


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One finding of a report, and what an event should say about it."""

    finding: Mapping[str, Any]
    """A finding as ``build_report`` writes it (``check_id``, ``status``, ``package`` ...)."""
    activity: Activity
    heartbeat: str | None = None
    """The UTC date (YYYY-MM-DD) of a heartbeat re-send; None for a lifecycle event."""
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    suppressed: bool = False
    """Closed because the policy waived it (workflow status 3 Suppressed)."""


def ms(when: datetime) -> int:
    """``when`` as integer epoch milliseconds."""
    return int(when.timestamp() * 1000)


def resource_uid(device: str, package: str | None, user_id: int | None) -> str:
    """``<device>/<user>/<package>`` (app checks), ``<device>/<user>`` or ``<device>``."""
    parts = [device]
    if user_id is not None or package is not None:
        parts.append("" if user_id is None else str(user_id))
    if package is not None:
        parts.append(package)
    return "/".join(parts)


def finding_uid(device: str, check_id: str, resource: str, lineage: int | str = 0) -> str:
    """``lineage``: which phone behind the device id (0 its first; n after n swaps, the agent's
    state says), so a phone swapped behind an id never shares a finding uid with the one before
    it; 0 leaves the uid as it always was; ``twin:<scan id>`` for a scan of a held twin
    (``ScanContext.twin``): a uid no other scan shares."""
    parts: list[object] = ["v1", device, check_id, resource]
    if lineage:
        parts.append(lineage)
    text = json.dumps(parts, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_uid(finding: str, scan_id: str, activity: Activity, heartbeat: str | None = None) -> str:
    name = f"{finding}|hb|{heartbeat}" if heartbeat else f"{finding}|{scan_id}|{int(activity)}"
    return str(uuid.uuid5(EVENT_NAMESPACE, name))


def _slug(check_id: str) -> str:
    known = INDEX.get(check_id)
    return known.info.slug if known is not None else check_id.lower()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _device(report: Mapping[str, Any], ctx: ScanContext) -> dict[str, Any]:
    dev = report["device"]
    os_: dict[str, Any] = {"name": "Android", "type_id": 201, "type": "Android"}
    if release := _text(dev.get("android_release")):
        os_["version"] = release
    if ctx.build:
        os_["build"] = ctx.build
    device: dict[str, Any] = {"type_id": 5, "type": "Mobile", "uid": ctx.device_name}
    if model := _text(dev.get("model")):
        device["model"] = model
    if vendor := _text(dev.get("manufacturer")):
        device["vendor_name"] = vendor
    if not ctx.pseudonymized:
        device["hw_info"] = {"serial_number": ctx.device_name}
    device["os"] = os_
    if ctx.managed is not None:
        device["is_managed"] = ctx.managed
    return device


def _versions(report: Mapping[str, Any]) -> dict[str, str]:
    messengers = report.get("messengers")
    if not isinstance(messengers, list):
        return {}
    return {m["package"]: m["version_name"] for m in messengers if _text(m.get("version_name"))}


def _resource(device: str, f: Mapping[str, Any], versions: Mapping[str, str]) -> dict[str, Any]:
    package, user = f.get("package"), f.get("profile")
    uid = resource_uid(device, package, user)
    data = {} if user is None else {"android_user_id": user}
    if package is not None:
        res: dict[str, Any] = {"uid": uid, "name": package, "type": "Android Package"}
        if package in versions:
            res["version"] = versions[package]
    elif user is not None:
        res = {"uid": uid, "name": f"user {user}", "type": "Android User"}
    else:
        res = {"uid": uid, "name": device, "type": "Android Device"}
    if data:
        res["data"] = data
    return res


def _types(check_id: str) -> list[str]:
    return ["Software and Configuration Checks", _KIND.get(check_id.split("-")[0], "Other")]


def _status_detail(f: Mapping[str, Any], workflow: int) -> str:
    """One line on why the workflow status is what it is (OCSF ``status_detail``)."""
    if f.get("waived"):
        return f"waived by the policy: {f['waived'].get('reason') or 'no reason given'}"
    if f.get("attested"):
        return f"attested by {f['attested'].get('by') or 'a person'}"
    first = next((e["text"] for e in f["evidence"] if e.get("text")), None)
    return f"{f['status']}: {first}" if first else f"{f['status']} ({_WORKFLOW[workflow].lower()})"


def _desc(check_id: str) -> str | None:
    known = INDEX.get(check_id)
    return known.info.rationale if known is not None and known.info.rationale else None


def _message_id(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence's message id (report schema 1.3), so a SIEM groups by it."""
    return {"message_id": evidence["id"]} if "id" in evidence else {}


def ocsf_event(result: ScanResult | ScanContext, report: Mapping[str, Any],
               occ: Occurrence) -> dict[str, Any]:
    """The OCSF 1.5.0 Compliance Finding for one occurrence of a finding in ``report``."""
    ctx = ScanContext.of(result)
    f = occ.finding
    status: str = f["status"]
    device_uid = ctx.device_name
    resource = _resource(device_uid, f, _versions(report))
    scope = f"twin:{ctx.scan_id}" if ctx.twin else ctx.lineage or 0
    uid = finding_uid(device_uid, f["check_id"], resource["uid"], scope)
    activity = occ.activity
    severity_id = SEVERITY_ID.get(f["severity"], 0)
    compliance_id, compliance_name = _COMPLIANCE[status]
    accepted = (f.get("waived") and status == "fail") or (f.get("attested") and status == "manual")
    if occ.suppressed or (accepted and activity is not Activity.CLOSE):
        workflow = 3
    elif activity is Activity.CLOSE or status in _CLOSED:
        workflow = 4
    else:
        workflow = 1
    first = occ.first_seen or ctx.finished
    last = occ.last_seen or ctx.finished
    details = [e["text"] for e in f["evidence"] if e.get("text")]
    compliance: dict[str, Any] = {
        "standards": [STANDARD],
        "requirements": [f"{f['article_ref']['section']}: {f['article_ref']['ref']}"],
        "compliance_references": references(f["check_id"], f["article_ref"]),
        "control": f["check_id"],
        "status_id": compliance_id,
        "status": compliance_name,
        "status_code": status.upper(),
    }
    if details:
        compliance["status_details"] = details
    where = f" ({resource['name']}, user {f['profile']})" if f.get("package") else ""
    event: dict[str, Any] = {
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "activity_id": int(activity),
        "activity_name": activity.label,
        "type_uid": 200300 + int(activity),
        "type_name": f"Compliance Finding: {activity.label}",
        "time": ms(last),
        "timezone_offset": 0,
        "severity_id": severity_id,
        "severity": _SEVERITY_NAME.get(severity_id, "Unknown"),
        "status_id": workflow,
        "status": _WORKFLOW[workflow],
        "status_code": status.upper(),
        "status_detail": _status_detail(f, workflow),
        "message": f"{f['check_id']} {status}: {f['title']}{where} on {device_uid}",
        "metadata": {
            "version": OCSF_VERSION,
            "uid": event_uid(uid, ctx.scan_id, activity, occ.heartbeat),
            "correlation_uid": ctx.scan_id,
            "log_name": SNAPSHOT_LOG if activity is Activity.SNAPSHOT else FINDING_LOG,
            "event_code": f["check_id"],
            "product": {**PRODUCT, "version": ctx.msgscan_version},
        },
        "finding_info": {
            "uid": uid,
            "title": f["title"],
            **({"desc": desc} if (desc := _desc(f["check_id"])) else {}),
            "types": _types(f["check_id"]),
            "first_seen_time": ms(first),
            "last_seen_time": ms(last),
            "analytic": {"type_id": 1, "type": "Rule", "uid": f["check_id"],
                         "name": _slug(f["check_id"])},
        },
        "compliance": compliance,
        "remediation": {"desc": " ".join(f["remediation"]) or "No action needed."},
        "resources": [resource],
        "device": _device(report, ctx),
        "observables": [
            {"name": "resources.uid", "type_id": 10, "type": "Resource UID",
             "value": resource["uid"]},
        ],
        "unmapped": {
            "msgscan": {
                "status": status,
                "severity": f["severity"],
                "policy": {"name": ctx.policy_name, **({"digest": ctx.policy_digest}
                                                       if ctx.policy_digest else {})},
                "scan_complete": report["scan"]["complete"],
                "waived": f.get("waived") is not None,
                "attested": f.get("attested") is not None,
                # the report summary's "failed": what decides the verdict and the exit code
                "counts_as_failure": status == "fail" and f.get("waived") is None,
                "heartbeat": occ.heartbeat is not None,
                **({"lineage": ctx.lineage} if ctx.lineage else {}),
                # no state said which phone behind the id (``ScanContext.lineage``)
                **({"lineage_unknown": True} if ctx.lineage is None else {}),
                **({"twin": True} if ctx.twin else {}),  # held: uids of this scan alone
            }
        },
    }
    evidences = [
        {"data": {"source": e["source"], **_message_id(e), **e["data"]}}
        for e in f["evidence"]
        if e["data"]
    ]
    if evidences:
        event["evidences"] = evidences
    cleaned: dict[str, Any] = clean_tree(event)  # the choke point of OCSF, ECS, CEF, deliveries
    return cleaned


_WORST = tuple(s.value for s in WORST_FIRST)


def merged(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's findings, one per (check, package, user): a rule that yields twice for one
    resource (two storage locations of one app) becomes its worst result (unwaived first, as
    ``checks.drift`` merges them) carrying the evidence of both. Report order is kept."""
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for f in report["findings"]:
        groups.setdefault((f["check_id"], f.get("package"), f.get("profile")), []).append(f)
    out = []
    for group in groups.values():
        worst = min(group, key=lambda f: (_WORST.index(f["status"]), f.get("waived") is not None))
        evidence = [
            e for f in [worst, *(g for g in group if g is not worst)] for e in f["evidence"]
        ]
        out.append({**worst, "evidence": evidence})
    return out


def snapshot_events(result: ScanResult) -> list[dict[str, Any]]:
    """Every finding of a scan as a Create event (no state: ``msgscan scan``, which knows no
    lineage either: its events say so, as a saved report's do)."""
    from dataclasses import replace

    return report_events(build_report(result), replace(ScanContext.of(result), lineage=None))


def report_events(
    report: Mapping[str, Any], ctx: ScanContext | None = None
) -> list[dict[str, Any]]:
    """Every finding of a (saved) report as a Create event: what a scan found, each finding
    opened by it. The agent, which keeps state, sends Update and Close as findings drift.
    Without ``ctx`` the report's own, its lineage unknown (``ScanContext.from_report``)."""
    ctx = ctx or ScanContext.from_report(report)
    return [ocsf_event(ctx, report, Occurrence(f, Activity.CREATE)) for f in merged(report)]


def ndjson(events: Iterable[Mapping[str, Any]]) -> bytes:
    """One compact JSON object per line (UTF-8, ``\\n`` after each)."""
    return b"".join(compact(e) + b"\n" for e in events)


def compact(event: Mapping[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class OcsfRenderer:
    """OCSF 1.5.0 Compliance Finding NDJSON: one snapshot event per finding."""

    takes_lineage = True
    """``render_report(report, lineage)``: ``msgscan report --config`` (its events' uids)."""
    media_type = "application/x-ndjson"

    def render(self, result: ScanResult) -> bytes:
        return ndjson(snapshot_events(result))

    def render_report(self, report: Mapping[str, Any], lineage: int | None = None) -> bytes:
        """``lineage``: the one the agent's state has for the report's scan (None: unknown)."""
        return ndjson(report_events(report, ScanContext.from_report(report, lineage)))


__all__ = [
    "EVENT_NAMESPACE",
    "OCSF_VERSION",
    "Activity",
    "Occurrence",
    "OcsfRenderer",
    "compact",
    "event_uid",
    "finding_uid",
    "merged",
    "ms",
    "ndjson",
    "ocsf_event",
    "report_events",
    "resource_uid",
    "snapshot_events",
]

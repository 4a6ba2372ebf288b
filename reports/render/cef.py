"""Findings as ArcSight CEF lines (ArcSight, QRadar, Microsoft Sentinel ``CommonSecurityLog``).

``CEF:0|vendor|product|version|Device Event Class ID|Name|Severity|extension``: the class id is
the check id (QRadar maps QIDs on it), the name the check title, severity 0-10 from the OCSF
severity. The ``dvc*`` keys describe the reporting host (``dvchost``: the computer running
msgscan); the scanned phone is the destination, ``dhost`` (its uid: serial or pseudonym) and
``duid`` (the Android user the finding is about: 0 the main user, 10+ a work profile). Header
fields escape ``\\`` and ``|``; extension values escape ``\\``, ``=`` and line breaks (spaces
and pipes stay literal). The finding uid travels in a labelled custom string:
receivers may treat ``externalId`` as a number, so it carries only the event id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from checks.result import ScanResult
from reports.render.health import health_cef_extension, is_health
from reports.render.ocsf import report_events, snapshot_events
from reports.render.ocsf_context import ScanContext

CEF_SEVERITY = {0: 0, 1: 1, 2: 3, 3: 5, 4: 7, 5: 9, 6: 10}
_ACT = {1: "Create", 2: "Update", 3: "Close", 99: "Snapshot"}
OUTCOME = {"PASS": "success", "FAIL": "failure"}
"""``outcome`` in ArcSight's usual words: the check passed (success) or failed (failure); any
other result (manual, unknown, not applicable, error, informational) is "unknown"."""
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def header(value: object) -> str:
    text = _CONTROLS.sub("", str(value)).replace("\r", " ").replace("\n", " ")
    return text.replace("\\", "\\\\").replace("|", "\\|")


def extension(value: object) -> str:
    text = _CONTROLS.sub("", str(value)).replace("\\", "\\\\").replace("=", "\\=")
    return text.replace("\r", "\\r").replace("\n", "\\n")


def cef_from_ocsf(ev: Mapping[str, Any], *, host: str | None = None) -> str:
    """The CEF line (no line break) for one OCSF Compliance Finding event (or health event)."""
    meta = ev["metadata"]
    product = meta["product"]
    if is_health(ev):
        head = ["CEF:0", header(product["vendor_name"]), header(product["name"]),
                header(product["version"]), "HEALTH", "msgscan agent health",
                str(CEF_SEVERITY.get(ev["severity_id"], 0))]
        return "|".join(head) + "|" + " ".join(
            f"{k}={extension(v)}" for k, v in health_cef_extension(ev))
    comp, resource = ev["compliance"], ev["resources"][0]
    head = [
        "CEF:0",
        header(product["vendor_name"]),
        header(product["name"]),
        header(product["version"]),
        header(comp["control"]),
        header(ev["finding_info"]["title"]),
        str(CEF_SEVERITY.get(ev["severity_id"], 0)),
    ]
    ext: list[tuple[str, object]] = [("rt", ev["time"])]
    if host:
        ext.append(("dvchost", host))
    user = resource.get("data", {}).get("android_user_id")
    ext.append(("dhost", ev["device"]["uid"]))
    if user is not None:
        ext.append(("duid", user))
    ext += [
        ("cat", "Compliance Finding"),
        ("act", _ACT[ev["activity_id"]]),
        ("outcome", OUTCOME.get(comp["status_code"], "unknown")),
        ("externalId", meta["uid"]),
        ("msg", ev["message"]),
        ("cs1Label", "findingUid"),
        ("cs1", ev["finding_info"]["uid"]),
        ("cs3Label", "resourceUid"),
        ("cs3", resource["uid"]),
        ("cs4Label", "workflow"),
        ("cs4", ev["status"]),
        ("cs5Label", "scanId"),
        ("cs5", meta["correlation_uid"]),
    ]
    if resource["type"] == "Android Package":
        ext += [("cs2Label", "androidPackage"), ("cs2", resource["name"])]
    if user is not None:
        ext += [("cn1Label", "androidUserId"), ("cn1", user)]
    native = ev["unmapped"]["msgscan"]
    if native.get("lineage_unknown") or native.get("lineage"):  # which phone behind the id
        ext += [("cs6Label", "lineage"), ("cs6", native.get("lineage") or "unknown")]
    return "|".join(head) + "|" + " ".join(f"{k}={extension(v)}" for k, v in ext)


class CefRenderer:
    """One CEF line per finding (snapshots, as ``OcsfRenderer``)."""

    takes_lineage = True
    """``render_report(report, lineage)``: ``msgscan report --config`` (its events' uids)."""
    media_type = "text/plain; charset=utf-8"

    def __init__(self, host: str | None = None) -> None:
        self.host = host

    def render(self, result: ScanResult) -> bytes:
        lines = (cef_from_ocsf(e, host=self.host) + "\n" for e in snapshot_events(result))
        return "".join(lines).encode("utf-8")

    def render_report(self, report: Mapping[str, Any], lineage: int | None = None) -> bytes:
        events = report_events(report, ScanContext.from_report(report, lineage))
        lines = (cef_from_ocsf(e, host=self.host) + "\n" for e in events)
        return "".join(lines).encode("utf-8")


__all__ = ["CEF_SEVERITY", "CefRenderer", "cef_from_ocsf", "extension", "header"]

"""The fleet summary: every phone × every check, worst first, and what changed this round.

Written after each round as ``fleet-summary.json`` beside the per-phone reports. A phone's
column values come from its last report (the checks of its last scan); phones that could not be
scanned this round keep their last known results and say why they were not scanned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from checks.drift import Drift
from checks.registry import CHECKS
from scanner.agent.rows import DeviceRow, RoundRow, ScanRow

SUMMARY_VERSION = 2
"""2: stale last-known results, model, per-check totals, report links, first scans; and
``integrity`` (``reports.integrity``)."""
_WORST = ("fail", "error", "unknown", "manual", "waived", "attested", "informational", "pass",
          "not_applicable")
"""Worst first: ``findings.WORST_FIRST`` with waived failures and attested manual items apart."""


def _iso(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


def _columns(report_path: str | None) -> dict[str, str]:
    """check id -> worst status in the phone's last report: a waived failure is "waived" (never
    shown as a pass), an attested manual item "attested"."""
    if not report_path:
        return {}
    try:
        report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    worst: dict[str, str] = {}
    for f in report.get("findings", []):
        status = f.get("status", "error")
        if status == "fail" and f.get("waived"):
            status = "waived"
        elif status == "manual" and f.get("attested"):
            status = "attested"
        if status not in _WORST:
            status = "error"
        current = worst.get(f["check_id"])
        if current is None or _WORST.index(status) < _WORST.index(current):
            worst[f["check_id"]] = status
    return worst


def fleet_summary(
    *,
    generated: datetime,
    round_row: RoundRow | None,
    interrupted: bool,
    devices: Sequence[DeviceRow],
    last_scans: Iterable[ScanRow],
    drift: Mapping[str, Drift],
) -> dict[str, Any]:
    scans = {s.device_id: s for s in last_scans}
    rows: list[dict[str, Any]] = []
    for d in devices:
        scan = scans.get(d.id)
        changes = drift.get(d.id)
        rows.append(
            {
                "device": d.id,
                "via": str(d.via),
                "state": str(d.last_state),
                "error": d.last_error,
                "first_seen": _iso(d.first_seen),
                "last_seen": _iso(d.last_seen),
                "last_scan": None
                if scan is None
                else {
                    "id": scan.id,
                    "finished": _iso(scan.finished),
                    "complete": scan.complete,
                    "verdict": scan.verdict,
                    "score": scan.score,
                    "failed": scan.failed,
                    "report": scan.report_path,
                },
                "checks": _columns(scan.report_path if scan else None),
                "drift": {
                    "new": [str(k) for k in changes.new] if changes else [],
                    "changed": [str(k) for k in changes.changed] if changes else [],
                    "resolved": [str(k) for k in changes.resolved] if changes else [],
                },
            }
        )
    rows.sort(key=lambda r: (-(r["last_scan"] or {}).get("failed", 0), r["state"] == "scanned", r["device"]))
    totals = {
        "devices": len(rows),
        "non_compliant": sum(1 for r in rows if (r["last_scan"] or {}).get("verdict") == "non_compliant"),
        "not_scanned_this_round": sum(1 for r in rows if r["state"] not in ("scanned",)),
        "new": sum(len(r["drift"]["new"]) for r in rows),
        "resolved": sum(len(r["drift"]["resolved"]) for r in rows),
    }
    return {
        "fleet_summary_version": SUMMARY_VERSION,
        "generated": _iso(generated),
        "round": None
        if round_row is None
        else {
            "id": round_row.id,
            "started": _iso(round_row.started),
            "finished": _iso(round_row.finished),
            "devices_seen": round_row.devices_seen,
            "scanned": round_row.scanned,
            "failed": round_row.failed,
            "interrupted": interrupted,
        },
        "checks": [c.info.id for c in CHECKS],
        "devices": rows,
        "totals": totals,
    }

"""The fleet summary: every phone × every check, worst first, and what changed this round.

Written after each round as ``fleet-summary.json`` beside the per-phone reports. A phone's
column values come from its last report that evaluated checks (merged with its last complete one
when that report is partial). A phone that could not be scanned this round keeps its last known
results, marked ``stale`` with their date (``results_from``), and is counted in the verdict by
the failures still open in the state until a newer scan replaces them (``scanner.app.agent.known``).
A phone's first scan is ``first_scan``: its findings are not "new", they were never looked at.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from checks.drift import Drift
from checks.errors import MsgscanError
from checks.registry import CHECKS
from reports.integrity import Outcome, verify
from reports.render.json import sealed
from reports.signing import SigningKey
from scanner.app.agent.attestations import awaiting
from scanner.app.agent.known import Known, last_known
from scanner.app.agent.rows import DeviceRow, RoundRow, ScanRow
from scanner.app.agent.state import State
from scanner.files import LIMIT_REPORT, parse_json, read_regular, write_atomic

log = structlog.get_logger("msgscan.agent")
SUMMARY_FILE = "fleet-summary.json"

SUMMARY_VERSION = 2
"""2: stale last-known results, model, per-check totals, report links, first scans; and
``integrity`` (``reports.integrity``)."""
_WORST = (
    "fail",
    "error",
    "unknown",
    "manual",
    "waived",
    "attested",
    "informational",
    "pass",
    "not_applicable",
)
"""Worst first: ``findings.WORST_FIRST`` with waived failures and attested manual items apart."""


def _iso(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


_KNOWN: dict[str, tuple[tuple[int, int], dict[str, str], list[dict[str, Any]] | None]] = {}
"""Report path -> ((mtime_ns, size) of the file, its columns, what in it awaits attestation):
what ``remember`` noted when the round wrote it, so the summary at the round's end does not read
back a file just written (with workers, reading every report back was most of the agent's own
CPU in a round of 50 large phones)."""


def remember(
    path: Path,
    written: tuple[int, int],
    columns: dict[str, str],
    awaiting: list[dict[str, Any]] | None = None,
) -> None:
    """Note the ``columns`` (``worst``) and ``awaiting`` (``attestations.awaiting``) of the
    report just written to ``path``, whose (mtime_ns, size) was ``written``, for the round's
    summary."""
    _KNOWN[str(path)] = (written, columns, awaiting)


def _noted(report_path: str) -> tuple[dict[str, str], list[dict[str, Any]] | None] | None:
    """What ``remember`` noted of the file, if it is still the file the round wrote."""
    try:
        st = os.stat(report_path)
    except OSError:
        return None
    known = _KNOWN.get(report_path)
    if known is not None and known[0] == (st.st_mtime_ns, st.st_size):
        return known[1], known[2]
    return None


def _read_back(report_path: str, key: SigningKey | None) -> dict[str, Any] | None:
    """The agent's own report file, or None when it is damaged, replaced by something else, or
    changed since it was written (no longer matching its seal; with ``key``, its signature):
    an edited report must not put its passes into the summary the agent signs."""
    try:
        raw = read_regular(report_path, what="the report", limit=LIMIT_REPORT, hint="")
        report = parse_json(raw, source=report_path, hint="")
    except MsgscanError:
        return None
    if not isinstance(report, dict):
        return None
    checked = verify(raw, [key.private.public_key()] if key else [])
    # with a key the agent signed every report it wrote: one its key did not sign (a removed
    # signature and a new digest read as unsigned) is not the agent's
    unsigned = key is not None and checked.outcome is not Outcome.VALID
    if checked.outcome is Outcome.TAMPERED or unsigned:
        log.warning("report.changed", report=report_path, problem=checked.message)
        return None
    return report


def _view(
    report_path: str | None, key: SigningKey | None = None
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(check id -> worst status, ``attestations.awaiting``) of the phone's last report: what
    the round noted while the file holds, else the file read back once (damaged or changed: no
    columns, nothing awaiting). A waived failure is "waived" (never shown as a pass), an
    attested manual item "attested"."""
    if not report_path:
        return {}, []
    noted = _noted(report_path)
    columns = None if noted is None else dict(noted[0])
    waits = None if noted is None or noted[1] is None else [dict(item) for item in noted[1]]
    if columns is None or waits is None:
        report = _read_back(report_path, key)
        if columns is None:
            columns = {} if report is None else worst(report)
        if waits is None:
            waits = [] if report is None else awaiting(report)
    return columns, waits


def _columns(report_path: str | None, key: SigningKey | None = None) -> dict[str, str]:
    return _view(report_path, key)[0]


def worst(report: Mapping[str, Any]) -> dict[str, str]:
    worst: dict[str, str] = {}
    try:
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
    except (AttributeError, KeyError, TypeError):  # not a report msgscan wrote
        return {}
    return worst


def _merged(newer: dict[str, str], older: dict[str, str]) -> dict[str, str]:
    """The worse of two reports' columns per check (a partial scan hides nothing it missed)."""
    out = dict(older)
    for check, status in newer.items():
        if check not in out or _WORST.index(status) < _WORST.index(out[check]):
            out[check] = status
    return out


def _scan_json(scan: ScanRow) -> dict[str, Any]:
    return {
        "id": scan.id,
        "finished": _iso(scan.finished),
        "complete": scan.complete,
        "verdict": scan.verdict,
        "score": scan.score,
        "failed": scan.failed,
        "report": scan.report_path,
        "report_file": Path(scan.report_path).name if scan.report_path else None,
    }


def fleet_summary(
    *,
    generated: datetime,
    round_row: RoundRow | None,
    interrupted: bool,
    devices: Sequence[DeviceRow],
    last_scans: Iterable[ScanRow],
    drift: Mapping[str, Drift],
    known: Mapping[str, Known] | None = None,
    first_scans: Iterable[str] = (),
    addresses: Mapping[str, str] | None = None,
    key: SigningKey | None = None,
) -> dict[str, Any]:
    """``last_scans``: each phone's latest scan attempt; ``known``: what it was last known to
    fail (``scanner.app.agent.known.last_known``); ``first_scans``: phones scanned for the first
    time; ``key``: the agent's signing key, to check the reports it reads back."""
    attempts = {s.device_id: s for s in last_scans}
    known = known or {}
    firsts = set(first_scans)
    rows: list[dict[str, Any]] = []
    for d in devices:
        attempt = attempts.get(d.id)
        facts = known.get(d.id)
        scan = facts.evaluated if facts and facts.evaluated else None
        if scan is None and attempt is not None and attempt.verdict is not None:
            scan = attempt
        columns, waits = _view(scan.report_path if scan else None, key)
        if scan is not None and not scan.complete and facts and facts.complete:
            columns = _merged(columns, _columns(facts.complete.report_path, key))
        error = d.last_error
        for twin in facts.twins if facts else ():  # two phones as one id: the worst of both
            if scan is None or twin != scan.report_path:
                columns = _merged(columns, _columns(twin, key))
        if facts and facts.twins and scan is not None and scan.report_path not in facts.twins:
            from scanner.app.agent.lineage import adopt_command

            error = error or (  # held over from an earlier round: say why, and the way out
                f"the results of two phones that answered as {d.id} in one round stay until "
                "two phones answer as it again; if the other is gone: " + adopt_command(d.id)
            )
        failed = max(
            facts.open_failures if facts else 0,
            scan.failed if scan else 0,
            facts.twins_failed if facts else 0,  # the worst twin's, as the columns are
        )
        fresh = (
            scan is not None
            and attempt is not None
            and attempt.id == scan.id
            and str(d.last_state) == "scanned"
            and scan.complete
        )
        changes = drift.get(d.id)
        first = d.id in firsts
        rows.append(
            {
                "device": d.id,
                "model": d.model,
                "address": (addresses or {}).get(d.id),
                "via": str(d.via),
                "state": "replaced" if d.retired is not None else str(d.last_state),
                "error": error,
                "first_seen": _iso(d.first_seen),
                "last_seen": _iso(d.last_seen),
                "last_scan": None if scan is None else _scan_json(scan),
                "stale": scan is not None and not fresh,
                "results_from": _iso(scan.finished) if scan else None,
                "known_failed": failed,
                "first_scan": first,
                "checks": columns,
                "awaiting_attestation": waits,
                "drift": {
                    "new": [str(k) for k in changes.new] if changes and not first else [],
                    "changed": [str(k) for k in changes.changed] if changes else [],
                    "resolved": [str(k) for k in changes.resolved] if changes else [],
                },
            }
        )
    rows.sort(key=lambda r: (-r["known_failed"], r["state"] == "scanned", r["device"]))
    per_check: dict[str, dict[str, int]] = {}
    for r in rows:
        for check, status in r["checks"].items():
            per_check.setdefault(check, {})
            per_check[check][status] = per_check[check].get(status, 0) + 1
    totals = {
        "devices": len(rows),
        "non_compliant": sum(1 for r in rows if r["known_failed"]),
        "stale": sum(1 for r in rows if r["stale"]),
        "not_scanned_this_round": sum(1 for r in rows if r["state"] not in ("scanned",)),
        "first_scans": sum(1 for r in rows if r["first_scan"]),
        "new": sum(len(r["drift"]["new"]) for r in rows),
        "resolved": sum(len(r["drift"]["resolved"]) for r in rows),
        "per_check": {c.info.id: per_check.get(c.info.id, {}) for c in CHECKS},
        "awaiting_attestation": sum(len(r["awaiting_attestation"]) for r in rows),
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


def write_summary(
    state: State,
    path: Path,
    *,
    generated: datetime,
    interrupted: bool,
    drift: Mapping[str, Drift],
    first_scans: Iterable[str],
    addresses: Mapping[str, str],
    key: SigningKey | None,
) -> None:
    """The fleet summary of what ``state`` holds now, sealed (signed with ``key``) and written
    atomically to ``path``; a failed write is logged (the next round writes it again)."""
    summary = fleet_summary(
        generated=generated,
        round_row=state.last_round(),
        interrupted=interrupted,
        devices=state.devices(),
        last_scans=state.last_scans(),
        drift=drift,
        known=last_known(state),
        first_scans=first_scans,
        addresses=addresses,
        key=key,
    )
    try:
        write_atomic(path, sealed(summary, key))
    except MsgscanError as e:  # the state holds everything
        log.error("summary.write_failed", problem=e.problem)

"""Findings as CSV, one row per finding (as Prowler's CSV output): for spreadsheets and audits.

RFC 4180 (comma, CRLF, fields quoted when needed), UTF-8 with a byte-order mark so Excel opens
umlauts right. Every row names the scan, the phone and the finding; lists (evidence, steps) are
joined with `` | ``. A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``: phone output reaches the evidence, and a spreadsheet would run such
a cell as a formula (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from checks.result import ScanResult
from reports.i18n import Lang
from reports.localized import with_texts
from reports.report import build_report

COLUMNS = (
    "scan_id", "scan_finished", "scan_complete", "policy", "device", "manufacturer", "model",
    "android_release", "check_id", "title", "severity", "status", "counts_as_failure",
    "messenger", "package", "android_user", "evidence", "remediation", "article_section",
    "article_ref", "waived_until", "waived_reason", "attested_by", "attested_on",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _text(value: object) -> object:
    return None if isinstance(value, dict) else value  # {"unseen": reason}: not known


def rows(report: Mapping[str, Any]) -> list[dict[str, object]]:
    scan, dev = report["scan"], report["device"]
    titles = {cid: t["title"] for cid, t in report.get("texts", {}).get("checks", {}).items()}
    out = []
    for f in report["findings"]:
        waived, attested = f.get("waived") or {}, f.get("attested") or {}
        out.append({
            "scan_id": scan["id"], "scan_finished": scan["finished"],
            "scan_complete": scan["complete"], "policy": scan["policy"]["name"],
            "device": dev["serial"], "manufacturer": _text(dev.get("manufacturer")),
            "model": _text(dev.get("model")), "android_release": _text(dev.get("android_release")),
            "check_id": f["check_id"], "title": titles.get(f["check_id"], f["title"]),
            "severity": f["severity"], "status": f["status"],
            "counts_as_failure": f["status"] == "fail" and not f.get("waived"),
            "messenger": f.get("messenger"), "package": f.get("package"),
            "android_user": f.get("profile"),
            "evidence": " | ".join(e["text"] for e in f["evidence"] if e.get("text")),
            "remediation": " | ".join(f["remediation"]),
            "article_section": f["article_ref"]["section"], "article_ref": f["article_ref"]["ref"],
            "waived_until": waived.get("until"), "waived_reason": waived.get("reason"),
            "attested_by": attested.get("by"), "attested_on": attested.get("on"),
        })
    return out


class CsvRenderer:
    """One CSV row per finding; titles in ``lang`` when given (ids, statuses stay as they are)."""

    media_type = "text/csv; charset=utf-8"

    def __init__(self, lang: Lang | None = None) -> None:
        self.lang = lang

    def render(self, result: ScanResult) -> bytes:
        return self.render_report(build_report(result))

    def render_report(self, report: Mapping[str, Any]) -> bytes:
        if self.lang is not None:
            report = with_texts({k: v for k, v in report.items() if k != "texts"}, self.lang)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows(report):
            writer.writerow([cell(row[c]) for c in COLUMNS])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")


__all__ = ["COLUMNS", "CsvRenderer", "cell", "rows"]

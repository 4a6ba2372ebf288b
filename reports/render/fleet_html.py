"""The fleet page: every phone × every check from the agent's ``fleet-summary.json``.

Phones come worst first (as the summary orders them), each with its state, verdict and score,
one cell per check (the worst result of that check in the phone's last scan) and what changed
since the last round. Device ids and error texts come from phones and are escaped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from checks.registry import INDEX
from reports.i18n import Lang, Texts
from reports.integrity import seal_html
from reports.render import _html_audit
from reports.render._html import Templates, shipped

if TYPE_CHECKING:  # cryptography loads only when a key signs (start-up)
    from reports.signing import SigningKey

_MARKS = {
    "fail": "✗",
    "error": "!",
    "unknown": "?",
    "manual": "✎",
    "waived": "≈",
    "attested": "☑",
    "informational": "i",
    "pass": "✓",
    "not_applicable": "–",
}


_WORDS = {
    Lang.EN: {
        "stale": "stale: results of {date}",
        "first": "first scan: {n} open finding(s)",
        "report": "report",
        "total": "Phones failing",
        "stale_total": "{n} of them with stale results",
        "notes": "Notes",
    },
    Lang.DE: {
        "stale": "veraltet: Ergebnis vom {date}",
        "first": "erste Prüfung: {n} offene(r) Befund(e)",
        "report": "Bericht",
        "total": "Geräte mit Fehler",
        "stale_total": "davon {n} mit veralteten Ergebnissen",
        "notes": "Anmerkungen",
    },
}
"""Words of the fleet page added with summary version 2, in both languages."""


def _w(tx: Texts, key: str, **params: object) -> str:
    return _WORDS[tx.lang][key].format(**params)


def _second(when: str | None) -> str:
    """An ISO time to the second: "2026-11-26T07:00:00.123456Z" -> "2026-11-26T07:00:00Z"."""
    return re.sub(r"\.\d+(?=Z|[+-]\d\d:\d\d$)", "", when or "–")


_OPEN = ("fail", "error", "unknown", "manual")


def is_fleet_summary(data: Any) -> bool:
    return isinstance(data, dict) and "fleet_summary_version" in data


def render_fleet(
    summary: dict[str, Any],
    lang: Lang = Lang.EN,
    key: SigningKey | None = None,
    templates: Templates | None = None,
) -> bytes:
    """The fleet page (template ``fleet.html``), sealed and, with ``key``, signed."""
    tx = Texts(lang)
    checks: list[str] = list(summary["checks"])
    notes: list[str] = []
    rows = [_row(tx, d, checks, notes) for d in summary["devices"]]
    page = (templates or shipped()).page(
        "fleet.html",
        lang,
        t=tx.t,
        generated=_second(summary["generated"]),
        overview=_overview(tx, summary),
        marks=[(s, m, tx.t("status." + s)) for s, m in _MARKS.items()],
        columns=[tx.t(k) for k in ("fleet.device", "fleet.state", "fleet.verdict", "fleet.score")],
        checks=checks,
        rows=rows,
        totals=_totals(tx, summary["totals"].get("per_check"), checks),
        notes=notes,
        names=[(c, tx.check(INDEX[c].info).title) for c in checks if c in INDEX],
        words=_WORDS[lang],
        waiting=Markup(_html_audit.waiting(lang, summary)),  # escaped fragment
    )
    return seal_html(page, key)


def _overview(tx: Texts, summary: dict[str, Any]) -> dict[str, str]:
    t = summary["totals"]
    totals = tx.t(
        "fleet.totals",
        devices=t["devices"],
        non_compliant=t["non_compliant"],
        not_scanned=t["not_scanned_this_round"],
        new=t["new"],
        resolved=t["resolved"],
    )
    rnd = summary["round"]
    if rnd is None:
        line = tx.t("fleet.no_round")
    else:
        line = tx.t(
            "fleet.round",
            id=rnd["id"],
            scanned=rnd["scanned"],
            seen=rnd["devices_seen"],
            failed=rnd["failed"],
        )
        if rnd["interrupted"]:
            line += " " + tx.t("fleet.interrupted")
    if t.get("stale"):
        totals += " " + _w(tx, "stale_total", n=t["stale"])
    if t["non_compliant"]:
        verdict = "non_compliant"
        headline = tx.t("fleet.verdict_bad", count=t["non_compliant"], devices=t["devices"])
    else:
        verdict = "compliant" if t["devices"] and not t["not_scanned_this_round"] else "incomplete"
        headline = tx.t("fleet.verdict_ok")
    return {"round": line, "totals": totals, "verdict": verdict, "headline": headline}


def _state(tx: Texts, state: str) -> str:
    try:
        return tx.t(f"state.{state}")
    except KeyError:  # a state a newer agent wrote
        return state


def _changes(tx: Texts, drift: dict[str, list[str]]) -> list[str]:
    parts = [
        tx.t(f"fleet.{kind}", items=_checks_of(drift[kind]))
        for kind in ("new", "changed", "resolved")
        if drift.get(kind)
    ]
    return parts or [tx.t("fleet.no_change")]


def _checks_of(keys: list[str]) -> str:
    """Finding keys ("MSG-04|org.telegram.messenger|0") as check ids, each once, with a count
    where one check changed on several messengers or profiles: "MSG-01, MSG-04 ×2"."""
    counts: dict[str, int] = {}
    for key in keys:
        check = key.partition("|")[0]
        counts[check] = counts.get(check, 0) + 1
    return ", ".join(c if n == 1 else f"{c} ×{n}" for c, n in sorted(counts.items()))


def _row(tx: Texts, d: dict[str, Any], checks: list[str], notes: list[str]) -> dict[str, Any]:
    """One phone's row; its error becomes the next footnote in ``notes`` (not written into the
    cell)."""
    scan = d["last_scan"]
    if scan is None:
        verdict, score = tx.t("fleet.never_scanned"), "–"
    else:
        # The headline word only ("INCOMPLETE"); the report page says the rest.
        verdict = (
            tx.t(f"verdict.{scan['verdict']}").split(":")[0]
            if scan["verdict"]
            else tx.t("status.error")
        )
        score = "–" if scan["score"] is None else f"{scan['score']}"
    note = None
    if d["error"]:
        notes.append(f"{d['device']}: {d['error']}")
        note = len(notes)
    cells: list[tuple[str, str, str] | None] = []
    for c in checks:
        status = d["checks"].get(c)
        if status is None:
            cells.append(None)
        else:
            label = tx.t("status." + status) if status in _MARKS else status
            cells.append((status, f"{c}: {label}", _MARKS.get(status, "·")))
    return {
        "device": d["device"],
        "model": d.get("model") or None,
        "via": d["via"] + (" " + d["address"] if d.get("address") else ""),
        "report_file": scan.get("report_file") if scan is not None else None,
        "state": _state(tx, d["state"]),
        "note": note,
        "stale": (
            _w(tx, "stale", date=_second(d["results_from"])[:10]) if d.get("stale") else None
        ),
        "verdict": verdict,
        "score": score,
        "cells": cells,
        "changes": (
            [_w(tx, "first", n=sum(1 for s in d["checks"].values() if s in _OPEN))]
            if d.get("first_scan")
            else _changes(tx, d["drift"])
        ),
    }


def _totals(
    tx: Texts, per_check: dict[str, dict[str, int]] | None, checks: list[str]
) -> list[tuple[str, str]] | None:
    """The footer row: per check its counts (a tooltip) and the number of phones failing it."""
    if per_check is None:
        return None
    return [
        (
            f"{c}: " + ", ".join(f"{k} {v}" for k, v in sorted(per_check.get(c, {}).items())),
            str(per_check.get(c, {}).get("fail", 0) or ""),
        )
        for c in checks
    ]


__all__ = ["is_fleet_summary", "render_fleet"]

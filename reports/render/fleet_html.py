"""The fleet page: every phone × every check from the agent's ``fleet-summary.json``.

Phones come worst first (as the summary orders them), each with its state, verdict and score,
one cell per check (the worst result of that check in the phone's last scan) and what changed
since the last round. Device ids and error texts come from phones and are escaped.
"""

from __future__ import annotations

import re
from typing import Any

from checks.registry import INDEX
from reports.i18n import Lang, Texts
from reports.integrity import seal_html
from reports.render import _html_audit
from reports.render._html import esc, page
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
    Lang.EN: {"stale": "stale: results of {date}", "first": "first scan: {n} open finding(s)",
              "report": "report", "total": "Phones failing", "stale_total": "{n} of them with stale results",
              "notes": "Notes"},
    Lang.DE: {"stale": "veraltet: Ergebnis vom {date}", "first": "erste Prüfung: {n} offene(r) Befund(e)",
              "report": "Bericht", "total": "Geräte mit Fehler", "stale_total": "davon {n} mit veralteten Ergebnissen",
              "notes": "Anmerkungen"},
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


def render_fleet(summary: dict[str, Any], lang: Lang = Lang.EN, key: SigningKey | None = None) -> bytes:
    tx = Texts(lang)
    checks: list[str] = list(summary["checks"])
    body = "\n".join(
        (
            '<main class="wide">',
            ('<header class="masthead"><div><div class="brand">msgscan</div>'
            f"<h1>{esc(tx.t('doc.fleet_title'))}</h1>"
            f"<p class=\"sub\">{esc(tx.t('doc.checklist_source'))}</p></div>"
            f"<div class=\"sub\">{esc(tx.t('fleet.generated'))}: {esc(_second(summary['generated']))}</div>"
            "</header>"),
            _overview(tx, summary),
            f"<h2>{esc(tx.t('fleet.checks'))}</h2>",
            f"<p class=\"sub\">{esc(tx.t('fleet.legend'))} {_legend(tx)}</p>",
            *_grid_and_notes(tx, summary, checks),
            _check_names(tx, checks),
            _html_audit.waiting(lang, summary),
            "</main>",
        )
    )
    return seal_html(page(lang, tx.t("doc.fleet_title"), body), key)


def _overview(tx: Texts, summary: dict[str, Any]) -> str:
    t = summary["totals"]
    totals = tx.t("fleet.totals", devices=t["devices"], non_compliant=t["non_compliant"],
                  not_scanned=t["not_scanned_this_round"], new=t["new"], resolved=t["resolved"])
    rnd = summary["round"]
    if rnd is None:
        line = tx.t("fleet.no_round")
    else:
        line = tx.t("fleet.round", id=rnd["id"], scanned=rnd["scanned"], seen=rnd["devices_seen"],
                    failed=rnd["failed"])
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
    return (
        f'<section class="overview"><div class="card"><p>{esc(line)}</p><p>{esc(totals)}</p></div>'
        f'<div class="verdict {verdict}" id="verdict"><div class="label">{esc(tx.t("verdict.heading"))}</div>'
        f'<div class="text">{esc(headline)}</div></div></section>'
    )


def _legend(tx: Texts) -> str:
    return " ".join(
        f'<span class="badge s-{s}">{m} {esc(tx.t("status." + s))}</span>' for s, m in _MARKS.items()
    )


def _state(tx: Texts, state: str) -> str:
    try:
        return tx.t(f"state.{state}")
    except KeyError:  # a state a newer agent wrote
        return state


def _changes(tx: Texts, drift: dict[str, list[str]]) -> str:
    parts = [
        tx.t(f"fleet.{kind}", items=_checks_of(drift[kind]))
        for kind in ("new", "changed", "resolved")
        if drift.get(kind)
    ]
    return "<br>".join(esc(p) for p in parts) or esc(tx.t("fleet.no_change"))


def _checks_of(keys: list[str]) -> str:
    """Finding keys ("MSG-04|org.telegram.messenger|0") as check ids, each once, with a count
    where one check changed on several messengers or profiles: "MSG-01, MSG-04 ×2"."""
    counts: dict[str, int] = {}
    for key in keys:
        check = key.partition("|")[0]
        counts[check] = counts.get(check, 0) + 1
    return ", ".join(c if n == 1 else f"{c} ×{n}" for c, n in sorted(counts.items()))


def _grid_and_notes(tx: Texts, summary: dict[str, Any], checks: list[str]) -> tuple[str, str]:
    """The grid, then its footnotes: errors and hints are numbered, not written into cells."""
    notes: list[str] = []
    grid = _grid(tx, summary["devices"], checks, notes, summary["totals"].get("per_check"))
    if not notes:
        return grid, ""
    items = "".join(f'<li id="note-{n}">{esc(text)}</li>' for n, text in enumerate(notes, 1))
    return grid, f'<h3>{esc(_w(tx, "notes"))}</h3><ol class="notes src">{items}</ol>'


def _grid(tx: Texts, devices: list[dict[str, Any]], checks: list[str], notes: list[str],
          per_check: dict[str, dict[str, int]] | None = None) -> str:
    head = "".join(
        f"<th>{esc(tx.t(k))}</th>" for k in ("fleet.device", "fleet.state", "fleet.verdict", "fleet.score")
    )
    head += "".join(f'<th class="v">{esc(c)}</th>' for c in checks)
    head += f"<th>{esc(tx.t('fleet.changes'))}</th>"
    rows = []
    for d in devices:
        scan = d["last_scan"]
        if scan is None:
            verdict, score = tx.t("fleet.never_scanned"), "–"
        else:
            # The headline word only ("INCOMPLETE"); the report page says the rest.
            verdict = (tx.t(f"verdict.{scan['verdict']}").split(":")[0] if scan["verdict"]
                       else tx.t("status.error"))
            score = "–" if scan["score"] is None else f"{scan['score']}"
        state = esc(_state(tx, d["state"]))
        if d["error"]:
            notes.append(f"{d['device']}: {d['error']}")
            state += f'<sup><a href="#note-{len(notes)}">{len(notes)}</a></sup>'
        if d.get("stale"):
            state += (f'<div class="badge s-unknown">'
                      f'{esc(_w(tx, "stale", date=_second(d["results_from"])[:10]))}</div>')
        cells = []
        for c in checks:
            status = d["checks"].get(c)
            if status is None:
                cells.append('<td class="cell"></td>')
            else:
                label = tx.t("status." + status) if status in _MARKS else status
                cells.append(f'<td class="cell s-{esc(status)}" title="{esc(c)}: {esc(label)}">'
                             f"{_MARKS.get(status, '·')}</td>")
        link = ""
        if scan is not None and scan.get("report_file"):
            link = f' · <a href="{esc(scan["report_file"])}">{esc(_w(tx, "report"))}</a>'
        model = f"{esc(d['model'])}<br>" if d.get("model") else ""
        changes = (esc(_w(tx, "first", n=sum(1 for s in d["checks"].values() if s in _OPEN)))
                   if d.get("first_scan") else _changes(tx, d["drift"]))
        rows.append(
            f"<tr><td><strong>{esc(d['device'])}</strong><div class=\"src\">{model}{esc(d['via'])}{esc(' ' + d['address'] if d.get('address') else '')}{link}</div></td>"
            f"<td>{state}</td><td>{esc(verdict)}</td><td class=\"num\">{esc(score)}</td>"
            + "".join(cells)
            + f"<td>{changes}</td></tr>"
        )
    foot = ""
    if per_check is not None:
        cells = "".join(
            f'<td class="cell" title="{esc(c)}: {esc(", ".join(f"{k} {v}" for k, v in sorted(per_check.get(c, {}).items())))}">'
            f'{per_check.get(c, {}).get("fail", 0) or ""}</td>' for c in checks)
        foot = (f'<tfoot><tr><th colspan="4">{esc(_w(tx, "total"))}</th>{cells}<td></td></tr></tfoot>')
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>{foot}</table>'


def _check_names(tx: Texts, checks: list[str]) -> str:
    items = "".join(
        f'<li><span class="id">{esc(c)}</span> {esc(tx.check(INDEX[c].info).title)}</li>'
        for c in checks
        if c in INDEX
    )
    return f'<ul class="fine">{items}</ul>'


__all__ = ["is_fleet_summary", "render_fleet"]

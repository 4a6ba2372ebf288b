"""The findings part of the HTML report: one card per checklist item, and the attestation sheet."""

from __future__ import annotations

from typing import Any

from reports.i18n import CheckText, Texts
from reports.localized import attested_text, relevant_steps
from reports.render._html import esc

WORST = ("fail", "error", "unknown", "manual", "waived", "informational", "pass", "not_applicable")
"""Statuses from worst to best, for ordering; "waived" is a failure that does not count."""


def status_of(f: dict[str, Any]) -> str:
    """The status as a reader should weigh it: a waived failure as waived (the section it is
    listed under in every format, ``checks.evaluate.section_of``)."""
    return "waived" if f["status"] == "fail" and f["waived"] is not None else str(f["status"])


def worst(items: list[dict[str, Any]]) -> str:
    return min((status_of(f) for f in items), key=WORST.index)


def about(tx: Texts, f: dict[str, Any], labels: dict[int, str]) -> str:
    """ "WhatsApp, Personal (user 0)" or "this phone"."""
    parts = []
    if f["messenger"] or f["package"]:
        parts.append(f["messenger"] or f["package"])
    if f["profile"] is not None:
        parts.append(labels.get(f["profile"], tx.t("profile.label", kind=tx.t("profile.user"),
                                                   user_id=f["profile"])))
    return ", ".join(parts) if parts else tx.t("findings.this_phone")


def _badge(tx: Texts, status: str) -> str:
    return f'<span class="badge s-{esc(status)}">{esc(tx.t("status." + status))}</span>'


def _outcome(tx: Texts, f: dict[str, Any], labels: dict[int, str]) -> str:
    badge = _badge(tx, f["status"])
    notes = ""
    if f["waived"] is not None:
        w = f["waived"]
        badge += ' <span class="badge s-waived">' + esc(
            tx.t("findings.waived", until=w["until"], reason=w["reason"])) + "</span>"
    if f["attested"] is not None:
        a = f["attested"]
        note = f" – {a['note']}" if a["note"] else ""
        notes = f"<li>{esc(attested_text(tx, a, 'findings') + note)}</li>"
    evidence = "".join(
        f"<li>{esc(tx.evidence(e))} <span class=\"src\">({esc(tx.t('findings.source', source=tx.source(e['source'])))})</span></li>"
        for e in f["evidence"]
    )
    return (
        f'<li>{badge} <span class="about">{esc(about(tx, f, labels))}</span>'
        f"<ul>{evidence}{notes}</ul></li>"
    )


def _card(tx: Texts, cid: str, items: list[dict[str, Any]], text: CheckText,
          labels: dict[int, str]) -> str:
    w = worst(items)
    first = items[0]
    ref = first["article_ref"]
    section = tx.section(ref["section"])
    reference = f"{section} – {ref['ref']}" if ref["ref"] else section
    fix = ""
    if w in ("fail", "manual", "unknown", "error", "waived", "informational") and text.remediation:
        steps = "".join(f"<li>{esc(step)}</li>" for step in relevant_steps(text.remediation, items))
        fix = f'<div class="fix"><strong>{esc(tx.t("findings.remediation"))}</strong><ol>{steps}</ol></div>'
    why = f'<p class="why">{esc(text.rationale)}</p>' if text.rationale else ""
    shown = [f for f in items if status_of(f) not in ("pass", "not_applicable")] or items
    outcomes = "".join(_outcome(tx, f, labels) for f in shown)
    return (
        f'<article class="check w-{esc(w)}" id="{esc(cid)}"><header>'
        f'<span class="id">{esc(cid)}</span><h3>{esc(text.title)}</h3>'
        f'<span class="sev">{esc(tx.t("severity." + first["severity"]))}</span>{_badge(tx, w)}</header>'
        f'<p class="ref">{esc(tx.t("findings.article"))}: {esc(reference)}</p>{why}'
        f'<div class="src">{esc(tx.t("findings.evidence"))}</div>'
        f'<ul class="outcomes">{outcomes}</ul>{fix}</article>'
    )


def grouped(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Check id -> its findings, in the report's (checklist) order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        groups.setdefault(f["check_id"], []).append(f)
    return groups


def by_item(tx: Texts, findings: list[dict[str, Any]], labels: dict[int, str],
            texts: dict[str, CheckText]) -> str:
    groups = grouped(findings)
    order = list(groups)
    attention = sorted(
        (cid for cid in order if worst(groups[cid]) not in ("pass", "not_applicable")),
        key=lambda cid: (WORST.index(worst(groups[cid])), order.index(cid)),
    )
    fine = [cid for cid in order if cid not in attention]
    cards = "".join(_card(tx, cid, groups[cid], texts[cid], labels) for cid in attention)
    rows = "".join(
        f'<li><span class="id">{esc(cid)}</span> {esc(texts[cid].title)} {_badge(tx, worst(groups[cid]))}</li>'
        for cid in fine
    )
    fine_html = (f"<h3>{esc(tx.t('section.fine'))}</h3><ul class=\"fine\">{rows}</ul>" if fine else "")
    return f"<h2>{esc(tx.t('findings.heading'))}</h2>{cards}{fine_html}{legend(tx)}"


LEGEND = ("failed", "waived", "manual", "attested", "unknown", "error", "informational", "pass",
          "not_applicable")
"""The sections of ``reports.localized.count_chips``, each explained once."""


def legend(tx: Texts) -> str:
    items = "".join(
        f'<li>{_badge(tx, s)} {esc(tx.t("meaning." + s))}</li>' for s in LEGEND
    )
    return f'<h3>{esc(tx.t("statuses.heading"))}</h3><ul class="fine legend">{items}</ul>'

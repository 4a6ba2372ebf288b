"""The findings part of the HTML report: one card per checklist item that needs attention,
the items that are fine, and what each status means (template ``report/findings.html``)."""

from __future__ import annotations

from typing import Any

from reports.i18n import CheckText, Texts
from reports.localized import attested_note, attested_text, relevant_steps

WORST = ("fail", "error", "unknown", "manual", "waived", "informational", "pass", "not_applicable")
"""Statuses from worst to best, for ordering; "waived" is a failure that does not count."""

_FIX = ("fail", "manual", "unknown", "error", "waived", "informational")
"""Statuses whose card says what to do."""


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
        parts.append(
            labels.get(
                f["profile"], tx.t("profile.label", kind=tx.t("profile.user"), user_id=f["profile"])
            )
        )
    return ", ".join(parts) if parts else tx.t("findings.this_phone")


def _outcome(tx: Texts, f: dict[str, Any], labels: dict[int, str]) -> dict[str, Any]:
    waived = attested = None
    if f["waived"] is not None:
        waived = tx.t(
            "findings.waived", until=tx.day(f["waived"]["until"]), reason=f["waived"]["reason"]
        )
    if f["attested"] is not None:
        a = f["attested"]
        note = f" – {attested_note(tx, f)}" if a["note"] else ""
        attested = attested_text(tx, a, "findings") + note
    return {
        "status": f["status"],
        "waived": waived,
        "about": about(tx, f, labels),
        "evidence": [
            (tx.evidence(e), tx.t("findings.source", source=tx.source(e["source"])))
            for e in f["evidence"]
        ],
        "attested": attested,
    }


def _card(
    tx: Texts, cid: str, items: list[dict[str, Any]], text: CheckText, labels: dict[int, str]
) -> dict[str, Any]:
    w = worst(items)
    ref = items[0]["article_ref"]
    section = tx.section(ref["section"])
    shown = [f for f in items if status_of(f) not in ("pass", "not_applicable")] or items
    return {
        "id": cid,
        "worst": w,
        "title": text.title,
        "severity": tx.t("severity." + items[0]["severity"]),
        "reference": f"{section} – {ref['ref']}" if ref["ref"] else section,
        "rationale": text.rationale,
        "outcomes": [_outcome(tx, f, labels) for f in shown],
        "steps": (
            relevant_steps(text.remediation, items) if w in _FIX and text.remediation else None
        ),
    }


def grouped(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Check id -> its findings, in the report's (checklist) order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        groups.setdefault(f["check_id"], []).append(f)
    return groups


LEGEND = (
    "failed",
    "waived",
    "manual",
    "attested",
    "unknown",
    "error",
    "informational",
    "pass",
    "not_applicable",
)
"""The sections of ``reports.localized.count_chips``, each explained once."""


def by_item(
    tx: Texts, findings: list[dict[str, Any]], labels: dict[int, str], texts: dict[str, CheckText]
) -> dict[str, Any]:
    """The cards (worst first, then in checklist order), the items that are fine (id, title,
    status), and the legend (status, meaning)."""
    groups = grouped(findings)
    order = list(groups)
    attention = sorted(
        (cid for cid in order if worst(groups[cid]) not in ("pass", "not_applicable")),
        key=lambda cid: (WORST.index(worst(groups[cid])), order.index(cid)),
    )
    return {
        "cards": [_card(tx, cid, groups[cid], texts[cid], labels) for cid in attention],
        "fine": [
            (cid, texts[cid].title, worst(groups[cid])) for cid in order if cid not in attention
        ],
        "legend": [(s, tx.t("meaning." + s)) for s in LEGEND],
    }

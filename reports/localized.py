"""Texts in one language for a JSON report: for the renderers, and as the report's optional
``texts``."""

from __future__ import annotations

from typing import Any

from checks.catalog import MESSENGERS
from checks.registry import INDEX
from reports.i18n import CheckText, Lang, Texts


def check_texts(tx: Texts, report: dict[str, Any]) -> dict[str, CheckText]:
    """Check id -> its text; a check this msgscan does not know keeps the report's English."""
    out: dict[str, CheckText] = {}
    for f in report["findings"]:
        cid = f["check_id"]
        if cid in out:
            continue
        known = INDEX.get(cid)
        out[cid] = (
            tx.check(known.info) if known else CheckText(f["title"], "", tuple(f["remediation"]))
        )
    return out


def verdict_text(tx: Texts, summary: dict[str, Any]) -> str:
    text = tx.t(f"verdict.{summary['verdict']}")
    if summary["verdict"] == "non_compliant":
        n = summary["failed"]
        text += ": " + (tx.t("verdict.failed_one") if n == 1 else tx.t("verdict.failed", count=n))
    if (w := summary["waived"]):
        text += f" ({tx.t('verdict.waived_one') if w == 1 else tx.t('verdict.waived', count=w)})"
    return text


def attested_text(tx: Texts, attested: dict[str, Any], prefix: str = "text") -> str:
    """"attested by DPO on 2026-10-01[, until 2027-03-31]" (``prefix``: text or findings)."""
    from reports.i18n.formats import day  # an attested finding only (start-up: a JSON replay)

    until = attested.get("until")
    on = day(attested["on"], tx.lang)
    if until:
        return tx.t(f"{prefix}.attested_until", by=attested["by"], on=on, until=day(until, tx.lang))
    return tx.t(f"{prefix}.attested", by=attested["by"], on=on)


def attested_note(tx: Texts, finding: dict[str, Any]) -> str:
    """The note of the finding's attestation in ``tx``'s language: the person's own words as
    written; a signed one's origin ("signed attestation, FILE, key K") from its message in the
    evidence (``attest.by``), since the JSON ``note`` keeps the English."""
    note = str(finding["attested"]["note"] or "")
    if tx.lang is Lang.EN or not note:
        return note
    for e in finding["evidence"]:
        said = (e.get("params") or {}).get("note") if e.get("id") == "attest.by" else None
        if isinstance(said, dict) and said.get("id") == "attest.note":  # ": {note}"
            return tx.evidence(said["params"]["note"])
    return note


def count_chips(summary: dict[str, Any]) -> list[tuple[str, int]]:
    """The summary's numbers by the section each finding is listed under: failed (the verdict's
    number), waived, manual (attested apart), unknown, error, informational, pass, not_applicable.
    Every people's format shows these, so its numbers match the verdict line."""
    counts = summary["counts"]
    attested = summary.get("attested", 0)
    rows = [
        ("failed", summary["failed"]),
        ("waived", summary["waived"]),
        ("manual", counts["manual"] - attested),
        ("attested", attested),
        ("unknown", counts["unknown"]),
        ("error", counts["error"]),
        ("informational", counts.get("informational", 0)),
        ("pass", counts["pass"]),
        ("not_applicable", counts["not_applicable"]),
    ]
    return [(k, n) for k, n in rows if n]


MESSENGER_NAMES = frozenset(m.name for m in MESSENGERS)


def relevant_steps(steps: tuple[str, ...], items: list[dict[str, Any]]) -> list[str]:
    """The steps for the messengers this item is about: a step headed "Signal:" is left out
    when no Signal finding is in ``items``; unheaded steps always stay."""
    present = {f["messenger"] for f in items if f["messenger"]}
    out = []
    for step in steps:
        head = step.split(":", 1)[0]
        if head in MESSENGER_NAMES and present and not any(p.startswith(head) for p in present):
            continue
        out.append(step)
    return out or list(steps)


def with_texts(report: dict[str, Any], lang: Lang) -> dict[str, Any]:
    """``report`` plus ``texts``: the verdict and each check's title, rationale and remediation."""
    tx = Texts(lang)
    checks = {
        cid: {"title": t.title, "rationale": t.rationale, "remediation": list(t.remediation)}
        for cid, t in check_texts(tx, report).items()
    }
    texts = {"lang": lang.value, "verdict": verdict_text(tx, report["summary"]), "checks": checks}
    return report | {"texts": texts}


__all__ = [
    "attested_note",
    "attested_text",
    "check_texts",
    "count_chips",
    "relevant_steps",
    "verdict_text",
    "with_texts",
]

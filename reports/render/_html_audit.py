"""HTML fragments for the law, the article's comparison and attestations (called by the pages).

Small functions that return escaped fragments (``_html.esc`` on every value) from the JSON report:
``legal`` (the provisions each checklist item of this report serves, ``checks.law``),
``alternatives`` (the article's whole comparison, found messengers marked) and ``waiting`` (the
fleet page's list of what waits for attestation, per phone and item). The renderers call them in
one line each; their CSS is the template ``audit.css``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checks.alternatives import FIELDS
from checks.registry import INDEX
from reports.i18n import Lang, Texts
from reports.i18n import audit as words
from reports.i18n.audit import LABELS
from reports.render._html import esc
from reports.render._text_audit import rows, value


def legal(lang: Lang, findings: Iterable[Mapping[str, Any]]) -> str:
    """The provisions each checklist item of the report serves, once per item, in ``lang``."""
    items: dict[str, Mapping[str, Any]] = {}
    for f in findings:
        if f.get("legal"):
            items.setdefault(f["check_id"], f)
    if not items:
        return ""
    entries = []
    for check_id in sorted(items):
        f = items[check_id]
        for e in f["legal"]:
            entries.append(
                f'<dt><span class="id">{esc(check_id)}</span> · '
                f"{esc(words.cite(lang, e, check_id))} "
                f"({esc(words.title(lang, e, check_id))})</dt>"
                f"<dd>{esc(words.rationale(lang, e, check_id))}</dd>"
            )
    return (
        f'<section class="legal"><h2>{esc(words.label(lang, "legal.heading"))}</h2>'
        f'<p class="sub">{esc(words.label(lang, "legal.intro"))}</p>'
        f"<dl>{''.join(entries)}</dl></section>"
    )


def alternatives(lang: Lang, report: Mapping[str, Any]) -> str:
    """The article's whole comparison: a column per messenger, those on this phone marked."""
    tx = Texts(lang)
    table = rows(report)

    def cls(row: Mapping[str, Any]) -> str:
        return ' class="found"' if row["found"] else ""

    head = "<th></th>" + "".join(
        f"<th{cls(r)}>{esc(r['name'])}"
        + (' <span class="mark">✓</span>' if r["found"] else "")
        + "</th>"
        for r in table
    )

    def marked(row: Mapping[str, Any]) -> str:
        if row["found"]:
            return words.label(lang, "alt.found", names=", ".join(row["found_as"]))
        return words.label(lang, "alt.absent")

    # An f-string, not str + Markup: Markup.__radd__ would escape the <td> itself.
    found = "".join(f"<td{cls(r)}>{esc(marked(r))}</td>" for r in table)
    body = f"<tr><th></th>{found}</tr>"
    for field in FIELDS:
        body += (
            f"<tr><th>{esc(tx.t('comparison.' + field))}</th>"
            + "".join(f"<td{cls(r)}>{esc(value(tx, str(r[field])))}</td>" for r in table)
            + "</tr>"
        )
    body += (
        f"<tr><th>{esc(words.label(lang, 'alt.note'))}</th>"
        + "".join(f"<td{cls(r)}>{esc(words.note(lang, r))}</td>" for r in table)
        + "</tr>"
    )
    return (
        f'<section class="alt"><h2>{esc(words.label(lang, "alt.heading"))}</h2>'
        f'<p class="sub">{esc(words.label(lang, "alt.intro"))}</p>'
        f'<table class="alt"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</section>"
    )


def waiting(lang: Lang, summary: Mapping[str, Any]) -> str:
    """The fleet page's list of what waits for attestation, per phone and item."""
    tx = Texts(lang)
    rows = []
    for d in summary.get("devices", []):
        for w in d.get("awaiting_attestation") or ():
            check = INDEX.get(str(w.get("check_id")))
            title = tx.check(check.info).title if check else ""
            why = LABELS[lang].get(f"why.{w.get('why')}", str(w.get("why")))
            rows.append(
                f'<tr><td>{esc(d["device"])}</td><td><span class="id">{esc(w.get("check_id"))}'
                f"</span> {esc(title)}</td><td>{esc(w.get('package') or '–')}</td>"
                f"<td>{esc(why)}</td></tr>"
            )
    head = f"<h2>{esc(words.label(lang, 'attest.waiting'))}</h2>"
    if not rows:
        return f'{head}<p class="sub">{esc(words.label(lang, "attest.none_waiting"))}</p>'
    cols = "".join(
        f"<th>{esc(words.label(lang, k))}</th>"
        for k in ("attest.phone", "attest.item", "attest.app", "attest.why")
    )
    return (
        f'<section class="waiting">{head}<p class="sub">{esc(words.label(lang, "attest.intro"))}'
        f"</p><table><thead><tr>{cols}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


__all__ = ["alternatives", "legal", "waiting"]

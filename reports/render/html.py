"""The report as one self-contained HTML page for the people who act on it.

Device header, verdict and score, the messengers per profile, the findings grouped by checklist
item with the article reference, evidence and what to do, the article's comparison of the
messengers found, and the items a person attests, with room for a signature when printed. It is
rendered from the JSON report (``reports.report.build_report``) so a saved report renders the
same page (``msgscan report``). Every value from the phone is escaped (``_html.esc``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any

from checks.catalog import SIDELOAD_INSTALLERS, STORES
from checks.findings import Severity
from checks.result import ScanResult
from reports.i18n import Lang, Texts
from reports.integrity import canonical, digest, seal_html
from reports.localized import check_texts, count_chips, verdict_text
from reports.render import _html_audit, sheet
from reports.render import _html_findings as findings
from reports.render._html import esc, page, size
from reports.report import UNSEEN, build_report
from reports.signing import SigningKey

_KIND_KEYS = {
    "secondary": "profile.secondary",
    "managed_profile": "profile.managed_profile",
    "other_profile": "profile.other_profile",
    "guest": "profile.guest",
    "restricted": "profile.restricted",
}


class HtmlRenderer:
    """The report page in one language; no I/O, the same result gives the same bytes."""

    media_type = "text/html; charset=utf-8"

    def __init__(self, lang: Lang = Lang.EN, key: SigningKey | None = None) -> None:
        self.lang = lang
        self.key = key
        """Signs the page (``reports.integrity.seal_html``); None: the page carries its digest only."""

    def render(self, result: ScanResult) -> bytes:
        return self.render_report(build_report(result))

    def render_report(self, report: dict[str, Any]) -> bytes:
        """A saved JSON report (schema 1.x) as the page."""
        tx = Texts(self.lang)
        labels = profile_labels(tx, report["profiles"])
        # The JSON report's digest without its language texts, so any JSON of this scan matches.
        neutral = digest(canonical({k: v for k, v in report.items() if k != "texts"}))
        fingerprint = self.key.fingerprint if self.key else None
        kept = (report.get("retention") or {}).get("kept_until")
        body = "\n".join(
            (
                "<main>",
                _masthead(tx, report),
                _overview(tx, report),
                _messengers(tx, report, labels),
                findings.by_item(tx, report["findings"], labels, check_texts(tx, report)),
                _html_audit.legal(self.lang, report["findings"]), _html_audit.alternatives(self.lang, report),
                sheet.sheet(tx, report, labels, check_texts(tx, report), report_digest=neutral,
                            key=fingerprint, kept_until=kept),
                (f"<footer>{esc(tx.t('doc.footer', version=report['scan']['msgscan_version']))}"
                f"<br>{esc(tx.t('doc.checklist_source'))}"
                f"<br>{esc(sheet.label(self.lang, 'report_digest'))}: {esc(neutral)} · "
                f"{esc(sheet.label(self.lang, 'key'))}: "
                f"{esc(fingerprint or sheet.label(self.lang, 'unsigned'))}</footer>"),
                "</main>",
            )
        )
        device = report["device"]["serial"]
        style = sheet.paged_media(self.lang, report) + sheet.SHEET_STYLE + _html_audit.STYLE
        return seal_html(page(self.lang, f"{tx.t('doc.title')} – {device}", body, style), self.key)


def fact(tx: Texts, value: Any) -> str:
    if isinstance(value, dict) and UNSEEN in value:
        return tx.t("value.unknown", reason=value[UNSEEN])
    return tx.t("value.not_reported") if value is None else str(value)


def profile_labels(tx: Texts, profiles: Any) -> dict[int, str]:
    if isinstance(profiles, dict):  # unseen
        return {}
    out = {}
    for p in profiles:
        uid = p["user_id"]
        if p["kind"] == "system" or uid == 0:
            kind = tx.t("profile.managed_phone" if p["device_owner"] is True else "profile.personal")
        else:
            kind = tx.t(_KIND_KEYS.get(p["kind"], "profile.user"))
        out[uid] = tx.t("profile.label", kind=kind, user_id=uid)
    return out


def _masthead(tx: Texts, report: dict[str, Any]) -> str:
    scan = report["scan"]
    return (
        '<header class="masthead"><div><div class="brand">msgscan</div>'
        f"<h1>{esc(tx.t('doc.title'))}</h1>"
        f'<p class="sub">{esc(tx.t("doc.checklist_source"))}</p></div>'
        f'<div class="sub">{esc(tx.t("scan.started"))}: {esc(scan["started"])}</div></header>'
    )


def _overview(tx: Texts, report: dict[str, Any]) -> str:
    scan, device, summary = report["scan"], report["device"], report["summary"]
    if isinstance(device["model"], dict):
        model = fact(tx, device["model"])
    else:
        model = " ".join(str(v) for v in (device["manufacturer"], device["model"]) if v)
    android = fact(tx, device["android_release"])
    if isinstance(device["sdk"], int):
        android += f" ({tx.t('device.sdk', sdk=device['sdk'])})"
    rows = [
        ("device.serial", device["serial"]),
        ("device.model", model or tx.t("value.not_reported")),
        ("device.android", android),
        ("device.patch", fact(tx, device["security_patch"])),
        ("device.encryption", _encryption(tx, device["encryption"])),
        ("device.owner", fact(tx, device["device_owner"]) if device["device_owner"] is not None
         else tx.t("value.none")),
        ("scan.policy", scan["policy"]["name"]),
        ("scan.id", scan["id"]),
    ]
    facts = "".join(f"<dt>{esc(tx.t(k))}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    score = (tx.t("score.none") if summary["score"] is None
             else tx.t("score.value", score=summary["score"]))
    counts = "".join(
        f'<span class="badge s-{esc(status)}">{esc(tx.t("status." + status))}: {n}</span>'
        for status, n in count_chips(summary)
    )
    notes = ""
    if not scan["complete"]:
        notes += f'<p class="note">{esc(tx.t("scan.incomplete"))}</p>'
    if scan["problems"]:
        items = "".join(f"<li>{esc(p)}</li>" for p in scan["problems"])
        notes += f'<p class="note">{esc(tx.t("scan.problems"))}</p><ul>{items}</ul>'
    return (
        '<section class="overview">'
        f'<div class="card"><h3>{esc(tx.t("device.heading"))}</h3><dl class="facts">{facts}</dl></div>'
        f'<div><div class="verdict {esc(summary["verdict"])}" id="verdict">'
        f'<div class="label">{esc(tx.t("verdict.heading"))}</div>'
        f'<div class="text">{esc(verdict_text(tx, summary))}</div>'
        f'<div class="score">{esc(tx.t("score.label"))}: <strong>{esc(score)}</strong></div></div>'
        f'<div class="counts">{counts}</div>{notes}</div></section>'
    )


def _encryption(tx: Texts, value: Any) -> str:
    if isinstance(value, str):
        try:
            return tx.t(f"encryption.{value}")
        except KeyError:  # a state a newer msgscan wrote
            return value
    return fact(tx, value)


def source_name(tx: Texts, installer: str | None) -> str:
    if installer is None:
        return tx.t("source.unknown_installer")
    known = STORES.get(installer) or SIDELOAD_INSTALLERS.get(installer)
    return tx.catalog(known) if known else installer


def _storage_cell(tx: Texts, entries: Iterable[dict[str, Any]]) -> str:
    """Per kind (media, backups): what was found where, or that nothing was, or could not be read."""
    parts = []
    for kind in ("media", "archive"):
        mine = [e for e in entries if e["kind"] == kind]
        if not mine:
            continue
        found = [e for e in mine if e["status"] == "found" and e["files"]]
        label = esc(tx.t(f"storage.kind.{kind}"))
        if found:
            files = sum(e["files"] for e in found)
            total = sum(e["total_bytes"] for e in found)
            newest = max((e["newest"] or "" for e in found), default="")[:10] or "–"
            hidden = all(e["nomedia"] is True for e in found) and kind == "media"
            text = (tx.t("storage.found_hidden", files=files, size=size(total)) if hidden
                    else tx.t("storage.found", files=files, size=size(total), newest=newest))
            paths = _where(e["path"] for e in found)
            parts.append(f"<div><strong>{label}:</strong> {esc(text)}{paths}</div>")
        elif any(e["status"] == "unknown" for e in mine):
            parts.append(f"<div><strong>{label}:</strong> {esc(tx.t('storage.unknown'))}</div>")
        else:
            parts.append(f"<div><strong>{label}:</strong> {esc(tx.t('storage.absent'))}</div>")
    return "".join(parts) or "–"


def _where(paths: Iterable[str]) -> str:
    """The folders, as the Files app shows them: their common parent once, then the names."""
    rel = [_relative(p) for p in paths]
    parent = posixpath.commonpath(rel) if len(rel) > 1 else posixpath.dirname(rel[0])
    names = [posixpath.relpath(r, parent) if parent else r for r in rel]
    lead = f"{parent}/ " if parent else ""
    return f'<div class="path">{esc(lead)}<span class="leaf">{esc(", ".join(names))}</span></div>'


def _relative(path: str) -> str:
    """A folder below a user's storage root, as the Files app shows it ("Android/media/…")."""
    parts = path.split("/", 4)
    if len(parts) == 5 and parts[1:3] == ["storage", "emulated"] and parts[3].isdigit():
        return parts[4]
    return path


def _grant(tx: Texts, value: Any) -> str:
    if isinstance(value, dict):
        return f'<span class="badge s-unknown">{esc(fact(tx, value))}</span>'
    css = {"granted": "s-fail", "denied": "s-pass", "absent": "s-not_applicable"}.get(value, "")
    return f'<span class="badge {css}">{esc(tx.t("grant." + str(value)))}</span>'


def _storage_grant(permissions: dict[str, Any]) -> Any:
    """Storage or any media grant, the way another app would read the messenger's files."""
    values = [permissions[k] for k in ("storage", "media_images", "media_video", "media_audio")]
    for wanted in ("granted", "denied"):
        if wanted in values:
            return wanted
    return "absent"


def _messengers(tx: Texts, report: dict[str, Any], labels: dict[int, str]) -> str:
    head = f"<h2>{esc(tx.t('messengers.heading'))}</h2>"
    messengers = report["messengers"]
    if isinstance(messengers, dict):
        return head + f"<p>{esc(tx.t('messengers.unknown', reason=messengers[UNSEEN]))}</p>"
    rows = []
    for m in messengers:
        name = esc(m["variant"])
        if m["build"] in ("mod", "beta", "fork"):
            name += f' <span class="badge s-fail">{esc(tx.t("build." + m["build"]))}</span>'
        version = esc(m["version_name"] or "–")
        source = esc(source_name(tx, m["installer"]))
        for inst in m["installs"]:
            if not inst["installed"]:
                continue
            uid = inst["user_id"]
            perms = inst["permissions"]
            storage = [e for e in m["storage"] if e["user_id"] == uid]
            backup = tx.t("value.yes" if inst["allow_backup"] else "value.no")
            rows.append((uid, (
                f"<tr><td>{esc(labels.get(uid, tx.t('profile.label', kind=tx.t('profile.user'), user_id=uid)))}</td>"
                f"<td class=\"app\"><strong>{name}</strong><div class=\"path\">{esc(m['package'])}</div></td>"
                f"<td class=\"num\">{version}</td><td>{source}</td>"
                f"<td>{_grant(tx, perms['contacts'])}</td>"
                f"<td>{_grant(tx, _storage_grant(perms))}</td>"
                f"<td>{_grant(tx, perms['all_files'])}</td>"
                f"<td class=\"data\">{_storage_cell(tx, storage)}</td><td>{esc(backup)}</td></tr>"
            )))
    if not rows:
        return head + f"<p>{esc(tx.t('messengers.none'))}</p>"
    cols = ("col.profile", "col.messenger", "col.version", "col.source", "col.contacts",
            "col.storage", "col.all_files", "col.data", "col.backup")
    header = "".join(f"<th>{esc(tx.t(c))}</th>" for c in cols)
    body = "".join(r for _, r in sorted(rows, key=lambda r: r[0]))
    return head + f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


_COMPARISON = ("operator", "seat", "e2e_default", "registration", "source")


def _comparison(tx: Texts, messengers: Any) -> str:
    if isinstance(messengers, dict):
        return ""
    seen: dict[str, dict[str, str]] = {}
    for m in messengers:
        if m["comparison"] is not None and m["installs"]:
            seen.setdefault(m["name"], m["comparison"])
    if not seen:
        return ""
    header = "<th></th>" + "".join(f"<th>{esc(name)}</th>" for name in seen)
    rows = "".join(
        f"<tr><th>{esc(tx.t('comparison.' + field))}</th>"
        + "".join(f"<td>{esc(_catalog(tx, c[field]))}</td>" for c in seen.values())
        + "</tr>"
        for field in _COMPARISON
    )
    return (
        f"<h2>{esc(tx.t('comparison.heading'))}</h2><p class=\"sub\">{esc(tx.t('comparison.intro'))}</p>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _catalog(tx: Texts, value: str) -> str:
    """A comparison value in the page's language; a value from another msgscan stays as saved."""
    try:
        return tx.catalog(value)
    except KeyError:
        return value


def severity_rank(value: str) -> int:
    return Severity(value).rank


__all__ = ["HtmlRenderer", "fact", "profile_labels", "source_name"]

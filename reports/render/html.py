"""The report as one self-contained HTML page for the people who act on it.

Device header, verdict and score, the messengers per profile, the findings grouped by checklist
item with the article reference, evidence and what to do, the article's comparison of the
messengers found, and the items a person attests, with room for a signature when printed. It is
rendered from the JSON report (``reports.report.build_report``) so a saved report renders the
same page (``msgscan report``).

The page is the template ``report.html`` (``reports/templates/``): one template per section,
``report/NAME.html``, in the order of ``SECTIONS``. Each section's values come from its function
in ``SECTIONS`` (``NAME: function(view) -> data``), given to the templates as ``NAME``; the
functions compute, the templates only lay out and escape (``_html.esc``). A new section is a
template and one entry here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from checks.installers import SIDELOAD_INSTALLERS, STORES
from checks.result import ScanResult
from reports.i18n import CheckText, Lang, Texts
from reports.i18n.formats import day
from reports.i18n.formats import size as local_size
from reports.integrity import canonical, digest, seal_html
from reports.localized import check_texts, count_chips, verdict_text
from reports.render import _html_audit, sheet
from reports.render import _html_findings as findings
from reports.render._html import Templates, shipped
from reports.report import UNSEEN, build_report

if TYPE_CHECKING:  # cryptography loads only when a key signs (start-up)
    from reports.signing import SigningKey

_KIND_KEYS = {
    "secondary": "profile.secondary",
    "managed_profile": "profile.managed_profile",
    "other_profile": "profile.other_profile",
    "guest": "profile.guest",
    "restricted": "profile.restricted",
}


@dataclass(frozen=True, slots=True)
class View:
    """What every section of one page may use."""

    tx: Texts
    report: dict[str, Any]
    labels: dict[int, str]
    """Profile id -> "Personal (user 0)"."""
    texts: dict[str, CheckText]
    report_digest: str
    """The JSON report's digest without its language texts, so any JSON of this scan matches."""
    key: str | None
    """The signing key's fingerprint; None: unsigned."""


class HtmlRenderer:
    """The report page in one language; no I/O, the same result gives the same bytes."""

    media_type = "text/html; charset=utf-8"

    def __init__(
        self,
        lang: Lang = Lang.EN,
        key: SigningKey | None = None,
        templates: Templates | None = None,
    ) -> None:
        self.lang = lang
        self.key = key
        """Signs the page (``reports.integrity.seal_html``); None: the page carries its digest
        only."""
        self.templates = templates or shipped()
        """The shipped templates, or an organisation's in front of them (``--templates``)."""

    def render(self, result: ScanResult) -> bytes:
        return self.render_report(build_report(result))

    def render_report(self, report: dict[str, Any]) -> bytes:
        """A saved JSON report (schema 1.x) as the page."""
        tx = Texts(self.lang)
        view = View(
            tx,
            report,
            profile_labels(tx, report["profiles"]),
            check_texts(tx, report),
            digest(canonical({k: v for k, v in report.items() if k != "texts"})),
            self.key.fingerprint if self.key else None,
        )
        page = self.templates.page(
            "report.html",
            self.lang,
            t=tx.t,
            moment=tx.moment,
            report=report,
            sections=list(SECTIONS),
            paged_media=Markup(sheet.paged_media(self.lang, report)),  # css_string quotes all of it
            **{name: build(view) for name, build in SECTIONS.items()},
        )
        return seal_html(page, self.key)


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
            kind = tx.t(
                "profile.managed_phone" if p["device_owner"] is True else "profile.personal"
            )
        else:
            kind = tx.t(_KIND_KEYS.get(p["kind"], "profile.user"))
        out[uid] = tx.t("profile.label", kind=kind, user_id=uid)
    return out


def _overview(v: View) -> dict[str, Any]:
    tx, scan, device, summary = v.tx, v.report["scan"], v.report["device"], v.report["summary"]
    if isinstance(device["model"], dict):
        model = fact(tx, device["model"])
    else:
        model = " ".join(str(x) for x in (device["manufacturer"], device["model"]) if x)
    android = fact(tx, device["android_release"])
    if isinstance(device["sdk"], int):
        android += f" ({tx.t('device.sdk', sdk=device['sdk'])})"
    rows = [
        ("device.serial", device["serial"]),
        ("device.model", model or tx.t("value.not_reported")),
        ("device.android", android),
        ("device.patch", fact(tx, tx.day(device["security_patch"]))),
        ("device.encryption", _encryption(tx, device["encryption"])),
        (
            "device.owner",
            fact(tx, device["device_owner"])
            if device["device_owner"] is not None
            else tx.t("value.none"),
        ),
        ("scan.policy", tx.policy_name(scan["policy"]["name"])),
        ("scan.id", scan["id"]),
    ]
    return {
        "facts": [(tx.t(k), value) for k, value in rows],
        "verdict": summary["verdict"],
        "verdict_text": verdict_text(tx, summary),
        "score": (
            tx.t("score.none")
            if summary["score"] is None
            else tx.t("score.value", score=summary["score"])
        ),
        "counts": count_chips(summary),
        "complete": scan["complete"],
        "problems": scan["problems"],
    }


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


def _storage_cell(tx: Texts, entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per kind (media, backups): what was found where, or that nothing was, or could not be
    read."""
    parts = []
    for kind in ("media", "archive"):
        mine = [e for e in entries if e["kind"] == kind]
        if not mine:
            continue
        found = [e for e in mine if e["status"] == "found" and e["files"]]
        where = None
        if found:
            files = sum(e["files"] for e in found)
            total = sum(e["total_bytes"] for e in found)
            newest = max((e["newest"] or "" for e in found), default="")[:10]
            newest = day(newest, tx.lang) if newest else "–"
            hidden = all(e["nomedia"] is True for e in found) and kind == "media"
            text = (
                tx.t("storage.found_hidden", files=files, size=local_size(total, tx.lang))
                if hidden
                else tx.t(
                    "storage.found", files=files, size=local_size(total, tx.lang), newest=newest
                )
            )
            where = _where(e["path"] for e in found)
        elif any(e["status"] == "unknown" for e in mine):
            text = tx.t("storage.unknown")
        else:
            text = tx.t("storage.absent")
        parts.append({"label": tx.t(f"storage.kind.{kind}"), "text": text, "where": where})
    return parts


def _where(paths: Iterable[str]) -> tuple[str, str]:
    """The folders, as the Files app shows them: their common parent once ("Android/media/ "),
    then the names."""
    rel = [_relative(p) for p in paths]
    parent = posixpath.commonpath(rel) if len(rel) > 1 else posixpath.dirname(rel[0])
    names = [posixpath.relpath(r, parent) if parent else r for r in rel]
    return (f"{parent}/ " if parent else ""), ", ".join(names)


def _relative(path: str) -> str:
    """A folder below a user's storage root, as the Files app shows it ("Android/media/…")."""
    parts = path.split("/", 4)
    if len(parts) == 5 and parts[1:3] == ["storage", "emulated"] and parts[3].isdigit():
        return parts[4]
    return path


def _grant(tx: Texts, value: Any) -> tuple[str, str]:
    """The CSS class and the words of a grant."""
    if isinstance(value, dict):
        return "s-unknown", fact(tx, value)
    css = {"granted": "s-fail", "denied": "s-pass", "absent": "s-not_applicable"}.get(value, "")
    return css, tx.t("grant." + str(value))


def _storage_grant(permissions: dict[str, Any]) -> Any:
    """Storage or any media grant, the way another app would read the messenger's files."""
    values = [permissions[k] for k in ("storage", "media_images", "media_video", "media_audio")]
    for wanted in ("granted", "denied"):
        if wanted in values:
            return wanted
    return "absent"


_COLUMNS = (
    "col.profile",
    "col.messenger",
    "col.version",
    "col.source",
    "col.contacts",
    "col.storage",
    "col.all_files",
    "col.data",
    "col.backup",
)


def _messengers(v: View) -> dict[str, Any]:
    """One row per messenger and profile it is installed in, by profile; ``unseen``: why the
    list could not be read."""
    tx, messengers = v.tx, v.report["messengers"]
    if isinstance(messengers, dict):
        return {"unseen": tx.t("messengers.unknown", reason=messengers[UNSEEN]), "rows": []}
    rows = []
    for m in messengers:
        for inst in m["installs"]:
            if not inst["installed"]:
                continue
            uid, perms = inst["user_id"], inst["permissions"]
            rows.append(
                {
                    "user_id": uid,
                    "profile": v.labels.get(
                        uid, tx.t("profile.label", kind=tx.t("profile.user"), user_id=uid)
                    ),
                    "name": m["variant"],
                    "build": (
                        tx.t("build." + m["build"])
                        if m["build"] in ("mod", "beta", "fork")
                        else None
                    ),
                    "package": m["package"],
                    "version": m["version_name"] or "–",
                    "source": source_name(tx, m["installer"]),
                    "grants": [
                        _grant(tx, perms["contacts"]),
                        _grant(tx, _storage_grant(perms)),
                        _grant(tx, perms["all_files"]),
                    ],
                    "storage": _storage_cell(tx, [e for e in m["storage"] if e["user_id"] == uid]),
                    "backup": tx.t("value.yes" if inst["allow_backup"] else "value.no"),
                }
            )
    rows.sort(key=lambda r: int(r["user_id"]))
    return {"unseen": None, "rows": rows, "columns": [tx.t(c) for c in _COLUMNS]}


_COMPARISON = ("operator", "seat", "e2e_default", "registration", "source")



def _legal(v: View) -> Markup:
    """The provisions each checklist item of this report serves (``checks.law``)."""
    return Markup(_html_audit.legal(v.tx.lang, v.report["findings"]))  # escaped fragment


def _alternatives(v: View) -> Markup:
    """The article's whole comparison of messengers, those on this phone marked."""
    return Markup(_html_audit.alternatives(v.tx.lang, v.report))  # escaped fragment


def _catalog(tx: Texts, value: str) -> str:
    """A comparison value in the page's language; a value from another msgscan stays as saved."""
    try:
        return tx.catalog(value)
    except KeyError:
        return value


def _findings(v: View) -> dict[str, Any]:
    return findings.by_item(v.tx, v.report["findings"], v.labels, v.texts)


def _sheet(v: View) -> dict[str, Any]:
    kept = (v.report.get("retention") or {}).get("kept_until")
    return sheet.sheet(
        v.tx, v.report, v.labels, v.texts, report_digest=v.report_digest, key=v.key, kept_until=kept
    )


def _footer(v: View) -> dict[str, Any]:
    label = sheet.label
    return {
        "version": v.tx.t("doc.footer", version=v.report["scan"]["msgscan_version"]),
        "digest_label": label(v.tx.lang, "report_digest"),
        "digest": v.report_digest,
        "key_label": label(v.tx.lang, "key"),
        "key": v.key or label(v.tx.lang, "unsigned"),
    }


SECTIONS: dict[str, Callable[[View], Any]] = {
    "masthead": lambda v: None,
    "overview": _overview,
    "messengers": _messengers,
    "findings": _findings,
    "legal": _legal,
    "alternatives": _alternatives,
    "sheet": _sheet,
    "footer": _footer,
}
"""The page's sections in order: ``report/NAME.html`` shows what ``function(view)`` returns,
as the template variable ``NAME``."""


__all__ = ["SECTIONS", "HtmlRenderer", "View", "fact", "profile_labels", "source_name"]

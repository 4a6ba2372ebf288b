"""The plain-text summary a person at a desk reads after a scan.

Worst news first: the header with the verdict, the messengers per profile, then what failed, what a
person must attest, what could not be checked, and one line for everything that is fine. It is
rendered from the JSON report (``reports.report.build_report``), so it shows the same pseudonym
and the same "unseen" facts.

Every word comes from ``reports.i18n`` in the renderer's language (English by default).

Strings from the phone (model, version names, folder paths) can hold anything: every line is
cleaned of terminal escape sequences and control characters before it is wrapped to 100 columns.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Iterable
from typing import Any

from checks.evaluate import section_of
from checks.findings import Severity
from checks.result import ScanResult
from reports.i18n import CheckText, Lang, Texts
from reports.localized import (
    attested_note,
    attested_text,
    check_texts,
    relevant_steps,
    verdict_text,
)
from reports.render import _text_audit
from reports.report import UNSEEN, build_report

WIDTH = 100
_INDENT = " " * 4

_BLANKS = r"[\t\n\v\f\r\x85\u2028\u2029]+"
_CONTROLS = r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``_BLANKS`` and ``_CONTROLS``, compiled at the first line that holds a character
    ``str.isprintable`` refuses (4 M instructions: classes past U+00FF make a big charset)."""
    return re.compile(_BLANKS), re.compile(_CONTROLS)


def clean(text: str) -> str:
    """``text`` as one printable line: escape sequences and control characters removed."""
    if text.isprintable():  # no blank, control, bidi or zero-width mark, no escape's first byte
        return text
    from reports.render.controls import escapes  # a printable report loads it not (s26)

    blanks, controls = _patterns()
    return controls.sub("", blanks.sub(" ", escapes().sub("", text)))


class TextRenderer:
    """The readable terminal summary; plain text (no colours), at most 100 columns."""

    media_type = "text/plain; charset=utf-8"

    def __init__(self, lang: Lang = Lang.EN) -> None:
        self.lang = lang

    def render(self, result: ScanResult) -> bytes:
        return self.render_report(build_report(result))

    def render_report(self, report: dict[str, Any]) -> bytes:
        """A saved JSON report (schema 1.x) as the summary."""
        v = _View(Texts(self.lang), report)
        _header(v)
        _messengers(v)
        _findings(v)
        _text_audit.comparison(v.tx, report, v.out.section, v.out.add)
        return ("\n".join(v.out.lines) + "\n").encode("utf-8")


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str = "", indent: str = "", hanging: str | None = None) -> None:
        """One logical line, cleaned and wrapped; continuation lines indented by ``hanging``."""
        text = clean(text)
        if not text:
            self.lines.append("")
            return
        self.lines += textwrap.wrap(
            text,
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent if hanging is None else hanging,
            break_on_hyphens=False,
        ) or [indent.rstrip()]

    def section(self, title: str) -> None:
        self.lines.append("")
        self.add(title)


class _View:
    """One report being written: its texts, its profile labels and the lines so far."""

    def __init__(self, tx: Texts, report: dict[str, Any]) -> None:
        self.tx, self.report, self.out = tx, report, _Lines()
        self.checks: dict[str, CheckText] = check_texts(tx, report)
        profiles = report["profiles"]
        self.profiles = {} if isinstance(profiles, dict) else {p["user_id"]: p for p in profiles}

    def fact(self, value: Any) -> str:
        if isinstance(value, dict) and UNSEEN in value:
            return self.tx.t("value.unknown", reason=value[UNSEEN])
        return self.tx.t("value.not_reported") if value is None else str(value)

    def profile_label(self, user_id: int) -> str:
        tx, profile = self.tx, self.profiles.get(user_id)
        if profile is None:
            return tx.t("text.user", user_id=user_id)
        if profile["kind"] == "system" or user_id == 0:
            kind = (
                "profile.managed_phone" if profile["device_owner"] is True else "profile.personal"
            )
        else:
            kind = _KINDS.get(profile["kind"], "profile.user")
        return tx.t("profile.label", kind=tx.t(kind), user_id=user_id)


def _header(v: _View) -> None:
    tx, out, report = v.tx, v.out, v.report
    scan, device, summary = report["scan"], report["device"], report["summary"]
    keys = (
        "text.device",
        "text.android",
        "text.patch",
        "text.verdict",
        "text.score",
        "text.policy",
    )
    label = max(10, 2 + max(len(tx.t(k)) for k in (*keys, "text.scan")))
    out.add(
        tx.t(
            "text.header",
            version=scan["msgscan_version"],
            id=scan["id"],
            started=tx.moment(scan["started"]),
        )
    )
    if isinstance(device["model"], dict):  # the whole identity was withheld
        name = v.fact(device["model"])
    else:
        name = " ".join(v for v in (device["manufacturer"], device["model"]) if v)
    hang = " " * label

    def row(key: str, value: str) -> None:
        out.add(f"{tx.t(key):<{label}}{value}", hanging=hang)

    row("text.device", f"{device['serial']}" + (f": {name}" if name else ""))
    release, sdk = device["android_release"], device["sdk"]
    android = v.fact(release)
    if isinstance(sdk, int):
        android += f" (SDK {sdk})"
    row("text.android", android)
    row("text.patch", v.fact(tx.day(device["security_patch"])))
    row("text.verdict", verdict_text(tx, summary))
    score = (
        tx.t("score.none")
        if summary["score"] is None
        else tx.t("score.value", score=summary["score"])
    )
    row("text.score", score)
    row("text.policy", tx.policy_name(scan["policy"]["name"]))
    if not scan["complete"]:
        row("text.scan", tx.t("text.stopped"))
    for problem in scan["problems"]:
        out.add(f"{'':<{label}}- {problem}", hanging=hang + "  ")


_KINDS = {
    "secondary": "profile.secondary",
    "managed_profile": "profile.managed_profile",
    "other_profile": "profile.other_profile",
    "guest": "profile.guest",
    "restricted": "profile.restricted",
}


def installed_per_user(v: _View) -> dict[int, list[str]]:
    """User id -> "WhatsApp Business 2.26.41.74" labels of the messengers installed there."""
    per_user: dict[int, list[str]] = {uid: [] for uid in v.profiles}
    for m in v.report["messengers"]:
        label = m["variant"] + (f" {m['version_name']}" if m["version_name"] else "")
        if m["build"] == "mod":
            label += " " + v.tx.t("text.mod")
        for install in m["installs"]:
            if install["installed"]:
                per_user.setdefault(install["user_id"], []).append(label)
    return per_user


def _messengers(v: _View) -> None:
    tx, out = v.tx, v.out
    out.section(tx.t("text.messengers"))
    messengers, profiles = v.report["messengers"], v.report["profiles"]
    if isinstance(messengers, dict):
        out.add(tx.t("text.unknown_list", reason=messengers[UNSEEN]), _INDENT, _INDENT * 2)
        return
    per_user = installed_per_user(v)
    if isinstance(profiles, dict):
        out.add(tx.t("text.profiles_unknown", reason=profiles[UNSEEN]), _INDENT, _INDENT * 2)
    for uid in sorted(per_user):
        apps = ", ".join(per_user[uid]) or tx.t("value.none")
        out.add(f"{v.profile_label(uid)}: {apps}", _INDENT, _INDENT * 2)


def about(v: _View, f: dict[str, Any]) -> str:
    """What a finding is about: "WhatsApp Business, work profile (user 10)" or "this phone"."""
    parts = []
    if f["messenger"] or f["package"]:
        parts.append(f["messenger"] or f["package"])
    if f["profile"] is not None:
        label = v.profile_label(f["profile"])
        # English lowercases "Work profile" mid-sentence; German nouns keep their capital.
        parts.append(label[:1].lower() + label[1:] if v.tx.lang is Lang.EN else label)
    return ", ".join(parts) if parts else v.tx.t("findings.this_phone")


def ordered(findings: Iterable[dict[str, Any]], *statuses: str) -> list[dict[str, Any]]:
    chosen = [f for f in findings if f["status"] in statuses]
    return sorted(
        chosen,
        key=lambda f: (
            statuses.index(f["status"]),
            -Severity(f["severity"]).rank,
            f["check_id"],
            f["package"] or "",
            -1 if f["profile"] is None else f["profile"],
        ),
    )


def in_section(findings: Iterable[dict[str, Any]], section: str) -> list[dict[str, Any]]:
    """The findings listed under ``section`` (``checks.evaluate.section_of``), severe first."""
    chosen = [
        f for f in findings if section_of(f["status"], f.get("waived") is not None) == section
    ]
    return ordered(chosen, chosen[0]["status"]) if chosen else []


def _item(v: _View, f: dict[str, Any], first: str) -> None:
    body = _INDENT * 2
    title = v.checks[f["check_id"]].title
    v.out.add(f"{first} {f['check_id']}  {title} [{about(v, f)}]", _INDENT, body)
    if f["evidence"]:
        v.out.add(v.tx.evidence(f["evidence"][0]), body, body + "  ")
    if f.get("legal"):
        v.out.add(_text_audit.legal_line(v.tx.lang, f), body, body + "  ")


def _step(v: _View, f: dict[str, Any], key: str) -> None:
    """The first remediation step, after "Fix:" or "To do:", hanging under its text."""
    steps = relevant_steps(v.checks[f["check_id"]].remediation, [f])
    if steps:
        word = v.tx.t(key)
        body = _INDENT * 2
        v.out.add(f"{word} {steps[0]}", body, body + " " * (len(word) + 1))


def _findings(v: _View) -> None:
    tx, out, findings = v.tx, v.out, v.report["findings"]
    body = _INDENT * 2

    def sev(f: dict[str, Any]) -> str:
        return f"{tx.t('severity.' + f['severity']).upper():<8}"

    failed = in_section(findings, "failed")
    if failed:
        out.section(tx.t("text.failed", count=len(failed)))
    for f in failed:
        _item(v, f, sev(f))
        _step(v, f, "text.fix")
    waived = in_section(findings, "waived")
    if waived:
        out.section(tx.t("text.waived_heading", count=len(waived)))
    for f in waived:
        _item(v, f, sev(f))
        w = f["waived"]
        until = tx.day(w["until"])
        out.add(tx.t("text.waived", until=until, reason=w["reason"]), body, body + "  ")
    manual = ordered(findings, "manual")
    if manual:
        out.section(tx.t("text.manual", count=len(manual)))
    for f in manual:
        _item(v, f, sev(f))
        if f["attested"] is not None:
            a = f["attested"]
            note = f": {attested_note(tx, f)}" if a["note"] else ""
            out.add(attested_text(tx, a) + note, body, body + "  ")
        else:
            _step(v, f, "text.todo")
    unchecked = ordered(findings, "unknown", "error")
    if unchecked:
        out.section(tx.t("text.unchecked", count=len(unchecked)))
    for f in unchecked:
        _item(v, f, f"{tx.t('status.' + f['status']).upper():<8}")
    informational = in_section(findings, "informational")
    if informational:
        out.section(tx.t("text.informational", count=len(informational)))
    for f in informational:
        _item(v, f, sev(f))
    passed = sum(1 for f in findings if f["status"] == "pass")
    na = sum(1 for f in findings if f["status"] == "not_applicable")
    out.section(tx.t("findings.all_fine", passed=passed, na=na))


__all__ = ["WIDTH", "TextRenderer", "about", "clean", "in_section", "installed_per_user", "ordered"]

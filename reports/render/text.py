"""The plain-text summary a person at a desk reads after a scan.

Worst news first: the header with the verdict, the messengers per profile, then what failed, what a
person must attest, what could not be checked, and one line for everything that is fine. It is
rendered from the JSON report (``reports.report.build_report``), so it shows the same pseudonym
and the same "unseen" facts.

Strings from the phone (model, version names, folder paths) can hold anything: every line is
cleaned of terminal escape sequences and control characters before it is wrapped to 100 columns.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from typing import Any

from checks.findings import Severity
from reports.report import UNSEEN, build_report
from reports.result import ScanResult

WIDTH = 100
_INDENT = " " * 4

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI as one C1 character
)
_BLANKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def clean(text: str) -> str:
    """``text`` as one printable line: escape sequences and control characters removed."""
    return _CONTROLS.sub("", _BLANKS.sub(" ", _ESCAPES.sub("", text)))


class TextRenderer:
    """The readable terminal summary; plain text (no colours), at most 100 columns."""

    media_type = "text/plain; charset=utf-8"

    def render(self, result: ScanResult) -> bytes:
        report = build_report(result)
        out = _Lines()
        _header(out, report)
        _messengers(out, report)
        _findings(out, report["findings"], _labels(report["profiles"]))
        return ("\n".join(out.lines) + "\n").encode("utf-8")


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


def _fact(value: Any, none: str = "not reported") -> str:
    if isinstance(value, dict) and UNSEEN in value:
        return f"unknown ({value[UNSEEN]})"
    return none if value is None else str(value)


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


_VERDICTS = {
    "compliant": "COMPLIANT: nothing failed",
    "non_compliant": "NOT COMPLIANT",
    "incomplete": "INCOMPLETE: nothing failed, but not everything could be checked",
}


def _header(out: _Lines, report: dict[str, Any]) -> None:
    scan, device, summary = report["scan"], report["device"], report["summary"]
    label = 10
    out.add(f"msgscan {scan['msgscan_version']}, scan {scan['id']}, {scan['started']}")
    if isinstance(device["model"], dict):  # the whole identity was withheld
        name = _fact(device["model"])
    else:
        name = " ".join(v for v in (device["manufacturer"], device["model"]) if v)
    hang = " " * label
    out.add(f"{'Device':<{label}}{device['serial']}" + (f": {name}" if name else ""), hanging=hang)
    release, sdk = device["android_release"], device["sdk"]
    android = _fact(release)
    if isinstance(sdk, int):
        android += f" (SDK {sdk})"
    out.add(f"{'Android':<{label}}{android}", hanging=hang)
    out.add(f"{'Patch':<{label}}{_fact(device['security_patch'])}", hanging=hang)
    verdict = _VERDICTS[summary["verdict"]]
    if summary["verdict"] == "non_compliant":
        verdict += f": {_plural(summary['failed'], 'check')} failed"
    if summary["waived"]:
        verdict += f" ({_plural(summary['waived'], 'failure')} waived)"
    out.add(f"{'Verdict':<{label}}{verdict}", hanging=hang)
    score = "n/a (nothing was scored)" if summary["score"] is None else f"{summary['score']} / 100"
    out.add(f"{'Score':<{label}}{score}", hanging=hang)
    out.add(f"{'Policy':<{label}}{scan['policy']['name']}", hanging=hang)
    if not scan["complete"]:
        out.add(f"{'Scan':<{label}}stopped early: the phone was not fully read", hanging=hang)
    for problem in scan["problems"]:
        out.add(f"{'':<{label}}- {problem}", hanging=hang + "  ")


_KINDS = {
    "secondary": "Secondary user",
    "managed_profile": "Work profile",
    "other_profile": "Clone or private profile",
    "guest": "Guest user",
    "restricted": "Restricted profile",
}


def _profile_label(user_id: int, profile: dict[str, Any] | None) -> str:
    if profile is None:
        return f"User {user_id}"
    if profile["kind"] == "system" or user_id == 0:
        kind = "Managed phone" if profile["device_owner"] is True else "Personal"
    else:
        kind = _KINDS.get(profile["kind"], "User")
    return f"{kind} (user {user_id})"


def _labels(profiles: Any) -> dict[int, str]:
    if isinstance(profiles, dict):  # unseen
        return {}
    return {p["user_id"]: _profile_label(p["user_id"], p) for p in profiles}


def _messengers(out: _Lines, report: dict[str, Any]) -> None:
    out.section("Messengers")
    messengers, profiles = report["messengers"], report["profiles"]
    if isinstance(messengers, dict):
        out.add(f"unknown: {messengers[UNSEEN]}", _INDENT, _INDENT * 2)
        return
    known = {} if isinstance(profiles, dict) else {p["user_id"]: p for p in profiles}
    per_user: dict[int, list[str]] = {uid: [] for uid in known}
    for m in messengers:
        label = m["variant"] + (f" {m['version_name']}" if m["version_name"] else "")
        if m["build"] == "mod":
            label += " (unofficial mod)"
        for install in m["installs"]:
            if install["installed"]:
                per_user.setdefault(install["user_id"], []).append(label)
    if isinstance(profiles, dict):
        out.add(f"profiles unknown: {profiles[UNSEEN]}", _INDENT, _INDENT * 2)
    for uid in sorted(per_user):
        apps = ", ".join(per_user[uid]) or "none"
        out.add(f"{_profile_label(uid, known.get(uid))}: {apps}", _INDENT, _INDENT * 2)


def _about(f: dict[str, Any], labels: dict[int, str]) -> str:
    """What a finding is about: "WhatsApp Business, work profile (user 10)" or "this phone"."""
    parts = []
    if f["messenger"] or f["package"]:
        parts.append(f["messenger"] or f["package"])
    if f["profile"] is not None:
        label = labels.get(f["profile"], f"user {f['profile']}")
        parts.append(label[:1].lower() + label[1:])
    return ", ".join(parts) if parts else "this phone"


def _ordered(findings: Iterable[dict[str, Any]], *statuses: str) -> list[dict[str, Any]]:
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


def _item(out: _Lines, f: dict[str, Any], first: str, labels: dict[int, str]) -> None:
    body = _INDENT * 2
    out.add(f"{first} {f['check_id']}  {f['title']} [{_about(f, labels)}]", _INDENT, body)
    if f["evidence"]:
        out.add(f["evidence"][0]["text"], body, body + "  ")


def _findings(out: _Lines, findings: list[dict[str, Any]], labels: dict[int, str]) -> None:
    body = _INDENT * 2
    failed = _ordered((f for f in findings if f["waived"] is None), "fail")
    waived = _ordered((f for f in findings if f["waived"] is not None), "fail")
    if failed or waived:
        out.section(f"FAILED ({len(failed)})" + (f", and {len(waived)} waived" if waived else ""))
    for f in failed + waived:
        _item(out, f, f"{f['severity'].upper():<8}", labels)
        if f["waived"] is not None:
            w = f["waived"]
            out.add(f"waived until {w['until']}: {w['reason']}", body, body + "  ")
        elif f["remediation"]:
            out.add(f"Fix: {f['remediation'][0]}", body, body + "     ")
    manual = _ordered(findings, "manual")
    if manual:
        out.section(f"MANUAL: a person must attest these ({len(manual)})")
    for f in manual:
        _item(out, f, f"{f['severity'].upper():<8}", labels)
        if f["attested"] is not None:
            a = f["attested"]
            note = f": {a['note']}" if a["note"] else ""
            out.add(f"attested by {a['by']} on {a['on']}{note}", body, body + "  ")
        elif f["remediation"]:
            out.add(f"To do: {f['remediation'][0]}", body, body + "       ")
    unchecked = _ordered(findings, "unknown", "error")
    if unchecked:
        out.section(f"NOT CHECKED: unknown or error ({len(unchecked)})")
    for f in unchecked:
        _item(out, f, f"{f['status'].upper():<8}", labels)
    passed = sum(1 for f in findings if f["status"] == "pass")
    na = sum(1 for f in findings if f["status"] == "not_applicable")
    out.section(f"{passed} passed, {na} not applicable.")


__all__ = ["WIDTH", "TextRenderer", "clean"]

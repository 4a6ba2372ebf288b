"""The summary for a person at a terminal: rich tables and colours, same content as the text.

Used when standard output is a terminal; files, pipes and ``-o`` get the plain text
(``reports.render.text``). ``color=False`` (``NO_COLOR``, ``TERM=dumb``) keeps the tables and drops
every colour and style code. Every string from the phone is cleaned of escape sequences and
control characters and handed to rich as ``Text``, never as markup, so ``[bold]`` in a model name
stays literal.
"""

from __future__ import annotations

import io
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from checks.result import ScanResult
from reports.i18n import Lang, Texts
from reports.localized import attested_text, relevant_steps, verdict_text
from reports.render.text import _View, about, clean, in_section, installed_per_user, ordered
from reports.report import build_report

_VERDICT_STYLE = {
    "compliant": "bold green",
    "non_compliant": "bold red",
    "incomplete": "bold yellow",
}
_STATUS_STYLE = {
    "fail": "red",
    "manual": "blue",
    "unknown": "yellow",
    "error": "yellow",
    "informational": "cyan",
}
_SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def _t(value: object, style: str = "") -> Text:
    return Text(clean(str(value)), style=style)


class TerminalRenderer:
    """Tables and colours for a terminal ``width`` columns wide."""

    media_type = "text/plain; charset=utf-8"

    def __init__(self, lang: Lang = Lang.EN, *, width: int = 100, color: bool = True) -> None:
        self.lang, self.width, self.color = lang, width, color

    def render(self, result: ScanResult) -> bytes:
        return self.render_report(build_report(result))

    def render_report(self, report: dict[str, Any]) -> bytes:
        buffer = io.StringIO()
        console = Console(
            file=buffer, width=self.width, force_terminal=self.color, no_color=not self.color,
            color_system="standard" if self.color else None, highlight=False, emoji=False,
            legacy_windows=False,
        )
        v = _View(Texts(self.lang), report)
        for part in (_header(v), _messengers(v), *_findings(v)):
            console.print(part)
        # the verdict again last: after a long list it is what stays on screen
        summary = report["summary"]
        console.print(Text.assemble(_t(v.tx.t("text.verdict") + " "),
                                    _t(verdict_text(v.tx, summary),
                                       _VERDICT_STYLE.get(summary["verdict"], ""))))
        text = buffer.getvalue()
        if not self.color:  # rich pads table cells to the width; plain lines end at their text
            text = "\n".join(line.rstrip() for line in text.split("\n"))
        return text.encode("utf-8")


def _header(v: _View) -> RenderableType:
    tx, report = v.tx, v.report
    scan, device, summary = report["scan"], report["device"], report["summary"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    name = v.fact(device["model"]) if isinstance(device["model"], dict) else " ".join(
        str(x) for x in (device["manufacturer"], device["model"]) if x
    )
    android = v.fact(device["android_release"])
    if isinstance(device["sdk"], int):
        android += f" (SDK {device['sdk']})"
    score = (
        tx.t("score.none")
        if summary["score"] is None
        else tx.t("score.value", score=summary["score"])
    )
    grid.add_row(_t(tx.t("text.device")), _t(f"{device['serial']}" + (f": {name}" if name else "")))
    grid.add_row(_t(tx.t("text.android")), _t(android))
    grid.add_row(_t(tx.t("text.patch")), _t(v.fact(tx.day(device["security_patch"]))))
    grid.add_row(_t(tx.t("text.verdict")),
                 _t(verdict_text(tx, summary), _VERDICT_STYLE.get(summary["verdict"], "")))
    grid.add_row(_t(tx.t("text.score")), _t(score))
    grid.add_row(_t(tx.t("text.policy")), _t(tx.policy_name(scan["policy"]["name"])))
    if not scan["complete"]:
        grid.add_row(_t(tx.t("text.scan")), _t(tx.t("text.stopped"), "yellow"))
    for problem in scan["problems"]:
        grid.add_row(Text(""), _t(f"- {problem}"))
    title = _t(
        tx.t(
            "text.header",
            version=scan["msgscan_version"],
            id=scan["id"],
            started=tx.moment(scan["started"]),
        ),
        "dim",
    )
    return Group(title, grid)


def _messengers(v: _View) -> RenderableType:
    tx, report = v.tx, v.report
    table = Table(title=tx.t("text.messengers"), title_justify="left", box=box.SIMPLE_HEAD,
                  title_style="bold", expand=False)
    table.add_column(tx.t("col.profile"))
    table.add_column(tx.t("col.messenger"))
    messengers = report["messengers"]
    if isinstance(messengers, dict):
        table.add_row(_t(tx.t("text.unknown_list", reason=messengers["unseen"])), Text(""))
        return table
    for uid, apps in sorted(installed_per_user(v).items()):
        table.add_row(_t(v.profile_label(uid)), _t(", ".join(apps) or tx.t("value.none")))
    return table


def _section(title: str, style: str) -> Table:
    table = Table(title=title, title_justify="left", title_style=style, box=box.SIMPLE_HEAD,
                  show_header=False, expand=True, pad_edge=False)
    table.add_column(width=9, no_wrap=True)
    table.add_column(width=7, no_wrap=True)
    table.add_column(ratio=1)
    return table


def _row(v: _View, table: Table, f: dict[str, Any], first: Text, follow: str | None) -> None:
    body = Text()
    body.append(clean(v.checks[f["check_id"]].title), style="bold")
    body.append(f"  [{clean(about(v, f))}]", style="dim")
    if f["evidence"]:
        body.append("\n" + clean(v.tx.evidence(f["evidence"][0])))
    if follow:
        body.append("\n" + clean(follow), style="italic")
    table.add_row(first, _t(f["check_id"]), body)


def _first_step(v: _View, f: dict[str, Any], key: str) -> str | None:
    steps = relevant_steps(v.checks[f["check_id"]].remediation, [f])
    return f"{v.tx.t(key)} {steps[0]}" if steps else None


def _findings(v: _View) -> list[RenderableType]:
    tx, findings = v.tx, v.report["findings"]
    parts: list[RenderableType] = []

    def sev(f: dict[str, Any]) -> Text:
        return _t(tx.t("severity." + f["severity"]).upper(), _SEVERITY_STYLE.get(f["severity"], ""))

    failed = in_section(findings, "failed")
    if failed:
        table = _section(tx.t("text.failed", count=len(failed)), "bold red")
        for f in failed:
            _row(v, table, f, sev(f), _first_step(v, f, "text.fix"))
        parts.append(table)
    waived = in_section(findings, "waived")
    if waived:
        table = _section(tx.t("text.waived_heading", count=len(waived)), "bold")
        for f in waived:
            w = f["waived"]
            until = tx.day(w["until"])
            _row(v, table, f, sev(f), tx.t("text.waived", until=until, reason=w["reason"]))
        parts.append(table)
    manual = ordered(findings, "manual")
    if manual:
        table = _section(tx.t("text.manual", count=len(manual)), "bold blue")
        for f in manual:
            a = f["attested"]
            follow = (attested_text(tx, a) if a
                      else _first_step(v, f, "text.todo"))
            _row(v, table, f, sev(f), follow)
        parts.append(table)
    unchecked = ordered(findings, "unknown", "error")
    if unchecked:
        table = _section(tx.t("text.unchecked", count=len(unchecked)), "bold yellow")
        for f in unchecked:
            status = _t(tx.t("status." + f["status"]).upper(), _STATUS_STYLE[f["status"]])
            _row(v, table, f, status, None)
        parts.append(table)
    informational = in_section(findings, "informational")
    if informational:
        table = _section(tx.t("text.informational", count=len(informational)), "bold cyan")
        for f in informational:
            _row(v, table, f, sev(f), None)
        parts.append(table)
    passed = sum(1 for f in findings if f["status"] == "pass")
    na = sum(1 for f in findings if f["status"] == "not_applicable")
    parts.append(_t(tx.t("findings.all_fine", passed=passed, na=na), "green"))
    return parts


__all__ = ["TerminalRenderer"]

"""Where a command's output goes, and in which format: ``-o FILE`` (repeatable; the format from
the extension), ``-o FORMAT:FILE``, or standard output. Shared by ``scan`` and ``report``.

A saved JSON report renders into every format a scan writes (``msgscan report REPORT.json
--format csv``); the agent's fleet summary renders as HTML only.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.errors import UsageError
from reports.i18n import Lang

FORMATS = ("text", "json", "html", "ocsf", "ecs", "cef", "csv")
FORMAT_HELP = (
    "text: a summary for people (tables and colours on a terminal); html: one self-contained "
    "page to read, print and sign; json: the versioned report; ocsf: OCSF 1.5.0 Compliance "
    "Finding NDJSON, one event per finding; ecs: Elastic Common Schema NDJSON; cef: ArcSight CEF "
    "lines; csv: one row per finding, for spreadsheets"
)
OUTPUT_HELP = (
    "write to FILE (atomically) instead of standard output; repeat it for several outputs at "
    "once (-o report.json -o report.html). The format comes from the extension (.txt, .json, "
    ".html, .ocsf.ndjson, .ecs.ndjson, .cef, .csv), else from --format; FORMAT:FILE names it "
    "(-o csv:findings.txt)"
)
_SUFFIXES = (  # longest first: report.ocsf.json is OCSF, report.json the report
    (".ocsf.ndjson", "ocsf"), (".ocsf.json", "ocsf"), (".ecs.ndjson", "ecs"), (".ecs.json", "ecs"),
    (".ocsf", "ocsf"), (".ecs", "ecs"), (".cef", "cef"), (".csv", "csv"), (".json", "json"),
    (".html", "html"), (".htm", "html"), (".txt", "text"), (".text", "text"),
)


@dataclass(frozen=True, slots=True)
class Output:
    format: str
    path: Path | None
    """None: standard output."""


def format_of(path: Path) -> str | None:
    name = path.name.lower()
    return next((fmt for suffix, fmt in _SUFFIXES if name.endswith(suffix)), None)


def plan(values: Sequence[str] | None, fmt: str | None, default: str) -> list[Output]:
    """The outputs ``-o`` values and ``--format`` ask for (standard output when none)."""
    if not values:
        return [Output(fmt or default, None)]
    outputs = []
    for value in values:
        named, sep, rest = value.partition(":")
        if sep and named in FORMATS and rest:
            outputs.append(Output(named, Path(rest)))
            continue
        path = Path(value)
        if len(values) == 1 and fmt is not None:  # `--format json -o FILE`: as asked
            outputs.append(Output(fmt, path))
            continue
        found = format_of(path) or fmt or (default if len(values) == 1 else None)
        if found is None:
            raise UsageError(f"-o {value}: cannot tell the format from the file name",
                             hint=f"name it FORMAT:{value} (one of {', '.join(FORMATS)}), or use "
                                  "an extension such as .json, .html, .csv")
        outputs.append(Output(found, path))
    paths = [o.path for o in outputs]
    if len(set(paths)) != len(paths):
        raise UsageError("the same file is named twice with -o", hint="give each output its own file")
    return outputs


def renderer(fmt: str, lang: Lang, *, terminal: bool = False, key: Any = None) -> Any:
    """The renderer of ``fmt``: it has ``render(result)`` and ``render_report(report)``; JSON and
    HTML are signed with ``key`` (a ``reports.signing.SigningKey``) when given."""
    from reports.render.cef import CefRenderer
    from reports.render.csv import CsvRenderer
    from reports.render.ecs import EcsRenderer
    from reports.render.html import HtmlRenderer
    from reports.render.json import JsonRenderer
    from reports.render.ocsf import OcsfRenderer
    from scanner.app.show import text_renderer

    match fmt:
        case "text":
            return text_renderer(lang, terminal)
        case "json":
            return JsonRenderer(lang, key)
        case "html":
            return HtmlRenderer(lang, key)
        case "ocsf":
            return OcsfRenderer()
        case "ecs":
            return EcsRenderer(observer=socket.gethostname())
        case "cef":
            return CefRenderer(host=socket.gethostname())
        case "csv":
            return CsvRenderer(lang)
    raise UsageError(f"unknown format {fmt!r}", hint=f"one of {', '.join(FORMATS)}")


def emit(outputs: Sequence[Output], lang: Lang, render: Any, *, key: Any = None) -> None:
    """Each output rendered by ``render(renderer)`` and written: files atomically, then stdout."""
    from scanner.files import write_atomic

    for out in outputs:
        terminal = out.path is None and sys.stdout.isatty()
        data: bytes = render(renderer(out.format, lang, terminal=terminal, key=key))
        if out.path is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_atomic(out.path, data)


def render_saved(data: dict[str, Any], outputs: Sequence[Output], lang: Lang, *,
                 key: Any = None) -> None:
    """A loaded report (or fleet summary) into each output."""
    from reports.render.fleet_html import is_fleet_summary, render_fleet

    if is_fleet_summary(data):
        wrong = [o.format for o in outputs if o.format != "html"]
        if wrong:
            raise UsageError(f"a fleet summary renders as HTML only, not {wrong[0]}",
                             hint="pass --format html (or -o fleet.html); per-phone reports "
                                  "render in every format")
        emit(outputs, lang, lambda _: render_fleet(data, lang, key))
        return
    emit(outputs, lang, lambda r: r.render_report(data), key=key)


__all__ = ["FORMATS", "FORMAT_HELP", "OUTPUT_HELP", "Output", "emit", "format_of", "plan",
           "render_saved", "renderer"]

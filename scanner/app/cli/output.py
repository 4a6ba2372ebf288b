"""Where a command's output goes, and in which format: ``-o FILE`` (repeatable; the format from
the extension), ``-o FORMAT:FILE``, or standard output. Shared by ``scan`` and ``report``.

A saved JSON report renders into every format a scan writes (``msgscan report REPORT.json
--format csv``); the agent's fleet summary renders as HTML only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, assert_never, cast

from checks.enums import FastEnum
from checks.errors import UsageError

if TYPE_CHECKING:  # each renderer is imported when its format is chosen, not at start-up
    from pathlib import Path

    from reports.i18n import Lang
    from reports.render._html import Templates
    from reports.signing import SigningKey
    from scanner.app.show import SavedReportRenderer


class OutputFormat(FastEnum):
    """The formats ``--format`` and ``-o`` choose; ``renderer()`` is the one place that picks an
    implementation for each (exhaustive: a new member without a renderer fails mypy)."""

    TEXT = "text"
    JSON = "json"
    HTML = "html"
    OCSF = "ocsf"
    ECS = "ecs"
    CEF = "cef"
    CSV = "csv"

    def renderer(
        self,
        lang: Lang | None = None,
        key: SigningKey | None = None,
        *,
        terminal: bool = False,
        templates: Templates | None = None,
    ) -> SavedReportRenderer:
        """The renderer of this format in ``lang`` (English by default); JSON and HTML are
        signed with ``key`` when given; text has tables and colours when ``terminal``."""
        from reports.i18n import Lang

        lang = lang or Lang.EN
        match self:
            case OutputFormat.TEXT:
                from scanner.app.show import text_renderer

                return text_renderer(lang, terminal)
            case OutputFormat.JSON:
                from reports.render.json import JsonRenderer

                return JsonRenderer(lang, key)
            case OutputFormat.HTML:
                from reports.render.html import HtmlRenderer

                return HtmlRenderer(lang, key, templates)
            case OutputFormat.OCSF:
                from reports.render.ocsf import OcsfRenderer

                return OcsfRenderer()
            case OutputFormat.ECS:
                import socket  # the host names the SIEM formats carry only (start-up)

                from reports.render.ecs import EcsRenderer

                return EcsRenderer(observer=socket.gethostname())
            case OutputFormat.CEF:
                import socket

                from reports.render.cef import CefRenderer

                return CefRenderer(host=socket.gethostname())
            case OutputFormat.CSV:
                from reports.render.csv import CsvRenderer

                return CsvRenderer(lang)
            case _:
                assert_never(self)


FORMATS = tuple(f.value for f in OutputFormat)
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
    (".ocsf.ndjson", "ocsf"),
    (".ocsf.json", "ocsf"),
    (".ecs.ndjson", "ecs"),
    (".ecs.json", "ecs"),
    (".ocsf", "ocsf"),
    (".ecs", "ecs"),
    (".cef", "cef"),
    (".csv", "csv"),
    (".json", "json"),
    (".html", "html"),
    (".htm", "html"),
    (".txt", "text"),
    (".text", "text"),
)


class Output:  # a plain class: the parser imports this module for --help (no NamedTuple)
    __slots__ = ("format", "path")

    def __init__(self, format: str, path: Path | None) -> None:
        self.format = format
        self.path = path
        """None: standard output."""


def format_of(path: Path) -> str | None:
    name = path.name.lower()
    return next((fmt for suffix, fmt in _SUFFIXES if name.endswith(suffix)), None)


def plan(values: Sequence[str] | None, fmt: str | None, default: str) -> list[Output]:
    """The outputs ``-o`` values and ``--format`` ask for (standard output when none)."""
    if not values:
        return [Output(fmt or default, None)]
    from pathlib import Path  # only for -o: the parser imports this module for --help

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
            raise UsageError(
                f"-o {value}: cannot tell the format from the file name",
                hint=f"name it FORMAT:{value} (one of {', '.join(FORMATS)}), or use "
                "an extension such as .json, .html, .csv",
            )
        outputs.append(Output(found, path))
    paths = [o.path for o in outputs]
    if len(set(paths)) != len(paths):
        raise UsageError(
            "the same file is named twice with -o", hint="give each output its own file"
        )
    return outputs


def renderer(
    fmt: str,
    lang: Lang,
    *,
    terminal: bool = False,
    key: SigningKey | None = None,
    templates: Templates | None = None,
) -> SavedReportRenderer:
    """The renderer of ``fmt``: it has ``render(result)`` and ``render_report(report)``; JSON and
    HTML are signed with ``key`` (a ``reports.signing.SigningKey``) when given."""
    try:
        chosen = OutputFormat(fmt)
    except ValueError:
        raise UsageError(f"unknown format {fmt!r}", hint=f"one of {', '.join(FORMATS)}") from None
    return chosen.renderer(lang, key, terminal=terminal, templates=templates)


Render = Callable[["SavedReportRenderer"], bytes]


def emit(
    outputs: Sequence[Output],
    lang: Lang,
    render: Render,
    *,
    key: SigningKey | None = None,
    templates: Templates | None = None,
) -> None:
    """Each output rendered by ``render(renderer)`` and written: files atomically, then stdout."""
    from scanner.files import write_atomic

    for out in outputs:
        terminal = out.path is None and sys.stdout.isatty()
        chosen = renderer(out.format, lang, terminal=terminal, key=key, templates=templates)
        data: bytes = render(chosen)
        if out.path is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_atomic(out.path, data)


def render_saved(
    data: dict[str, Any],
    outputs: Sequence[Output],
    lang: Lang,
    *,
    key: SigningKey | None = None,
    templates: Templates | None = None,
    lineage: int | None = None,
) -> None:
    """A loaded report (or fleet summary) into each output; SIEM events under ``lineage`` (the
    agent's state's for the scan; None: unknown, which each event says)."""
    from reports.render.fleet_html import is_fleet_summary, render_fleet

    if is_fleet_summary(data):
        wrong = [o.format for o in outputs if o.format != "html"]
        if wrong:
            raise UsageError(
                f"a fleet summary renders as HTML only, not {wrong[0]}",
                hint="pass --format html (or -o fleet.html); per-phone reports "
                "render in every format",
            )
        emit(outputs, lang, lambda _: render_fleet(data, lang, key, templates))
        return
    def again(r: SavedReportRenderer) -> bytes:
        if getattr(r, "takes_lineage", False):  # the SIEM formats (reports.render.ocsf)
            return bytes(cast(Any, r).render_report(data, lineage))
        return r.render_report(data)

    emit(outputs, lang, again, key=key, templates=templates)


def templates_from(folder: Path | None) -> Templates | None:
    """``--templates DIR`` loaded and compiled now (None: the shipped ones, loaded when HTML is
    rendered), so a missing folder or a broken template stops before the phone is touched."""
    if folder is None:
        return None
    from reports.render._html import load_templates  # Jinja2: only when an HTML folder is given

    return load_templates(folder)


TEMPLATES_HELP = (
    "HTML templates of your organisation: a folder whose files replace msgscan's by name "
    "(brand.html: the logo or name in the masthead; theme.css: the colours; masthead.html, "
    "report/*.html, fleet.html: wording and sections); every file it lacks comes from msgscan. "
    "A missing folder or a broken template is an error (exit 2) naming it"
)


def print_json(data: object) -> None:
    """``data`` as indented JSON on standard output, control characters removed."""
    import json

    from reports.render.controls import clean_tree

    sys.stdout.write(json.dumps(clean_tree(data), indent=2, ensure_ascii=False) + "\n")


__all__ = [
    "FORMATS",
    "FORMAT_HELP",
    "OUTPUT_HELP",
    "TEMPLATES_HELP",
    "templates_from",
    "Output",
    "OutputFormat",
    "emit",
    "format_of",
    "plan",
    "print_json",
    "render_saved",
    "renderer",
]

"""What the HTML pages share: the templates, escaping, and the page frame.

The pages are Jinja2 templates in ``reports/templates/`` (shipped as package data). An
organisation replaces any of them by name with ``--templates DIR``: a file in DIR wins, every
other name falls back to the shipped one (``ChoiceLoader(FileSystemLoader(DIR), PackageLoader)``).
The small ones exist to be replaced: ``brand.html`` (logo or name in the masthead),
``theme.css`` (colours), ``masthead.html`` and ``report/footer.html`` (wording).

Every value a template prints goes through ``esc`` (the environment's ``finalize``, with
autoescaping on as well): terminal escape sequences and control characters are dropped
(``reports.render.text.clean``), then ``& < > " '`` are escaped. A phone supplies model names,
version names, installer names and folder paths, and any of them may hold markup or template
syntax; they are only ever *values* given to a template, never part of one (no
``from_string``), so ``{{ 7*7 }}`` from a phone is shown as written. Templates run in Jinja's
sandbox. The Content-Security-Policy (``base.html``) forbids scripts and every request, so a page
works offline and can fetch nothing even if something slipped through.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from checks.errors import UsageError
from reports.i18n import Lang
from reports.render.text import clean

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)

_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

SUFFIXES = (".html", ".css")
"""The files of a template folder that are templates; others (a README) are ignored."""


def esc(value: object) -> Markup:
    """``value`` as text safe inside an HTML element or a quoted attribute."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(clean(str(value)), quote=True))


class Templates:
    """The page templates: the shipped ones, or a folder of overrides in front of them."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        shipped = jinja2.PackageLoader("reports", "templates")
        loader: jinja2.BaseLoader = shipped
        if folder is not None:
            loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(folder), shipped])
        self.env = SandboxedEnvironment(
            loader=loader,
            autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
            finalize=esc,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals["CSP"] = Markup(CSP)

    def page(self, name: str, lang: Lang, **context: Any) -> bytes:
        """The document ``name`` renders (UTF-8), ending in exactly one newline."""
        try:
            text = self.env.get_template(name).render(lang=lang.value, **context)
        except jinja2.TemplateError as e:
            raise self._error(e, name) from None
        if _CSP_META not in text.partition("</head>")[0]:
            raise UsageError(
                f"--templates {self.folder}: the page {name} lost msgscan's "
                "Content-Security-Policy",
                hint=f"keep the line {_CSP_META} in base.html's <head>: it keeps the page from "
                "loading anything from elsewhere",
            )
        return (text.rstrip("\n") + "\n").encode()

    def check(self) -> None:
        """Compile every template of the override folder (a syntax error names its file)."""
        for name in self._own():
            try:
                self.env.get_template(name)
            except jinja2.TemplateError as e:
                raise self._error(e, name) from None

    def _own(self) -> Iterator[str]:
        if self.folder is None:
            return
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                yield path.relative_to(self.folder).as_posix()

    def _error(self, e: jinja2.TemplateError, name: str) -> UsageError:
        path, line = _origin(e)
        where: object = name if path is None else path
        if path is not None and self.folder is not None and path.is_relative_to(self.folder):
            where = path.relative_to(self.folder).as_posix()
        at = f"{where}, line {line}" if line else str(where)
        return UsageError(
            f"--templates {self.folder}: the template {at} cannot be used: {e.message or e}",
            hint="fix or remove that file; every template you do not replace comes from msgscan "
            "(see reports/templates/ in the package)",
        )


def _origin(e: jinja2.TemplateError) -> tuple[Path | None, int | None]:
    """The template file and line an error comes from: a syntax error says so; for an error
    while rendering, the innermost template frame of the traceback (Jinja gives its frames the
    template's file name and line)."""
    if isinstance(e, jinja2.TemplateSyntaxError) and e.filename:
        return Path(e.filename), e.lineno
    found: tuple[Path | None, int | None] = (None, None)
    tb = e.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(SUFFIXES):
            found = Path(filename), tb.tb_lineno
        tb = tb.tb_next
    return found


@cache
def shipped() -> Templates:
    """The templates msgscan ships (compiled once per process)."""
    return Templates()


def load_templates(folder: Path | None) -> Templates:
    """The templates for ``--templates DIR`` (None: the shipped ones), every override compiled
    now, so a missing folder or a broken template stops a command before it touches a phone."""
    if folder is None:
        return shipped()
    if not folder.is_dir():
        problem = "does not exist" if not folder.exists() else "is not a folder"
        raise UsageError(
            f"--templates {folder}: {problem}",
            hint="name a folder whose files replace the shipped templates by name "
            "(brand.html, theme.css, report.html, ...)",
        )
    templates = Templates(folder)
    templates.check()
    return templates


__all__ = ["CSP", "Templates", "esc", "load_templates", "shipped"]

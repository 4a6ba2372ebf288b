"""What a person sees on this computer: the terminal or plain summary, saved reports rendered
again (``msgscan report``), and the progress of a multi-phone round.

I/O lives here (terminal detection, the environment, reading a saved report); the renderers it
picks are pure. ``scanner.app.cli`` wires it in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from checks.errors import UsageError
from reports.i18n import Lang, lang_from_env

if TYPE_CHECKING:  # the renderers load when a command picks one: start-up stays small
    from rich.progress import TaskID

    from reports.render.interface import Renderer
    from reports.signing import SigningKey
    from scanner.app.agent.round import PhoneOutcome

    class SavedReportRenderer(Renderer, Protocol):
        """A renderer that also renders a saved JSON report again (``msgscan report``); a
        protocol for type checks only (its base imports the scan result model)."""

        def render_report(self, report: dict[str, Any]) -> bytes: ...


def wants_color(environ: Mapping[str, str]) -> bool:
    """Colour unless ``NO_COLOR`` is set (any value, no-color.org) or the terminal is dumb."""
    return "NO_COLOR" not in environ and environ.get("TERM") != "dumb"


def chosen_lang(flag: str | None, environ: Mapping[str, str] = os.environ) -> Lang:
    """``--lang``, else the locale's language (German for de_*, English otherwise)."""
    return Lang(flag) if flag else lang_from_env(environ)


def text_renderer(
    lang: Lang, terminal: bool, environ: Mapping[str, str] = os.environ
) -> SavedReportRenderer:
    """Tables and colours for a terminal; the plain 100-column summary for files and pipes."""
    if not terminal:
        from reports.render.text import TextRenderer

        return TextRenderer(lang)
    import shutil  # here: only a terminal's width needs it (bz2, lzma: start-up)

    from reports.render.terminal import TerminalRenderer

    width = min(shutil.get_terminal_size((100, 24)).columns, 160)
    return TerminalRenderer(lang, width=width, color=wants_color(environ))


def load_saved(path: Path, key: SigningKey | None = None) -> dict[str, Any]:
    """A JSON report or fleet summary msgscan wrote, checked before anything renders it.

    One that changed since it was written (its content no longer matches its digest, its seal
    was removed, or, when ``key`` is the key it names, its signature fails) is refused: rendered
    again, and signed with ``key``, it would be a forgery with a valid seal. With ``key``, so is
    one that key did not sign (unsigned reads the same as a removed signature)."""
    import json

    from reports.integrity import Outcome, verify
    from reports.render.fleet_html import is_fleet_summary
    from reports.report import ReportInvalid, validate
    from scanner.files import LIMIT_REPORT, parse_json, read_regular

    hint = ("pass a report written by `msgscan scan --format json -o FILE` or the "
            "agent's fleet-summary.json")
    raw = read_regular(path, what="the report", limit=LIMIT_REPORT, hint=hint)
    data = parse_json(raw, source=str(path), hint=hint)
    if isinstance(data, dict):
        sealed = verify(raw, [key.private.public_key()] if key else [])
        if sealed.outcome is Outcome.TAMPERED:
            raise UsageError(f"{path}: {sealed.message}",
                             hint=f"`msgscan verify {path}` says more; render the report as "
                             "it was written")
        if key is not None and sealed.outcome is not Outcome.VALID:
            # unsigned, or signed by another key: a signature now would vouch for content no
            # key vouched for (a removed signature and a new digest read as "unsigned")
            raise UsageError(f"{path}: not signed by {key.fingerprint}, so not signed again: "
                             f"{sealed.message}",
                             hint="render it without a key (no --sign-key, "
                             "MSGSCAN_SIGNING_KEY unset: the output carries its digest), or "
                             "scan again with the key")
    try:  # NaN, Infinity, 1e999: no JSON number, never written by msgscan
        json.dumps(data, allow_nan=False)
    except ValueError:
        raise UsageError(f"{path}: holds a number JSON cannot hold (NaN or Infinity)",
                         hint=hint) from None
    if not isinstance(data, dict):
        raise UsageError(
            f"{path}: not a msgscan report", hint="pass a report written with --format json"
        )
    if is_fleet_summary(data):
        return data
    try:
        validate(data)
    except ReportInvalid as e:
        raise UsageError(
            f"{path}: not a msgscan report of schema 1.x ({e.problem})",
            hint="pass a report written by `msgscan scan --format json`",
        ) from None
    return data


OnPhone = Callable[["PhoneOutcome"], None]


class RoundProgress:
    """A progress bar on stderr while a round scans its phones; shown only on a terminal.

    ``watch(total, record)`` wraps the agent's per-phone callback: the bar advances after each
    phone is recorded. It names the phone by its id (a serial or host:port), cleaned like any
    device string, and never by anything the phone printed.
    """

    def __init__(self, stream: TextIO, label: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.enabled = stream.isatty()
        console = Console(file=stream, no_color=not wants_color(os.environ), highlight=False)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[last]}"),
            console=console,
            transient=False,
            disable=not self.enabled,
        )
        self._label = label
        self._task: TaskID | None = None

    def watch(self, total: int, record: OnPhone) -> OnPhone:
        from reports.render.text import clean

        task = self._task = self._progress.add_task(self._label, total=total, last="")
        self._progress.start()

        def on_phone(phone: PhoneOutcome) -> None:
            record(phone)
            last = f"{clean(str(phone.target.id))}: {phone.state}"
            self._progress.update(task, advance=1, last=last)

        return on_phone

    def close(self) -> None:
        self._progress.stop()


__all__ = [
    "RoundProgress",
    "chosen_lang",
    "load_saved",
    "text_renderer",
    "wants_color",
]

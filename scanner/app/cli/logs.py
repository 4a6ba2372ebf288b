"""Logging for every command: structlog to stderr (or ``--log-file``), readable lines on a
terminal, JSON lines otherwise.

structlog's ``dev`` and ``tracebacks`` modules import rich (and with it pygments) when it is
installed: ~45 ms that only pretty tracebacks on a terminal use. So structlog is imported with
rich blocked unless human lines go to a terminal and ``-v`` asked for them; its console renderer
then formats exceptions as plain tracebacks. rich stays importable afterwards (the terminal
report and the progress bar use it).
"""

from __future__ import annotations

import argparse
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, TextIO, cast

from checks.errors import UsageError
from scanner import log
from scanner.log import DEBUG, ERROR, INFO, WARNING

if TYPE_CHECKING:
    from pathlib import Path


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when a line is logged (a replaced stream must not break it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def log_level(verbose: int, quiet: int) -> int:
    if quiet:
        return ERROR
    return WARNING if verbose == 0 else INFO if verbose == 1 else DEBUG


def structlog_module(*, rich: bool) -> ModuleType:
    """structlog, imported without rich unless ``rich`` (a no-op once it is imported)."""
    if "structlog" not in sys.modules and not rich and "rich" not in sys.modules:
        sys.modules["rich"] = None  # type: ignore[assignment]  # import rich -> ImportError
        try:
            import structlog
        finally:
            del sys.modules["rich"]
        return structlog
    import structlog

    return structlog


def configure_logging(
    verbose: int = 0,
    quiet: int = 0,
    fmt: str = "auto",
    log_file: Path | None = None,
    *,
    load: bool = True,
) -> None:
    """structlog to stderr (or ``log_file``), human on a terminal unless told otherwise.

    ``load=False`` (a command whose own lines go through ``scanner.log``) leaves structlog
    unloaded, unless something already imported it, until the first line at the level is
    written (``scanner.log.defer``); ``--log-file`` is still opened now, so a bad one is
    refused all the same."""
    stream: object = _CurrentStderr()
    if log_file is not None:
        try:
            stream = open(log_file, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives with the process
        except OSError as e:
            raise UsageError(
                f"--log-file {log_file}: cannot open ({e.strerror})",
                hint="check the directory exists and is writable",
            ) from None
        terminal = False
    else:
        terminal = sys.stderr.isatty()
    level = log_level(verbose, quiet)

    def configure() -> None:
        _configure(
            stream,
            level,
            human=fmt == "human" or (fmt == "auto" and terminal),
            terminal=terminal,
            rich=terminal and verbose > 0 and not quiet,
        )

    if not load and "structlog" not in sys.modules:
        log.defer(level, configure)
        return
    log.configured()
    configure()


def _configure(stream: object, level: int, *, human: bool, terminal: bool, rich: bool) -> None:
    structlog = structlog_module(rich=human and rich)
    renderer = (
        structlog.dev.ConsoleRenderer(colors=terminal and "NO_COLOR" not in os.environ)
        if human
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _clean_log,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(cast(TextIO, stream)),
        cache_logger_on_first_use=False,
    )


def _clean_log(_logger: object, _name: str, event: object) -> object:
    """structlog processor: no control characters in a log line (a serial may carry ESC)."""
    from reports.render.controls import clean_tree  # a replay logs nothing (start-up, s26)

    return clean_tree(event)


def configure_from(
    args: argparse.Namespace, verbose: int | None = None, *, load: bool = True
) -> None:
    """Logging as the parsed ``-v``/``-q``/``--log-format``/``--log-file`` ask."""
    configure_logging(
        args.verbose if verbose is None else verbose,
        getattr(args, "quiet", 0),
        getattr(args, "log_format", "auto"),
        getattr(args, "log_file", None),
        load=load,
    )


__all__ = ["configure_from", "configure_logging", "log_level", "structlog_module"]

"""What people expect of a command-line tool, in one place: ``-v``/``-q`` before or after the
subcommand, a human log format on a terminal (JSON lines otherwise), ``--log-file``, "did you
mean" for a mistyped subcommand, a quiet end on a closed pipe (``msgscan checks | head``), and
where the agent finds its config without ``--config``.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

import structlog

from checks.errors import UsageError
from reports.render.controls import clean_tree

EXIT_CLOSED_PIPE = 141
"""What a shell reports for a program ended by SIGPIPE (128 + 13), as ``cat`` gives in ``| head``."""
LOG_FORMATS = ("auto", "human", "json")


class MsgscanParser(argparse.ArgumentParser):
    """argparse with a hint for a mistyped choice: ``msgscan scna`` -> did you mean 'scan'?"""

    def error(self, message: str) -> NoReturn:
        hint = ""
        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:
            choices = re.findall(r"'([^']*)'", m[2]) or [c.strip() for c in m[2].split(",")]
            close = difflib.get_close_matches(m[1], choices, n=1, cutoff=0.5)
            if close:
                hint = f"hint: did you mean '{close[0]}'?\n"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n{hint}")


def logging_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``-v``, ``-q``, ``--log-format`` and ``--log-file``: on the program and on each
    subcommand (there with SUPPRESS defaults, so ``msgscan -v scan`` and ``msgscan scan -v``
    mean the same)."""
    keep: Any = None if top else argparse.SUPPRESS
    g = parser.add_argument_group("logging")
    g.add_argument("-v", "--verbose", action="count", default=0 if top else argparse.SUPPRESS,
                   help="log progress to stderr (-vv: debug)")
    g.add_argument("-q", "--quiet", action="count", default=0 if top else argparse.SUPPRESS,
                   help="log errors only")
    g.add_argument("--log-format", choices=LOG_FORMATS, default="auto" if top else argparse.SUPPRESS,
                   help="human: readable lines; json: one JSON object per line; auto (default): "
                        "human on a terminal, JSON otherwise (files, journald, pipes)")
    g.add_argument("--log-file", type=Path, metavar="FILE", default=keep,
                   help="append the log to FILE instead of stderr (JSON unless --log-format human)")


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when a line is logged (a replaced stream must not break it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def log_level(verbose: int, quiet: int) -> int:
    import logging

    if quiet:
        return logging.ERROR
    return logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG


def configure_logging(verbose: int = 0, quiet: int = 0, fmt: str = "auto",
                      log_file: Path | None = None) -> None:
    """structlog to stderr (or ``log_file``), human on a terminal unless told otherwise."""
    stream: Any = _CurrentStderr()
    if log_file is not None:
        try:
            stream = open(log_file, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives with the process
        except OSError as e:
            raise UsageError(f"--log-file {log_file}: cannot open ({e.strerror})",
                             hint="check the directory exists and is writable") from None
        terminal = False
    else:
        terminal = sys.stderr.isatty()
    human = fmt == "human" or (fmt == "auto" and terminal)
    renderer: Any = (structlog.dev.ConsoleRenderer(colors=terminal and "NO_COLOR" not in os.environ)
                     if human else structlog.processors.JSONRenderer())
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _clean_log,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(log_level(verbose, quiet)),
        logger_factory=structlog.PrintLoggerFactory(cast(TextIO, stream)),
        cache_logger_on_first_use=False,
    )


def _clean_log(_logger: object, _name: str, event: Any) -> Any:
    """structlog processor: no control characters in a log line (a serial may carry ESC)."""
    return clean_tree(event)


def configure_from(args: argparse.Namespace, verbose: int | None = None) -> None:
    configure_logging(args.verbose if verbose is None else verbose, getattr(args, "quiet", 0),
                      getattr(args, "log_format", "auto"), getattr(args, "log_file", None))


def quiet_on_closed_pipe(run: Callable[[], int]) -> int:
    """``run()``, ending quietly when the reader of standard output went away (``| head``)."""
    try:
        code = run()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        try:  # Python's own recipe: point stdout at /dev/null so the exit flush stays quiet
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_CLOSED_PIPE


def config_candidates(environ: Mapping[str, str] = os.environ) -> list[Path]:
    """Where the agent looks for its config without ``--config``, in order."""
    xdg = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")).expanduser() / ".config")
    return [Path(xdg) / "msgscan" / "agent.toml", Path("/etc/msgscan/agent.toml")]


def find_agent_config(given: Path | None, environ: Mapping[str, str] = os.environ) -> Path:
    """``--config``, else the first of ``config_candidates`` that exists; says which it used."""
    if given is not None:
        return given
    candidates = config_candidates(environ)
    for path in candidates:
        if path.is_file():
            print(f"msgscan: using the agent config {path}", file=sys.stderr)
            return path
    raise UsageError(f"no agent config: none at {' or '.join(str(p) for p in candidates)}",
                     hint="pass --config FILE, or copy agent.example.toml to one of those places")


__all__ = ["EXIT_CLOSED_PIPE", "MsgscanParser", "config_candidates", "configure_from",
           "configure_logging", "find_agent_config", "logging_options", "quiet_on_closed_pipe"]


EPILOGS = {
    "report": """\
exit codes: 0 rendered; 2 bad input: the file is missing, unreadable, not JSON or not a msgscan
report of schema 1.x, a fleet summary asked for in another format than html, or an -o whose
format cannot be told. Errors go to stderr as "error: ..." and "hint: ..." lines.
""",
    "devices": """\
exit codes: 0 listed (also when no phone is found: the listing says so); 2 bad input (a bad
--tcp endpoint). Phones that are unauthorized, offline or busy are listed with that state.
""",
    "snapshot": """\
exit codes: 0 every fact was collected; 2 the phone could not be read completely (the facts that
were read are still printed, marked INCOMPLETE) or could not be reached (no phone, not
authorized, busy, lost, timed out, unreadable recording).
""",
    "record": """\
exit codes: 0 the recording is complete; 2 the phone stopped answering (the recording is still
written, marked incomplete) or could not be reached, or the file cannot be written.
""",
    "parse": """\
exit codes: 0 parsed (damaged lines are named in the output, never guessed); 2 the file cannot
be read.
""",
    "checks": """\
exit codes: 0 always. --json prints the statuses and rules for machines (ids and English texts).
""",
}
CHECKS_LANG_HELP = ("language of the listing: titles, severities and labels (default: from the "
                    "locale, LANG/LC_ALL/LC_MESSAGES; German for de_*, else English)")


def apply_help(sub: Any) -> None:
    """Per-command epilogs (each states its own exit codes) and logging options everywhere."""
    for name, parser in sub.choices.items():
        if name in EPILOGS:
            parser.epilog = EPILOGS[name]
            parser.formatter_class = argparse.RawDescriptionHelpFormatter
        if name == "checks":
            for action in parser._actions:
                if "--lang" in action.option_strings:
                    action.help = CHECKS_LANG_HELP
        logging_options(parser, top=False)
        for action in parser._actions:  # `parse dumpsys-package FILE -v` too
            if isinstance(action, argparse._SubParsersAction):
                for nested in action.choices.values():
                    logging_options(nested, top=False)

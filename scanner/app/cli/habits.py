"""What people expect of a command-line tool, in one place: ``-v``/``-q`` before or after the
subcommand, ``--log-format`` and ``--log-file`` (configured in ``logs``), "did you mean" for a
mistyped subcommand, per-command epilogs, a quiet end on a closed pipe (``msgscan checks |
head``), and where the agent finds its config without ``--config``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from checks.errors import UsageError
from scanner.app.cli.epilogs import EPILOGS
from scanner.app.cli.exits import ExitCode

if TYPE_CHECKING:
    from pathlib import Path

EXIT_CLOSED_PIPE = ExitCode.CLOSED_PIPE
"""What a shell reports for a program ended by SIGPIPE (128 + 13), as ``cat`` gives in
``| head``."""
LOG_FORMATS = ("auto", "human", "json")


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, as argparse's help formatter asks it, without
    importing ``shutil`` (with ``bz2``, ``lzma``: ~2 ms of every start): ``$COLUMNS`` when a
    positive number, else the width of the terminal on standard output, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # no stdout, closed, detached, not a terminal
        return 80
    return size.columns or 80


class MsgscanParser(argparse.ArgumentParser):
    """argparse with a hint for a mistyped choice: ``msgscan scna`` -> did you mean 'scan'?"""

    def _get_formatter(self, *args: Any, **kwargs: Any) -> argparse.HelpFormatter:
        """argparse's own (3.11 to 3.13: ``formatter_class(prog=...)``) with the width it would
        take itself, the terminal's columns less 2, measured by ``terminal_columns``; a later
        argparse (3.14 sets colours here) makes its own."""
        if sys.version_info >= (3, 14) or args or kwargs:
            return super()._get_formatter(*args, **kwargs)
        make: Callable[..., argparse.HelpFormatter] = self.formatter_class
        return make(prog=self.prog, width=terminal_columns() - 2)

    def error(self, message: str) -> NoReturn:
        hint = ""
        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:
            choices = re.findall(r"'([^']*)'", m[2]) or [c.strip() for c in m[2].split(",")]
            import difflib  # a mistyped choice only (start-up)

            close = difflib.get_close_matches(m[1], choices, n=1, cutoff=0.5)
            if close:
                hint = f"hint: did you mean '{close[0]}'?\n"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n{hint}")


def logging_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``-v``, ``-q``, ``--log-format`` and ``--log-file``: on the program and on each
    subcommand (there with SUPPRESS defaults, so ``msgscan -v scan`` and ``msgscan scan -v``
    mean the same)."""
    keep: str | None = None if top else argparse.SUPPRESS
    g = parser.add_argument_group("logging")
    g.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else argparse.SUPPRESS,
        help="log progress to stderr (-vv: debug)",
    )
    g.add_argument(
        "-q",
        "--quiet",
        action="count",
        default=0 if top else argparse.SUPPRESS,
        help="log errors only",
    )
    g.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="auto" if top else argparse.SUPPRESS,
        help="human: readable lines; json: one JSON object per line; auto (default): "
        "human on a terminal, JSON otherwise (files, journald, pipes)",
    )
    from scanner.app.cli.argtypes import path  # the parser's, loaded with it

    g.add_argument(
        "--log-file",
        type=path,
        metavar="FILE",
        default=keep,
        help="append the log to FILE instead of stderr (JSON unless --log-format human)",
    )


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
    from pathlib import Path

    xdg = environ.get("XDG_CONFIG_HOME") or str(
        Path(environ.get("HOME", "~")).expanduser() / ".config"
    )
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
    raise UsageError(
        f"no agent config: none at {' or '.join(str(p) for p in candidates)}",
        hint="pass --config FILE, or copy agent.example.toml to one of those places",
    )


__all__ = [
    "EXIT_CLOSED_PIPE",
    "MsgscanParser",
    "apply_help",
    "config_candidates",
    "find_agent_config",
    "logging_options",
    "quiet_on_closed_pipe",
    "terminal_columns",
]


CHECKS_LANG_HELP = (
    "language of the listing: titles, severities and labels (default: from the "
    "locale, LANG/LC_ALL/LC_MESSAGES; German for de_*, else English)"
)


def apply_help(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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

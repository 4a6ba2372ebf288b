"""The dispatch: parse the arguments, set up logging, run the chosen command, turn a
``MsgscanError`` into "error:"/"hint:" lines and its exit code.

Each command's module is imported only when that command runs, so ``msgscan --help`` and
``msgscan checks`` do not pay for the renderers, the agent or the simulated phone.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence

from checks.errors import MsgscanError
from scanner.app.cli.exits import ExitCode
from scanner.app.cli.habits import quiet_on_closed_pipe

COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scan", "cmd_scan"),
    "snapshot": ("scan", "cmd_snapshot"),
    "record": ("scan", "cmd_record"),
    "report": ("report", "cmd_report"),
    "checks": ("checklist", "cmd_checks"),
    "agent": ("agent", "cmd_agent"),
    "simulate": ("simulate", "cmd_simulate"),
    "devices": ("inspection", "cmd_devices"),
    "parse": ("inspection", "cmd_parse"),
    "keygen": ("integrity", "cmd_keygen"),
    "verify": ("integrity", "cmd_verify"),
    "attest": ("attest", "cmd_attest"),
}
"""Each command: its module in ``scanner.app.cli`` and the function that runs it."""
SILENT = frozenset({"checks", "report", "parse", "keygen", "verify"})
"""Commands that log nothing: they leave structlog (~100 ms with asyncio) unloaded
(tests/scanner/app/cli/test_startup.py runs each and checks)."""
LAZY_LOGS = SILENT | {"scan", "snapshot", "record"}
"""Commands whose lines all go through ``scanner.log``: structlog is configured when the first
line at the level is written (a scan's wave lines are ``info``: only with ``-v``). ``scan
--send`` loads it at once: the agent's delivery modules log through structlog directly."""

Command = Callable[[argparse.Namespace], int]


def command(name: str) -> Command:
    """The function of command ``name``, its module imported now, with the cyclic garbage
    collector paused meanwhile (if it ran): importing a command's ~100 modules makes almost no
    garbage, yet ran ~30 collections (bench/RESULTS.md, "Start-up", session 25)."""
    module, function = COMMANDS[name]
    running, fresh = gc.isenabled(), f"scanner.app.cli.{module}" not in sys.modules
    gc.disable()
    try:
        found: Command = getattr(importlib.import_module(f"scanner.app.cli.{module}"), function)
    finally:
        if fresh:
            gc.freeze()
        if running:
            gc.enable()
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """The console script ``msgscan``: the exit code of the command ``argv`` names."""
    return quiet_on_closed_pipe(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    from scanner.app.cli.regex_cache import kept  # msgscan's patterns from kept programs

    with kept():
        return _dispatch(argv)


def _dispatch(argv: Sequence[str] | None) -> int:
    # Deferred here and below: `import scanner.app.cli` loads the dispatch only (test_startup).
    from scanner.app.cli.definition import build_parser

    args = build_parser().parse_args(argv)
    try:
        from scanner.app.cli.logs import configure_from

        lazy = args.command in LAZY_LOGS and getattr(args, "send", None) is None
        configure_from(args, load=not lazy)
        return int(command(args.command)(args))
    except MsgscanError as e:
        from reports.render.controls import strip_controls

        print(
            f"error: {strip_controls(e.problem)}\nhint: {strip_controls(e.hint)}", file=sys.stderr
        )
        return int(e.exit_code)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return ExitCode.USAGE


__all__ = ["COMMANDS", "LAZY_LOGS", "SILENT", "command", "main"]

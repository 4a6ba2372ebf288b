"""``msgscan agent``: the fleet agent as a service (a schedule), one round (``--once``) or the
demo (three simulated phones, one round, a fleet page)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from scanner.app.agent.once import once_exit
from scanner.app.agent.service import Agent, load_config
from scanner.app.cli.exits import ExitCode
from scanner.app.cli.habits import find_agent_config
from scanner.app.cli.logs import configure_from
from scanner.app.cli.send import SEND_TIMEOUT_S
from scanner.app.show import RoundProgress, chosen_lang
from scanner.malloc import limit_arenas


def cmd_agent(args: argparse.Namespace) -> int:
    from reports.i18n import Texts
    from reports.render.controls import strip_controls

    limit_arenas()  # before any pool thread: see scanner/malloc.py
    kept = args.history or args.forget is not None or args.adopt is not None
    if kept and (args.once or args.demo):
        from checks.errors import UsageError

        raise UsageError(
            "--history, --forget and --adopt run no round", hint="drop --once and --demo"
        )
    if args.demo:
        from scanner.app.agent_demo import run_demo

        return ExitCode.FAILED if run_demo(chosen_lang(args.lang)).failed_phones else ExitCode.OK
    args.config = find_agent_config(args.config)
    config = load_config(args.config)
    configure_from(
        args, max(args.verbose, {"debug": 2, "info": 1}.get(config.agent.log_level.value, 0))
    )
    if kept:
        return _histories(args, config.agent.database)
    agent = Agent(args.config)
    if not args.once:
        return agent.serve()
    for sig in (signal.SIGTERM, signal.SIGINT):  # end the round in time; it exits 3, interrupted
        signal.signal(sig, lambda *_: agent.stop.set())
    try:
        progress = RoundProgress(sys.stderr, Texts(chosen_lang(args.lang)).t("term.progress"))
        try:  # a progress bar on stderr when it is a terminal; JSON logs stay as they are
            report = agent.scan_round(watch=progress.watch if progress.enabled else None)
        finally:
            progress.close()
        if not agent.stop.is_set():  # --once: deliver what the round queued, then exit
            agent.delivery.flush(SEND_TIMEOUT_S)  # (after SIGTERM the queue waits for next time)
        code, lines = once_exit(report, agent.delivery.health())
    finally:
        agent.close()
    for line in lines:
        print(strip_controls(line), file=sys.stderr)
    return code


def _histories(args: argparse.Namespace, database: Path) -> int:
    """``--history`` / ``--forget ID`` (``scanner.app.agent.history``)."""
    from checks.errors import UsageError
    from reports.render.controls import strip_controls
    from scanner.app.agent import history
    from scanner.app.agent.state import State

    if not database.exists():  # never create a state database only to find nothing in it
        if args.forget is not None or args.adopt is not None:
            raise UsageError(
                f"{args.forget or args.adopt!r}: there is no state database {database} yet",
                hint="check --config",
            )
        print(history.lines([])[0])
        return ExitCode.OK
    with State.open(database) as state:
        if args.adopt is not None:
            done = history.adopt(state, args.adopt)
            twins = "; its last twins' results leave the fleet page" if done.twins else ""
            print(
                strip_controls(
                    f"adopted {args.adopt} ({done.phone}): its next scan gives it its identity"
                    f" and resolves nothing{twins}"
                )
            )
            return ExitCode.OK
        if args.forget is None:
            print("\n".join(strip_controls(line) for line in history.lines(history.retired(state))))
            return ExitCode.OK
        gone = history.forget(state, args.forget)
    print(
        strip_controls(
            f"forgot {args.forget}: {gone.scans} scans, {gone.findings} findings "
            f"({gone.open} open); its reports and the events sent stay"
        )
    )
    return ExitCode.OK


__all__ = ["cmd_agent"]

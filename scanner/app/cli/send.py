"""``msgscan scan --send NAME``: the findings of one scan delivered as events to a destination of
the agent config, through the agent's outbox (what is not taken within 60 s stays queued)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from scanner.app.cli.habits import find_agent_config

if TYPE_CHECKING:
    from checks.result import ScanResult
    from reports.deliver.settings import Destination
    from scanner.app.agent.settings import AgentConfig
    from scanner.app.agent.state import State

SEND_TIMEOUT_S = 60.0


def destination(args: argparse.Namespace) -> tuple[AgentConfig, Destination] | None:
    """The --send destination and the agent config it comes from (checked before any scan)."""
    if args.send is None:
        return None
    from checks.errors import UsageError
    from scanner.app.agent.delivery import check_ca_files
    from scanner.app.agent.service import load_config

    args.config = find_agent_config(args.config)
    config = load_config(args.config)
    found = check_ca_files(config.destinations, config.source)
    if args.send not in found:
        raise UsageError(
            f"{args.config}: no [destinations.{args.send}]",
            hint=f"known: {', '.join(found) or 'none'}; see docs/siem.md",
        )
    return config, found[args.send]


def send(args: argparse.Namespace, result: ScanResult) -> None:
    from reports.deliver import spool
    from reports.deliver.interface import DeliveryError, Event
    from scanner.app.agent.delivery import send_now
    from scanner.app.agent.state import State

    chosen = destination(args)
    assert chosen is not None, "send() runs only with --send"
    config, dest = chosen
    with State.open(config.agent.database) as db:
        events = [Event(e["metadata"]["uid"], e) for e in _events(result, db)]
        if not send_now(dest, events, db, timeout=SEND_TIMEOUT_S):
            figures = spool.health(db, dest.name)
            raise DeliveryError(
                f"{dest.name}: {figures['queue_depth']} event(s) not delivered "
                f"({figures['state']}: {figures['last_error']})",
                hint=f"they stay queued in {config.agent.database}; a running msgscan agent "
                "delivers them, or run the scan again once the receiver is back",
            )
    print(f"sent {len(events)} event(s) to {dest.name}", file=sys.stderr)


def _events(result: ScanResult, db: State) -> list[dict[str, Any]]:
    """``snapshot_events(result)`` under the finding uids of the phone the agent's state knows
    behind the id now (its lineage, docs/siem.md; review10): lineage 0's are, after a swap, the
    retired phone's, whose open findings the SIEM keeps. A scan of another model than the
    state's (a swap the agent has not seen yet, review11) gets the agent's next number. A scan
    of an id the agent holds as twins speaks under uids of its own (``ScanContext.twin``)."""
    from dataclasses import replace

    from reports.render.ocsf import report_events
    from reports.render.ocsf_context import ScanContext
    from reports.report import build_report
    from scanner.app.agent import lineage
    from scanner.app.agent.identity import differs, legacy, trait_of

    row = lineage.device(db, result.device_name)
    if row is not None and row.retired is None and lineage.held(db, row, None):
        # two phones answered as the id (the agent holds it, as its recorder does first): no
        # state says which this is, so the uids are of this scan alone (review11's finding)
        ctx = replace(ScanContext.of(result), lineage=None, twin=True)
        return report_events(build_report(result), ctx)
    n = row.lineage if row is not None else 0
    if row is not None and (
        row.retired is not None
        or differs(row.trait or legacy(row.model), trait_of(result.snapshot.identity))
    ):  # a retired history, or a swap the agent has not seen yet (review11): it moves them
        n += 1  # aside at its next attempt, and this phone gets that number
        while lineage.device(db, f"{result.device_name}~{n}") is not None:  # lineage.retire's
            n += 1
    ctx = replace(ScanContext.of(result), lineage=n)
    return report_events(build_report(result), ctx)


__all__ = ["SEND_TIMEOUT_S", "destination", "send"]

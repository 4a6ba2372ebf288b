"""What ``msgscan agent --once`` tells cron: its exit code, and on stderr why.

0  every phone found was scanned completely, none had a failed check, every event was delivered;
1  at least one phone had a failed check (not waived, not informational), whatever else happened;
2  could not start (bad config, policy, inventory file or key; another agent holds the state;
   the state database cannot be written);
3  the round is incomplete: a phone found or listed could not be scanned completely
   (unauthorized, busy, unreachable, lost, timed out, interrupted), a line of the TCP inventory
   is bad, or a destination did not take every event (paused after 401/403, or still retrying).

A round with no phone at all is 0: nothing was found that could fail (the logs say so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.app.agent.round import RoundOutcome
from scanner.app.scan import hide

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3


@dataclass(slots=True)
class RoundReport:
    """What one round did, for the caller (``--once`` exit code, tests, the heartbeat)."""

    outcome: RoundOutcome
    failed_phones: int
    seconds: float
    not_scanned: list[str] = field(default_factory=list)
    """Why the round is incomplete: each phone not scanned completely ("NAME: state (why)"),
    each bad inventory line, an interrupted round. Empty when every phone found was scanned."""


def undelivered(health: Iterable[Mapping[str, Any]]) -> list[str]:
    """One line per destination still holding events, with its state and last error."""
    return [
        f"destination {h['destination']}: {h['queue_depth']} event(s) not delivered "
        f"({h['state']}" + (f": {h['last_error']}" if h.get("last_error") else "") + ")"
        for h in health
        if h.get("queue_depth") or h.get("state") == "paused"
    ]


def once_exit(report: RoundReport, health: Iterable[Mapping[str, Any]]) -> tuple[int, list[str]]:
    """The exit code of ``agent --once`` and the lines that explain it (for stderr)."""
    reasons = [*report.not_scanned, *undelivered(health)]
    lines = [f"not done: {r}" for r in reasons]
    if report.failed_phones:
        return EXIT_FAILED, [f"{report.failed_phones} phone(s) had a failed check", *lines]
    if reasons:
        return EXIT_INCOMPLETE, ["the round is incomplete (exit 3):", *lines]
    return EXIT_OK, []


def not_scanned(
    outcome: RoundOutcome, inventory_problems: list[str], name: Callable[[str], str]
) -> list[str]:
    """Why a round is incomplete, one line each: phones not scanned completely (by their report
    name), sightings that could not be scanned, inventory problems, an interruption."""
    reasons = [
        f"{p.name or p.target.id}: {p.state}" + (f" ({p.error})" if p.error else "")
        for p in outcome.phones
        if p.state != "scanned"
    ]
    reasons += [
        f"{name(s.id)}: {s.state}" + (f" ({hide(s.detail, s.id, name(s.id))})" if s.detail else "")
        for s in outcome.sightings
    ]
    reasons += inventory_problems
    if outcome.interrupted:
        reasons.append("the round was interrupted (SIGTERM or SIGINT)")
    return reasons

"""The TCP inventory file (``[tcp] inventory_file``): one phone's ``host:port`` a line.

Re-read every round and between rounds, so phones can be added without a reload. The addresses
follow the one endpoint rule (``scanner.endpoints``) that ``--tcp`` and ``[tcp] endpoints`` follow.
"""

from __future__ import annotations

from scanner.app.agent.settings import AgentConfigError
from scanner.endpoints import Endpoint, InvalidValue, parse_endpoint

__all__ = ["load_tcp_inventory", "read_tcp_inventory"]


def read_tcp_inventory(
    text: str, source: str
) -> tuple[tuple[Endpoint, ...], tuple[AgentConfigError, ...]]:
    """The phones in an inventory file, and one AgentConfigError per line that is not one.

    One ``host:port`` a line; ``#`` starts a comment; blank lines are skipped and duplicates
    dropped. A bad line (naming ``source:line``) costs only itself: the agent scans the good
    lines and reports the bad ones, so one typo never hides the rest of the fleet.
    """
    found: dict[Endpoint, None] = {}
    problems: list[AgentConfigError] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        words = line.partition("#")[0].split()
        if len(words) > 1:
            problems.append(
                AgentConfigError(
                    f"{source}:{number}: {len(words)} entries on one line",
                    hint="write one host:port per line",
                )
            )
        elif words:
            try:
                found.setdefault(parse_endpoint(words[0]))
            except InvalidValue as e:
                problems.append(AgentConfigError(f"{source}:{number}: {e.problem}", hint=e.hint))
    return tuple(found), tuple(problems)


def load_tcp_inventory(text: str, source: str) -> tuple[Endpoint, ...]:
    """The phones in an inventory file, strictly: the first bad line raises its AgentConfigError."""
    endpoints, problems = read_tcp_inventory(text, source)
    if problems:
        raise problems[0]
    return endpoints

"""The TCP inventory file (``[tcp] inventory_file``): one phone's ``host:port`` a line.

Re-read every round and between rounds, so phones can be added without a reload. The addresses
follow the one endpoint rule (``scanner.endpoints``) that ``--tcp`` and ``[tcp] endpoints`` follow.
"""

from __future__ import annotations

from checks.errors import MsgscanError
from scanner.app.agent.settings import AgentConfigError, TcpSettings
from scanner.endpoints import Endpoint, InvalidValue, parse_endpoint
from scanner.files import LIMIT_SETTINGS, read_regular

__all__ = ["all_endpoints", "load_tcp_inventory", "read_tcp_inventory"]


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


def all_endpoints(tcp: TcpSettings, source: str) -> tuple[tuple[Endpoint, ...], list[str]]:
    """``[tcp] endpoints`` and the inventory file's good lines (each phone once, in order), and
    the inventory's problems: an unreadable file, or each bad line by number."""
    listed = tuple(tcp.endpoints)
    if tcp.inventory_file is None:
        return listed, []
    try:
        data = read_regular(
            tcp.inventory_file,
            what="the TCP inventory",
            limit=LIMIT_SETTINGS,
            hint=f"fix tcp.inventory_file in {source}",
        )
    except MsgscanError as e:
        return listed, [e.problem]
    extra, bad = read_tcp_inventory(data.decode("utf-8", "replace"), str(tcp.inventory_file))
    return listed + tuple(e for e in extra if e not in listed), [e.problem for e in bad]

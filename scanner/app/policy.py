"""The organisation's policy file, read for ``msgscan scan --policy`` and the agent's
``[agent] policy``: one loader, so both refuse the same files with the same errors."""

from __future__ import annotations

from pathlib import Path

from checks.policy import DEFAULT, Policy
from checks.policy_file import parse_policy
from checks.registry import INDEX
from scanner.files import LIMIT_SETTINGS, read_regular

__all__ = ["load_policy"]


def load_policy(path: Path | None, *, hint: str) -> Policy:
    """The policy at ``path`` (a regular file of bounded size), or the article's defaults for
    None; ``hint`` says where the path came from. Raises UsageError / PolicyError."""
    if path is None:
        return DEFAULT
    data = read_regular(path, what="the policy", limit=LIMIT_SETTINGS, hint=hint)
    return parse_policy(data, str(path), known_checks=INDEX)

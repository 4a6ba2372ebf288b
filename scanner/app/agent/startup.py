"""Starting the agent: its config and policy read and checked, and the lock on its state folder.

Every error names the file it comes from (``naming``), so a cron mail or a journal line says
which file to fix.
"""

from __future__ import annotations

import fcntl
import os
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from checks.errors import MsgscanError, UsageError
from checks.policy import Policy
from checks.result import pseudonym_key
from reports.signing import SigningKey
from scanner.app.agent.config import parse_agent_config
from scanner.app.agent.settings import AgentConfig, AgentConfigError
from scanner.app.keys import load_signing_key
from scanner.app.policy import load_policy as read_policy
from scanner.files import LIMIT_SETTINGS, make_private_dir, read_regular


class AgentLocked(MsgscanError):
    """Another agent already works on this state directory."""


# The lock files a forked child closes: one fork hook for the process (os.register_at_fork
# cannot unregister, so a hook per lock() call would pile up in a process that locks often).
_HELD: weakref.WeakSet[IO[str]] = weakref.WeakSet()


def _close_held_in_child() -> None:
    for handle in list(_HELD):
        handle.close()


os.register_at_fork(after_in_child=_close_held_in_child)


def load_config(path: Path) -> AgentConfig:
    data = read_regular(
        path,
        what="the agent config",
        limit=LIMIT_SETTINGS,
        hint="check the path; agent.example.toml shows the format",
    )
    return parse_agent_config(data, str(path), base_dir=path.resolve().parent)


def load_policy(config: AgentConfig, environ: Mapping[str, str] = os.environ) -> Policy:
    """``[agent] policy`` (or the defaults); with ``pseudonymize = true`` the key is checked
    too (``checks.result.pseudonym_key``), so a missing one stops the agent before any round."""
    policy = read_policy(
        config.agent.policy, hint=f"fix [agent] policy in the agent config {config.source}"
    )
    if config.agent.pseudonymize:
        try:
            pseudonym_key(policy.pseudonym_key, environ)
        except UsageError as e:
            raise AgentConfigError(
                f"{config.source}: agent.pseudonymize: true, but {e.problem}", hint=e.hint
            ) from None
    return policy


def load_key(config: AgentConfig) -> SigningKey | None:
    """``[agent] signing_key``, read and checked (mode 0600, Ed25519) before any round."""
    path = config.agent.signing_key
    return None if path is None else load_signing_key(path)


def lock(state_dir: Path) -> IO[str]:
    """Hold ``state_dir/agent.lock`` for the life of the process (released by the kernel)."""
    make_private_dir(state_dir)
    handle = open(state_dir / "agent.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held open
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "unknown"
        handle.close()
        raise AgentLocked(
            f"{state_dir}: another msgscan agent (pid {owner}) is using this state directory",
            hint="stop the other agent first, or give this one its own [agent] state_dir",
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    # A worker forked from this process gets a copy of the descriptor, and an flock lasts while
    # any copy is open: closed in the child (the agent's copy keeps the lock), so a worker left
    # over from a killed agent never locks a restarted one out of its state directory.
    _HELD.add(handle)
    return handle


def naming(error: MsgscanError, source: str) -> MsgscanError:
    """``error`` with the config file named first, unless its text names it already."""
    if source in error.problem:
        return error
    try:
        return type(error)(f"{source}: {error.problem}", hint=error.hint)
    except TypeError:  # a subclass with other arguments: the root class says the same
        return MsgscanError(f"{source}: {error.problem}", hint=error.hint)

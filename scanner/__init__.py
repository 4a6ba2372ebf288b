"""Everything that touches the outside: phones over ADB, recordings, the simulated phone.

The device side (transport, discovery, collect, parse, recordings, replay, simphone) imports
nothing from ``reports``; ``scanner.app`` (CLI, agent, scan and record) composes it with
``checks`` and ``reports`` (the contracts in pyproject.toml).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("msgscan")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

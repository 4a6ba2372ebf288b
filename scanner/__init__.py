"""Everything that touches the outside: phones over ADB, recordings, the simulated phone.

The device side (transport, discovery, collect, parse, recordings, replay, simphone) imports
nothing from ``reports``; ``scanner.app`` (CLI, agent, scan and record) composes it with
``checks`` and ``reports`` (the contracts in pyproject.toml).
"""

from __future__ import annotations

__version__ = "0.1.0"
"""The distribution's version (pyproject.toml), as a constant: resolving it through
``importlib.metadata`` costs every command ~35 ms at start-up.
tests/scanner/app/cli/test_startup.py checks the two agree."""

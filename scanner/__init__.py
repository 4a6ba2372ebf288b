"""Everything that touches the outside: phones over ADB, recordings, the simulated phone, the CLI."""

from __future__ import annotations

__version__ = "0.1.0"
"""The distribution's version (pyproject.toml), as a constant: resolving it through
``importlib.metadata`` costs every command ~35 ms at start-up. tests/test_startup.py checks the
two agree."""

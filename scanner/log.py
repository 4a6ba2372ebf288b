"""The device side's log lines (structlog), with structlog imported when a line is written.

Importing structlog costs a command's start-up 50-100 ms (its ``stdlib`` and ``_native`` modules
import asyncio; bench/startup.py), and a scan without ``-v`` writes no line: its wave lines are
``info``, below the default level. So the CLI (``scanner.app.cli.logs``) does not configure
structlog up front for such commands; it calls ``defer(level, configure)``. A line below
``level`` is then dropped without importing anything (structlog's filtering logger would drop it
too); the first one at or above it runs ``configure`` (which imports and sets up structlog) and
is written where that configuration says, as if structlog had been configured at start-up.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading.Lock itself, without threading (start-up)
from collections.abc import Callable
from typing import Any

DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40
"""The ``logging`` module's levels (importing it only for these costs start-up ~15 ms)."""

_deferred: tuple[int, Callable[[], None]] | None = None
_configuring = allocate_lock()
"""Held while a deferred configuration runs: two threads' first lines configure it once."""


def defer(level: int, configure: Callable[[], None]) -> None:
    """Configure structlog with ``configure`` when the first line at ``level`` or above is
    written; drop lines below ``level`` until then."""
    global _deferred
    _deferred = (level, configure)


def configured() -> None:
    """structlog was configured at once: nothing is deferred any more."""
    global _deferred
    _deferred = None


class Log:
    """The structlog logger ``name``, looked up when a line is written."""

    def __init__(self, name: str) -> None:
        self.name = name

    def debug(self, event: str, **values: Any) -> None:
        self._write(DEBUG, "debug", event, values)

    def info(self, event: str, **values: Any) -> None:
        self._write(INFO, "info", event, values)

    def warning(self, event: str, **values: Any) -> None:
        self._write(WARNING, "warning", event, values)

    def error(self, event: str, **values: Any) -> None:
        self._write(ERROR, "error", event, values)

    def _write(self, level: int, method: str, event: str, values: dict[str, Any]) -> None:
        global _deferred
        pending = _deferred
        if pending is not None:
            if level < pending[0]:
                return
            with _configuring:
                if _deferred is not None:
                    _deferred[1]()
                    _deferred = None
        import structlog

        getattr(structlog.get_logger(self.name), method)(event, **values)


__all__ = ["DEBUG", "ERROR", "INFO", "WARNING", "Log", "configured", "defer"]

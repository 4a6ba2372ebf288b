"""msgscan's command line: the composition root, the only place that picks implementations.

Exit codes (``exits.ExitCode``): 0 done (for ``scan``: no failed check), 1 (``scan`` only) at
least one failed check, 2 could not do it (bad input, no phone, phone unauthorized, lost or
hung), 3 (``agent --once``) the round is incomplete.

The package, the way httpie splits its CLI: ``definition`` (the parser) with ``options`` (shared
option groups), ``argtypes`` (argument types) and ``epilogs``; ``core`` (main and dispatch);
one module per command group: ``scan`` (scan, snapshot, record; ``target`` opens the phone,
``send`` delivers to a SIEM), ``report``, ``checklist`` (checks), ``agent``, ``simulate``,
``inspection`` (devices, parse) and ``integrity`` (keygen, verify); ``output`` (formats and
``-o``), ``logs`` and ``habits``. Importing this package loads none of them but ``core``: a
command's module is imported when it is dispatched (start-up: bench/startup.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.app.cli.core import main

if TYPE_CHECKING:
    from scanner.app.cli.definition import build_parser
    from scanner.app.cli.exits import ExitCode
    from scanner.app.cli.output import OutputFormat

_LAZY = {
    "build_parser": "scanner.app.cli.definition",
    "ExitCode": "scanner.app.cli.exits",
    "OutputFormat": "scanner.app.cli.output",
}


def __getattr__(name: str) -> object:
    """``build_parser``, ``ExitCode`` and ``OutputFormat``, imported on first use."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ExitCode", "OutputFormat", "build_parser", "main"]

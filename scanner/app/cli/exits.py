"""The exit codes of every msgscan command, stated in each command's ``--help`` epilog."""

from __future__ import annotations

from checks.enums import FastIntEnum


class ExitCode(FastIntEnum):
    """What a command's exit status means; the epilogs in ``definition`` say it per command."""

    OK = 0
    """Done: for ``scan`` and ``agent --once``, no check failed."""
    FAILED = 1
    """``scan``, ``agent --once``: at least one check failed; ``verify``: the report was changed."""
    USAGE = 2
    """Could not do it: bad input (flag, file, config), or no phone / not authorized / lost."""
    INCOMPLETE = 3
    """``agent --once``: the round is incomplete (a phone, an inventory line or a destination)."""
    CLOSED_PIPE = 141
    """The reader of standard output went away (``| head``): 128 + SIGPIPE, as a shell reports."""


__all__ = ["ExitCode"]

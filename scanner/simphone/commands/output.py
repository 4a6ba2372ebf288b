"""What a derived command prints: stdout, stderr and the exit status, like a process."""

from __future__ import annotations

from typing import NamedTuple


class Answer(NamedTuple):
    stdout: bytes
    stderr: bytes
    exit_code: int
    device_ms: float = 0.0
    """How long the phone would take (an estimate, for the "device time" fault)."""


def ok(text: str | bytes = "") -> Answer:
    return Answer(text.encode() if isinstance(text, str) else text, b"", 0)


def fail(message: str, code: int = 1, stdout: str = "") -> Answer:
    return Answer(stdout.encode(), message.encode(), code)

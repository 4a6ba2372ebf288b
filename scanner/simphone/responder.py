"""What the simulated phone's shell answers: the seam between the ADB wire and the phone's content.

The protocol side (``adbd``) knows nothing about commands; it hands each command line to a
``Responder`` and frames the answer for the service the host opened (shell v1, shell v2, exec).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from scanner.simphone.files import VirtualFiles


@dataclass(frozen=True, slots=True)
class CommandOutput:
    """What one command line printed and how it ended, as the phone's shell would report it."""

    stdout: bytes
    stderr: bytes
    exit_code: int
    """0-255; 127 for an unknown command, 128+N for death by signal N (adbd's shell_service)."""
    device_ms: float = 0.0
    """How long the real phone took; slept only when ``Faults.use_device_time`` is set."""
    segments: tuple[tuple[str | None, float], ...] = ()
    """``device_ms`` in the order the line spends it, each part with the system service it
    waits for (``services``), or None; empty: all of it at once, no service."""
    more: Iterable[bytes] | None = None
    """Further stdout produced while it is sent, one chunk at a time after ``stdout`` (a phone
    printing a gigabyte, or printing forever): only what the host reads is ever made. The host
    closing the stream stops it."""


class Responder(Protocol):
    """A phone's shell and storage. Called on the server's event-loop thread: keep ``run`` quick
    and non-blocking, since a slow ``run`` stalls this phone's other streams (like a busy phone),
    though never another ``PhoneServer``."""

    @property
    def files(self) -> VirtualFiles:
        """What the sync service (``adb pull``, ``ls``, ``stat``) sees (an attribute or a
        property)."""
        ...

    def run(self, command: str) -> CommandOutput:
        """Answer one command line exactly as the host sent it (quoting and all)."""
        ...

"""The one interface every way of reaching a phone implements.

A transport runs one shell command per call (one "exchange": open a stream, read it to the end)
and says how much it cost. A transport with ``streams`` > 1 takes calls from several threads at
once: each is its own stream over the same connection (ADB multiplexes streams by their ids,
adb.md §1.5; the adb server opens one socket per command), so the phone runs them side by
side. ``scanner.batch.run_wave`` uses that; a transport without the attribute gets one call at
a time. Implementations: ``tcp`` and ``usb`` (adb-shell, talking to adbd
directly), ``server`` (a running adb server's socket protocol) and ``replay`` (a recording, no
phone).

Failures are ``checks.errors.DeviceError`` subclasses. When a stream breaks or times out after
some output arrived, the error carries that output in ``partial`` so a batch keeps what it got.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading.Lock itself, without threading (start-up)
from typing import Protocol

from msgspec import Struct

DEFAULT_TIMEOUT_S = 120.0
"""Whole-command limit. ``dumpsys package`` on a 300-app phone takes a few seconds; MVT saw
single dumps needing far more on slow phones, so the default is generous and configurable."""

DEFAULT_STREAMS = 8
"""Shell streams a live transport runs at once. adbd serves each stream with its own thread and
child process (AOSP adb/daemon/shell_service.cpp) and phones have 8 cores; the commands that
matter wait on system services, not on cores (``scanner.simphone.services``), so more streams
would only add host threads."""

DEFAULT_MAX_OUTPUT = 64 << 20
"""Most bytes one exchange may return (64 MiB). The largest real output msgscan asks for, a full
``dumpsys package`` of a 300-app phone, is about 1 MB; a phone that sends far more is broken or
hostile, and reading on would only fill memory. Past the limit the transport stops reading,
closes the stream and raises ``OutputTooLarge`` with the bytes up to the limit."""


class ShellResult(Struct, frozen=True):
    stdout: bytes
    stderr: bytes = b""
    exit_code: int | None = None
    """None when the transport speaks shell v1, which carries no exit status."""


class Meter:
    """What the exchanges with one phone cost: the numbers a benchmark and a test look at.

    A plain class, not a dataclass (start-up) and not a Struct: its lock takes part in no
    comparison and no ``repr``; nothing compares two meters, so it has no ``__eq__``."""

    __slots__ = (
        "_lock",
        "bytes_received",
        "bytes_sent",
        "commands",
        "exchanges",
        "most_streams",
        "waves",
    )

    def __init__(
        self,
        exchanges: int = 0,
        bytes_sent: int = 0,
        bytes_received: int = 0,
        commands: list[str] | None = None,
        waves: int = 0,
        most_streams: int = 0,
    ) -> None:
        self.exchanges = exchanges
        """Shell calls, i.e. streams opened (each one command, read to its end)."""
        self.bytes_sent = bytes_sent
        self.bytes_received = bytes_received
        self.commands: list[str] = [] if commands is None else commands
        self.waves = waves
        """Rounds of streams that ran side by side (``scanner.batch.run_wave``)."""
        self.most_streams = most_streams
        """The most streams one wave kept open at once."""
        self._lock = allocate_lock()

    def __repr__(self) -> str:
        return (
            f"Meter(exchanges={self.exchanges!r}, bytes_sent={self.bytes_sent!r}, "
            f"bytes_received={self.bytes_received!r}, commands={self.commands!r}, "
            f"waves={self.waves!r}, most_streams={self.most_streams!r})"
        )

    def count(self, command: str, result_bytes: int) -> None:
        with self._lock:  # streams of one wave finish on their own threads
            self.exchanges += 1
            self.bytes_sent += len(command.encode())
            self.bytes_received += result_bytes
            self.commands.append(command)

    def wave(self, streams: int) -> None:
        with self._lock:
            self.waves += 1
            self.most_streams = max(self.most_streams, streams)


class Transport(Protocol):
    """A connected phone."""

    serial: str
    """How the user names this phone: USB serial, or host:port."""
    meter: Meter
    max_command: int
    """Longest command (bytes) the phone takes in one OPEN: its negotiated maxdata minus the
    service prefix; 4096-byte phones (adbd before Android 7) get several shorter scripts."""
    max_output: int
    """Most bytes one ``shell`` call reads (``DEFAULT_MAX_OUTPUT`` unless configured)."""
    # Optional: ``streams: int``, how many ``shell`` calls may run at once from different
    # threads (read with getattr, default 1: the replay and test transports run one at a time).

    def shell(self, command: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> ShellResult:
        """Run ``command`` through the phone's shell; one exchange."""
        ...

    def close(self) -> None: ...

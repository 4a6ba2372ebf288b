"""``msgscan scan --demo``: a simulated phone started in this process, reached the way a scan
reaches a real phone over TCP (adb-shell, AUTH with a throw-away key, shell v2 or v1 as the
recording's Android offers). Closing the transport stops the phone and removes the key.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import scanner.recordings
from scanner import recording
from scanner.recording import Recording
from scanner.simphone.adbd import PhoneServer
from scanner.simphone.phone import phone_server
from scanner.transport.interface import DEFAULT_TIMEOUT_S, Meter, ShellResult, Transport
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport

BUNDLED = Path(scanner.recordings.__file__).resolve().parent


def bundled(name: str) -> Path:
    """The file of the bundled recording ``name`` (scanner/recordings/NAME.json)."""
    return BUNDLED / f"{name}.json"


class DemoTransport:
    """A TCP transport to an in-process simulated phone; closing it stops the phone too."""

    def __init__(
        self, inner: Transport, server: PhoneServer, tmp: tempfile.TemporaryDirectory[str]
    ) -> None:
        self._inner, self._server, self._tmp = inner, server, tmp
        self.serial: str = inner.serial
        self.meter: Meter = inner.meter
        self.max_command: int = inner.max_command

    @property
    def max_output(self) -> int:
        return self._inner.max_output

    @max_output.setter
    def max_output(self, value: int) -> None:
        self._inner.max_output = value

    def shell(self, command: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> ShellResult:
        return self._inner.shell(command, timeout=timeout)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._server.stop()
            self._tmp.cleanup()


def demo_transport(
    name: str,
    *,
    connect_timeout_s: float,
    auth_timeout_s: float,
    announce: Callable[[PhoneServer, Recording], None] | None = None,
) -> DemoTransport:
    """Start a phone serving the bundled recording ``name`` on a free loopback port and connect
    to it; ``announce`` is told where it listens before the connection starts."""
    rec = recording.load(bundled(name))
    server = phone_server(rec).start()
    tmp = tempfile.TemporaryDirectory(prefix="msgscan-demo-")
    try:
        if announce is not None:
            announce(server, rec)
        signer = load_or_create_signer(Path(tmp.name))  # the user's own adb key stays untouched
        inner = TcpTransport.connect(
            "127.0.0.1",
            server.port,
            signer=signer,
            connect_timeout_s=connect_timeout_s,
            auth_timeout_s=auth_timeout_s,
        )
    except BaseException:
        server.stop()
        tmp.cleanup()
        raise
    return DemoTransport(inner, server, tmp)


__all__ = ["DemoTransport", "bundled", "demo_transport"]

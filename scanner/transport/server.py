"""A client for a running adb server's socket ("smart socket") protocol, with plain sockets:
finding the server and listing its phones (a phone's shell through it: ``server_shell``).

When an adb server runs it owns the USB phones (and any ``adb connect``/``adb pair`` phones, the
only route to Android 11+ Wireless debugging), so msgscan goes through it instead of fighting it.
This module never starts, kills or reconfigures a server: no ``adb`` binary is spawned (an adb of
another version kills the running server, adb.md §4.1) and no adbutils (it starts one, §4.2).

Requests are ``<hex4 length><text>``; replies ``OKAY`` or ``FAIL<hex4><message>`` (adb.md §4.1,
AOSP ``adb-protocol/SERVICES.TXT``). Every socket gets a deadline.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from typing import Self

import psutil

from checks.errors import DeviceError, UsageError
from scanner.transport import failures

__all__ = [
    "ServerDevice",
    "features",
    "find_adb_server_process",
    "list_devices",
    "probe_server",
    "server_address",
]

DEFAULT_PORT = 5037
def server_address() -> tuple[str, int]:
    """The server adb itself would use: ``ADB_SERVER_SOCKET=tcp:[host:]port``, else
    ``ANDROID_ADB_SERVER_ADDRESS`` / ``ANDROID_ADB_SERVER_PORT``, else 127.0.0.1:5037."""
    if (spec := os.environ.get("ADB_SERVER_SOCKET", "")).startswith("tcp:"):
        host, _, port = spec[4:].rpartition(":")
        if port.isdigit():
            return host or "127.0.0.1", int(port)
    host = os.environ.get("ANDROID_ADB_SERVER_ADDRESS") or "127.0.0.1"
    port_text = os.environ.get("ANDROID_ADB_SERVER_PORT", "")
    return host, int(port_text) if port_text.isdigit() else DEFAULT_PORT


class _Fail(Exception):
    """The server answered FAIL; ``message`` is its text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _NotAdb(Exception):
    """The peer answered something that is not the adb server protocol."""


class _Conn:
    """One socket to the server with an absolute deadline for everything on it."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.sock.close()

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self.sock.settimeout(left)

    def send(self, request: str) -> None:
        data = request.encode()
        if len(data) > 0xFFFF:
            raise ValueError(f"adb server request too long ({len(data)} bytes)")
        self._arm()
        self.sock.sendall(b"%04x" % len(data) + data)

    def send_raw(self, data: bytes) -> None:
        self._arm()
        self.sock.sendall(data)

    def recv_some(self) -> bytes:
        """Up to 64 KiB; ``b""`` at end of stream."""
        self._arm()
        return self.sock.recv(65536)

    def recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.recv_some() if n - len(buf) >= 65536 else self._recv(n - len(buf))
            if not chunk:
                raise ConnectionResetError("the adb server closed the connection")
            buf += chunk
        return bytes(buf)

    def _recv(self, n: int) -> bytes:
        self._arm()
        return self.sock.recv(n)

    def status(self) -> None:
        """Read ``OKAY``, or raise ``_Fail`` with the server's message."""
        word = self.recv_exact(4)
        if word == b"OKAY":
            return
        if word == b"FAIL":
            raise _Fail(self.text())
        raise _NotAdb(f"unexpected reply {word!r}")

    def text(self) -> str:
        length = self.recv_exact(4)
        try:
            n = int(length, 16)
        except ValueError as e:
            raise _NotAdb(f"bad length {length!r}") from e
        return self.recv_exact(n).decode("utf-8", "replace")

    def query(self, request: str) -> str:
        self.send(request)
        self.status()
        return self.text()


def probe_server(
    host: str | None = None, port: int | None = None, timeout: float = 1.0
) -> int | None:
    """The version of the adb server at host:port, or None if none answers there.

    Sends only ``host:version``, which changes nothing; refused, silent or foreign listeners
    give None and are left alone (adb.md §4.3).
    """
    default_host, default_port = server_address()
    try:
        with _Conn(host or default_host, port or default_port, timeout) as conn:
            return int(conn.query("host:version"), 16)
    except (OSError, ValueError, _Fail, _NotAdb):
        return None


@dataclass(frozen=True, slots=True)
class ServerDevice:
    """One line of ``adb devices -l`` as the server reports it."""

    serial: str
    state: str
    """``device``, ``unauthorized``, ``offline``, ``no permissions (…)``, …"""
    fields: dict[str, str] = field(default_factory=dict)
    """``usb``, ``product``, ``model``, ``device``, ``transport_id`` when the server gives them."""


def parse_devices_l(text: str) -> list[ServerDevice]:
    """Parse ``host:devices-l``: serial, a state that may contain spaces, then ``key:value``s.

    ``no permissions (…); see [http://developer.android.com/tools/device.html]`` contains a
    colon too, so fields are taken from the right end only while they look like ``word:value``.
    """
    devices = []
    for line in text.splitlines():
        words = line.split()
        if len(words) < 2:
            continue
        serial, rest = words[0], words[1:]
        fields: dict[str, str] = {}
        while len(rest) > 1:
            key, sep, value = rest[-1].partition(":")
            if not sep or not key.replace("_", "").isalpha() or not key.islower():
                break
            fields[key] = value
            rest.pop()
        devices.append(ServerDevice(serial, " ".join(rest), dict(reversed(fields.items()))))
    return devices


def _address(host: str | None, port: int | None) -> tuple[str, int]:
    default_host, default_port = server_address()
    return host or default_host, port or default_port


def list_devices(
    host: str | None = None, port: int | None = None, timeout: float = 2.0
) -> list[ServerDevice]:
    """The phones the server knows, in any state; a ``DeviceError`` if it does not answer."""
    host, port = _address(host, port)
    try:
        with _Conn(host, port, timeout) as conn:
            return parse_devices_l(conn.query("host:devices-l"))
    except (OSError, _Fail, _NotAdb) as e:
        raise failures.server_gone(f"{host}:{port}", _cause(e)) from e


def features(
    serial: str, host: str | None = None, port: int | None = None, timeout: float = 2.0
) -> frozenset[str]:
    """The features the server shares with phone ``serial`` (``shell_v2``, ``cmd``, …)."""
    host, port = _address(host, port)
    server = f"{host}:{port}"
    try:
        with _Conn(host, port, timeout) as conn:
            text = conn.query(f"host-serial:{serial}:features")
    except _Fail as e:
        raise _explain_fail(e.message, serial, server) from e
    except (OSError, _NotAdb) as e:
        raise failures.server_gone(server, _cause(e)) from e
    return frozenset(f for f in text.strip().split(",") if f)


def find_adb_server_process(port: int | None = None) -> tuple[int, str] | None:
    """``(pid, cmdline)`` of a running adb server, for messages only (adb.md §4.3).

    Prefers the server listening on ``port`` (default: the configured server's), seen in its
    command line as ``-L tcp:<port>``; else any adb server.
    """
    port = port if port is not None else server_address()[1]
    found: list[tuple[int, str]] = []
    try:
        for proc in psutil.process_iter(["name", "cmdline"]):
            try:
                name = (proc.info.get("name") or "").lower()
                cmdline = proc.info.get("cmdline") or []
            except psutil.Error:  # AccessDenied (macOS without root), the process ended
                continue
            if name in ("adb", "adb.exe") and "server" in cmdline:
                found.append((proc.pid, " ".join(cmdline)))
    except (psutil.Error, OSError):
        pass
    mine = [f for f in found if f"tcp:{port}" in f[1]]
    if mine:
        return mine[0]
    return found[0] if found else None


def _cause(e: BaseException) -> str:
    if isinstance(e, ConnectionRefusedError):
        return "connection refused"
    if isinstance(e, TimeoutError):
        return "no answer in time"
    if isinstance(e, _Fail):
        return e.message
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


def _explain_fail(message: str, serial: str, server: str) -> DeviceError | UsageError:
    """Map a FAIL text (adb.md §4.1) to the msgscan error for it."""
    text = message.strip().lower()
    if text.startswith("device unauthorized"):
        return failures.unauthorized_at_server(serial, "unauthorized", server)
    if "still authorizing" in text:
        return failures.unauthorized_at_server(serial, "authorizing", server)
    if text.startswith("device offline"):
        return failures.offline(serial, server)
    if "not found" in text:
        return failures.not_at_server(serial, server)
    if "no permissions" in text or "insufficient permissions" in text:
        return failures.server_permission(serial, server, message.strip())
    if "more than one" in text:
        return UsageError(
            f"the adb server at {server} has more than one phone",
            hint="Pass --serial SERIAL to choose one (`adb devices -l` lists them).",
        )
    return failures.server_refused(serial, server, message.strip())

"""A client for a running adb server's socket ("smart socket") protocol, with plain sockets.

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
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

import psutil

from checks.errors import DeviceError, UsageError
from scanner.transport import failures
from scanner.transport.interface import (
    DEFAULT_MAX_OUTPUT,
    DEFAULT_STREAMS,
    DEFAULT_TIMEOUT_S,
    Meter,
    ShellResult,
)

__all__ = [
    "ServerDevice",
    "ServerTransport",
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


class ServerTransport:
    """A phone reached through a running adb server, one socket per command.

    Uses ``shell,v2,raw:`` when the server and phone share ``shell_v2`` (separate stderr and
    an exit code), else ``shell:`` (stdout and stderr mixed, ``exit_code`` None).
    """

    def __init__(
        self,
        serial: str,
        *,
        host: str | None = None,
        port: int | None = None,
        connect_timeout_s: float = 5.0,
        auth_timeout_s: float = 0.0,
        on_prompt: Callable[[], None] | None = None,
    ) -> None:
        """Check that the server can reach ``serial``; wait up to ``auth_timeout_s`` for the
        user to tap Allow (calling ``on_prompt`` first) if the phone is not authorised yet."""
        self.serial = serial
        self.meter = Meter()
        self._host, self._port = _address(host, port)
        self._server = f"{self._host}:{self._port}"
        self._connect_timeout_s = connect_timeout_s
        self._wait_until_ready(auth_timeout_s, on_prompt)
        self._v2 = "shell_v2" in features(serial, self._host, self._port, connect_timeout_s)
        # The server does not tell the phone's maxdata. shell_v2 and payloads beyond 4096 bytes
        # both came with Android 7's adbd, so a v2 phone is only capped by our request's hex4
        # length; a v1-only phone gets the old 4096 less "shell:" and the NUL.
        self.max_command = 0xFFFF - len("shell,v2,raw:") if self._v2 else 4096 - len("shell:") - 1
        self.max_output = DEFAULT_MAX_OUTPUT
        """Most bytes (stdout and stderr together) one ``shell`` call reads."""
        self.streams = DEFAULT_STREAMS
        """Commands run at once: each has its own socket, the server multiplexes them."""
        self._open: set[_Conn] = set()

    def _state(self) -> str:
        for device in list_devices(self._host, self._port, self._connect_timeout_s):
            if device.serial == self.serial:
                return device.state
        raise failures.not_at_server(self.serial, self._server)

    def _wait_until_ready(
        self, auth_timeout_s: float, on_prompt: Callable[[], None] | None
    ) -> None:
        state = self._state()
        if state in ("unauthorized", "authorizing") and auth_timeout_s > 0:
            # The server already sent our key (from its own ~/.android/adbkey): the phone shows
            # the dialog now. Say so first, then poll (adb.md §5).
            if on_prompt is not None:
                on_prompt()
            deadline = time.monotonic() + auth_timeout_s
            while state in ("unauthorized", "authorizing") and time.monotonic() < deadline:
                time.sleep(min(0.5, max(deadline - time.monotonic(), 0)))
                state = self._state()
        elif state in ("offline", "connecting"):
            deadline = time.monotonic() + self._connect_timeout_s
            while state in ("offline", "connecting") and time.monotonic() < deadline:
                time.sleep(0.25)
                state = self._state()
        if state == "device":
            return
        if state in ("unauthorized", "authorizing"):
            raise failures.unauthorized_at_server(self.serial, state, self._server)
        if state in ("offline", "connecting"):
            raise failures.offline(self.serial, self._server)
        if state.startswith("no permissions"):
            raise failures.server_permission(self.serial, self._server, state)
        raise failures.wrong_state(self.serial, self._server, state)

    def shell(self, command: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> ShellResult:
        """Run ``command`` through the server; one socket, one exchange."""
        stdout, stderr = bytearray(), bytearray()
        try:
            result = self._exchange(command, timeout, stdout, stderr)
        except DeviceError as e:
            self.meter.count(command, len(e.partial))
            raise
        self.meter.count(command, len(result.stdout) + len(result.stderr))
        return result

    def _exchange(
        self, command: str, timeout: float, stdout: bytearray, stderr: bytearray
    ) -> ShellResult:
        service = f"shell,v2,raw:{command}" if self._v2 else f"shell:{command}"
        conn: _Conn | None = None
        try:
            with _Conn(self._host, self._port, timeout) as conn:
                self._open.add(conn)
                conn.send(f"host:transport:{self.serial}")
                conn.status()
                conn.send(service)
                conn.status()
                if not self._v2:
                    while chunk := conn.recv_some():
                        stdout += chunk
                        _check_size(stdout, stderr, self.max_output)
                    return ShellResult(stdout=bytes(stdout))
                conn.send_raw(struct.pack("<BI", 4, 0))  # close stdin: nothing will read it
                exit_code = _read_v2(conn, stdout, stderr, self.max_output)
        except _TooLarge:
            # The socket is closed on leaving the with block: the server drops the stream.
            kept = bytes(stdout[: self.max_output])
            raise failures.too_much_output(self.serial, command, self.max_output, kept) from None
        except _Fail as e:
            raise _explain_fail(e.message, self.serial, self._server) from e
        except TimeoutError as e:
            raise failures.timed_out(self.serial, command, timeout, bytes(stdout)) from e
        except (OSError, _NotAdb) as e:
            if getattr(self, "aborted", False):
                raise failures.cut_short(self.serial, command, bytes(stdout)) from e
            if isinstance(e, ConnectionRefusedError):
                raise failures.server_gone(self._server, _cause(e), bytes(stdout)) from e
            raise failures.lost(self.serial, command, bytes(stdout), _cause(e)) from e
        finally:
            if conn is not None:
                self._open.discard(conn)
        if exit_code is None:
            raise failures.lost(
                self.serial, command, bytes(stdout), "the stream ended without an exit status"
            )
        return ShellResult(stdout=bytes(stdout), stderr=bytes(stderr), exit_code=exit_code)

    def close(self) -> None:
        """Nothing to release: each command has its own socket."""

    def abort(self) -> None:
        """Cut the running commands' sockets from another thread (the agent's stop)."""
        self.aborted = True
        for conn in list(self._open):
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _TooLarge(Exception):
    """The phone sent more than the transport's ``max_output`` for one command."""


def _check_size(stdout: bytearray, stderr: bytearray, limit: int, pending: int = 0) -> None:
    if len(stdout) + len(stderr) + pending > limit:
        raise _TooLarge


def _read_v2(conn: _Conn, stdout: bytearray, stderr: bytearray, limit: int) -> int | None:
    """Read shell v2 packets ``[u8 id][u32 LE length][data]`` (adb.md §1.6) until the exit
    packet (id 3) or the end of the stream; return the exit code, None if it never came.
    Raises ``_TooLarge`` once more than ``limit`` bytes arrived (buffered ones included)."""
    buf = bytearray()
    while True:
        # Decoded output counts against the limit; the undecoded rest only once it could not be
        # a packet in progress plus one read (adbd sends at most 64 KiB per v2 packet, §1.6).
        _check_size(stdout, stderr, limit, max(0, len(buf) - 0x20010))
        while len(buf) >= 5:
            kind, length = struct.unpack_from("<BI", buf)
            if len(buf) < 5 + length:
                break
            data = bytes(buf[5 : 5 + length])
            del buf[: 5 + length]
            if kind == 1:
                stdout += data
            elif kind == 2:
                stderr += data
            elif kind == 3:
                return data[0] if data else 255
            _check_size(stdout, stderr, limit)
        chunk = conn.recv_some()
        if not chunk:
            return None
        buf += chunk

"""A phone's shell through a running adb server (``server``: the socket protocol and the
listing): ``shell,v2,raw:`` where both sides support it, else ``shell:``; one socket per command,
each under the command's deadline, its output bounded."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable

from checks.errors import DeviceError
from scanner.transport import failures
from scanner.transport.interface import (
    DEFAULT_MAX_OUTPUT,
    DEFAULT_STREAMS,
    DEFAULT_TIMEOUT_S,
    Meter,
    ShellResult,
)
from scanner.transport.server import (
    _address,
    _cause,
    _Conn,
    _explain_fail,
    _Fail,
    _NotAdb,
    features,
    list_devices,
)

__all__ = ["ServerTransport"]


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

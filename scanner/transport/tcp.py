"""Talk to adbd directly over TCP (``adb tcpip`` mode, emulators, the simulated phone).

adb-shell's ``AdbDevice`` speaks the protocol; msgscan supplies the socket (``_TcpLink``) so that
every call is bounded and a closed connection is reported as lost, not as slow (see
``_adbshell``). Android 11+ Wireless debugging needs TLS, which adb-shell lacks: those phones are
reached through an adb server (``server.py``).
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

from adb_shell import exceptions as adb_exc

from checks.errors import DeviceError
from scanner.transport import failures
from scanner.transport._adbshell import (
    BoundedLink,
    LinkClosed,
    LinkTimeout,
    Phase,
    Session,
    SessionTransport,
    WouldPrompt,
    describe,
    is_timeout,
)

__all__ = ["TcpTransport", "probe_tcp"]

_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


class _TcpLink(BoundedLink):
    """A socket whose reads and writes never outlive the link's deadline."""

    stream = True

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None

    def connect(self, transport_timeout_s: float | None) -> None:
        self.close()
        sock = socket.create_connection((self.host, self.port), timeout=self.remaining())
        # One packet per write and no Nagle: adb.md §1.9 saw 40 ms stalls without it.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self.connected = True

    def close(self) -> None:
        self.connected = False
        # Take the socket first: the agent's stop may close it from another thread while the
        # scanning thread closes it too; each must see either the socket or None, never a gap.
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            # shutdown() first: it wakes a recv() blocked in another thread at once (the agent
            # cuts connections this way on SIGTERM); close() alone would not.
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
        sock = self._live()
        sock.settimeout(self.remaining())
        try:
            data = sock.recv(numbytes)
        except TimeoutError as e:
            raise LinkTimeout from e
        if not data:
            raise LinkClosed
        return data

    def bulk_write(self, data: bytes, transport_timeout_s: float | None) -> int:
        sock = self._live()
        sock.settimeout(self.remaining())
        try:
            sock.sendall(data)  # adb-shell ignores short writes: never make one
        except TimeoutError as e:
            raise LinkTimeout from e
        return len(data)

    def _live(self) -> socket.socket:
        if self._sock is None:
            raise LinkClosed
        return self._sock


def _explainer(host: str, port: int) -> Callable[[BaseException, Phase, float], DeviceError]:
    name = f"{host}:{port}"

    def explain(e: BaseException, phase: Phase, waited_s: float) -> DeviceError:
        if phase is Phase.LINK:
            if isinstance(e, ConnectionRefusedError):
                return failures.nothing_listens(host, port)
            if isinstance(e, socket.gaierror):
                return failures.unreachable(host, port, f"cannot resolve {host}: {e.strerror}")
            if is_timeout(e):
                return failures.unreachable(host, port, f"no answer within {waited_s:g} s")
            if isinstance(e, OSError) and e.errno in _UNREACHABLE:
                return failures.unreachable(host, port, e.strerror or "no route")
            return failures.unreachable(host, port, describe(e))
        if phase is Phase.PROMPT:
            if is_timeout(e):
                return failures.unauthorized(name, waited_s)
            return failures.prompt_refused(name)
        if isinstance(e, adb_exc.InvalidCommandError) and "STLS" in str(e):
            return failures.needs_tls(host, port)
        if isinstance(e, adb_exc.InvalidCommandError | adb_exc.InvalidResponseError):
            return failures.not_adb(host, port, "unexpected reply")
        if isinstance(e, adb_exc.InvalidChecksumError):
            return failures.not_adb(host, port, "bad checksum")
        if is_timeout(e):
            return failures.handshake_timeout(name, waited_s)
        return failures.handshake_lost(name, describe(e))

    return explain


class TcpTransport(SessionTransport):
    """A phone reached at ``host:port``; ``serial`` is that ``host:port``."""

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        *,
        signer: object,
        connect_timeout_s: float = 5.0,
        auth_timeout_s: float = 60.0,
        on_prompt: Callable[[], None] | None = None,
    ) -> TcpTransport:
        """Connect and authenticate, calling ``on_prompt`` just before the phone shows
        "Allow USB debugging?" (only when it does not trust ``signer`` yet)."""
        session = Session(
            _TcpLink(host, port),
            name=f"{host}:{port}",
            signer=signer,
            connect_timeout_s=connect_timeout_s,
            auth_timeout_s=auth_timeout_s,
            on_prompt=on_prompt,
            explain_connect=_explainer(host, port),
        )
        session.connect()
        return cls(session, f"{host}:{port}")


def probe_tcp(host: str, port: int, *, signer: object, timeout_s: float = 3.0) -> tuple[str, str]:
    """Return ``(state, detail)`` for ``host:port`` without side effects on the phone.

    ``state`` is ``ready`` (our key is trusted), ``unauthorized`` (the phone would ask; the
    public key is *not* sent, so no dialog appears) or ``unreachable``; ``detail`` is the reason.
    """
    session = Session(
        _TcpLink(host, port),
        name=f"{host}:{port}",
        signer=signer,
        connect_timeout_s=timeout_s,
        auth_timeout_s=timeout_s,
        on_prompt=None,
        explain_connect=_explainer(host, port),
        allow_prompt=False,
    )
    try:
        session.connect()
    except WouldPrompt:
        return "unauthorized", "the phone does not trust this computer's ADB key yet"
    except DeviceError as e:
        return "unreachable", e.problem
    finally:
        session.close()
    return "ready", "ADB answered and accepted this computer's key"

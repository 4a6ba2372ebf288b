"""TcpTransport against real TCP peers: refused ports, silent and foreign listeners.

The simulated phone's success and failure paths are in ``test_tcp_simphone.py``.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable

import pytest
from adb_shell.auth.sign_pythonrsa import PythonRSASigner

from checks.errors import DeviceLost, DeviceNotFound, ProbeTimeout
from scanner.transport.tcp import TcpTransport, probe_tcp
from tests.scanner.transport.peers import Listener

Listen = Callable[[Callable[[socket.socket], None]], Listener]


def _packet(command: bytes, arg0: int, arg1: int, payload: bytes = b"") -> bytes:
    word = int.from_bytes(command, "little")
    header = struct.pack(
        "<6I", word, arg0, arg1, len(payload), sum(payload) & 0xFFFFFFFF, word ^ 0xFFFFFFFF
    )
    return header + payload


def _silent(conn: socket.socket) -> None:
    """Accept and never answer; hold the connection until the client leaves."""
    while conn.recv(4096):
        pass


def _answer_after_cnxn(reply: bytes) -> Callable[[socket.socket], None]:
    def handle(conn: socket.socket) -> None:
        conn.recv(4096)
        conn.sendall(reply)
        _silent(conn)

    return handle


class TestConnectFailures:
    def test_refused_port(self, closed_port: int, signer: PythonRSASigner) -> None:
        """Nothing listening: DeviceNotFound naming host:port, at once, with the tcpip hint."""
        started = time.monotonic()

        with pytest.raises(DeviceNotFound) as raised:
            TcpTransport.connect("127.0.0.1", closed_port, signer=signer)

        assert time.monotonic() - started < 2
        assert f"nothing listens on 127.0.0.1:{closed_port}" == raised.value.problem
        assert "adb tcpip 5555" in raised.value.hint

    def test_silent_listener(self, listen: Listen, signer: PythonRSASigner) -> None:
        """A port that accepts and never answers ends in a bounded ProbeTimeout, not a hang."""
        peer = listen(_silent)
        started = time.monotonic()

        with pytest.raises(ProbeTimeout) as raised:
            TcpTransport.connect("127.0.0.1", peer.port, signer=signer, connect_timeout_s=0.5)

        assert time.monotonic() - started < 0.5 + 1.0
        assert raised.value.problem.startswith(f"127.0.0.1:{peer.port}: no answer to the ADB")

    def test_peer_that_hangs_up(self, listen: Listen, signer: PythonRSASigner) -> None:
        """A peer that closes right away is reported at once, not after a timeout."""
        peer = listen(lambda conn: conn.close())
        started = time.monotonic()

        with pytest.raises(DeviceLost) as raised:
            TcpTransport.connect("127.0.0.1", peer.port, signer=signer, connect_timeout_s=5)

        assert time.monotonic() - started < 1
        assert f"127.0.0.1:{peer.port}: the connection closed during the ADB handshake" in (
            raised.value.problem
        )

    def test_clean_close_is_lost_not_slow(self, listen: Listen, signer: PythonRSASigner) -> None:
        """A peer that reads our CNXN and closes cleanly (FIN) is DeviceLost at once; adb-shell
        alone would spin until its read timeout and report a timeout."""

        def read_cnxn_then_fin(conn: socket.socket) -> None:
            received = b""
            while (
                len(received) < 24 or len(received) < 24 + struct.unpack_from("<I", received, 12)[0]
            ):
                received += conn.recv(4096)
            conn.shutdown(socket.SHUT_WR)
            _silent(conn)

        peer = listen(read_cnxn_then_fin)
        started = time.monotonic()

        with pytest.raises(DeviceLost) as raised:
            TcpTransport.connect("127.0.0.1", peer.port, signer=signer, connect_timeout_s=5)

        assert time.monotonic() - started < 1
        assert raised.value.problem.endswith("(the phone closed the connection)")

    def test_tls_port(self, listen: Listen, signer: PythonRSASigner) -> None:
        """A Wireless debugging port (STLS) says to pair through adb, not "timed out"."""
        peer = listen(_answer_after_cnxn(_packet(b"STLS", 0x01000000, 0)))

        with pytest.raises(DeviceNotFound) as raised:
            TcpTransport.connect("127.0.0.1", peer.port, signer=signer, connect_timeout_s=2)

        assert "asks for TLS" in raised.value.problem
        assert "adb pair" in raised.value.hint

    def test_foreign_service(self, listen: Listen, signer: PythonRSASigner) -> None:
        """A web server on the port is "not an ADB device"."""
        peer = listen(_answer_after_cnxn(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 2))

        with pytest.raises(DeviceNotFound) as raised:
            TcpTransport.connect("127.0.0.1", peer.port, signer=signer, connect_timeout_s=2)

        assert f"127.0.0.1:{peer.port} answered, but not as an ADB device" in raised.value.problem


class TestProbe:
    def test_refused_is_unreachable(self, closed_port: int, signer: PythonRSASigner) -> None:
        """The listing's probe reports a closed port as unreachable, with the reason."""
        assert ("unreachable", f"nothing listens on 127.0.0.1:{closed_port}") == probe_tcp(
            "127.0.0.1", closed_port, signer=signer, timeout_s=1
        )

    def test_silent_is_unreachable_in_time(self, listen: Listen, signer: PythonRSASigner) -> None:
        """A silent port costs the probe at most its timeout."""
        peer = listen(_silent)
        started = time.monotonic()

        state, _ = probe_tcp("127.0.0.1", peer.port, signer=signer, timeout_s=0.3)

        assert "unreachable" == state
        assert time.monotonic() - started < 1.3

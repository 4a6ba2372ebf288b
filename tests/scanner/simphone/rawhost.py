"""A bare ADB host over a socket, for tests that need to see or bend individual packets."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from scanner.simphone import packets as P


@dataclass(frozen=True, slots=True)
class Packet:
    command: bytes
    arg0: int
    arg1: int
    payload: bytes
    check: int


class RawHost:
    def __init__(self, port: int, *, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.checksummed = True

    def close(self) -> None:
        self.sock.close()

    def send(
        self,
        command: bytes,
        arg0: int,
        arg1: int,
        payload: bytes = b"",
        *,
        magic: int | None = None,
    ) -> None:
        cmd = int.from_bytes(command, "little")
        check = P.checksum(payload) if self.checksummed else 0
        magic = cmd ^ 0xFFFFFFFF if magic is None else magic
        self.sock.sendall(struct.pack("<6I", cmd, arg0, arg1, len(payload), check, magic) + payload)

    def _read(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise EOFError(f"connection closed after {len(data)} of {size} bytes")
            data += chunk
        return bytes(data)

    def recv(self) -> Packet:
        cmd, arg0, arg1, length, check, magic = struct.unpack("<6I", self._read(24))
        assert magic == cmd ^ 0xFFFFFFFF
        return Packet(cmd.to_bytes(4, "little"), arg0, arg1, self._read(length), check)

    def silent_for(self, seconds: float) -> bool:
        """True if nothing arrives within ``seconds`` (the phone holds back, as it should)."""
        self.sock.settimeout(seconds)
        try:
            return not self.sock.recv(1, socket.MSG_PEEK)
        except TimeoutError:
            return True
        finally:
            self.sock.settimeout(5.0)

    def closed_by_peer(self) -> bool:
        """True if the phone closes or resets the connection (after anything still unread)."""
        try:
            while self.sock.recv(65536):
                pass
        except ConnectionResetError:
            pass
        except TimeoutError:
            return False
        return True

    def handshake(
        self, version: int = P.VERSION_SKIP_CHECKSUM, maxdata: int = P.MAX_PAYLOAD
    ) -> Packet:
        """CNXN to a phone without auth; returns its CNXN."""
        self.checksummed = True  # adb checksums its first CNXN whatever it announces
        self.send(b"CNXN", version, maxdata, b"host::features=shell_v2,cmd")
        reply = self.recv()
        assert b"CNXN" == reply.command
        self.checksummed = version < P.VERSION_SKIP_CHECKSUM
        return reply

    def open(self, local_id: int, service: str) -> Packet:
        self.send(b"OPEN", local_id, 0, service.encode() + b"\0")
        return self.recv()

    def read_stream(self, local_id: int, remote_id: int) -> bytes:
        """Collect WRTEs (OKAYing each) until the phone's CLSE, then echo it."""
        data = bytearray()
        while True:
            packet = self.recv()
            if packet.command == b"WRTE":
                data += packet.payload
                self.send(b"OKAY", local_id, remote_id)
            elif packet.command == b"CLSE":
                self.send(b"CLSE", local_id, remote_id)
                return bytes(data)
            elif packet.command != b"OKAY":  # an OKAY acknowledges one of our WRTEs
                raise AssertionError(f"unexpected {packet}")

    def write(self, local_id: int, remote_id: int, data: bytes) -> bytes:
        """WRTE and wait for its OKAY; returns what the phone wrote meanwhile (OKAYed)."""
        self.send(b"WRTE", local_id, remote_id, data)
        received = bytearray()
        while True:
            packet = self.recv()
            if packet.command == b"OKAY":
                return bytes(received)
            if packet.command != b"WRTE":
                raise AssertionError(f"unexpected {packet}")
            received += packet.payload
            self.send(b"OKAY", local_id, remote_id)

    def exchange(self, local_id: int, service: str) -> bytes:
        """OPEN a service, read it to the end."""
        okay = self.open(local_id, service)
        assert b"OKAY" == okay.command, okay
        return self.read_stream(local_id, okay.arg0)


class Session:
    """One stream read as bytes, whatever the WRTE boundaries: how sync is meant to be read."""

    def __init__(self, host: RawHost, local_id: int, remote_id: int) -> None:
        self.host, self.local_id, self.remote_id = host, local_id, remote_id
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        self._buffer += self.host.write(self.local_id, self.remote_id, data)

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            packet = self.host.recv()
            assert b"WRTE" == packet.command, packet
            self._buffer += packet.payload
            self.host.send(b"OKAY", self.local_id, self.remote_id)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def read_message(self) -> tuple[bytes, bytes]:
        """A sync reply with a length-prefixed body (FAIL, DATA): its id and body."""
        ident, size = struct.unpack("<4sI", self.read(8))
        return ident, self.read(size)

    def closed(self) -> bool:
        """True when the phone's next packet is its CLSE for this stream."""
        return not self._buffer and self.host.recv().command == b"CLSE"

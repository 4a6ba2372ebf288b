"""One host connection to the simulated phone: handshake, AUTH, stream bookkeeping, sending.

An ``asyncio.Protocol`` rather than streams: packets are parsed and dispatched synchronously in
``data_received``, so a plain exchange costs no task switches until a service runs, and every
packet we send leaves in one ``write`` (TCP_NODELAY) unless a ``Faults`` delay queues it.
"""

from __future__ import annotations

import asyncio
import collections
import os
import socket
import struct
from typing import TYPE_CHECKING

from scanner.simphone import packets as P
from scanner.simphone.faults import Faults
from scanner.simphone.shellsvc import parse_shell_service, shell_service
from scanner.simphone.streams import Phone, Service, Stream, StreamClosed
from scanner.simphone.sync import sync_service

if TYPE_CHECKING:
    from scanner.simphone.adbd import PhoneServer

_HAS_QUICKACK = hasattr(socket, "TCP_QUICKACK")


def route(service: str, features: tuple[str, ...]) -> Service | None:
    """The service behind an OPEN's destination, or None to refuse it with CLSE(0, id)."""
    if service == "sync:":
        return sync_service
    request = parse_shell_service(service, features)
    if request is None:
        return None

    async def run(stream: Stream, phone: Phone) -> None:
        await shell_service(stream, phone, request)

    return run


class Connection(asyncio.Protocol):
    def __init__(self, server: PhoneServer) -> None:
        self._server = server
        self._transport: asyncio.Transport | None = None
        self._sock: socket.socket | None = None
        self._inbuf = bytearray()
        self._negotiated = P.INITIAL
        self._online = False
        self._token: bytes | None = None
        self._streams: dict[int, Stream] = {}
        self._next_id = 1
        self._stream_bytes_sent = 0
        self._hung = False
        self._closed = False
        self._queue: collections.deque[tuple[float, int, int, int, bytes]] | None = None
        self._wire_free = 0.0
        """When the phone's side of the link can start the next packet (loop time)."""
        self._writer: asyncio.Task[None] | None = None
        self._prompt: asyncio.TimerHandle | None = None
        self.host_banner = ""

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._sock = transport.get_extra_info("socket")
        if self._sock is not None:
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._server.stats.connections += 1
        self._server._connections.add(self)

    def data_received(self, data: bytes) -> None:
        # adb-shell writes header and payload separately without TCP_NODELAY, so Nagle holds
        # the payload until the header is ACKed; acking at once saves a delayed-ACK wait
        # (~40 ms on Linux) per packet that carries data. Faults.tcp_delayed_ack opts out.
        if _HAS_QUICKACK and self._sock is not None and not self._server.faults.tcp_delayed_ack:
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        buf = self._inbuf
        buf += data
        while len(buf) >= P.HEADER.size and not self._closed:
            command, arg0, arg1, length, check, magic = P.HEADER.unpack_from(buf)
            if magic != command ^ 0xFFFFFFFF or command not in P.KNOWN_COMMANDS:
                self.abort()
                return
            if length > self._negotiated.maxdata:
                self.abort()
                return
            end = P.HEADER.size + length
            if len(buf) < end:
                return
            payload = bytes(buf[P.HEADER.size : end])
            del buf[:end]
            if command == P.A_CNXN:  # judged by the version it announces, not the old one
                checked = min(arg0, self._server.version) < P.VERSION_SKIP_CHECKSUM
            else:
                checked = self._negotiated.checksummed
            if checked and length and check != P.checksum(payload):
                self.abort()
                return
            stats = self._server.stats
            if self._online and check and (checked or check == P.checksum(payload)):
                stats.summed_in += 1
            if command == P.A_CNXN:
                stats.host_versions.append(arg0)
            stats.packets_in += 1
            self._dispatch(command, arg0, arg1, payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        for stream in list(self._streams.values()):
            stream.on_close()
        self._streams.clear()
        if self._writer is not None:
            self._writer.cancel()
        if self._prompt is not None:
            self._prompt.cancel()
        self._server._connections.discard(self)

    def abort(self, *, reset: bool = False) -> None:
        """Drop the connection; ``reset`` sends RST, which a client sees at once, instead of FIN,
        which adb-shell polls for until its read timeout."""
        if self._closed or self._transport is None:
            return
        self._closed = True
        if reset and self._sock is not None:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._transport.abort()

    # Handshake and AUTH (adb.md §1.3-1.4)

    def _dispatch(self, command: int, arg0: int, arg1: int, payload: bytes) -> None:
        if command == P.A_CNXN:
            self._on_cnxn(arg0, arg1, payload)
        elif command == P.A_AUTH:
            self._on_auth(arg0, payload)
        elif not self._online:
            return  # stream packets before we are online are ignored (protocol.md)
        elif command == P.A_OPEN:
            self._on_open(arg0, arg1, payload)
        elif command == P.A_OKAY:
            stream = self._streams.get(arg1)
            if stream is not None and stream.remote_id == arg0:
                stream.on_okay()
        elif command == P.A_WRTE:
            stream = self._streams.get(arg1)
            if stream is not None and stream.remote_id == arg0:
                self.send(P.A_OKAY, stream.local_id, stream.remote_id)
                stream.on_write(payload)
        elif command == P.A_CLSE:
            stream = self._streams.pop(arg1, None)
            if stream is not None and stream.remote_id == arg0:
                # adbd and adb answer CLSE with CLSE despite protocol.md; adb-shell waits for it.
                self.send(P.A_CLSE, stream.local_id, stream.remote_id)
                stream.on_close()
            elif stream is not None:
                self._streams[arg1] = stream  # not the host's stream id: not ours to close

    def _on_cnxn(self, version: int, maxdata: int, payload: bytes) -> None:
        if maxdata == 0:
            self.abort()
            return
        # A second CNXN starts the session over, as adbd does when a host reconnects.
        for stream in list(self._streams.values()):
            stream.on_close()
        self._streams.clear()
        if self._prompt is not None:
            self._prompt.cancel()
        self._negotiated = P.Negotiated.from_host(version, maxdata, self._server.version)
        self._online = False
        self.host_banner = payload.rstrip(b"\0").decode("utf-8", errors="replace")
        if self._server.auth.required:
            self._send_token()
        else:
            self._go_online()

    def _send_token(self) -> None:
        self._token = os.urandom(P.TOKEN_SIZE)
        self.send(P.A_AUTH, P.AUTH_TOKEN, 0, self._token)

    def _go_online(self) -> None:
        self._online = True
        self._token = None
        banner = self._server.banner.encode()
        self.send(P.A_CNXN, self._server.version, P.MAX_PAYLOAD, banner)

    def _on_auth(self, kind: int, payload: bytes) -> None:
        if self._online or self._token is None:
            return  # not asked for: adbd ignores it
        policy, faults = self._server.auth, self._server.faults
        if kind == P.AUTH_SIGNATURE:
            if not faults.refuse_auth and (
                policy.accept_any_key or self._server.keyring.accepts(self._token, payload)
            ):
                self._go_online()
            else:
                self._send_token()  # a fresh token for the host's next key
        elif kind == P.AUTH_RSAPUBLICKEY and not faults.refuse_auth:
            if policy.accept_any_key:
                self._go_online()
                return
            self._server.stats.prompts += 1
            if policy.prompt == "accept" and self._prompt is None:
                loop = asyncio.get_running_loop()
                key = payload.rstrip(b"\0")
                self._prompt = loop.call_later(policy.prompt_delay_s, self._accepted, key)
            # "never" and "reject": adbd sends nothing; the host waits until it gives up.

    def _accepted(self, key: bytes) -> None:
        """The user tapped Allow with "Always allow" ticked."""
        self._prompt = None
        try:
            self._server.keyring.add(key)
        except ValueError as e:
            self._server.record_error("auth: public key from host", e)
            return
        if not self._closed and not self._online and self._token is not None:
            self._go_online()

    # Streams (adb.md §1.5)

    def _on_open(self, remote_id: int, arg1: int, payload: bytes) -> None:
        if remote_id == 0:
            return
        service = payload.rstrip(b"\0").decode("utf-8", errors="replace")
        self._server.stats.services.append(service)
        # arg1 != 0 asks for delayed_ack, which we never advertise; adbd refuses the mismatch.
        handler = route(service, self._server.features) if arg1 == 0 else None
        if handler is None:
            self.send(P.A_CLSE, 0, remote_id)
            return
        local_id = self._next_id
        self._next_id = self._next_id % 0xFFFFFFFF + 1
        stream = Stream(self, local_id, remote_id)
        self._streams[local_id] = stream
        stats = self._server.stats
        stats.most_streams = max(stats.most_streams, len(self._streams))
        self.send(P.A_OKAY, local_id, remote_id)
        stream.task = asyncio.get_running_loop().create_task(self._serve(handler, stream, service))

    async def _serve(self, handler: Service, stream: Stream, service: str) -> None:
        try:
            await handler(stream, self._server)
        except StreamClosed:
            pass
        except Exception as e:  # noqa: BLE001 - a bug in one service must not kill the phone
            self._server.record_error(f"service {service!r}", e)
            self.close_stream(stream)

    @property
    def maxdata(self) -> int:
        return self._negotiated.maxdata

    def close_stream(self, stream: Stream) -> None:
        if self._streams.get(stream.local_id) is stream:
            del self._streams[stream.local_id]
            self.send(P.A_CLSE, stream.local_id, stream.remote_id)
        stream.mark_closed()

    # Sending, with faults applied

    def send(self, command: int, arg0: int, arg1: int, payload: bytes = b"") -> None:
        if self._closed:
            return
        faults = self._server.faults
        if self._queue is None and not faults.delays:
            self._emit(command, arg0, arg1, payload, faults)
            return
        # The link model: a packet takes the wire once the one before it has left (bandwidth:
        # packets serialize), then arrives ``latency_s`` later; packets in flight overlap, as on
        # a real link, so parallel streams do not queue behind each other's latency. Delayed
        # packets still leave in order.
        loop = asyncio.get_running_loop()
        start = max(loop.time(), self._wire_free)
        self._wire_free = start + faults.delay_for(P.HEADER.size + len(payload)) - faults.latency_s
        due = self._wire_free + faults.latency_s
        if self._queue is None:
            self._queue = collections.deque()
            self._writer = loop.create_task(self._drain_queue())
        self._queue.append((due, command, arg0, arg1, payload))

    async def _drain_queue(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while self._queue:
            due, command, arg0, arg1, payload = self._queue[0]
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            self._queue.popleft()
            self._emit(command, arg0, arg1, payload, self._server.faults)
        self._queue = None
        self._writer = None

    def _emit(self, command: int, arg0: int, arg1: int, payload: bytes, faults: Faults) -> None:
        if self._hung or self._closed or self._transport is None:
            return
        if command == P.A_WRTE and faults.corrupt and payload:
            damaged = bytearray(payload)
            damaged[len(damaged) // 2] ^= 0xFF
            payload = bytes(damaged)
        wire = P.pack(command, arg0, arg1, payload, with_checksum=self._negotiated.checksummed)
        limit = faults.byte_limit()
        if limit is not None:
            allowed, hang = limit
            if self._stream_bytes_sent >= allowed:
                self._trip(hang)
                return
            if command == P.A_WRTE and self._stream_bytes_sent + len(payload) > allowed:
                wire = wire[: P.HEADER.size + allowed - self._stream_bytes_sent]
                self._write(wire)
                self._stream_bytes_sent = allowed
                self._trip(hang)
                return
        self._write(wire)
        if command == P.A_WRTE:
            self._stream_bytes_sent += len(payload)
            if limit is not None and self._stream_bytes_sent >= limit[0]:
                self._trip(limit[1])

    def _write(self, wire: bytes) -> None:
        assert self._transport is not None
        stats = self._server.stats  # counted first: a test may read them once the host has it
        stats.packets_out += 1
        stats.bytes_out += len(wire)
        self._transport.write(wire)

    def _trip(self, hang: bool) -> None:
        if hang:
            self._hung = True  # keep reading and OKAYing nothing: the phone just stops talking
        else:
            self.abort(reset=True)

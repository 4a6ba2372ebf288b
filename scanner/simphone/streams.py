"""One ADB stream as a service sees it: bytes in, bytes out, with adb's flow control (adb.md §1.5).

Without delayed_ack only one WRTE per stream and direction may be in flight: the sender waits
for the receiver's OKAY before the next one, and the host drops a device that does not. A
service just awaits ``write``; the waiting happens here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from scanner.simphone.packets import A_WRTE

if TYPE_CHECKING:
    from scanner.simphone.faults import Faults
    from scanner.simphone.responder import Responder


class StreamClosed(Exception):
    """The host closed the stream, or its connection went away."""


class Link(Protocol):
    """The connection a stream lives on."""

    @property
    def maxdata(self) -> int: ...

    def send(self, command: int, arg0: int, arg1: int, payload: bytes = b"") -> None: ...

    def close_stream(self, stream: Stream) -> None: ...


class Phone(Protocol):
    """What services need from the phone they run on."""

    responder: Responder
    features: tuple[str, ...]
    faults: Faults
    device: str

    def record_error(self, where: str, error: BaseException) -> None: ...


Service = Callable[["Stream", Phone], Awaitable[None]]


class Stream:
    """Our end of one stream: ``local_id`` is ours, ``remote_id`` the host's."""

    __slots__ = ("_can_send", "_inbox", "_link", "_more", "closed", "local_id", "remote_id", "task")

    def __init__(self, link: Link, local_id: int, remote_id: int) -> None:
        self.local_id = local_id
        self.remote_id = remote_id
        self.closed = False
        self.task: asyncio.Task[None] | None = None
        self._link = link
        # Our OKAY to the host's OPEN doubles as its READY for us: the first WRTE may go at once.
        self._can_send = asyncio.Event()
        self._can_send.set()
        self._inbox = bytearray()
        self._more = asyncio.Event()

    async def write(self, data: bytes) -> None:
        """Send ``data`` in WRTEs of at most maxdata bytes, each after the previous one's OKAY."""
        view = memoryview(data)
        step = self._link.maxdata
        for start in range(0, len(view), step):
            await self._can_send.wait()
            if self.closed:
                raise StreamClosed
            self._can_send.clear()
            chunk = bytes(view[start : start + step])
            self._link.send(A_WRTE, self.local_id, self.remote_id, chunk)

    async def finish(self) -> None:
        """Close our side once the host has acknowledged the last WRTE.

        "Last WRTE, its OKAY, then CLSE" suits every client: adb-shell would otherwise see the
        CLSE while it still owes an OKAY, and adb drops data that arrives after a CLSE.
        """
        if not self.closed:
            await self._can_send.wait()
        self._link.close_stream(self)

    async def read_exactly(self, size: int) -> bytes:
        """The next ``size`` bytes the host wrote; raises ``StreamClosed`` if they never come."""
        while len(self._inbox) < size:
            if self.closed:
                raise StreamClosed
            self._more.clear()
            await self._more.wait()
        data = bytes(self._inbox[:size])
        del self._inbox[:size]
        return data

    async def read_some(self) -> bytes:
        """Whatever the host wrote so far (waiting for at least one byte); b"" once closed."""
        while not self._inbox:
            if self.closed:
                return b""
            self._more.clear()
            await self._more.wait()
        data = bytes(self._inbox)
        self._inbox.clear()
        return data

    # Called by the connection as packets arrive.

    def on_okay(self) -> None:
        self._can_send.set()

    def on_write(self, data: bytes) -> None:
        self._inbox += data
        self._more.set()

    def mark_closed(self) -> None:
        """No more packets for this stream: wake every waiter so that it sees ``closed``."""
        self.closed = True
        self._can_send.set()
        self._more.set()

    def on_close(self) -> None:
        """The host closed the stream (or the connection died): also stop its service."""
        self.mark_closed()
        if self.task is not None and not self.task.done():
            self.task.cancel()

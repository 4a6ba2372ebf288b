"""Several shell streams at once over one adb-shell connection, served from one thread.

ADB multiplexes streams on one connection by their ids (adb.md §1.5, AOSP protocol.txt): the host
sends ``OPEN(local, 0, "shell:…")``, the phone answers ``OKAY(remote, local)``, then ``WRTE``
packets, each acknowledged by the host's ``OKAY`` (per-stream flow control), and ``CLSE``. adbd
runs every stream's command in its own process, so they run side by side on the phone.

adb-shell 0.4.4 lets threads share one ``AdbDevice``, but a thread that waits for its own packet
holds the transport lock while it blocks in ``recv``; another stream's packet it reads meanwhile
waits in a store its thread cannot look at without that lock, and the phone sends that stream no
more until it is acknowledged. Streams then take turns instead of overlapping (measured: a
garbage-answering phone made one stream time out). So msgscan reads every packet here, from one
thread, and hands each to its stream: adb-shell's own packet reading and writing underneath
(``_AdbIOManager``), no lock contention, nothing waits on another stream.

A failure of the link ends every open stream. Each gets an error with what it received; the
caller (``scanner.batch.run_wave``) names the cause.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from adb_shell import constants
from adb_shell.adb_message import AdbMessage
from adb_shell.hidden_helpers import _AdbTransactionInfo

from checks.errors import DeviceError
from scanner.transport import failures


class StreamSource(Protocol):
    """A sequence of commands for one stream (``scanner.batch``'s streams)."""

    def next_command(self) -> tuple[str, float] | None:
        """The next command and the seconds it may take, or None when done."""
        ...

    def take(self, stdout: bytes, error: DeviceError | None) -> None:
        """The command's output, and its error if it failed."""
        ...


class Sources(Protocol):
    """The streams of a wave; may grow while it runs (``finished`` adds follow-ups)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> StreamSource: ...

    def finished(self, source: StreamSource) -> None: ...


class Link(Protocol):
    """What the multiplexer needs of ``_adbshell.Session``."""

    name: str
    max_output: int
    aborted: bool

    @property
    def deadline(self) -> float: ...

    @deadline.setter
    def deadline(self, value: float) -> None: ...

    def io(self) -> object: ...

    def new_local_id(self) -> int: ...

    def broken(self) -> None: ...


@dataclass(slots=True)
class _Open:
    source: StreamSource
    command: str
    deadline: float
    timeout: float
    remote: int | None = None
    received: bytearray = field(default_factory=bytearray)


def run(
    link: Link, sources: Sources, width: int, errors: tuple[type[BaseException], ...]
) -> list[tuple[str, int]]:
    """Serve ``sources`` with up to ``width`` streams open at once; ``errors`` are what a broken
    link raises. Returns (command, bytes received) of every stream, in the order they ended."""
    mux = _Mux(link, width)
    mux.serve(sources, errors)
    return mux.done


class _Mux:
    def __init__(self, link: Link, width: int) -> None:
        self.link = link
        self.width = width
        self.io = link.io()
        self.info = _AdbTransactionInfo(0, 0, None, 1e9, None)
        self.open: dict[int, _Open] = {}
        self.done: list[tuple[str, int]] = []
        """(command, bytes received) of every stream that ended, in order."""

    def serve(self, sources: Sources, errors: tuple[type[BaseException], ...]) -> None:
        caught: tuple[type[BaseException], ...] = (*errors, _TooMuch)
        waiting: deque[StreamSource] = deque(sources[i] for i in range(len(sources)))
        seen = len(sources)
        try:
            while True:
                if len(sources) > seen:
                    waiting.extend(sources[i] for i in range(seen, len(sources)))
                    seen = len(sources)
                while waiting and len(self.open) < self.width:
                    source = waiting.popleft()
                    step = source.next_command()
                    if step is None:
                        sources.finished(source)
                        continue
                    self._open(source, *step)
                if len(sources) > seen:
                    continue  # follow-ups just added: open them now, not after the next packet
                if not self.open:
                    return
                ended = self._step()
                if ended is not None:
                    waiting.appendleft(ended)  # its next chunk goes first
        except caught as e:
            self.link.broken()
            self._fail_all(e)

    def _open(self, source: StreamSource, command: str, timeout: float) -> None:
        local = self.link.new_local_id()
        destination = b"shell:" + command.encode() + b"\0"
        self.open[local] = _Open(source, command, time.monotonic() + timeout, timeout)
        self.link.deadline = min(o.deadline for o in self.open.values())
        self.io.send(AdbMessage(constants.OPEN, local, 0, destination), self.info)  # type: ignore[attr-defined]

    def _step(self) -> StreamSource | None:
        """Read one packet and hand it to its stream; the stream's source once it ended."""
        self.link.deadline = min(o.deadline for o in self.open.values())
        command, arg0, arg1, data = self.io._read_packet_from_device(self.info)  # type: ignore[attr-defined]
        stream = self.open.get(arg1)
        if stream is None:
            return None  # a stream we gave up, or not ours
        if command == constants.OKAY:
            if stream.remote is None:
                stream.remote = arg0
        elif command == constants.WRTE:
            stream.received += data
            self.io.send(AdbMessage(constants.OKAY, arg1, arg0), self.info)  # type: ignore[attr-defined]
            held = sum(len(o.received) for o in self.open.values())
            if held > self.link.max_output:
                raise _TooMuch(arg1)
        elif command == constants.CLSE:
            del self.open[arg1]
            if stream.remote is None:  # refused: CLSE(0, local) instead of OKAY
                stream.source.take(
                    b"",
                    failures.lost(
                        self.link.name, stream.command, b"", "the phone refused to open a shell"
                    ),
                )
                self.done.append((stream.command, 0))
                return stream.source
            self.io.send(AdbMessage(constants.CLSE, arg1, stream.remote), self.info)  # type: ignore[attr-defined]
            self.done.append((stream.command, len(stream.received)))
            stream.source.take(bytes(stream.received), None)
            return stream.source
        return None

    def _fail_all(self, e: BaseException) -> None:
        """Every open stream fails with what it received; the first cause is named by each."""
        from scanner.transport._adbshell import describe, is_timeout

        limit = self.link.max_output
        culprit = e.local if isinstance(e, _TooMuch) else None
        for local, stream in list(self.open.items()):
            partial = bytes(stream.received)
            error: DeviceError
            if self.link.aborted:
                error = failures.cut_short(self.link.name, stream.command, partial)
            elif local == culprit:
                error = failures.too_much_output(
                    self.link.name, stream.command, limit, partial[:limit]
                )
            elif culprit is not None:
                error = failures.lost(
                    self.link.name, stream.command, partial, "closed: another stream sent too much"
                )
            elif is_timeout(e):
                error = failures.timed_out(self.link.name, stream.command, stream.timeout, partial)
            else:
                error = failures.lost(self.link.name, stream.command, partial, describe(e))
            self.done.append((stream.command, len(partial)))
            stream.source.take(partial, error)
        self.open.clear()


class _TooMuch(Exception):
    """The open streams together hold more than ``max_output``: the connection is cut."""

    def __init__(self, local: int) -> None:
        super().__init__(local)
        self.local = local


__all__: Sequence[str] = ("Link", "Sources", "StreamSource", "run")

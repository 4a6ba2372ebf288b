"""NDJSON file (rotated by size) and standard output destinations.

The file gets one compact JSON object per line, a whole batch in one ``write()`` on an
``O_APPEND`` handle, then ``fsync``: a batch is delivered once it is on disk, and a tailing
forwarder (Filebeat, the Splunk universal forwarder, the Azure Monitor Agent) never sees half a
line from us. When the file would grow past ``max_bytes`` it is renamed to ``.1`` (older ones
move up to ``.keep``, the oldest is removed) before the batch is written.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Sequence
from typing import IO

from reports.deliver.interface import Event, Receipt, TransientError
from reports.deliver.settings import Destination
from reports.render.cef import cef_from_ocsf
from reports.render.ecs import ecs_from_ocsf
from reports.render.ocsf import compact


def line(event: Event, fmt: str, host: str | None = None) -> bytes:
    """One event in ``fmt`` (ocsf, ecs or cef) as a line ending in ``\\n``."""
    match fmt:
        case "ocsf":
            return compact(event.ocsf) + b"\n"
        case "ecs":
            return compact(ecs_from_ocsf(event.ocsf, observer=host)) + b"\n"
        case "cef":
            return (cef_from_ocsf(event.ocsf, host=host) + "\n").encode("utf-8")
        case _:
            raise ValueError(f"unknown event format {fmt!r}")


class FileSink:
    def __init__(self, dest: Destination) -> None:
        assert dest.path is not None
        self.name, self.path, self.format = dest.name, dest.path, dest.format
        self.file_max_bytes, self.keep = dest.max_bytes, dest.keep
        self.max_bytes = dest.max_bytes
        self.max_batch, self.host = dest.batch, socket.gethostname()

    def _rotate(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.file_max_bytes:
            return
        for n in range(self.keep - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{n + 1}"))
        os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))

    def deliver(self, batch: Sequence[Event]) -> Receipt:
        data = b"".join(line(e, self.format, self.host) for e in batch)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._rotate(len(data))
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as e:
            raise TransientError(
                f"{self.path}: cannot write ({e.strerror})",
                hint="check the folder exists and the agent may write it",
            ) from None
        return Receipt.all_done(batch)

    def close(self) -> None:
        pass


class StdoutSink:
    def __init__(self, dest: Destination, stream: IO[bytes] | None = None) -> None:
        self.name, self.format, self.max_batch = dest.name, dest.format, dest.batch
        self.max_bytes = 2**31
        self.stream = stream
        self.host = socket.gethostname()

    def deliver(self, batch: Sequence[Event]) -> Receipt:
        stream = self.stream or sys.stdout.buffer
        try:
            stream.write(b"".join(line(e, self.format, self.host) for e in batch))
            stream.flush()
        except OSError as e:
            raise TransientError(
                f"standard output: {e.strerror}", hint="check what reads it"
            ) from None
        return Receipt.all_done(batch)

    def close(self) -> None:
        pass


__all__ = ["FileSink", "StdoutSink", "line"]

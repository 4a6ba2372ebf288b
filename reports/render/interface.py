"""What every renderer is: a scan result in, the bytes of one output format out."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from checks.result import ScanResult


@runtime_checkable
class Renderer(Protocol):
    """Turns one scan into one output format (JSON, plain text, ...).

    A renderer does no I/O and keeps no state between calls: the same result gives the same
    bytes. Delivering them (a file, stdout, a SIEM) is a sink's job.
    """

    media_type: str
    """What the bytes are, e.g. "application/json" or "text/plain; charset=utf-8"."""

    def render(self, result: ScanResult) -> bytes: ...


__all__ = ["Renderer"]

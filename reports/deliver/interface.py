"""What every destination is: a batch of events in, a receipt saying what became of each out.

A sink does the network or file I/O for one destination and nothing else: the outbox
(``reports.deliver.spool``) decides what to send, when to retry and what to drop. A sink never
puts a token, a password or a request header into an error or a log line.

Failures are data or one of two errors:

* ``Receipt.retry`` / ``TransientError``: try again later (408, 425, 429, 5xx, timeouts,
  connection and TLS errors); ``retry_after`` is the server's ``Retry-After`` in seconds.
* ``Receipt.dead``: this event was refused for what it is (a 400 for one item); the others go on.
* ``RejectedError``: the destination refuses us (401, 403, 404, other 4xx): the outbox parks the
  destination, raises an alert and keeps queueing.
* ``TooLarge`` (413) and ``Unacceptable`` (400, 422 for the whole request): the outbox halves
  the batch until the one event at fault is alone, and dead-letters it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from checks.errors import MsgscanError


@dataclass(frozen=True, slots=True)
class Event:
    """One event waiting for a destination."""

    id: str
    """The OCSF ``metadata.uid``: stable across retries, the receiver's dedup key."""
    ocsf: Mapping[str, Any]
    """The event as OCSF 1.5.0 Compliance Finding; each sink renders its own wire format."""


@dataclass(slots=True)
class Receipt:
    """What became of a batch: every event id is in exactly one of the three."""

    done: list[str] = field(default_factory=list)
    dead: dict[str, str] = field(default_factory=dict)
    """Event id -> why the receiver refused it for good (dead-lettered, never resent)."""
    retry: dict[str, str] = field(default_factory=dict)
    """Event id -> why it must be sent again."""
    retry_after: float | None = None

    @classmethod
    def all_done(cls, batch: Sequence[Event]) -> Receipt:
        return cls(done=[e.id for e in batch])


class DeliveryError(MsgscanError):
    """A destination could not take events."""


class TransientError(DeliveryError):
    """Try again later: the receiver is busy, down or unreachable."""

    def __init__(self, problem: str, *, hint: str, retry_after: float | None = None) -> None:
        super().__init__(problem, hint=hint)
        self.retry_after = retry_after


class RejectedError(DeliveryError):
    """The receiver refuses this sender (credentials, URL, permissions): park the destination."""


class TooLarge(DeliveryError):
    """The receiver refused the request's size (413): send fewer events at once."""


class Unacceptable(DeliveryError):
    """The receiver refused the content of the request (400, 422): find the event at fault."""


@runtime_checkable
class Sink(Protocol):
    name: str
    max_batch: int
    """Events per request (the outbox also keeps each request under ``max_bytes``)."""
    max_bytes: int

    def deliver(self, batch: Sequence[Event]) -> Receipt: ...

    def close(self) -> None: ...


__all__ = [
    "DeliveryError",
    "Event",
    "Receipt",
    "RejectedError",
    "Sink",
    "TooLarge",
    "TransientError",
    "Unacceptable",
]

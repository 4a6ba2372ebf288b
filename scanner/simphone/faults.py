"""Ways the simulated phone misbehaves, for testing how a client copes.

A ``PhoneServer`` reads its ``faults`` attribute for every packet it sends, so assigning a new
``Faults`` while a scan runs (``server.faults = Faults(drop_after_bytes=0)``) takes effect at the
next packet on every open connection.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Faults:
    latency_s: float = 0.0
    """One-way delay of the link: each packet the phone sends arrives this long after it left.
    Packets in flight overlap (a link carries many at once); only ``bandwidth_bps`` makes them
    wait for each other."""
    bandwidth_bps: int | None = None
    """Link speed in bits per second: a packet leaves once the one before it has, taking its
    wire size at this rate."""
    drop_after_bytes: int | None = None
    """Close the TCP connection once the connection has sent this many bytes of stream data
    (WRTE payloads; the handshake does not count). A WRTE that would cross the limit is cut
    after its header and the bytes up to the limit, like a cable pulled mid-packet."""
    hang_after_bytes: int | None = None
    """Like ``drop_after_bytes``, but the phone then goes silent and keeps the socket open
    (it still reads, so the host's writes succeed): only a read timeout ends the wait."""
    refuse_auth: bool = False
    """Reject every signature and ignore public keys, whatever the ``AuthPolicy`` says."""
    corrupt: bool = False
    """Invert the middle byte of every WRTE payload. The checksum is computed after the damage,
    so it is consistent: the corruption reaches the client's parser (shell v2 and sync framing
    included), as a fault inside the phone would, rather than tripping adb-shell's checksum."""
    use_device_time: bool = False
    """Sleep each command's recorded ``CommandOutput.device_ms`` before answering it."""
    tcp_delayed_ack: bool = False
    """Leave the kernel's delayed ACKs alone, as a real phone's kernel does. By default the
    simulator ACKs at once (TCP_QUICKACK): adb-shell writes a packet's header and payload
    separately without TCP_NODELAY, so Nagle holds each payload until the header is ACKed,
    and with delayed ACKs every OPEN or WRTE from adb-shell waits ~40 ms (measured: 100
    ``shell`` round trips take 4.4 s instead of 0.04 s)."""

    def __post_init__(self) -> None:
        for name in ("latency_s", "bandwidth_bps", "drop_after_bytes", "hang_after_bytes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"Faults.{name} must be >= 0, not {value}")
        if self.bandwidth_bps == 0:
            raise ValueError("Faults.bandwidth_bps must be positive or None (unlimited)")

    @property
    def delays(self) -> bool:
        """Whether packets must wait before leaving (then they queue to keep their order)."""
        return self.latency_s > 0 or self.bandwidth_bps is not None

    def delay_for(self, wire_bytes: int) -> float:
        delay = self.latency_s
        if self.bandwidth_bps is not None:
            delay += wire_bytes * 8 / self.bandwidth_bps
        return delay

    def byte_limit(self) -> tuple[int, bool] | None:
        """The nearer of the two byte limits and whether it hangs (True) or drops (False)."""
        limits = [
            (limit, hang)
            for limit, hang in ((self.drop_after_bytes, False), (self.hang_after_bytes, True))
            if limit is not None
        ]
        return min(limits) if limits else None


NO_FAULTS = Faults()

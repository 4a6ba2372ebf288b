"""Which phone answers at which TCP address, so a phone keeps one identity across addresses.

A phone over TCP is known by its own serial once a scan has read it (``scanner.collect``); its
address (``host:port``) is a separate fact that changes with DHCP. When an address cannot be
reached, this map names the phone last seen there, so the failed attempt is recorded against
that phone (its results go stale) rather than against a new "device" called by its address.
Kept as ``addresses.json`` in the state folder (written atomically; a damaged file is ignored
and rebuilt by the next scans).
"""

from __future__ import annotations

import json
from pathlib import Path

import structlog

from checks.errors import MsgscanError
from scanner.files import write_atomic

log = structlog.get_logger("msgscan.agent")
FILE = "addresses.json"


class Addresses:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE
        self.by_address: dict[str, str] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self.by_address = {str(k): str(v) for k, v in data.items()}
        except (OSError, ValueError, RecursionError):
            pass
        self.newest = {d: a for a, d in self.by_address.items()}
        """Device -> its newest address (the last of its entries)."""

    def device_at(self, address: str) -> str | None:
        return self.by_address.get(address)

    def address_of(self, device: str) -> str | None:
        return self.newest.get(device)

    def remember(self, address: str, device: str) -> None:
        if self.by_address.get(address) == device and self.newest.get(device) == address:
            return  # already the phone's newest address: nothing to write (every round's case)
        # The newest address of a phone comes last; an old one still names the phone, so a
        # failed attempt there is no new device.
        before = self.by_address.pop(address, None)
        self.by_address[address] = device
        self.newest[device] = address
        if before is not None and before != device and self.newest.get(before) == address:
            older = [a for a, d in self.by_address.items() if d == before]
            if older:
                self.newest[before] = older[-1]
            else:
                del self.newest[before]
        # What json.dumps(indent=1) wrote, by its C encoder (indent makes it the Python one).
        text = json.dumps(self.by_address, separators=(",\n ", ": "))
        text = "{\n " + text[1:-1] + "\n}" if self.by_address else text
        try:
            write_atomic(self.path, (text + "\n").encode())
        except MsgscanError as e:
            log.error("addresses.write_failed", problem=e.problem)


__all__ = ["Addresses"]

"""ADB packet framing: the 24-byte header, checksums and version negotiation (adb.md §1.1-1.2).

Pure functions and constants, no I/O, so the framing rules can be tested on their own.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER = struct.Struct("<6I")


def _cmd(name: bytes) -> int:
    return int.from_bytes(name, "little")


A_SYNC = _cmd(b"SYNC")  # obsolete; never valid on the wire
A_CNXN = _cmd(b"CNXN")
A_AUTH = _cmd(b"AUTH")
A_OPEN = _cmd(b"OPEN")
A_OKAY = _cmd(b"OKAY")
A_CLSE = _cmd(b"CLSE")
A_WRTE = _cmd(b"WRTE")
A_STLS = _cmd(b"STLS")

KNOWN_COMMANDS = frozenset({A_CNXN, A_AUTH, A_OPEN, A_OKAY, A_CLSE, A_WRTE})
"""What a host may send us. STLS is never sent by a host to a plain-TCP phone, and SYNC is
obsolete: both count as unrecognised, which protocol.md says must close the connection."""

VERSION_MIN = 0x01000000
VERSION_SKIP_CHECKSUM = 0x01000001
"""From this version on (2017, aosp/568123) ``data_check`` is 0 on send and ignored on receipt."""

MAX_PAYLOAD = 1024 * 1024
"""What we announce in our CNXN. adbd announces 1 MiB; protocol.md's 256 KiB is stale."""

CNXN_AUTH_LIMIT = 4096
"""CNXN and AUTH payloads stay this small: old hosts fixed maxdata at 4096 before CNXN."""

AUTH_TOKEN = 1
AUTH_SIGNATURE = 2
AUTH_RSAPUBLICKEY = 3

TOKEN_SIZE = 20


def checksum(payload: bytes) -> int:
    """The pre-2017 ``data_check``: a plain byte sum (protocol.md's "crc32" is a misnomer)."""
    return sum(payload) & 0xFFFFFFFF


def pack(command: int, arg0: int, arg1: int, payload: bytes = b"", *, with_checksum: bool) -> bytes:
    """One packet, header and payload joined so that it leaves in a single ``send``.

    Two writes per packet let Nagle's algorithm hold the payload back until the header is
    acknowledged, which on loopback costs a delayed-ACK wait (~40 ms) per packet.
    """
    check = checksum(payload) if with_checksum and payload else 0
    header = HEADER.pack(command, arg0, arg1, len(payload), check, command ^ 0xFFFFFFFF)
    return header + payload if payload else header


@dataclass(frozen=True, slots=True)
class Header:
    command: int
    arg0: int
    arg1: int
    length: int
    check: int
    magic: int

    @property
    def magic_ok(self) -> bool:
        return self.magic == self.command ^ 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class Negotiated:
    """What both sides use after the host's CNXN: the lower version and the smaller maxdata."""

    version: int
    maxdata: int

    @classmethod
    def from_host(
        cls, host_version: int, host_maxdata: int, own: int = VERSION_SKIP_CHECKSUM
    ) -> Negotiated:
        """``own``: the version this phone announces (0x01000000: an adbd before aosp/568123)."""
        return cls(
            version=min(host_version, own),
            maxdata=min(host_maxdata, MAX_PAYLOAD),
        )

    @property
    def checksummed(self) -> bool:
        """Whether our packets carry a byte sum and the host's are checked against theirs.

        adb-shell announces 0x01000000 and verifies every packet it receives, WRTE included;
        adb 29/36 announce 0x01000001 and need none (their first CNXN still carries one).
        """
        return self.version < VERSION_SKIP_CHECKSUM


INITIAL = Negotiated(version=VERSION_MIN, maxdata=MAX_PAYLOAD)
"""Before the host's CNXN both sides speak the original version (adb.md §1.2)."""

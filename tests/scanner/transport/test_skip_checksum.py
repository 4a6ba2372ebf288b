"""msgscan's side of ADB's version negotiation (``scanner.transport._version``, adb.md §1.2).

Against the simulated phone, new (0x01000001) and old (0x01000000, before aosp/568123): msgscan
announces 0x01000001; with the new phone neither side sums payloads, with the old one both do
(the old phone drops a packet whose sum is wrong: a shell that works proves msgscan summed).
Then, on a scripted link, what msgscan accepts: a wrong sum from an old phone is an error, as
adb-shell always made it; a new phone's 0 or stale sum is not checked, as adb does not.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from adb_shell import constants
from adb_shell.adb_device import AdbDeviceTcp
from adb_shell.adb_message import AdbMessage
from adb_shell.auth.sign_pythonrsa import PythonRSASigner
from adb_shell.exceptions import InvalidChecksumError
from adb_shell.transport.base_transport import BaseTransport

from scanner.simphone import AuthPolicy
from scanner.simphone.packets import VERSION_MIN, VERSION_SKIP_CHECKSUM
from scanner.transport._version import NegotiatingIO
from scanner.transport.tcp import TcpTransport

Phone = Callable[..., Any]
HEADER = struct.Struct("<6I")


@pytest.mark.parametrize(
    ("version", "summed"),
    [(VERSION_SKIP_CHECKSUM, False), (VERSION_MIN, True)],
    ids=["new-phone", "old-phone"],
)
def test_msgscan_speaks_the_lower_version(
    phone: Phone, signer: PythonRSASigner, version: int, summed: bool
) -> None:
    server = phone(auth=AuthPolicy(trusted_keys=(signer.GetPublicKey(),)), version=version)
    transport = TcpTransport.connect("127.0.0.1", server.port, signer=signer)
    try:
        assert transport.shell("getprop ro.product.model", timeout=5).stdout == b"Pixel 7\n"
        big = transport.shell("bytes 300000", timeout=5).stdout  # several WRTE packets
    finally:
        transport.close()
    assert len(big) == 300000
    assert server.stats.host_versions == [VERSION_SKIP_CHECKSUM]
    assert (server.stats.summed_in > 0) == summed


def test_stock_adb_shell_still_sums(phone: Phone, signer: PythonRSASigner) -> None:
    """adb-shell itself (0x01000000) is unchanged: the new phone sums for it, and it checks."""
    server = phone(auth=AuthPolicy(trusted_keys=(signer.GetPublicKey(),)))
    device = AdbDeviceTcp("127.0.0.1", server.port, default_transport_timeout_s=5)
    device.connect(rsa_keys=[signer], read_timeout_s=5)
    try:
        assert device.shell("getprop ro.product.model") == "Pixel 7\n"
    finally:
        device.close()
    assert server.stats.host_versions == [VERSION_MIN] and server.stats.summed_in > 0


# --- a scripted phone -------------------------------------------------------------------------


class Script(BaseTransport):  # type: ignore[misc]
    """A link that reads from ``incoming`` and keeps what is written."""

    def __init__(self) -> None:
        self.incoming = bytearray()
        self.written: list[bytes] = []

    def close(self) -> None:
        pass

    def connect(self, transport_timeout_s: float) -> None:
        pass

    def bulk_read(self, numbytes: int, transport_timeout_s: float) -> bytes:
        data = bytes(self.incoming[:numbytes])
        del self.incoming[:numbytes]
        return data

    def bulk_write(self, data: bytes, transport_timeout_s: float) -> int:
        self.written.append(bytes(data))
        return len(data)


INFO = SimpleNamespace(transport_timeout_s=1.0, read_timeout_s=1.0)


def packet(command: bytes, arg0: int, arg1: int, payload: bytes, check: int | None = None) -> bytes:
    wire = constants.ID_TO_WIRE[command]
    real = sum(payload) & 0xFFFFFFFF
    return (
        HEADER.pack(
            wire, arg0, arg1, len(payload), real if check is None else check, wire ^ 0xFFFFFFFF
        )
        + payload
    )


def scripted(*packets: bytes) -> tuple[NegotiatingIO, Script]:
    link = Script()
    for p in packets:
        link.incoming += p
    return NegotiatingIO(link), link


BANNER = b"device::ro.product.model=x;features=cmd"


def test_an_old_phone_is_checked() -> None:
    io, _ = scripted(
        packet(constants.CNXN, VERSION_MIN, 4096, BANNER),
        packet(constants.WRTE, 1, 1, b"right"),
        packet(constants.WRTE, 1, 1, b"wrong", check=0),
    )
    assert io._read_packet_from_device(INFO)[0] == constants.CNXN
    assert io._read_packet_from_device(INFO)[3] == b"right"
    with pytest.raises(InvalidChecksumError):
        io._read_packet_from_device(INFO)


def test_an_old_phones_damaged_banner_is_refused() -> None:
    io, _ = scripted(packet(constants.CNXN, VERSION_MIN, 4096, BANNER, check=1))
    with pytest.raises(InvalidChecksumError):
        io._read_packet_from_device(INFO)


def test_a_new_phone_is_not_checked() -> None:
    io, _ = scripted(
        packet(constants.CNXN, VERSION_SKIP_CHECKSUM, 4096, BANNER, check=0),
        packet(constants.WRTE, 1, 1, b"zero", check=0),
        packet(constants.WRTE, 1, 1, b"stale", check=12345),
    )
    assert io._read_packet_from_device(INFO)[3] == BANNER
    assert io._read_packet_from_device(INFO)[3] == b"zero"
    assert io._read_packet_from_device(INFO)[3] == b"stale"
    assert io.version == VERSION_SKIP_CHECKSUM


@pytest.mark.parametrize(("check", "accepted"), [(None, True), (0, True), (7, False)])
def test_an_auth_token_before_the_phones_cnxn(check: int | None, accepted: bool) -> None:
    """adbd takes the lower version on our CNXN, before its token: a new phone sends 0, an old
    one the sum; anything else is damage."""
    io, _ = scripted(packet(constants.AUTH, 1, 0, b"t" * 20, check=check))
    if accepted:
        assert io._read_packet_from_device(INFO)[3] == b"t" * 20
    else:
        with pytest.raises(InvalidChecksumError):
            io._read_packet_from_device(INFO)


@pytest.mark.parametrize(
    ("version", "summed"), [(VERSION_SKIP_CHECKSUM, False), (VERSION_MIN, True)]
)
def test_what_msgscan_sends(version: int, summed: bool) -> None:
    io, link = scripted(packet(constants.CNXN, version, 4096, BANNER))
    io._send(AdbMessage(constants.CNXN, constants.VERSION, 4096, b"host::me\0"), INFO)
    cnxn = HEADER.unpack(link.written[0])
    assert (cnxn[1], cnxn[4]) == (VERSION_SKIP_CHECKSUM, sum(b"host::me\0"))  # ours, summed
    io._read_packet_from_device(INFO)
    link.written.clear()
    io._send(AdbMessage(constants.OPEN, 1, 0, b"shell:id\0"), INFO)
    header = HEADER.unpack(link.written[0])
    assert header[4] == (sum(b"shell:id\0") if summed else 0)
    assert link.written[1] == b"shell:id\0"


def test_a_new_connection_forgets_the_old_version() -> None:
    io, link = scripted(packet(constants.CNXN, VERSION_SKIP_CHECKSUM, 4096, BANNER))
    io._read_packet_from_device(INFO)
    assert not io.checksummed
    link.incoming += packet(constants.CNXN, VERSION_MIN, 4096, BANNER)
    io.connect(b"me", [], 1.0, None, INFO)  # adb-shell's connect: our CNXN, then the phone's
    assert io.version == VERSION_MIN and io.checksummed

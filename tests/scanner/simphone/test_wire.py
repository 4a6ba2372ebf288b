"""Packet-level behaviour of the simulated phone, seen through a bare host (adb.md §1)."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from scanner.simphone import LEGACY_FEATURES, AuthPolicy, PhoneServer
from scanner.simphone import packets as P

from .conftest import HELLO, MODEL, PhoneFactory
from .rawhost import RawHost


@pytest.fixture
def phone(make_phone: PhoneFactory) -> PhoneServer:
    return make_phone(auth=AuthPolicy(required=False))


@pytest.fixture
def host(phone: PhoneServer) -> Iterator[RawHost]:
    raw = RawHost(phone.port)
    yield raw
    raw.close()


def v2_packets(data: bytes) -> list[tuple[int, bytes]]:
    packets = []
    while data:
        packet_id, length = struct.unpack("<BI", data[:5])
        packets.append((packet_id, data[5 : 5 + length]))
        data = data[5 + length :]
    return packets


def sync_request(ident: bytes, path: str) -> bytes:
    return struct.pack("<4sI", ident, len(path)) + path.encode()


class TestHandshake:
    def test_cnxn_carries_version_maxdata_and_banner(self, host: RawHost) -> None:
        """The phone answers CNXN(0x01000001, 1 MiB) with an honest banner and no NUL."""
        reply = host.handshake()

        assert (P.VERSION_SKIP_CHECKSUM, P.MAX_PAYLOAD) == (reply.arg0, reply.arg1)
        assert (
            b"device::ro.product.name=panther;ro.product.model=Pixel 7;ro.product.device=panther;"
            b"features=shell_v2,cmd,stat_v2,ls_v2,sendrecv_v2"
        ) == reply.payload

    def test_old_hosts_get_checksums(self, host: RawHost) -> None:
        """A 0x01000000 host gets byte sums on every packet, WRTE included."""
        cnxn = host.handshake(version=P.VERSION_MIN)
        okay = host.open(1, "shell:echo hi")
        wrte = host.recv()

        assert P.checksum(cnxn.payload) == cnxn.check
        assert (b"hi\n", P.checksum(b"hi\n")) == (wrte.payload, wrte.check)
        assert b"OKAY" == okay.command

    def test_new_hosts_get_no_checksums(self, host: RawHost) -> None:
        """After negotiating 0x01000001 the phone sends 0 as data_check."""
        cnxn = host.handshake()
        host.open(1, "shell:echo hi")

        assert (0, 0) == (cnxn.check, host.recv().check)

    def test_new_hosts_checksums_are_not_checked(self, host: RawHost) -> None:
        """A wrong data_check from a 0x01000001 host is ignored."""
        host.handshake()
        host.checksummed = False  # sends 0, which is wrong for a non-empty payload

        assert b"hi\n" == host.exchange(1, "shell:echo hi")

    def test_bad_checksum_from_an_old_host_drops(self, host: RawHost) -> None:
        """A 0x01000000 host's corrupt payload closes the connection (protocol.md)."""
        host.handshake(version=P.VERSION_MIN)
        host.checksummed = False

        host.send(b"OPEN", 1, 0, b"shell:echo hi\0")

        assert host.closed_by_peer()

    def test_bad_magic_drops(self, host: RawHost) -> None:
        """A header whose magic is not command ^ 0xffffffff ends the connection."""
        host.send(b"CNXN", P.VERSION_SKIP_CHECKSUM, P.MAX_PAYLOAD, b"host::", magic=0)

        assert host.closed_by_peer()

    def test_oversized_payload_drops(self, host: RawHost) -> None:
        """A data_length above the negotiated maxdata ends the connection."""
        host.handshake(maxdata=4096)

        host.send(b"WRTE", 1, 1, b"x" * 4097)

        assert host.closed_by_peer()

    def test_unknown_command_drops(self, host: RawHost) -> None:
        """STLS is never valid from a host; unrecognised commands close the connection."""
        host.handshake()

        host.send(b"STLS", 1, 0)

        assert host.closed_by_peer()

    def test_stream_packets_before_cnxn_are_ignored(self, host: RawHost) -> None:
        """An OPEN before the handshake gets no answer and does no harm."""
        host.send(b"OPEN", 1, 0, b"shell:echo hi\0")

        assert host.silent_for(0.2)
        host.handshake()
        assert b"hi\n" == host.exchange(2, "shell:echo hi")

    def test_second_cnxn_starts_over(self, host: RawHost) -> None:
        """A new CNXN forgets the old session's streams, as adbd does on reconnect."""
        host.handshake()
        old = host.open(1, "sync:")

        host.handshake()
        host.send(b"WRTE", 1, old.arg0, sync_request(b"STAT", "/sdcard/x.txt"))

        assert host.silent_for(0.2)


class TestAuth:
    def test_token_then_fresh_token_after_a_bad_signature(self, make_phone: PhoneFactory) -> None:
        """The phone sends a 20-byte TOKEN and a new one for each signature it rejects."""
        host = RawHost(make_phone().port)
        host.send(b"CNXN", P.VERSION_SKIP_CHECKSUM, P.MAX_PAYLOAD, b"host::features=cmd")
        first = host.recv()
        host.send(b"AUTH", P.AUTH_SIGNATURE, 0, b"\1" * 256)
        second = host.recv()

        assert (b"AUTH", P.AUTH_TOKEN, 20) == (first.command, first.arg0, len(first.payload))
        assert (b"AUTH", P.AUTH_TOKEN) == (second.command, second.arg0)
        assert first.payload != second.payload

    def test_streams_wait_for_auth(self, make_phone: PhoneFactory) -> None:
        """Until auth succeeds, OPENs are ignored."""
        host = RawHost(make_phone().port)
        host.send(b"CNXN", P.VERSION_SKIP_CHECKSUM, P.MAX_PAYLOAD, b"host::features=cmd")
        host.recv()

        host.send(b"OPEN", 1, 0, b"shell:echo hi\0")

        assert host.silent_for(0.2)


class TestStreams:
    def test_unknown_service_is_refused(self, host: RawHost) -> None:
        """An unknown destination gets CLSE(0, host id)."""
        host.handshake()

        reply = host.open(7, "framebuffer:")

        assert (b"CLSE", 0, 7) == (reply.command, reply.arg0, reply.arg1)

    def test_delayed_ack_open_is_refused(self, host: RawHost) -> None:
        """OPEN asking for delayed_ack (arg1 != 0) is refused: the phone never offered it."""
        host.handshake()

        host.send(b"OPEN", 7, 0x02000000, b"shell:echo hi\0")

        reply = host.recv()
        assert (b"CLSE", 0, 7) == (reply.command, reply.arg0, reply.arg1)

    def test_one_wrte_in_flight_each_within_maxdata(self, host: RawHost) -> None:
        """The phone waits for OKAY before the next WRTE and never exceeds maxdata."""
        host.handshake(maxdata=4096)
        okay = host.open(1, "shell:seq 100000")

        first = host.recv()
        assert (b"WRTE", 4096) == (first.command, len(first.payload))
        assert host.silent_for(0.2)
        host.send(b"OKAY", 1, okay.arg0)
        rest = host.read_stream(1, okay.arg0)

        assert b"".join(b"%d\n" % i for i in range(1, 100001)) == first.payload + rest

    def test_clse_is_echoed_once(self, host: RawHost) -> None:
        """The host's CLSE gets one CLSE back; a repeat is ignored."""
        host.handshake()
        okay = host.open(1, "sync:")

        host.send(b"CLSE", 1, okay.arg0)
        echo = host.recv()
        host.send(b"CLSE", 1, okay.arg0)

        assert (b"CLSE", okay.arg0, 1) == (echo.command, echo.arg0, echo.arg1)
        assert host.silent_for(0.2)

    def test_packets_for_unknown_streams_are_ignored(self, host: RawHost) -> None:
        """WRTE, OKAY and CLSE for ids the phone does not know draw no answer."""
        host.handshake()

        for command in (b"WRTE", b"OKAY", b"CLSE"):
            host.send(command, 5, 999, b"x" if command == b"WRTE" else b"")

        assert host.silent_for(0.2)
        assert b"hi\n" == host.exchange(6, "shell:echo hi")

    def test_streams_interleave(self, host: RawHost) -> None:
        """Two open streams are served independently on one connection."""
        host.handshake()
        a = host.open(1, "sync:")
        b = host.open(2, "sync:")

        host.send(b"WRTE", 2, b.arg0, sync_request(b"STAT", "/sdcard/x.txt"))
        assert b"OKAY" == host.recv().command
        reply_b = host.recv()
        host.send(b"WRTE", 1, a.arg0, sync_request(b"STAT", "/nope"))
        assert b"OKAY" == host.recv().command
        reply_a = host.recv()

        assert (b.arg0, len(HELLO)) == (reply_b.arg0, struct.unpack("<4sIII", reply_b.payload)[2])
        assert (a.arg0, (b"STAT", 0, 0, 0)) == (
            reply_a.arg0,
            struct.unpack("<4sIII", reply_a.payload),
        )


class TestShell:
    def test_v2_separates_stdout_stderr_and_exit(self, host: RawHost) -> None:
        """shell,v2 sends stderr as id 2 and the exit status as id 3, then OKAYs close-stdin."""
        host.handshake()
        okay = host.open(1, "shell,v2,TERM=xterm,raw:ls /nope")
        wrte = host.recv()

        host.send(b"WRTE", 1, okay.arg0, struct.pack("<BI", 4, 0))  # close-stdin
        assert b"OKAY" == host.recv().command
        host.send(b"OKAY", 1, okay.arg0)
        assert b"CLSE" == host.recv().command

        assert [(2, b"ls: /nope: No such file or directory\n"), (3, b"\x01")] == v2_packets(
            wrte.payload
        )

    def test_pty_translates_line_ends(self, host: RawHost) -> None:
        """A PTY shell turns LF into CR LF and still reports the exit status."""
        host.handshake()

        data = host.exchange(1, "shell,v2,pty:echo hi")

        assert [(1, b"hi\r\n"), (3, b"\x00")] == v2_packets(data)

    def test_raw_shell_reads_commands_from_stdin(self, host: RawHost) -> None:
        """``shell,v2,raw:`` runs the lines the host sends until close-stdin."""
        host.handshake()
        okay = host.open(1, "shell,v2,raw:")

        stdin = b"echo hi\nfalse\n"
        output = host.write(1, okay.arg0, struct.pack("<BI", 0, len(stdin)) + stdin)
        output += host.write(1, okay.arg0, struct.pack("<BI", 4, 0))  # close-stdin
        output += host.read_stream(1, okay.arg0)

        assert [(1, b"hi\n"), (3, b"\x01")] == v2_packets(output)

    def test_legacy_phone_refuses_shell_args(self, make_phone: PhoneFactory) -> None:
        """Without shell_v2 the phone knows only ``shell:``, as pre-Android-7 adbd did."""
        host = RawHost(make_phone(auth=AuthPolicy(required=False), features=LEGACY_FEATURES).port)
        host.handshake()

        assert b"CLSE" == host.open(1, "shell,v2,raw:echo hi").command
        assert f"{MODEL}\n".encode() == host.exchange(2, "shell:getprop ro.product.model")

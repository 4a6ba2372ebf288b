"""The ``sync:`` service on the wire: requests as a byte stream, replies as adbd words them."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from scanner.simphone import LEGACY_FEATURES, AuthPolicy
from scanner.simphone import packets as P

from .conftest import BIG, HELLO, PhoneFactory
from .rawhost import RawHost, Session


@pytest.fixture
def host(make_phone: PhoneFactory) -> Iterator[RawHost]:
    raw = RawHost(make_phone(auth=AuthPolicy(required=False)).port)
    yield raw
    raw.close()


def sync_request(ident: bytes, path: str) -> bytes:
    return struct.pack("<4sI", ident, len(path)) + path.encode()


class TestSync:
    def open_sync(self, host: RawHost, maxdata: int = P.MAX_PAYLOAD) -> Session:
        host.handshake(maxdata=maxdata)
        return Session(host, 1, host.open(1, "sync:").arg0)

    def test_requests_may_span_and_share_wrtes(self, host: RawHost) -> None:
        """A request split over two WRTEs, or two in one, are parsed as a byte stream."""
        sync = self.open_sync(host)
        request = sync_request(b"STAT", "/sdcard/x.txt")

        sync.write(request[:5])
        sync.write(request[5:] + request)

        expected = (b"STAT", 0o100644, len(HELLO), 1_700_000_000)
        assert [expected] * 2 == [struct.unpack("<4sIII", sync.read(16)) for _ in range(2)]

    def test_stat_v2_reports_errno(self, host: RawHost) -> None:
        """STA2 of a missing file carries ENOENT; LST2 of a file its metadata."""
        sync = self.open_sync(host)

        sync.write(sync_request(b"STA2", "/nope") + sync_request(b"LST2", "/sdcard/x.txt"))

        missing = struct.unpack("<4sIQQIIIIQqqq", sync.read(72))
        found = struct.unpack("<4sIQQIIIIQqqq", sync.read(72))
        assert (b"STA2", 2) == missing[:2]
        assert (b"LST2", 0, 0o100644, 1, len(HELLO), 1_700_000_000) == (
            found[0],
            found[1],
            found[4],
            found[5],
            found[8],
            found[10],
        )

    def test_list_v2(self, host: RawHost) -> None:
        """LIS2 sends a DNT2 per entry and a 76-byte DONE."""
        sync = self.open_sync(host)
        sync.write(sync_request(b"LIS2", "/sdcard/Download"))

        names = []
        while (header := sync.read(76)).startswith(b"DNT2"):
            names.append(sync.read(struct.unpack("<I", header[72:])[0]).decode())

        assert b"DONE" + bytes(72) == header
        assert [".", "..", "big.bin"] == names

    def test_list_v1_of_a_missing_directory_is_empty(self, host: RawHost) -> None:
        """LIST of a path that is no directory is just DONE, as in adbd."""
        sync = self.open_sync(host)
        sync.write(sync_request(b"LIST", "/sdcard/x.txt"))

        assert b"DONE" + bytes(16) == sync.read(20)

    def test_rcv2_over_small_maxdata(self, host: RawHost) -> None:
        """RCV2 with flags 0 sends DATA chunks and DONE, each WRTE within maxdata."""
        sync = self.open_sync(host, maxdata=4096)
        sync.write(sync_request(b"RCV2", "/sdcard/Download/big.bin") + b"RCV2" + bytes(4))

        content = b""
        while (reply := sync.read_message())[0] == b"DATA":
            assert len(reply[1]) <= 65536
            content += reply[1]

        assert (b"DONE", b"") == reply
        assert BIG == content

    def test_recv_of_a_missing_file_fails(self, host: RawHost) -> None:
        """RECV of a missing file gets adbd's FAIL text, then the stream closes."""
        sync = self.open_sync(host)
        sync.write(sync_request(b"RECV", "/sdcard/nope"))

        assert (b"FAIL", b"open failed: No such file or directory") == sync.read_message()
        assert sync.closed()

    def test_compression_flags_fail(self, host: RawHost) -> None:
        """RCV2 asking for brotli gets FAIL and the stream closes."""
        sync = self.open_sync(host)
        sync.write(sync_request(b"RCV2", "/sdcard/x.txt") + b"RCV2" + struct.pack("<I", 1))

        assert (b"FAIL", b"unknown flags: 1") == sync.read_message()
        assert sync.closed()

    def test_unknown_request_fails_and_closes(self, host: RawHost) -> None:
        """An unknown id gets adbd's FAIL "unknown command" and the stream closes."""
        sync = self.open_sync(host)
        sync.write(sync_request(b"NOPE", "/"))

        assert (b"FAIL", b"unknown command 45504f4e") == sync.read_message()
        assert sync.closed()

    def test_quit_closes(self, host: RawHost) -> None:
        """QUIT ends the sync session with a CLSE."""
        sync = self.open_sync(host)
        sync.write(sync_request(b"QUIT", ""))

        assert sync.closed()

    def test_push_fails_read_only(self, host: RawHost) -> None:
        """SEND is read to its DONE and answered with FAIL: the phone is read-only."""
        sync = self.open_sync(host)
        sync.write(sync_request(b"SEND", "/sdcard/new.txt,33188") + b"DATA\x03\0\0\0abc")
        sync.write(b"DONE\0\0\0\0")

        assert (b"FAIL", b"couldn't create file: Read-only file system") == sync.read_message()
        assert sync.closed()

    def test_path_too_long(self, host: RawHost) -> None:
        """A path over 1024 bytes fails before it is read."""
        sync = self.open_sync(host)
        sync.write(struct.pack("<4sI", b"STAT", 1025))

        assert (b"FAIL", b"path too long") == sync.read_message()

    def test_legacy_phone_lacks_v2_requests(self, make_phone: PhoneFactory) -> None:
        """Without stat_v2 the phone fails STA2 as an old adbd would."""
        host = RawHost(make_phone(auth=AuthPolicy(required=False), features=LEGACY_FEATURES).port)
        sync = self.open_sync(host)
        sync.write(sync_request(b"STA2", "/sdcard/x.txt"))

        assert (b"FAIL", b"unknown command 32415453") == sync.read_message()

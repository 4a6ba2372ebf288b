"""On a TCP link a packet's header and payload go in one write (session 23: 80 to 59 writes a
large phone's scan); on any other link, apart, as adb-shell writes them; the bytes are the same."""

from __future__ import annotations

from adb_shell import constants
from adb_shell.adb_message import AdbMessage
from adb_shell.hidden_helpers import _AdbTransactionInfo

from scanner.transport._version import NegotiatingIO
from scanner.transport.tcp import _TcpLink


class Recorder:
    def __init__(self, stream: bool) -> None:
        self.stream = stream
        self.writes: list[bytes] = []

    def bulk_write(self, data: bytes, timeout: float | None) -> int:
        self.writes.append(bytes(data))
        return len(data)


def sent(stream: bool, message: AdbMessage) -> list[bytes]:
    link = Recorder(stream)
    NegotiatingIO(link)._send(message, _AdbTransactionInfo(0, 0, None, 1e9, None))
    return link.writes


def test_a_tcp_link_writes_a_packet_at_once() -> None:
    assert _TcpLink.stream is True
    open_ = AdbMessage(constants.OPEN, 7, 0, b"shell:echo hi\0")
    one, two = sent(True, open_), sent(False, open_)
    assert len(one) == 1 and len(two) == 2
    assert one[0] == b"".join(two)
    assert two[1] == b"shell:echo hi\0"


def test_a_packet_without_payload_is_one_write_everywhere() -> None:
    okay = AdbMessage(constants.OKAY, 3, 4)
    assert sent(True, okay) == sent(False, okay)
    assert len(sent(True, okay)) == 1

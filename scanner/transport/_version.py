"""adb-shell's packet I/O with ADB's version negotiation: no data checksum if the phone skips it.

adb-shell 0.4.4 announces version 0x01000000 in its CNXN and sums every payload it sends and
receives in pure Python (``adb_message.checksum``: a byte sum, about 5 % of a worker's samples on
a 300-package phone). Since aosp/568123 (AOSP adb's ``docs/dev/delayed_ack.md``)
adbd announces 0x01000001 (``A_VERSION_SKIP_CHECKSUM``), and both sides then use the lower of
the two announced versions: from 0x01000001 on ``data_check`` is 0 on send and ignored on receipt
(adb.md §1.2; AOSP's ``send_packet``: ``if (t->get_protocol_version() >= A_VERSION_SKIP_CHECKSUM)
p->msg.data_check = 0``). The integrity of the bytes is then the link's (TCP's checksum, USB's
CRC), and msgscan's own ``cksum`` frame around each probe's output (``scanner.batch``) still
finds output damaged on the phone's side of the link.

``NegotiatingIO`` does what adb does: it announces 0x01000001, and

* before the phone's CNXN (our CNXN, AUTH) sends the byte sum, since the phone does not know
  our version yet; it accepts an AUTH whose ``data_check`` is the byte sum or 0 (adbd switches
  to the lower version on our CNXN, before its AUTH token: a new phone sends 0, an old one the
  sum; the token is only signed, never judged, and a damaged one fails the signature);
* judges the phone's CNXN by the version it announces there;
* after it, with a phone that announced 0x01000000, checks every payload's sum as adb-shell
  did (``InvalidChecksumError``) and sends the sum; with a 0x01000001 phone, neither.
"""

from __future__ import annotations

import struct
from typing import Any

from adb_shell import constants
from adb_shell import exceptions as adb_exc
from adb_shell.adb_device import _AdbIOManager
from adb_shell.adb_message import checksum

VERSION_MIN = 0x01000000
VERSION_SKIP_CHECKSUM = 0x01000001
_HEADER = struct.Struct(constants.MESSAGE_FORMAT.decode())
_CNXN = constants.ID_TO_WIRE[constants.CNXN]


class NegotiatingIO(_AdbIOManager):  # type: ignore[misc]  # adb-shell ships no type hints
    """adb-shell's ``_AdbIOManager`` speaking 0x01000001 (see the module doc)."""

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self.version: int | None = None
        """The negotiated version: None until the phone's CNXN of this connection arrives."""

    @property
    def checksummed(self) -> bool:
        """Whether payloads carry and are checked against the byte sum (the old version)."""
        return self.version is None or self.version < VERSION_SKIP_CHECKSUM

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        self.version = None  # a new connection: the phone announces its version again
        return super().connect(*args, **kwargs)

    def _send(self, msg: Any, adb_info: Any) -> None:
        if msg.command == _CNXN:
            msg.arg0 = VERSION_SKIP_CHECKSUM
        data = msg.data
        check = checksum(data) if data and self.checksummed else 0
        header = _HEADER.pack(msg.command, msg.arg0, msg.arg1, len(data), check, msg.magic)
        if data and getattr(self._transport, "stream", False):  # TCP: the same bytes, one write
            self._transport.bulk_write(header + data, adb_info.transport_timeout_s)
            return
        self._transport.bulk_write(header, adb_info.transport_timeout_s)
        if data:  # a second write, as adb-shell does: a USB phone reads the header on its own
            self._transport.bulk_write(data, adb_info.transport_timeout_s)

    def _read_packet_from_device(self, adb_info: Any) -> tuple[bytes, int, int, bytes]:
        header = self._read_bytes_from_device(_HEADER.size, adb_info)
        cmd, arg0, arg1, length, check, _magic = _HEADER.unpack(header)
        command = constants.WIRE_TO_ID.get(cmd)
        if not command:
            raise adb_exc.InvalidCommandError(
                f"Unknown command: {cmd} (arg0 = {arg0}, arg1 = {arg1}, msg = {header!r})"
            )
        before = self.version
        if command == constants.CNXN:
            self.version = min(arg0, VERSION_SKIP_CHECKSUM)
        if length == 0:
            return command, arg0, arg1, b""
        data = self._read_bytes_from_device(length, adb_info)
        if command == constants.AUTH and before is None:
            if check not in (0, checksum(data)):
                raise adb_exc.InvalidChecksumError(f"Received checksum {checksum(data)} != {check}")
        elif self.checksummed and checksum(data) != check:
            raise adb_exc.InvalidChecksumError(f"Received checksum {checksum(data)} != {check}")
        return command, arg0, arg1, data

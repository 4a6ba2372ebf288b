"""The ``sync:`` service: stat, list, pull; push fails (adb.md §1.7, adbd file_sync_service.cpp).

Requests are ``[4-char id][u32 LE length][path]`` and may span WRTEs or share one, so the
service reads the stream as bytes. Like adbd it closes the stream after QUIT or any FAIL and
otherwise serves requests until the host closes it (adb-shell never sends QUIT).

The v2 requests are answered only when their feature is advertised: a phone too old to list
``stat_v2`` or ``sendrecv_v2`` answers them with adbd's FAIL "unknown command".
"""

from __future__ import annotations

import errno
import os
import struct

from scanner.simphone.files import VirtualFiles
from scanner.simphone.streams import Phone, Stream, StreamClosed

REQUEST = struct.Struct("<4sI")
STAT_V1 = struct.Struct("<4sIII")  # id, mode, size, mtime
# id, error, dev, ino, mode, nlink, uid, gid, size, atime, mtime, ctime
STAT_V2 = struct.Struct("<4sIQQIIIIQqqq")
DENT_V1 = struct.Struct("<4sIIII")  # id, mode, size, mtime, namelen
DENT_V2 = struct.Struct("<4sIQQIIIIQqqqI")  # STAT_V2 + namelen
RECV_V2_SETUP = struct.Struct("<4sI")  # id, flags
SEND_V2_SETUP = struct.Struct("<4sII")  # id, mode, flags

MAX_PATH = 1024
DATA_CHUNK = 64 * 1024  # SYNC_DATA_MAX
READ_ONLY = "couldn't create file: Read-only file system"


async def sync_service(stream: Stream, phone: Phone) -> None:
    files = phone.responder.files
    features = phone.features
    try:
        while True:
            ident, length = REQUEST.unpack(await stream.read_exactly(REQUEST.size))
            if length > MAX_PATH:
                await stream.write(fail("path too long"))
                break
            path = (await stream.read_exactly(length)).decode("utf-8", errors="surrogateescape")
            reply = await _answer(stream, files, features, ident, path)
            if reply is None:  # QUIT
                break
            await stream.write(reply)
            if reply.startswith(b"FAIL"):
                break
    except StreamClosed:
        return  # the host closed the stream: the connection already answered its CLSE
    await stream.finish()


async def _answer(
    stream: Stream, files: VirtualFiles, features: tuple[str, ...], ident: bytes, path: str
) -> bytes | None:
    v2_stat = "stat_v2" in features
    match ident:
        case b"STAT":
            return stat_v1(files, path)
        case b"STA2" | b"LST2" if v2_stat:
            return stat_v2(files, path, ident)
        case b"LIST":
            return list_v1(files, path)
        case b"LIS2" if "ls_v2" in features:
            return list_v2(files, path)
        case b"RECV":
            return recv(files, path)
        case b"RCV2" if "sendrecv_v2" in features:
            _, flags = RECV_V2_SETUP.unpack(await stream.read_exactly(RECV_V2_SETUP.size))
            # Compression is advertised (sendrecv_v2_brotli, ...) only by phones that have it.
            return fail(f"unknown flags: {flags}") if flags else recv(files, path)
        case b"SEND":
            if "," not in path:
                return fail("missing , in ID_SEND_V1")
            return await refuse_send(stream)
        case b"SND2" if "sendrecv_v2" in features:
            _, _mode, flags = SEND_V2_SETUP.unpack(await stream.read_exactly(SEND_V2_SETUP.size))
            return fail(f"unknown flags: {flags}") if flags else await refuse_send(stream)
        case b"QUIT":
            return None
        case _:
            return fail(f"unknown command {int.from_bytes(ident, 'little'):08x}")


def fail(message: str) -> bytes:
    text = message.encode()
    return REQUEST.pack(b"FAIL", len(text)) + text


def _errno(error: OSError) -> int:
    return error.errno or errno.EIO


def stat_v1(files: VirtualFiles, path: str) -> bytes:
    """lstat as three u32; a missing file is all zeros (mode 0 means "absent")."""
    try:
        found = files.stat(path)
    except OSError:
        return STAT_V1.pack(b"STAT", 0, 0, 0)
    return STAT_V1.pack(b"STAT", found.mode, found.size & 0xFFFFFFFF, found.mtime & 0xFFFFFFFF)


def _stat_v2_fields(files: VirtualFiles, path: str) -> tuple[int, ...]:
    """error, dev, ino, mode, nlink, uid, gid, size, atime, mtime, ctime."""
    try:
        found = files.stat(path)
    except OSError as e:
        return (_errno(e), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    ino, nlink = files.inode(found.path), files.nlink(found.path)
    return (0, 0, ino, found.mode, nlink, 0, 0, found.size, found.mtime, found.mtime, found.mtime)


def stat_v2(files: VirtualFiles, path: str, ident: bytes) -> bytes:
    """The 72-byte reply to STA2 (stat) or LST2 (lstat); no symlinks here, so they agree."""
    return STAT_V2.pack(ident, *_stat_v2_fields(files, path))


def _entries(files: VirtualFiles, path: str) -> list[tuple[str, str]]:
    """(name, full path) per entry; a path that is no directory lists as empty, as in adbd."""
    try:
        listing = files.list(path)
    except OSError:
        return []
    return [(entry.name, entry.file.path) for entry in listing]


def list_v1(files: VirtualFiles, path: str) -> bytes:
    parts = []
    for name, full in _entries(files, path):
        found = files.stat(full)
        encoded = name.encode("utf-8", errors="surrogateescape")
        mode, size, mtime = found.mode, found.size & 0xFFFFFFFF, found.mtime & 0xFFFFFFFF
        parts.append(DENT_V1.pack(b"DENT", mode, size, mtime, len(encoded)) + encoded)
    parts.append(DENT_V1.pack(b"DONE", 0, 0, 0, 0))
    return b"".join(parts)


def list_v2(files: VirtualFiles, path: str) -> bytes:
    parts = []
    for name, full in _entries(files, path):
        encoded = name.encode("utf-8", errors="surrogateescape")
        parts.append(DENT_V2.pack(b"DNT2", *_stat_v2_fields(files, full), len(encoded)) + encoded)
    parts.append(DENT_V2.pack(b"DONE", *(0,) * 12))
    return b"".join(parts)


def recv(files: VirtualFiles, path: str) -> bytes:
    """DATA chunks of at most 64 KiB, then DONE; FAIL worded as adbd words it."""
    try:
        content = files.read(path)
    except IsADirectoryError as e:
        # open(2) succeeds on a directory; the first read(2) fails.
        return fail(f"read failed: {os.strerror(_errno(e))}")
    except OSError as e:
        return fail(f"open failed: {os.strerror(_errno(e))}")
    parts = [
        REQUEST.pack(b"DATA", len(chunk)) + chunk
        for chunk in (content[i : i + DATA_CHUNK] for i in range(0, len(content), DATA_CHUNK))
    ]
    parts.append(REQUEST.pack(b"DONE", 0))
    return b"".join(parts)


async def refuse_send(stream: Stream) -> bytes:
    """Push onto a read-only phone. adbd sends FAIL as soon as open(2) fails, then reads and
    drops DATA until DONE so that a host still writing sees the FAIL; we reply after DONE,
    which every host accepts and keeps the stream's bytes in order."""
    while True:
        ident, size = REQUEST.unpack(await stream.read_exactly(REQUEST.size))
        if ident == b"DONE":
            return fail(READ_ONLY)
        if ident != b"DATA" or size > DATA_CHUNK:
            return fail("invalid data message")
        await stream.read_exactly(size)

"""Many probes in one exchange: one shell command, one stream, one round trip (waves of such
streams side by side: ``scanner.waves``).

On a real phone a round trip is the cost (USB ~1 ms, Wi-Fi ~20 ms plus the stream set-up), so the
scanner sends a short script, one checked segment per probe joined by ``;`` (one line; shown here
broken after its first ``|``)::

    { { { getprop 2>&1; echo ":msgscan:<nonce>:0:$?"; } |
        tee /proc/self/fd/3 >&4 2>/dev/null; } 3>&1 | cksum; } 4>&1; echo :msgscan:=

and cuts the output at the markers. Each marker carries the probe's exit status, which shell v1
(adb-shell, and every phone behind an old adb server) does not report otherwise. Output that ends
without a newline is fine: the marker is found wherever it starts. When the stream breaks, the
probes whose markers arrived keep their output; the rest are reported as not run.

**Damage in transit.** ``tee`` copies the probe's output and marker to the stream (fd 4) and to
fd 3, a pipe into ``cksum``, which prints the POSIX CRC and the length of exactly those bytes
right after the marker (then ``:msgscan:=``, so that no checksum is ever read from the next
probe's output): the phone computes them beside the output, in the same exchange. A byte
changed, lost or added on the way (a bad cable, a broken USB hub, adbd or a proxy that garbles)
no longer matches, and that probe's output is marked damaged and never parsed. ``cksum`` and
``tee`` are toybox commands on every Android from 6.0 on (AOSP system/core
shell_and_utilities/README.md lists both for Marshmallow; ``md5sum`` too, but ``cksum`` also
gives the length). ``tee`` reaches the pipe through ``/proc/self/fd/3`` (Android 6 toybox has
no ``mkfifo``); a shell that cannot open it still gets the output (``tee`` writes its stdout
first and ignores a file it cannot open) and ``cksum`` then reports an empty input
(``4294967295 0``): such output, and output with no checksum line at all (no ``cksum``), is
kept as *unverified*, checked by the parsers' plausibility checks only, and the snapshot says so.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import time
import zlib
from collections.abc import Mapping, Sequence

from msgspec import Struct, field

from checks.errors import DeviceError, GarbledOutput, ProbeTimeout
from scanner.parse.text import CONTROL_BYTES, decode
from scanner.probes import Probe
from scanner.transport.interface import DEFAULT_TIMEOUT_S, Transport


class Output(Struct, frozen=True, dict=True):
    """What one probe printed (stdout and stderr together) and its exit status."""

    exit_code: int | None
    raw: bytes
    """The bytes as the phone sent them (before decoding): what a recording keeps."""
    damaged: str | None = None
    """Why the output cannot be trusted (its checksum does not match); None if it can."""
    verified: bool = False
    """The phone's checksum arrived and matches."""

    @property
    def text(self) -> str:
        """``raw`` decoded (``scanner.parse.text.decode``), when first asked: the APK reads'
        binary outputs are read as bytes only, and decoding them costs more than text. Kept in
        the instance ``__dict__`` (``dict=True``), which takes part in no comparison, hash or
        pickle: a copy decodes again. ``split`` notes there (``controls``) whether ``raw``
        holds a control byte when its checksum's pass over the bytes saw it."""
        text: str | None = self.__dict__.get("text")
        if text is None:
            text = self.__dict__["text"] = decode(self.raw, controls=self.__dict__.get("controls"))
        return text

    @property
    def size(self) -> int:
        return len(self.raw)


class BatchResult(Struct, frozen=True):
    outputs: dict[str, Output]
    """Probe name -> output, for every probe whose end marker arrived."""
    missing: tuple[str, ...]
    """Probes that did not run to the end (the stream broke or timed out first)."""
    error: DeviceError | None
    commands: tuple[str, ...]
    stream_of: Mapping[str, int] = field(default_factory=dict)
    """Probe name -> the stream (1, 2, …) of its wave that asked it (``run_wave``)."""


def command_line(argv: Sequence[str]) -> str:
    """``argv`` quoted for ``sh``; a probe's (a tuple) is quoted once per scan, not three times
    (its script's size, the script, its record): ``shlex.quote`` runs a regex per word."""
    if type(argv) is tuple:
        return _quoted(argv)
    return shlex.join(argv)


@functools.lru_cache(maxsize=4096)
def _quoted(argv: tuple[str, ...]) -> str:
    return shlex.join(argv)


CHECKED_OPEN = "{ { { "
CHECKSUM_END = b":msgscan:="
CHECKED_CLOSE = (
    "; } | tee /proc/self/fd/3 >&4 2>/dev/null; } 3>&1 | cksum; } 4>&1; echo "
    + CHECKSUM_END.decode()
)
"""Around each probe's ``<command> 2>&1; echo <marker>``: the phone prints its checksum after it,
then ``CHECKSUM_END``, so that a missing checksum is never taken from the next probe's output."""
_JOIN = "; "


def script(probes: Sequence[Probe], nonce: str) -> str:
    return _JOIN.join(
        f'{CHECKED_OPEN}{command_line(p.argv)} 2>&1; echo ":msgscan:{nonce}:{i}:$?"{CHECKED_CLOSE}'
        for i, p in enumerate(probes)
    )


def checked_parts(command: str) -> list[str] | None:
    """The inner scripts of a command ``script`` built, or None for any other command line.

    For shells that answer without running ``sh`` (``scanner.replay``): they run each part and
    print ``cksum_line`` of its output after it, as ``tee`` and ``cksum`` would.
    """
    if not (command.startswith(CHECKED_OPEN) and command.endswith(CHECKED_CLOSE)):
        return None
    inner = command[len(CHECKED_OPEN) : -len(CHECKED_CLOSE)]
    return inner.split(CHECKED_CLOSE + _JOIN + CHECKED_OPEN)


_BIT_REVERSED = bytes.fromhex(
    "008040c020a060e0109050d030b070f0088848c828a868e8189858d838b878f8"
    "048444c424a464e4149454d434b474f40c8c4ccc2cac6cec1c9c5cdc3cbc7cfc"
    "028242c222a262e2129252d232b272f20a8a4aca2aaa6aea1a9a5ada3aba7afa"
    "068646c626a666e6169656d636b676f60e8e4ece2eae6eee1e9e5ede3ebe7efe"
    "018141c121a161e1119151d131b171f1098949c929a969e9199959d939b979f9"
    "058545c525a565e5159555d535b575f50d8d4dcd2dad6ded1d9d5ddd3dbd7dfd"
    "038343c323a363e3139353d333b373f30b8b4bcb2bab6beb1b9b5bdb3bbb7bfb"
    "078747c727a767e7179757d737b777f70f8f4fcf2faf6fef1f9f5fdf3fbf7fff"
)
"""Each byte with its bits reversed, ``bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))``
written out: building it cost every start ~1 M instructions (tests/scanner/test_batch_table_s26)."""


def cksum(data: bytes, *more: bytes) -> int:
    """POSIX ``cksum`` CRC (CRC-32/CKSUM over the data and its length), at zlib's speed; of
    ``data`` and ``more`` one after the other, as if joined (no copy of a 1 MB output).

    CKSUM is the unreflected CRC-32 with initial register 0; zlib's is the reflected one. With
    every byte bit-reversed, zlib started at register 0 (``value=0xFFFFFFFF``) computes the
    same CRC bit-reversed (4 MB in ~15 ms; a Python loop would take seconds).
    """
    return _cksum(data, more)[0]


def _cksum(data: bytes, more: tuple[bytes, ...]) -> tuple[int, bool]:
    """``cksum(data, *more)`` and whether ``data`` holds a byte of ``CONTROL_BYTES``: the same
    pass of ``translate`` tells, as it deletes them (then the CRC's bytes are taken again)."""
    reversed_ = data.translate(_BIT_REVERSED, CONTROL_BYTES)
    controls = len(reversed_) != len(data)
    if controls:
        reversed_ = data.translate(_BIT_REVERSED)
    crc = zlib.crc32(reversed_, 0xFFFFFFFF)
    n = len(data)
    for part in more:
        crc = zlib.crc32(part.translate(_BIT_REVERSED), crc)
        n += len(part)
    length = bytearray()
    while n:
        length.append(n & 0xFF)
        n >>= 8
    crc = zlib.crc32(bytes(length).translate(_BIT_REVERSED), crc)
    return int(f"{crc:032b}"[::-1], 2), controls


def cksum_line(data: bytes) -> bytes:
    """What ``cksum`` prints for ``data`` on stdin, and the end marker the script echoes after."""
    return b"%d %d\n%s\n" % (cksum(data), len(data), CHECKSUM_END)


_EMPTY_CKSUM = (cksum(b""), 0)


def split(stdout: bytes, probes: Sequence[Probe], nonce: str) -> dict[str, Output]:
    prefix = b":msgscan:" + nonce.encode() + b":"
    outputs: dict[str, Output] = {}
    start = at = 0
    while (begin := stdout.find(prefix, at)) >= 0:
        # = finditer of the whole marker: the leftmost one, then on from its end
        m = _MARKER_REST.match(stdout, begin + len(prefix))
        if m is None:
            at = begin + 1
            continue
        at = m.end()
        marker = stdout[begin:at]
        index = int(m.group(1))
        if index >= len(probes) or begin < start:
            continue
        raw = stdout[start:begin]
        end = stdout.find(CHECKSUM_END, m.end(), m.end() + _CHECKSUM_ROOM)
        between = None if end < 0 else stdout[m.end() : end]
        damaged, verified, controls = _checked(raw, marker, between)
        out = outputs[probes[index].name] = Output(int(m.group(2)), raw, damaged, verified)
        if controls is not None:
            out.__dict__["controls"] = controls  # for ``Output.text``
        start = m.end() if end < 0 else _line_end(stdout, end + len(CHECKSUM_END))
    return outputs


_MARKER_REST = re.compile(rb"(\d+):(\d+)(\r?\n)?")
"""A status marker after ``:msgscan:<nonce>:``: the probe's index and exit status (one pattern
for every nonce: compiling one per command cost more than the search)."""
_CHECKSUM_ROOM = 256
"""Bytes between a status marker and the checksum's end: a cksum line, or a shell's message."""
_CKSUM_LINE = re.compile(rb"(\d{1,10}) (\d{1,12})\r?\n")


def _line_end(data: bytes, at: int) -> int:
    if data.startswith(b"\r\n", at):
        return at + 2
    return at + 1 if data.startswith(b"\n", at) else at


def _check(output: bytes, marker: bytes, between: bytes | None) -> tuple[str | None, bool]:
    """(why the output is damaged or None, whether the phone's checksum confirmed it): see
    ``_checked``."""
    damaged, verified, _ = _checked(output, marker, between)
    return damaged, verified


def _checked(
    output: bytes, marker: bytes, between: bytes | None
) -> tuple[str | None, bool, bool | None]:
    """(why the output is damaged or None, whether the phone's checksum confirmed it, whether
    ``output`` holds a control byte: None when not looked at).

    The phone's checksum covers ``output`` and its status ``marker``. ``between`` is what came
    between the marker and the checksum's end marker: None when the end marker never came (the
    stream ended), empty when the phone printed no checksum (shell v2 sends a missing
    ``cksum``'s message on stderr), else the cksum line.
    """
    if between is None or not between.strip() or b"cksum" in between:
        return None, False, None  # no checksum to compare (unverified): a phone without cksum
    m = _CKSUM_LINE.fullmatch(between)
    if m is None:
        return f"{len(between)} unexpected bytes where the phone's checksum should be", False, None
    said = (int(m.group(1)), int(m.group(2)))
    size = len(output) + len(marker)
    if said == _EMPTY_CKSUM and size:
        return None, False, None  # tee could not open /proc/self/fd/3 (unverified)
    if said[1] == size:
        crc, controls = _cksum(output, (marker,))
        if said[0] == crc:
            return None, True, controls
    # A PTY (legacy ``adb shell`` without a command) turns "\n" into "\r\n" after cksum saw it.
    checked = output + marker
    if b"\r\n" in checked:
        plain = checked.replace(b"\r\n", b"\n")
        if said == (cksum(plain), len(plain)):
            return None, True, None
    return (
        f"{size} bytes arrived, the phone sent {said[1]} bytes with CRC {said[0]}; "
        f"these have CRC {cksum(checked)}"
    ), False, None


def chunks(probes: Sequence[Probe], limit: int) -> list[list[Probe]]:
    """Group probes so that each script stays within ``limit`` bytes.

    The whole script travels in one OPEN packet, which may not exceed the phone's maxdata: 4 KiB
    for adbd before Android 7 (protocol version 0x01000000, adb's MAX_PAYLOAD_V1), 256 KiB-1 MiB
    after. A probe longer than the limit on its own still gets a chunk of its own.
    """
    groups: list[list[Probe]] = []
    size = 0
    for probe in probes:
        cost = len(command_line(probe.argv)) + MARKER_COST
        if not groups or size + cost > limit:
            groups.append([])
            size = 0
        groups[-1].append(probe)
        size += cost
    return groups


MARKER_COST = len(f'{CHECKED_OPEN} 2>&1; echo ":msgscan:00000000:0000:$?"{CHECKED_CLOSE}{_JOIN}')
DEFAULT_LIMIT = 4000
"""Bytes per script when the transport cannot say what the phone accepts (safe on Android 6)."""


class ProbeStream:
    """One stream of probes: their chunks, one command after another (``run``'s loop, also fed
    by a transport that multiplexes many streams: ``next_command`` and ``take``)."""

    def __init__(
        self,
        transport: Transport,
        probes: Sequence[Probe],
        timeout: float,
        deadline: float | None,
        stop: list[bool] | None = None,
    ) -> None:
        self.serial = transport.serial
        self.probes = probes
        self.groups = chunks(probes, getattr(transport, "max_command", DEFAULT_LIMIT))
        self.timeout, self.deadline = timeout, deadline
        self.stop = stop if stop is not None else [False]
        """Shared by a wave's streams: once one failed, none starts another command."""
        self.outputs: dict[str, Output] = {}
        self.commands: list[str] = []
        self.error: DeviceError | None = None
        self._nonce = ""

    def next_command(self) -> tuple[str, float] | None:
        """The next script and the seconds it may take; None when done or given up."""
        if self.error is not None or self.stop[0] or len(self.commands) >= len(self.groups):
            return None
        allowed = self.timeout
        if self.deadline is not None:
            allowed = min(allowed, self.deadline - time.monotonic())
        if allowed <= 0:
            self.fail(
                ProbeTimeout(
                    f"{self.serial}: the time allowed for this phone ran out",
                    hint="raise the agent's [scan] timeout if the phone is slow but healthy",
                )
            )
            return None
        self._nonce = os.urandom(4).hex()  # = secrets.token_hex(4), without importing secrets
        command = script(self.groups[len(self.commands)], self._nonce)
        self.commands.append(command)
        return command, allowed

    def take(self, stdout: bytes, error: DeviceError | None) -> None:
        """What the last command printed (and how it failed, if it did)."""
        group = self.groups[len(self.commands) - 1]
        found = split(stdout, group, self._nonce)
        self.outputs.update(found)
        if error is None and len(found) < len(group):
            error = _garbled(
                self.serial, self.commands[-1], stdout, len(group) - len(found), len(group)
            )
        if error is not None:
            self.fail(error)

    def fail(self, error: DeviceError) -> None:
        self.error = error
        self.stop[0] = True

    def result(self) -> BatchResult:
        missing = tuple(p.name for p in self.probes if p.name not in self.outputs)
        return BatchResult(self.outputs, missing, self.error, tuple(self.commands))

    def run_alone(self, transport: Transport) -> BatchResult:
        while (step := self.next_command()) is not None:
            command, allowed = step
            try:
                stdout, error = transport.shell(command, timeout=allowed).stdout, None
            except DeviceError as e:
                stdout, error = e.partial, e
            self.take(stdout, error)
        return self.result()


def run(
    transport: Transport,
    probes: Sequence[Probe],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    deadline: float | None = None,
) -> BatchResult:
    """Run ``probes`` in as few exchanges as the phone allows; never raises for what it does.

    Each exchange may take ``timeout`` seconds, and none runs past ``deadline`` (a
    ``time.monotonic()`` value: the agent's limit for the whole phone). After a broken exchange
    the remaining chunks are not tried: the phone is gone or hung, and every further attempt would
    cost another timeout.
    """
    return ProbeStream(transport, probes, timeout, deadline).run_alone(transport)


def _garbled(serial: str, command: str, stdout: bytes, missing: int, total: int) -> GarbledOutput:
    """The stream ended normally, yet end markers are missing: the phone printed something else
    (binary garbage, another shell's output). The probes without a marker are not guessed at."""
    short = command if len(command) <= 60 else command[:59] + "…"
    return GarbledOutput(
        f"{serial}: the answer to `{short}` ({len(stdout)} bytes) lacks the end markers of "
        f"{missing} of {total} commands: the phone printed something other than their output",
        hint="Restart the phone and scan again; if it persists, record the phone "
        "(`msgscan record`) and report it.",
    )

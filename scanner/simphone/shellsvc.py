"""The ``shell:``, ``shell,<args>:`` and ``exec:`` services (adb.md §1.6).

Framing follows adbd's shell_service.cpp: without the shell protocol (``shell:cmd``,
``exec:cmd``) the command runs on a raw PTY, so stdout and stderr arrive merged on the stream
and no exit status is sent. With ``v2`` the output is split into packets
``[u8 id][u32 LE length][data]`` (1 stdout, 2 stderr, 3 exit) and the host may send 0 stdin,
4 close-stdin and 5 window-size packets. A ``pty`` shell merges stderr into stdout and turns
LF into CR LF (the tty's ``onlcr``).
"""

from __future__ import annotations

import asyncio
import itertools
import struct
from dataclasses import dataclass

from scanner.simphone.responder import CommandOutput
from scanner.simphone.services import ServiceLocks
from scanner.simphone.streams import Phone, Stream, StreamClosed

V2_HEADER = struct.Struct("<BI")
STDIN, STDOUT, STDERR, EXIT, CLOSE_STDIN, WINDOW_SIZE = range(6)

V2_CHUNK = 65536 - V2_HEADER.size
"""adbd forwards what one read of the child's pipe returns; a pipe holds 64 KiB."""


@dataclass(frozen=True, slots=True)
class ShellRequest:
    """What an OPEN for a shell-like service asked for."""

    command: str
    """As the host sent it; empty for an interactive shell."""
    v2: bool
    pty: bool


def parse_shell_service(service: str, features: tuple[str, ...]) -> ShellRequest | None:
    """The request for ``shell[,args]:cmd`` or ``exec:cmd``; None if this is neither.

    ``shell,<args>:`` came with the shell protocol (Android 7); a phone without ``shell_v2``
    is older and knows only ``shell:``, so it refuses the rest as an unknown service.
    """
    head, colon, command = service.partition(":")
    if not colon:
        return None
    if head == "exec":
        return ShellRequest(command, v2=False, pty=False)
    name, *args = head.split(",")
    if name != "shell" or (args and "shell_v2" not in features):
        return None
    if "pty" in args:
        pty = True
    elif "raw" in args:
        pty = False
    else:
        pty = not command  # adbd's default: a PTY only for an interactive shell
    return ShellRequest(command, v2="v2" in args, pty=pty)


def v2_packet(packet_id: int, data: bytes) -> bytes:
    return V2_HEADER.pack(packet_id, len(data)) + data


def v2_packets(packet_id: int, data: bytes) -> bytes:
    return b"".join(
        v2_packet(packet_id, data[i : i + V2_CHUNK]) for i in range(0, len(data), V2_CHUNK)
    )


def onlcr(data: bytes) -> bytes:
    """A tty's output translation: every LF becomes CR LF (even one already after a CR)."""
    return data.replace(b"\n", b"\r\n")


async def run_command(phone: Phone, command: str) -> CommandOutput:
    """Ask the responder; a responder that raises is a bug, reported like adbd's failure to
    start the shell (exit 126, "error: ..." on stderr) and recorded on the server."""
    try:
        output = phone.responder.run(command)
    except Exception as e:  # noqa: BLE001 - the server must keep serving other streams
        phone.record_error(f"responder.run({command!r})", e)
        return CommandOutput(b"", f"error: {e}\n".encode(), 126)
    if phone.faults.use_device_time and output.device_ms > 0:
        await _spend(phone, output)
    return output


async def _spend(phone: Phone, output: CommandOutput) -> None:
    """Sleep the command's device time, each part on one of the phone's cores; a part served by
    a system service holds that service's lock meanwhile, so a parallel stream's command of the
    same service waits (``services``): device times overlap only where a real phone's would."""
    locks: ServiceLocks | None = getattr(phone, "service_locks", None)
    for service, ms in output.segments or ((None, output.device_ms),):
        if ms <= 0:
            continue
        if locks is None:
            await asyncio.sleep(ms / 1000)
        elif service is None:
            async with locks.core:
                await asyncio.sleep(ms / 1000)
        else:
            async with locks(service), locks.core:
                await asyncio.sleep(ms / 1000)


def frame(request: ShellRequest, output: CommandOutput) -> bytes:
    """The bytes the host receives for one command's output."""
    if request.pty:
        merged = onlcr(output.stdout + output.stderr)
        if not request.v2:
            return merged
        return v2_packets(STDOUT, merged) + v2_packet(EXIT, bytes([output.exit_code & 0xFF]))
    if not request.v2:
        return output.stdout + output.stderr
    return (
        v2_packets(STDOUT, output.stdout)
        + v2_packets(STDERR, output.stderr)
        + v2_packet(EXIT, bytes([output.exit_code & 0xFF]))
    )


async def shell_service(stream: Stream, phone: Phone, request: ShellRequest) -> None:
    if not request.command:
        await _interactive(stream, phone, request)
        return
    output = await run_command(phone, request.command)
    if output.more is None:
        await stream.write(frame(request, output))
    else:
        await _write_more(stream, request, output)
    # Anything the host writes meanwhile (v2 close-stdin, stray stdin) is OKAYed by the
    # connection and dropped: the responder takes no input.
    await stream.finish()


async def _write_more(stream: Stream, request: ShellRequest, output: CommandOutput) -> None:
    """``stdout``, then each chunk of ``more`` as the host takes it, then stderr and the exit."""
    assert output.more is not None
    for chunk in itertools.chain((output.stdout,), output.more):
        if request.pty:
            chunk = onlcr(chunk)
        if chunk:
            await stream.write(v2_packets(STDOUT, chunk) if request.v2 else chunk)
    await stream.write(frame(request, CommandOutput(b"", output.stderr, output.exit_code)))


async def _interactive(stream: Stream, phone: Phone, request: ShellRequest) -> None:
    """``adb shell`` without a command: sh reading lines from the host until ``exit`` or EOF.

    With a PTY it prints mksh's prompt and echoes input, as a phone's tty does. Without one
    (``shell,v2,raw:`` fed from a pipe) it runs each line silently until close-stdin.
    """
    # mksh's PS1; a responder that knows its Android version says which (``prompt``).
    ps1 = getattr(phone.responder, "prompt", None) or f"{phone.device}:/ $ "
    prompt = ps1.encode() if request.pty else b""
    stdin = _V2Input(stream) if request.v2 else None
    exit_code = 0
    pending = bytearray()

    async def emit(data: bytes, packet_id: int = STDOUT) -> None:
        if data:
            await stream.write(v2_packets(packet_id, data) if request.v2 else data)

    await emit(prompt)
    while True:
        chunk = await (stdin.read() if stdin is not None else stream.read_some())
        if not chunk or (request.pty and chunk == b"\x04" and not pending):  # EOF or ^D
            break
        if request.pty:
            chunk = chunk.replace(b"\r", b"\n")
            await emit(onlcr(chunk))  # the tty's echo
        pending += chunk
        *lines, rest = bytes(pending).split(b"\n")
        pending = bytearray(rest)
        for raw in lines:
            line = raw.decode("utf-8", errors="replace").strip()
            if line == "exit":
                await _end(stream, request, exit_code)
                return
            if line:
                output = await run_command(phone, line)
                exit_code = output.exit_code
                if request.pty:
                    await emit(onlcr(output.stdout + output.stderr))
                else:
                    await emit(output.stdout)
                    await emit(output.stderr, STDERR)
            await emit(prompt)
    await _end(stream, request, exit_code)


async def _end(stream: Stream, request: ShellRequest, exit_code: int) -> None:
    if request.v2:
        await stream.write(v2_packet(EXIT, bytes([exit_code & 0xFF])))
    await stream.finish()


class _V2Input:
    """Stdin bytes from the host's v2 packets; ``b""`` at close-stdin or when the stream ends."""

    def __init__(self, stream: Stream) -> None:
        self._stream = stream

    async def read(self) -> bytes:
        try:
            while True:
                packet_id, length = V2_HEADER.unpack(await self._stream.read_exactly(5))
                data = await self._stream.read_exactly(length)
                if packet_id == STDIN and data:
                    return data
                if packet_id == CLOSE_STDIN:
                    return b""
                # WINDOW_SIZE and unknown ids: nothing to resize, nothing to do.
        except StreamClosed:
            return b""

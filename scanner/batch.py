"""Many probes in one exchange: one shell command, one stream, one round trip.

On a real phone a round trip is the cost (USB ~1 ms, Wi-Fi ~20 ms plus the stream set-up), so the
scanner sends a short script::

    getprop 2>&1; echo ":msgscan:<nonce>:0:$?"; pm list users 2>&1; echo ":msgscan:<nonce>:1:$?"

and cuts the output at the markers. Each marker carries the probe's exit status, which shell v1
(adb-shell, and every phone behind an old adb server) does not report otherwise. Output that ends
without a newline is fine: the marker is found wherever it starts. When the stream breaks, the
probes whose markers arrived keep their output; the rest are reported as not run.
"""

from __future__ import annotations

import re
import secrets
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass

from checks.errors import DeviceError, GarbledOutput, ProbeTimeout
from scanner.parse.text import decode
from scanner.probes import Probe
from scanner.transport.interface import DEFAULT_TIMEOUT_S, Transport


@dataclass(frozen=True, slots=True)
class Output:
    """What one probe printed (stdout and stderr together) and its exit status."""

    text: str
    exit_code: int | None
    raw: bytes
    """The bytes as the phone sent them (before decoding): what a recording keeps."""

    @property
    def size(self) -> int:
        return len(self.raw)


@dataclass(frozen=True, slots=True)
class BatchResult:
    outputs: dict[str, Output]
    """Probe name -> output, for every probe whose end marker arrived."""
    missing: tuple[str, ...]
    """Probes that did not run to the end (the stream broke or timed out first)."""
    error: DeviceError | None
    commands: tuple[str, ...]


def command_line(argv: Sequence[str]) -> str:
    return shlex.join(argv)


def script(probes: Sequence[Probe], nonce: str) -> str:
    parts = [
        f'{command_line(p.argv)} 2>&1; echo ":msgscan:{nonce}:{i}:$?"' for i, p in enumerate(probes)
    ]
    return "; ".join(parts)


def split(stdout: bytes, probes: Sequence[Probe], nonce: str) -> dict[str, Output]:
    marker = re.compile(rb":msgscan:" + nonce.encode() + rb":(\d+):(\d+)\r?\n?")
    outputs: dict[str, Output] = {}
    start = 0
    for m in marker.finditer(stdout):
        index = int(m.group(1))
        if index >= len(probes):
            continue
        raw = stdout[start : m.start()]
        outputs[probes[index].name] = Output(decode(raw), int(m.group(2)), raw)
        start = m.end()
    return outputs


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


MARKER_COST = len('  2>&1; echo ":msgscan:00000000:0000:$?"; ')
DEFAULT_LIMIT = 4000
"""Bytes per script when the transport cannot say what the phone accepts (safe on Android 6)."""


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
    limit = getattr(transport, "max_command", DEFAULT_LIMIT)
    outputs: dict[str, Output] = {}
    commands: list[str] = []
    error: DeviceError | None = None
    for group in chunks(probes, limit):
        nonce = secrets.token_hex(4)
        command = script(group, nonce)
        allowed = timeout if deadline is None else min(timeout, deadline - time.monotonic())
        if allowed <= 0:
            error = ProbeTimeout(
                f"{transport.serial}: the time allowed for this phone ran out",
                hint="raise the agent's [scan] timeout if the phone is slow but healthy",
            )
            break
        commands.append(command)
        try:
            stdout = transport.shell(command, timeout=allowed).stdout
        except DeviceError as e:
            stdout, error = e.partial, e
        found = split(stdout, group, nonce)
        outputs.update(found)
        if error is None and len(found) < len(group):
            error = _garbled(transport.serial, command, stdout, len(group) - len(found), len(group))
        if error is not None:
            break
    missing = tuple(p.name for p in probes if p.name not in outputs)
    return BatchResult(outputs, missing, error, tuple(commands))


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

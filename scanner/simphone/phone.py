"""A simulated phone whose shell and storage come from a recording.

``RecordedPhone`` is the ``Responder`` behind ``msgscan simulate`` and ``msgscan scan --demo``:
each command line goes through ``scanner.replay.RecordedShell`` (quoting, ``;``, ``&&``, ``$?``,
pipes into a few filters, all answered from the recording, never by running a host command) and
the sync service sees the recording's ``files``.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from scanner import batch
from scanner.parse.boot_id import PATH as BOOT_ID_PATH
from scanner.recording import Recording
from scanner.recordings import times
from scanner.recordings.farm import FarmPhone
from scanner.recordings.farm_recording import recording as farm_recording
from scanner.replay import RecordedShell, ShellOutput
from scanner.simphone.adbd import PhoneServer, features_for_sdk
from scanner.simphone.auth import AuthPolicy
from scanner.simphone.faults import Faults
from scanner.simphone.files import VirtualFiles
from scanner.simphone.responder import CommandOutput
from scanner.simphone.services import program_of_line, service_of_line

if TYPE_CHECKING:
    from scanner.simphone.byteranges import ByteRanges
    from scanner.simphone.commands import DerivedCommands

T = TypeVar("T")
SHARED_RECORDINGS = 8
"""How many recordings' derived answers one process keeps (a farm has a recording per phone;
``msgscan simulate --count N`` serves one recording N times)."""
_shared: OrderedDict[tuple[int, str], tuple[Recording, object]] = OrderedDict()
_shared_lock = threading.Lock()


def shared(recording: Recording, what: str, build: Callable[[], T]) -> T:
    """``build()`` once per recording object and ``what``, for every phone serving it.

    What a phone derives from its recording (the facts behind ``pm path``, ``ls``, ``stat``,
    the APK byte ranges) depends on the recording alone, which is frozen, so phones serving the
    same recording can share it: answers and device times stay those each phone would compute;
    a scan no longer pays for parsing the recording again on each of its phones. The key is the
    object's identity, held with the value so that it cannot be reused by another object."""
    key = (id(recording), what)
    with _shared_lock:
        hit = _shared.get(key)
        if hit is not None and hit[0] is recording:
            _shared.move_to_end(key)
            return hit[1]  # type: ignore[return-value]
    value = build()
    with _shared_lock:
        _shared[key] = (recording, value)
        while len(_shared) > 2 * SHARED_RECORDINGS:
            _shared.popitem(last=False)
    return value


BOOT_ID_ARGV = ("cat", BOOT_ID_PATH)
_CAT_MS = 15.0
"""Device time: the small-command estimate of the constructed recordings (``construct``)."""
DENIED = "denied"
"""``RecordedPhone(boot_id=DENIED)``: a phone whose shell may not read the boot id."""


class _SharingShell(RecordedShell):
    """``RecordedShell`` whose derived helpers are shared by the phones of one recording, and
    which answers the kernel's boot id of the phone's simulated boot (no recording holds one).
    Modelled from AOSP: the kernel prints a version-4 UUID and a newline (drivers/char/
    random.c), which the shell may read on Android 6-16 (docs/sources.md); ``DENIED`` answers
    as toybox's cat does for a file SELinux hides (``cat: PATH: Permission denied``, status 1),
    and any other text is served as it is (a garbled or forged boot id)."""

    boot_id = ""

    def _program(self, argv: tuple[str, ...], stdin: bytes) -> ShellOutput:
        if argv != BOOT_ID_ARGV:
            return super()._program(argv, stdin)
        if self.boot_id == DENIED:
            return ShellOutput(b"", f"cat: {argv[1]}: Permission denied\n".encode(), 1, _CAT_MS)
        return ShellOutput(self.boot_id.encode(), b"", 0, _CAT_MS)

    @cached_property
    def _ranges(self) -> ByteRanges:
        from scanner.simphone.byteranges import ByteRanges

        return shared(self.recording, "ranges", lambda: ByteRanges(self.recording))

    @cached_property
    def derived(self) -> DerivedCommands:
        from scanner.simphone.commands import DerivedCommands

        return shared(self.recording, "derived", lambda: DerivedCommands(self.recording))


class RecordedPhone:
    def __init__(self, recording: Recording, *, boot_id: str | None = None) -> None:
        """``boot_id``: what ``cat /proc/sys/kernel/random/boot_id`` prints (``DENIED``: the
        shell may not read it); None draws one for this simulated boot, as the kernel does."""
        self.recording = recording
        self._shell = _SharingShell(recording)
        self.reboot(boot_id)

    def reboot(self, boot_id: str | None = None) -> None:
        """A new boot: a new boot id (``boot_id`` as in ``__init__``)."""
        self._shell.boot_id = f"{uuid.uuid4()}\n" if boot_id is None else boot_id

    @property
    def files(self) -> VirtualFiles:
        """What the sync service sees: the same tree as ls/stat/cat (the recording's files, the
        APKs, the storage folders its probes saw; scanner/simphone/commands/facts.py), built
        the first time a client asks for it."""
        return self._shell.derived.facts.tree

    @property
    def prompt(self) -> str:
        return self._shell.derived.prompt

    @property
    def sdk(self) -> int:
        return self._shell.derived.sdk

    def run(self, command: str) -> CommandOutput:
        parts = batch.checked_parts(command)
        if parts is None:
            out = self._shell.run(command)
            segment = self._segments(command, out.device_ms)
            return CommandOutput(out.stdout, out.stderr, out.exit_code, out.device_ms, segment)
        # msgscan's checked batch, part by part as RecordedShell answers it (each part's output,
        # then its cksum line), keeping each part's device time and service apart.
        stdout, stderr = bytearray(), bytearray()
        segments: list[tuple[str | None, float]] = []
        total = 0.0
        for part in parts:
            out = self._shell.run(part)
            stdout += out.stdout + batch.cksum_line(out.stdout)
            stderr += out.stderr
            segments += self._segments(part, out.device_ms)
            total += out.device_ms
        return CommandOutput(bytes(stdout), bytes(stderr), 0, total, tuple(segments))

    def _segments(self, line: str, ms: float) -> tuple[tuple[str | None, float], ...]:
        """``line``'s device time as its process's start (no service) and its service's part
        (``times.process_start``, ``scanner.simphone.services``)."""
        service = service_of_line(line)
        argv = program_of_line(line)
        start = 0.0
        if service is not None and argv is not None:
            start = times.process_start(argv, sdk=self.sdk, device_ms=ms)
        if start <= 0:
            return ((service, ms),)
        return ((None, start), (service, ms - start))


def phone_server(
    recording: Recording,
    *,
    index: int = 0,
    port: int = 0,
    auth: AuthPolicy | None = None,
    faults: Faults | None = None,
    features: tuple[str, ...] | None = None,
) -> PhoneServer:
    """One simulated phone; phone ``index`` of a set gets its own serial and product name.
    Without ``features`` it advertises what adbd of the recording's Android version does."""
    d = recording.device
    suffix = f"-{index + 1}" if index else ""
    responder = RecordedPhone(recording)
    if features is None:
        features = features_for_sdk(responder.sdk)
    return PhoneServer(
        responder,
        serial=f"{d.serial}{suffix}",
        product=f"{d.product}{suffix}",
        model=d.model,
        device=d.device,
        port=port,
        auth=auth or AuthPolicy(accept_any_key=True),
        faults=faults or Faults(),
        features=features,
    )


@contextmanager
def phones(
    recording: Recording, count: int, *, first_port: int = 0, **kw: object
) -> Iterator[list[PhoneServer]]:
    """``count`` running phones on ports ``first_port`` … (or free ports with 0), stopped on
    exit."""
    with ExitStack() as stack:
        servers = []
        for i in range(count):
            port = first_port + i if first_port else 0
            server = phone_server(recording, index=i, port=port, **kw)  # type: ignore[arg-type]
            servers.append(stack.enter_context(server))
        yield servers


SLOW_LATENCY_S = 0.03
"""A farm phone marked slow waits this long before each packet it sends (a weak Wi-Fi link)."""


@dataclass(frozen=True, slots=True)
class FarmSlot:
    """One farm phone as served: its facts, its address, and the server (None if unreachable)."""

    phone: FarmPhone
    address: str
    server: PhoneServer | None


def _closed_port(stack: ExitStack) -> int:
    """A port nobody listens on: bound (so no later phone can take it) but never listening, so a
    client's connect is refused, as for a phone that is off or out of Wi-Fi range."""
    s = stack.enter_context(socket.socket())
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    return port


@contextmanager
def farm_servers(
    farm: list[FarmPhone],
    *,
    first_port: int = 0,
    auth: AuthPolicy | None = None,
    faults: Faults | None = None,
    today: date | None = None,
) -> Iterator[list[FarmSlot]]:
    """Serve each farm phone as its facts say: reachable, slow (latency), unauthorized (the
    "Allow USB debugging?" prompt is never answered) or unreachable (no phone on its port)."""
    with ExitStack() as stack:
        slots = []
        for i, phone in enumerate(farm):
            port = first_port + i if first_port else 0
            if phone.reach == "unreachable":
                slots.append(FarmSlot(phone, f"127.0.0.1:{port or _closed_port(stack)}", None))
                continue
            base = faults or Faults()
            if phone.reach == "slow":
                base = replace(base, latency_s=max(base.latency_s, SLOW_LATENCY_S))
            policy = AuthPolicy(prompt="never") if phone.reach == "unauthorized" else auth
            rec = farm_recording(phone, today=today)
            server = stack.enter_context(phone_server(rec, port=port, auth=policy, faults=base))
            slots.append(FarmSlot(phone, server.address, server))
        yield slots

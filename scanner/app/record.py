"""``msgscan record``: run a scan's collection and keep every raw output it used.

The recording holds what the probes printed, minus what msgscan must not store: ``getprop`` is cut
to the properties msgscan reads (no serial numbers or radio identifiers) and user names in
``pm list users`` are replaced. Storage probes print only dates and sizes, never file names.
"""

from __future__ import annotations

from datetime import UTC, datetime

from checks.facts import DeviceIdentity, Snapshot
from scanner import __version__
from scanner.batch import Output
from scanner.collect import collect
from scanner.parse.storage import scrub_find_stat
from scanner.probes import Probe
from scanner.recording import Command, DeviceLabel, Recording
from scanner.transport.interface import DEFAULT_TIMEOUT_S, Transport


def record(
    transport: Transport, *, timeout: float = DEFAULT_TIMEOUT_S
) -> tuple[Recording, Snapshot]:
    commands: list[Command] = []

    def keep(probe: Probe, output: Output) -> None:
        raw = output.raw
        if probe.scrub is not None:
            raw = probe.scrub(output.text).encode("utf-8")
        elif probe.name.startswith("storage:") and probe.argv[:1] == ("find",):
            raw = scrub_find_stat(output.text, probe.argv[1]).encode("utf-8")  # review9
        commands.append(Command(probe.argv, raw, b"", output.exit_code, 0.0))

    snapshot = collect(transport, timeout=timeout, on_output=keep)
    ident = snapshot.identity
    label = DeviceLabel(
        serial=transport.serial,
        product=(ident.device or "unknown") if isinstance(ident, DeviceIdentity) else "unknown",
        model=(ident.model or "unknown") if isinstance(ident, DeviceIdentity) else "unknown",
        device=(ident.device or "unknown") if isinstance(ident, DeviceIdentity) else "unknown",
    )
    meta = {
        "source": "recorded",
        "how_made": f"msgscan record over {type(transport).__name__}; stderr is merged into stdout "
        "(2>&1) as the scan reads it; getprop and pm list users scrubbed; the kernel's boot id "
        "not recorded (it names one running phone)",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "msgscan_version": __version__,
        "maxdata": getattr(transport, "max_command", 4000) + len("shell:") + 1,
        "complete": snapshot.complete,
    }
    return Recording(label, tuple(commands), meta), snapshot

"""A simulated phone whose shell and storage come from a recording.

``RecordedPhone`` is the ``Responder`` behind ``msgscan simulate`` and ``msgscan scan --demo``:
each command line goes through ``scanner.replay.RecordedShell`` (quoting, ``;``, ``&&``, ``$?``,
pipes into a few filters, all answered from the recording, never by running a host command) and
the sync service sees the recording's ``files``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from scanner.recording import Recording
from scanner.replay import RecordedShell
from scanner.simphone.adbd import PhoneServer, features_for_sdk
from scanner.simphone.auth import AuthPolicy
from scanner.simphone.faults import Faults
from scanner.simphone.files import VirtualFiles
from scanner.simphone.responder import CommandOutput


class RecordedPhone:
    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self._shell = RecordedShell(recording)
        # The sync service sees the same tree as ls/stat/cat: the recording's files, the APKs
        # and the storage folders its probes saw (scanner/simphone/commands/facts.py).
        self.files: VirtualFiles = self._shell.derived.facts.tree

    @property
    def prompt(self) -> str:
        return self._shell.derived.prompt

    @property
    def sdk(self) -> int:
        return self._shell.derived.facts.sdk

    def run(self, command: str) -> CommandOutput:
        out = self._shell.run(command)
        return CommandOutput(out.stdout, out.stderr, out.exit_code, out.device_ms)


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
def phones(recording: Recording, count: int, *, first_port: int = 0, **kw: object) -> Iterator[list[PhoneServer]]:
    """``count`` running phones on ports ``first_port`` … (or free ports with 0), stopped on exit."""
    with ExitStack() as stack:
        servers = []
        for i in range(count):
            server = phone_server(recording, index=i, port=first_port + i if first_port else 0, **kw)  # type: ignore[arg-type]
            servers.append(stack.enter_context(server))
        yield servers

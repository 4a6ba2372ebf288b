"""Commands the simulated phone derives from what its recording knows.

A recording holds the exact commands a msgscan scan sent. Other clients (Google's adb typed by
hand, MVT, scripts) send other read-only commands; ``DerivedCommands`` answers them from the
recording's own outputs (``facts.read_facts``), in the formats of each Android version's
AOSP / toybox sources named in each module:

* ``properties``: ``getprop KEY``, ``settings get|list``, ``id``, ``whoami``;
* ``packages``: ``pm list packages``, ``pm path``, ``cmd package``, ``dumpsys package PKG``,
  ``appops get`` / ``cmd appops get``;
* ``files``: ``ls``, ``stat``, ``find``, ``cat``, ``test``/``[``, ``md5sum``/``sha*sum`` over the
  virtual tree; writes fail as on a read-only file system.

``scanner.replay.RecordedShell`` asks it only when no recorded answer matches, so msgscan's own
scans stay byte-identical. A command it cannot derive gets ``None``: the shell answers 127.
"""

from __future__ import annotations

from functools import cached_property

from scanner.recording import Recording
from scanner.simphone.commands import files, packages, properties
from scanner.simphone.commands.facts import PhoneFacts, read_facts
from scanner.simphone.commands.output import Answer

_TABLE = {**properties.COMMANDS, **packages.COMMANDS, **files.COMMANDS}

__all__ = ["Answer", "DerivedCommands", "PhoneFacts"]


class DerivedCommands:
    def __init__(self, recording: Recording) -> None:
        self.recording = recording

    @cached_property
    def facts(self) -> PhoneFacts:
        """Parsed on first use: a replayed scan never pays for it."""
        return read_facts(self.recording)

    def run(self, argv: tuple[str, ...], stdin: bytes = b"") -> Answer | None:
        handler = _TABLE.get(argv[0]) if argv else None
        if handler is None:
            return None
        return handler(self.facts, argv, stdin)

    @property
    def prompt(self) -> str:
        """mksh's ``PS1`` from /system/etc/mkshrc: ``shell@<device>:/ $`` up to Android 6,
        ``<device>:/ $`` from 7 (``${HOSTNAME}`` is ``getprop ro.product.device``)."""
        device = self.facts.props.get("ro.product.device") or self.recording.device.device
        return f"{device}:/ $ " if self.facts.sdk >= 24 else f"shell@{device}:/ $ "

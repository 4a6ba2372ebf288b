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

from msgspec.structs import replace

from scanner.recording import Recording
from scanner.simphone.commands import files, packages, properties
from scanner.simphone.commands.facts import PhoneFacts, read_facts, read_props, sdk_of
from scanner.simphone.commands.output import Answer

_TABLE = {**properties.COMMANDS, **packages.COMMANDS, **files.COMMANDS}

# Device-side time of a derived command, for the simulator's "device time" fault: the
# estimates the constructed recordings had before session 27's model (scanner/recordings/
# times.py): pm 450 ms, getprop 40 ms, 15 ms for a small command; and, for what those do not
# cover, the ones the MVT benchmark used before these commands existed (pm path 120 ms, a
# digest of an APK 40 ms, ``cmd settings`` 60 ms, ``dumpsys package P`` 200 ms + 0.6 ms per
# installed package). Estimates, not measurements.
_DEVICE_MS = {
    "pm": 450.0,
    "getprop": 40.0,
    "settings": 60.0,
    "cmd": 60.0,
    "appops": 60.0,
    **dict.fromkeys(files.DIGESTS, 40.0),
}

__all__ = ["Answer", "DerivedCommands", "PhoneFacts"]


class DerivedCommands:
    modelled_device_time = True
    """Whether derived commands take the estimates below as device time. They are modelled, not
    measured: a benchmark that compares tools on device times from one source (the recording)
    sets this False, and the commands no recording holds then answer at once."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording

    @cached_property
    def facts(self) -> PhoneFacts:
        """Parsed on first use: a replayed scan never pays for it. A recording whose files
        contradict each other (a file where another lies below it) keeps its commands and loses
        its files, rather than the phone failing to start."""
        try:
            return read_facts(self.recording)
        except ValueError:
            return read_facts(replace(self.recording, files=()))

    def run(self, argv: tuple[str, ...], stdin: bytes = b"") -> Answer | None:
        handler = _TABLE.get(argv[0]) if argv else None
        if handler is None:
            return None
        answer = handler(self.facts, argv, stdin)
        if answer is None:
            return None
        return answer._replace(
            device_ms=self._device_ms(argv) if self.modelled_device_time else 0.0
        )

    def _device_ms(self, argv: tuple[str, ...]) -> float:
        if argv[:2] == ("pm", "path"):
            return 120.0
        if argv[:3] == ("cmd", "package", "list"):
            return 450.0
        if argv[0] == "dumpsys":
            return 200.0 + 0.6 * len(self.facts.packages)
        return _DEVICE_MS.get(argv[0], 15.0)

    @cached_property
    def props(self) -> dict[str, str]:
        """The recorded ``getprop`` alone: what a phone's start needs (its SDK, its prompt),
        without parsing the whole recording."""
        return read_props(self.recording)

    @property
    def sdk(self) -> int:
        return sdk_of(self.props)

    @property
    def prompt(self) -> str:
        """mksh's ``PS1`` from /system/etc/mkshrc: ``shell@<device>:/ $`` up to Android 6,
        ``<device>:/ $`` from 7 (``${HOSTNAME}`` is ``getprop ro.product.device``)."""
        device = self.props.get("ro.product.device") or self.recording.device.device
        return f"{device}:/ $ " if self.sdk >= 24 else f"shell@{device}:/ $ "

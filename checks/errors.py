"""Errors msgscan raises on purpose: each names the problem and says what to do next.

A leaf module (no imports from the rest of msgscan) so every layer can raise these without
import loops. ``scanner.app.cli`` catches ``MsgscanError`` once; any other exception is a bug.
"""

from __future__ import annotations


class MsgscanError(Exception):
    """Root of every error msgscan raises on purpose."""

    exit_code = 2

    def __init__(self, problem: str, *, hint: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


class UsageError(MsgscanError):
    """A bad flag, file or argument given on the command line."""


class DeviceError(MsgscanError):
    """Connecting to or talking to a phone failed."""

    def __init__(self, problem: str, *, hint: str, partial: bytes = b"") -> None:
        super().__init__(problem, hint=hint)
        self.partial = partial
        """Output that arrived before the failure (a broken or timed-out stream)."""


class DeviceNotFound(DeviceError):
    """No phone answers where the user pointed us (USB, serial, TCP endpoint)."""


class DeviceUnauthorized(DeviceError):
    """The phone has not (yet) accepted this computer's ADB key."""


class DeviceBusy(DeviceError):
    """Another process holds the phone's USB interface."""


class DevicePermission(DeviceError):
    """The operating system does not let us open the phone's USB device."""


class DeviceLost(DeviceError):
    """The connection broke while we talked to the phone."""


class ProbeTimeout(DeviceError):
    """The phone did not answer within the time allowed."""


class OutputTooLarge(DeviceError):
    """The phone sent more output for one exchange than msgscan accepts; the rest was cut."""


class GarbledOutput(DeviceError):
    """The phone answered, but not with the output of the commands msgscan sent."""


class MissingBackend(DeviceError):
    """A host library (libusb) that a transport needs is not installed."""


class RecordingError(MsgscanError):
    """A recording file is missing, unreadable or of an unknown format version."""


class PolicyError(MsgscanError):
    """A policy file that cannot be used: names the file, the key and the problem."""


class RegistryError(MsgscanError):
    """The rules themselves are inconsistent (a duplicate id): a bug in msgscan."""

"""Which of the phone's system services a command waits for: what serializes on a real phone.

adbd runs every shell stream's command in its own process (AOSP adb/daemon/shell_service.cpp),
so commands of parallel streams run side by side on the phone's cores. What they cannot share is
a system service: ``dumpsys X`` is a binder call into system_server's service ``X`` (its
``dump()``), and ``cmd X`` its ``onShellCommand``; ``pm`` is ``cmd package`` (the
``/system/bin/pm`` script runs ``cmd package "$@"`` from Android 9; on 7-8 its ``Pm.java`` hands
the command to the same ``shellCommand``: docs/sources.md) and ``bmgr`` calls the
backup manager's binder. A service's dump and shell commands work under that service's lock
(PackageManagerService's ``mLock`` / its snapshot, AppOpsService's ``this``, the backup manager's
queue), so the simulator runs two commands of the same service one after the other, in the order
they arrived. That is the conservative reading: on some releases some of them could overlap
(Android 13's package snapshots, for one); the simulator never credits a scan with overlap a
phone might not give.

``pm list users`` (and ``cmd package list users``) is the exception: PackageManagerShellCommand's
``runList`` hands ``users`` straight to the user manager's shell command (``ServiceManager.
getService("user").shellCommand(…, {"list"}, …)``, Android 7+; Android 6's Pm.java asks
``IUserManager.getUsers``), so it waits for the user service, not for the package manager's
lock, and a long ``dumpsys package`` does not hold it up.

A command's own process starts before it asks its service anything, and that start is its
own: a Java command (``bmgr`` on every version, ``pm`` before Android 9) first brings up a VM
in its process (``app_process``), beside every other command, and only its binder call then
waits for the service. ``RecordedPhone`` splits a command's recorded device time so
(``scanner.recordings.times.process_start``: a part with no service, then the service's part);
a native command's start is not timed apart by any source and stays in its service's part.
Every part runs on one of the phone's cores (``ServiceLocks.core``), so no more run at once
than the phone has.

No service: toybox and shell builtins (``find``, ``stat``, ``test``, ``tail``, ``dd``, ``cksum``,
``tee``, ``echo``) work on files and the kernel; ``getprop`` reads the shared property area
mapped into every process (bionic's ``__system_property_get``), no binder call.
"""

from __future__ import annotations

import asyncio
import functools
import shlex
from collections.abc import Sequence

from scanner.recordings.times import CORES

PM_SERVICE = "package"
USER_SERVICE = "user"

_COMMAND_SERVICE = {"pm": PM_SERVICE, "bmgr": "backup", "am": "activity", "settings": "settings"}


def service_of(argv: Sequence[str]) -> str | None:
    """The system service ``argv`` is served by, or None for a plain program."""
    if not argv:
        return None
    name = argv[0].rsplit("/", 1)[-1]
    if name in ("dumpsys", "cmd"):
        args = [a for a in argv[1:] if not a.startswith("-")]
        service = args[0] if args else None
        rest = args[1:3]
    else:
        service = _COMMAND_SERVICE.get(name)
        rest = [a for a in argv[1:] if not a.startswith("-")][:2]
    if service == PM_SERVICE and rest == ["list", "users"]:
        return USER_SERVICE  # forwarded to the user manager (module doc)
    return service


def service_of_line(line: str) -> str | None:
    """The service the first program of a shell line (``prog args 2>&1; echo …``) waits for."""
    argv = program_of_line(line)
    return None if argv is None else service_of(argv)


def program_of_line(line: str) -> tuple[str, ...] | None:
    """The argv of a shell line's first program, redirections dropped (None: not shell words)."""
    return _first_program(line.split(";", 1)[0].split("|", 1)[0])


@functools.lru_cache(maxsize=4096)
def _first_program(first: str) -> tuple[str, ...] | None:
    """``program_of_line`` of the first program: a scan's lines differ by their nonce, which
    comes after the ``;``, so every phone of a round asks the same few hundred of these."""
    try:
        words = shlex.split(first)
    except ValueError:
        return None
    return tuple(w for w in words if not w[:1].isdigit() or ">" not in w)


class ServiceLocks:
    """One lock per system service of one phone (FIFO: asyncio's locks wake waiters in order),
    and the phone's cores: a command's device time runs on one of ``cores`` at a time, a
    process's start as a service's call (its binder thread in system_server needs a core too),
    so no more than ``cores`` parts of commands run at once (``recordings.times.CORES``)."""

    def __init__(self, cores: int = CORES) -> None:
        if cores < 1:
            raise ValueError(f"a phone has at least one core, not {cores}")
        self._locks: dict[str, asyncio.Lock] = {}
        self.cores = cores
        self._core: asyncio.Semaphore | None = None

    def __call__(self, service: str) -> asyncio.Lock:
        lock = self._locks.get(service)
        if lock is None:
            lock = self._locks[service] = asyncio.Lock()
        return lock

    @property
    def core(self) -> asyncio.Semaphore:
        """Held while a part of a command runs (made on the phone's loop, at first use)."""
        if self._core is None:
            self._core = asyncio.Semaphore(self.cores)
        return self._core

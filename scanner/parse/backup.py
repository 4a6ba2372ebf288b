"""Parse ``bmgr enabled`` and ``bmgr list transports`` into ``checks.facts.BackupState``.

No capture shows this output; the strings come from AOSP
``cmds/bmgr/src/com/android/commands/bmgr/Bmgr.java``. They are identical in the original 2009
file and in the current (Android 15/16-era, per-user) file, so they are taken as stable for
Android 6-16:

* ``bmgr enabled``: ``Backup Manager currently enabled`` or ``Backup Manager currently
  disabled`` (``doEnabled`` + ``enableToString``).
* ``bmgr list transports``: one transport name per line, the selected one prefixed ``"  * "``
  and the others ``"    "`` (``doListTransports``); ``No transports available.`` when there are
  none.
* Failures go to stderr: ``Error: Could not access the Backup Manager.  Is the system
  running?`` (service missing, every release) and, in the per-user releases (Android 10+),
  ``Error: Backup Manager is not activated for user <id>`` (``isBackupActive``), after which
  nothing is printed on stdout.

Pure and never raises. Output that is neither form gives ``enabled=None`` / no transports, so
a check reports ``unknown`` rather than guessing.
"""

from __future__ import annotations

import re

from checks.facts import BackupState

__all__ = [
    "backup_state",
    "parse_bmgr_enabled",
    "parse_bmgr_list_transports",
    "parse_bmgr_not_activated",
]

_ENABLED = re.compile(r"^Backup Manager currently (enabled|disabled)\s*$")
_NOT_ACTIVATED = re.compile(r"^Error: Backup Manager is not activated for user \d{1,10}\s*$")
"""Bmgr.isBackupActive (Android 10+): the user's backup service is not running, so nothing of
that user is backed up (a device owner deactivates it, and so may a profile's owner)."""
_TRANSPORT = re.compile(r"^(  \* |    )(\S+)\s*$")


def parse_bmgr_enabled(text: str) -> bool | None:
    """True or False from ``Backup Manager currently enabled|disabled``; None otherwise."""
    for line in text.split("\n"):
        m = _ENABLED.match(line.strip())
        if m:
            return m.group(1) == "enabled"
    return None


def parse_bmgr_list_transports(text: str) -> tuple[str | None, tuple[str, ...]]:
    """(selected transport or None, all transports in printed order). Never raises."""
    current: str | None = None
    transports: list[str] = []
    for line in text.split("\n"):
        m = _TRANSPORT.match(line.rstrip("\r"))
        if not m:
            continue
        name = m.group(2)
        if name not in transports:
            transports.append(name)
        if m.group(1) == "  * " and current is None:
            current = name
    return current, tuple(transports)


def parse_bmgr_not_activated(text: str) -> bool:
    """True when bmgr refused because the user's backup service is not activated."""
    return any(_NOT_ACTIVATED.match(line.strip()) for line in text.split("\n"))


def backup_state(enabled_text: str, transports_text: str) -> BackupState:
    """The Android backup state from the two ``bmgr`` outputs (of one user)."""
    if parse_bmgr_not_activated(enabled_text):
        return BackupState(enabled=False, transport=None, activated=False)
    current, transports = parse_bmgr_list_transports(transports_text)
    return BackupState(
        enabled=parse_bmgr_enabled(enabled_text), transport=current, transports=transports
    )

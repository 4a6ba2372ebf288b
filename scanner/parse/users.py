"""Parse ``pm list users`` into ``checks.facts.User`` facts, without ever keeping user names.

Format (derived from AOSP, no capture): a ``Users:`` line, then one line per user,
``\\tUserInfo{<id>:<name>:<hex flags>}`` plus `` running`` when the user is running.

* Android 6-7: ``cmds/pm/src/com/android/commands/pm/Pm.java`` ``runListUsers`` prints
  ``"\\t" + userInfo.toString() + running``; on failure ``Error: couldn't get users`` (stderr).
* Android 8-12: the same lines from ``UserManagerService``'s shell ``list`` command.
* Android 13-16: ``PackageManagerShellCommand`` hands ``pm list users`` to ``cmd user list``
  (``UserManagerServiceShellCommand.runList``), whose non-verbose form keeps exactly these lines
  ("the standard 'list users' command is used by integration tests and hence should not be
  changed") - only ``-v`` prints another format, which msgscan does not request.
* ``UserInfo.toString`` is ``"UserInfo{" + id + ":" + name + ":" + Integer.toHexString(flags)
  + "}"`` in every release from Android 4.2 to 16 (``core/java/android/content/pm/UserInfo.java``).

The name is free text chosen on the phone (often the owner's real name) and may contain ``:``,
``}`` or even a line break, so a user line is read from both ends: the id is the first field,
the flags are the last hex field before the final ``}``. The name is never stored.

Errors: ``parse_pm_list_users`` returns an empty tuple when the output lists no user. Every
working phone has user 0, so the collector turns an empty result into ``Unseen``;
``describe_failure`` gives it a reason that is safe to store (never raw output, which could
carry a name).
"""

from __future__ import annotations

import re

from checks.facts import User, UserKind

__all__ = [
    "FLAG_GUEST",
    "FLAG_MANAGED_PROFILE",
    "FLAG_PROFILE",
    "FLAG_RESTRICTED",
    "NAME_PLACEHOLDER",
    "describe_failure",
    "parse_pm_list_users",
    "parse_user_types",
    "scrub_pm_list_users",
    "scrub_user_list_verbose",
    "user_kind",
]

# UserInfo flag values (UserInfo.java: "These flag values CAN NOT CHANGE because they are
# written directly to storage").
FLAG_GUEST = 0x4
FLAG_RESTRICTED = 0x8
FLAG_MANAGED_PROFILE = 0x20
FLAG_PROFILE = 0x1000  # Android 11+; clone (12+), private space (15+) and work profiles carry it

NAME_PLACEHOLDER = "user"
"""What ``scrub_pm_list_users`` writes instead of a name: no ``:`` or ``}``, so the scrubbed
line parses exactly like the original."""

_USER = re.compile(
    r"^\s*UserInfo\{(?P<id>\d{1,10}):(?P<name>.*):(?P<flags>[0-9a-fA-F]{1,8})\}"
    r"(?P<running>[ \t]+running)?[ \t]*$",
    re.DOTALL,
)
"""Greedy ``name`` so the flags are the *last* ``:hex}``; DOTALL lets a name span lines."""

_MAX_NAME_LINES = 4
"""How many physical lines a user entry may span (a name with line breaks) before it is
treated as garbage."""


def user_kind(user_id: int, flags: int) -> UserKind:
    """What kind of user the id and ``UserInfo`` flags describe.

    User 0 is always the system user (``UserHandle.USER_SYSTEM``). A managed (work) profile has
    ``FLAG_MANAGED_PROFILE`` in every release (Android 5+); Android 11+ adds ``FLAG_PROFILE`` to
    every profile (``UserTypeFactory``: managed = base ``FLAG_PROFILE`` + ``FLAG_MANAGED_PROFILE``),
    so ``FLAG_PROFILE`` alone is a clone, private-space or vendor profile.
    """
    if user_id == 0:
        return UserKind.SYSTEM
    if flags & FLAG_MANAGED_PROFILE:
        return UserKind.MANAGED_PROFILE
    if flags & FLAG_PROFILE:
        return UserKind.OTHER_PROFILE
    if flags & FLAG_GUEST:
        return UserKind.GUEST
    if flags & FLAG_RESTRICTED:
        return UserKind.RESTRICTED
    return UserKind.SECONDARY


def _entries(text: str) -> list[tuple[re.Match[str] | None, list[str]]]:
    """Split the output into user entries (match, physical lines) and other lines (None)."""
    out: list[tuple[re.Match[str] | None, list[str]]] = []
    pending: list[str] = []
    for line in (raw.rstrip("\r") for raw in text.split("\n")):
        if line.lstrip().startswith("UserInfo{"):
            out.extend((None, [p]) for p in pending)  # an unfinished entry: not a user
            pending = [line]
        elif pending:
            pending.append(line)
        else:
            out.append((None, [line]))
            continue
        match = _USER.match("\n".join(pending))
        if match:
            out.append((match, pending))
            pending = []
        elif len(pending) >= _MAX_NAME_LINES:
            out.extend((None, [p]) for p in pending)
            pending = []
    out.extend((None, [p]) for p in pending)
    return out


def parse_pm_list_users(text: str) -> tuple[User, ...]:
    """Users in the order ``pm list users`` prints them; empty when it lists none. Never raises."""
    users: list[User] = []
    seen: set[int] = set()
    for match, _ in _entries(text):
        if match is None:
            continue
        user_id, flags = int(match["id"]), int(match["flags"], 16)
        if user_id in seen:
            continue
        seen.add(user_id)
        users.append(User(user_id, user_kind(user_id, flags), flags, match["running"] is not None))
    return tuple(users)


def describe_failure(text: str) -> str:
    """Why ``pm list users`` output lists no users, in words safe to store (no raw output)."""
    stripped = text.strip()
    if not stripped:
        return "pm list users printed nothing"
    if "SecurityException" in stripped:
        return "pm list users was refused (SecurityException)"
    if "Exception" in stripped or stripped.startswith("Error"):
        # Pm.java / UserManagerServiceShellCommand: "Error: couldn't get users".
        return "pm list users printed an error"
    return "pm list users printed no user lines"


def _is_safe_line(line: str) -> bool:
    # Headers and error lines carry no names (Pm.java, UserManagerServiceShellCommand).
    s = line.strip()
    return s in ("", "Users:") or s.startswith("Error:") or "Exception" in s


def scrub_pm_list_users(text: str) -> str:
    """The output with every user name replaced by ``NAME_PLACEHOLDER``, in the raw format.

    Used before a recording is stored. User lines keep id, flags and `` running``; the
    ``Users:`` header and error lines are kept; anything else is dropped, since an unparsable
    fragment may be part of a name.
    """
    kept: list[str] = []
    for match, lines in _entries(text):
        if match is not None:
            indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
            running = " running" if match["running"] else ""
            kept.append(
                f"{indent}UserInfo{{{match['id']}:{NAME_PLACEHOLDER}:{match['flags']}}}{running}"
            )
        elif _is_safe_line(lines[0]):
            kept.append(lines[0])
    while kept and not kept[-1].strip():
        kept.pop()
    return "".join(f"{line}\n" for line in kept)


# --- cmd user list -v: user types -------------------------------------------------------------
#
# Format (derived from AOSP, no capture): ``UserManagerServiceShellCommand.runList`` with ``-v``
# (Android 11+) prints a ``<n> users:`` header, a blank line and per user
# ``"%d: id=%d, name=%s, type=%s, flags=%s%s%s%s%s%s%s%s%s%s"``: index, id, name, the user type
# with ``android.os.usertype.`` removed (``full.SYSTEM``, ``profile.MANAGED``, ``profile.CLONE``,
# ``profile.PRIVATE``, ...), ``UserInfo.flagsToString`` (``ADMIN|FULL|...``), then optional
# `` (parentId=<id>)``, `` (running)``, `` (partial)``, `` (pre-created)``, `` (converted)``,
# `` (device-owner)``, `` (profile-owner)``, `` (current)``, `` (visible)``. Older releases
# print no ``type=``; then the type stays unknown and the rules fall back to the flags.

_VERBOSE = re.compile(
    r"^\s*\d{1,10}: id=(?P<id>\d{1,10}), name=(?P<name>.*?)"
    r"(?:, type=(?P<type>[A-Za-z0-9_.]{1,80}))?, flags=(?P<flags>[A-Za-z0-9_|]*)"
    r"(?P<tail>(?: \([A-Za-z-]+(?:=\d{1,10})?\))*)\s*$"
)
_PARENT = re.compile(r"\(parentId=(\d{1,10})\)")
_HEADER = r"^\s*\d{1,6} users?:\s*$"  # compiled when used (start-up)


def parse_user_types(text: str) -> dict[int, tuple[str | None, int | None]]:
    """User id -> (user type or None, parent user id or None) from ``cmd user list -v``.

    Empty when the output has no verbose user lines (an older release, an error); a user whose
    id is printed twice (a name with a line break can forge a line) gets no type and no parent,
    so the flags decide. Never raises.
    """
    found: dict[int, tuple[str | None, int | None]] = {}
    twice: set[int] = set()
    for line in text.split("\n"):
        m = _VERBOSE.match(line.rstrip("\r"))
        if m is None:
            continue
        parent = _PARENT.search(m["tail"])
        uid = int(m["id"])
        if uid in found:  # a name printed raw can forge a line: neither line decides the type
            twice.add(uid)
        found.setdefault(uid, (m["type"], int(parent.group(1)) if parent else None))
    return {uid: (None, None) if uid in twice else value for uid, value in found.items()}


def scrub_user_list_verbose(text: str) -> str:
    """``cmd user list -v`` with every name replaced by ``NAME_PLACEHOLDER``; lines that are not
    a user line or the header are dropped (an unparsable fragment may be part of a name)."""
    kept: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        m = _VERBOSE.match(line)
        if m is not None:
            start, end = m.span("name")
            kept.append(line[:start] + NAME_PLACEHOLDER + line[end:])
        elif re.match(_HEADER, line) or not line.strip() and kept:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "".join(f"{line}\n" for line in kept)

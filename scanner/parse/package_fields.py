"""The values inside a ``dumpsys package`` block: fields, ``User N:`` tokens, names, times.

Split from ``scanner.parse.dumpsys_package`` (the block structure lives there); the same
format reference (docs/sources.md, ``dumpsys package``) and rule numbers apply. A value
the reader needs that is neither of its forms is reported through ``damaged`` (see
``scanner.parse.damage``), never taken as false or absent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from msgspec import Struct, field

from checks.facts import Package, Unseen
from scanner.parse.text import REPLACEMENT

_SYSTEM_IMAGE_TIME = datetime(2009, 1, 1)
_MAX_UTC_OFFSET = timedelta(hours=14)


class UserDraft(Struct):
    user_id: int
    installed: bool | Unseen = True
    hidden: bool = False
    suspended: bool = False
    enabled: int | None = None
    first_install: datetime | None = None
    runtime: dict[str, bool] = field(default_factory=dict)


# Mutable Structs (not dataclasses: msgscan's start-up, bench/RESULTS.md "Start-up").
class Draft(Struct):
    """A package block being read; ``name`` is None for a headless fragment nobody named."""

    name: str | None
    keep: bool  # False for hidden system packages and blocks outside ``Packages:``
    app_id: int | None = None
    version_name: str | None = None
    version_code: int | None = None
    target_sdk: int | None = None
    installer: str | None = None
    initiating: str | None = None
    shared_user: str | None = None
    first_install: datetime | None = None
    last_update: datetime | None = None
    flags: set[str] = field(default_factory=set)
    install: dict[str, bool] = field(default_factory=dict)
    users: dict[int, UserDraft] = field(default_factory=dict)


# Keys that only occur as package fields: they let a fragment that starts mid-block (appium
# ``pm-dump-tail-com.xxx.txt``, Android 7) be recognised without its ``Package [`` line.
FIELD_HEADERS = frozenset(
    {"declared permissions:", "requested permissions:", "install permissions:"}
)
FIELD_KEYS = frozenset(
    {"userId", "appId", "sharedUser", "pkg", "codePath", "versionCode", "versionName",
     "pkgFlags", "installerPackageName", "timeStamp", "firstInstallTime", "lastUpdateTime",
     "signatures", "installPermissionsFixed"}
)  # fmt: skip


READ_KEYS = frozenset(
    {"userId", "appId", "versionCode", "versionName", "flags", "pkgFlags", "installerPackageName",
     "initiatingPackageName", "sharedUser", "firstInstallTime", "lastUpdateTime"}
)  # fmt: skip
"""The package fields ``package_field`` reads: every other ``key=`` line is passed over."""

_TEXT_KEYS = frozenset(
    {"installerPackageName", "initiatingPackageName", "sharedUser", "flags", "pkgFlags"}
)
"""Keys whose value is taken as text: with U+FFFD in it, it is left unset, never half-read."""


Values = tuple[tuple[str, object], ...]
"""What a line sets: (attribute of the draft, value) in line order."""


def package_field(d: Draft, body: str, damaged: Callable[[str], None]) -> None:
    """Set what the field line ``body`` (``key=value``) says on ``d``; note what is unreadable."""
    values, flags, notes = field_values(body)
    for name, value in values:
        setattr(d, name, value)
    d.flags.update(flags)
    for note in notes:
        damaged(note)


@lru_cache(maxsize=2048)
def field_values(body: str) -> tuple[Values, tuple[str, ...], tuple[str, ...]]:
    """``package_field`` as a function of the line: values, flag names, notes (most apps share
    most of their field lines, so each is read once); trailing blanks are not part of it."""
    key, sep, value = body.rstrip().partition("=")
    if not sep:
        return (), (), ()
    if REPLACEMENT in value and key in _TEXT_KEYS:
        return (), (), (f"unreadable {key}= value",)  # a cut or garbled name is no name
    notes: list[str] = []
    values: Values = ()
    flags: tuple[str, ...] = ()
    if key in ("userId", "appId"):  # "appId=" from Android 14 on
        app_id = to_int(value.split(" ", 1)[0])
        values = (("app_id", app_id),)
        if app_id is None:
            notes.append(f"unreadable {key}= value")
    elif key == "versionCode":
        # "versionCode=452576 minSdk=15 targetSdk=27"; Android 6: no minSdk (LG M150)
        pairs = dict(t.partition("=")[::2] for t in body.split())
        code, target = to_int(pairs.get("versionCode", "")), to_int(pairs.get("targetSdk", ""))
        values = (("version_code", code), ("target_sdk", target))
        if code is None or ("targetSdk" in pairs and target is None):
            notes.append("unreadable versionCode= line")
    elif key == "versionName":
        values = (("version_name", value or None),)  # free text to the end: "stub (18.4)"
    elif key in ("flags", "pkgFlags"):
        flags = tuple(value.strip("[] ").split())
    elif key == "installerPackageName":
        values = (("installer", package_name(value)),)  # absent <= 12, "null" on 14+ (rule 14)
    elif key == "initiatingPackageName":
        values = (("initiating", package_name(value)),)
    elif key == "sharedUser":
        values = (("shared_user", shared_user_name(value)),)
    elif key == "firstInstallTime":  # package-level up to Android 12
        values = (("first_install", timestamp(value, notes.append)),)
    elif key == "lastUpdateTime":
        values = (("last_update", timestamp(value, notes.append)),)
    return values, flags, tuple(notes)


_USER_KEYS = frozenset({"installed", "hidden", "blocked", "suspended", "enabled"})


def new_user(user_id: int, rest: str, damaged: Callable[[str], None]) -> UserDraft:
    """The user a ``User N:`` line opens (``rest``: what follows its ":")."""
    values, fresh, notes = user_values(_shared_part(rest))
    for note in notes:
        damaged(note)
    return UserDraft(user_id, *fresh)


def user_fields(u: UserDraft, rest: str, damaged: Callable[[str], None]) -> None:
    """Set what a ``User N:`` line says after its ":" (``rest``) on ``u``."""
    values, _, notes = user_values(_shared_part(rest))
    for name, value in values:
        setattr(u, name, value)
    for note in notes:
        damaged(note)


def _shared_part(rest: str) -> str:
    """``rest`` without its first token when that is " ceDataInode=<digits>" (AOSP 7+), which
    every user has its own of: the rest is what many users share."""
    if rest.startswith(" ceDataInode="):
        cut = rest.find(" ", 13)
        if cut > 13 and rest[13:cut].isdigit():
            return rest[cut:]
    return rest


Fresh = tuple[bool | Unseen, bool, bool, int | None]
"""A new user's installed, hidden, suspended, enabled (``UserDraft``'s order)."""


@lru_cache(maxsize=1024)
def user_values(rest: str) -> tuple[Values, Fresh, tuple[str, ...]]:
    """What the tokens of ``rest`` set, in order; the same applied to a new user; notes.
    Trailing blanks are not part of ``rest``."""
    rest = rest.rstrip()
    # Tokens, never positions: "User 0:  installed=…" has two spaces on Android 6 (LG M150),
    # vendors insert keys (Hisense "restricted= alive="), Android 5 said "blocked=" for hidden.
    # A value that is neither "true" nor "false" (a dump cut at "installed=t") is unknown:
    # ``installed`` becomes Unseen, never False, and the line is counted as damaged.
    seen = False
    values: list[tuple[str, object]] = []
    notes: list[str] = []
    for token in rest.split():
        if token[0] not in "ihbse":
            continue  # no key read starts so: "ceDataInode=", "distractionFlags=" …
        key, _, value = token.partition("=")
        if key not in _USER_KEYS:
            continue  # "stopped=", "instant=" …
        if key == "installed":
            seen = True
            values.append(("installed", flag(value, key, notes.append, unseen=True)))
        elif key in ("hidden", "blocked"):
            values.append(("hidden", flag(value, key, notes.append) is True))
        elif key == "suspended":
            values.append(("suspended", flag(value, key, notes.append) is True))
        else:  # "enabled"
            enabled = to_int(value)
            values.append(("enabled", enabled))
            if enabled is None:
                notes.append("unreadable enabled= value")
    if not seen and REPLACEMENT in rest:  # cut or garbled before installed= came
        values.append(("installed", Unseen("the installed= value could not be read")))
    fresh = UserDraft(0)
    for name, set_to in values:
        setattr(fresh, name, set_to)
    return (
        tuple(values),
        (fresh.installed, fresh.hidden, fresh.suspended, fresh.enabled),
        tuple(notes),
    )


def flag(
    value: str, key: str, damaged: Callable[[str], None], *, unseen: bool = False
) -> bool | Unseen:
    if value in ("true", "false"):
        return value == "true"
    damaged(f"unreadable {key}= value")
    return Unseen(f"the {key}= value could not be read") if unseen else False


def header_name(body: str) -> str:
    """What a damaged ``Package [`` header holds where the name should be (shown escaped)."""
    inner = body[len("Package [") :]
    name, closed, _ = inner.partition("]")
    return name if closed else inner


def bracketed(body: str) -> str | None:
    name, closed, _ = body.partition("[")[2].partition("]")
    return name if closed and name and " " not in name else None  # a cut line has no "]"


def shared_user_name(value: str) -> str | None:
    # "SharedUserSetting{9656c03 android.media/10009}" (Huawei 7 capture, line 23368)
    inner = value.partition("{")[2].partition("}")[0]
    name = inner.partition(" ")[2].rpartition("/")[0]
    return name or None


def package_name(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "null") else value


def to_int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def timestamp(value: str, damaged: Callable[[str], None] | None = None) -> datetime | None:
    """``yyyy-MM-dd HH:mm:ss[.SSS]`` in device-local time; placeholders give None (rule 7)."""
    when = _time(value)
    if when is False:
        if damaged is not None and value.strip():
            damaged("unreadable time")
        return None
    return when


@lru_cache(maxsize=1024)
def _time(value: str) -> datetime | Literal[False] | None:
    """``timestamp`` without its note (False: unreadable); many apps share a time."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return False
    if when.tzinfo is not None:
        return None
    if when.year < 2008:  # the epoch in any zone (1969-12-31 … 1970-01-01): "no install"
        return None
    if (
        abs(when - _SYSTEM_IMAGE_TIME) <= _MAX_UTC_OFFSET
        and when.second == 0
        and when.microsecond == 0
        and when.minute % 15 == 0
    ):
        return None  # 2009-01-01 00:00 UTC in local time: the fixed system-image timestamp
    return when


def to_json_shape(packages: tuple[Package, ...] | list[Package]) -> dict[str, Any]:
    """The stable JSON shape ``msgscan parse dumpsys-package`` prints."""
    return {
        "packages": [
            {
                "name": p.name,
                "version_name": p.version_name,
                "version_code": p.version_code,
                "installer": p.installer,
                "flags": sorted(p.flags),
                "users": [
                    {
                        "id": u.user_id,
                        "installed": u.installed if isinstance(u.installed, bool) else None,
                        "runtime_permissions": dict(sorted(u.runtime_permissions.items())),
                    }
                    for u in p.users
                ],
            }
            for p in packages
        ]
    }


Row = tuple[str, bool | None, bool]
"""A permission row: name, granted (None: unreadable), whether it ends ``, userId=N``."""


def permission_row(body: str) -> Row | None:
    """``<perm>: granted=<bool>[, flags=[ A B ] | [ A|B]][, userId=N]`` (rule 3), or None."""
    name, sep, rest = body.partition(": granted=")
    if not sep or not name or " " in name:
        return None
    state = rest.partition(",")[0].strip()
    granted = state == "true" if state in ("true", "false") else None
    return name, granted, ", userId=" in rest


@lru_cache(maxsize=1024)
def install_rows(rows: str) -> tuple[tuple[str, bool], ...] | None:
    """The grants of an ``install permissions:`` list's rows (``rows``: each row with the
    newline before it), override rows left out (see the parser's module doc); None when a
    granted= value is unreadable."""
    grants = []
    for raw in rows.split("\n")[1:]:
        row = permission_row(raw.rstrip().lstrip(" "))
        if row is not None:
            name, granted, override = row
            if granted is None:
                return None
            if not override:
                grants.append((name, granted))
    return tuple(grants)


UserLines = tuple[tuple[datetime | None, ...], tuple[tuple[str, bool], ...]]


@lru_cache(maxsize=1024)
def user_lines(lines: str) -> UserLines | None:
    """What the lines under a ``User N:`` line at indent 4 say (``lines``: each with the
    newline before it; deeper ones and ``installReason=`` at 4): its ``firstInstallTime=``
    values (13+) and runtime grants, in order; None when a value is unreadable. A list
    header (``…:`` without ``=``) opens a list whose rows are the deeper lines after it."""
    times: list[datetime | None] = []
    grants: list[tuple[str, bool]] = []
    rows_at, runtime = -1, False
    for raw in lines.split("\n")[1:]:
        line = raw.rstrip()
        if not line:
            continue  # blank lines end nothing
        body = line.lstrip(" ")
        at = len(line) - len(body)
        if at > rows_at >= 0:
            row = permission_row(body) if runtime else None
            if row is not None:
                name, granted, _ = row
                if granted is None:
                    return None
                grants.append((name, granted))
            continue
        rows_at = -1
        if at == 4:
            continue  # installReason=
        if body.endswith(":") and "=" not in body:
            rows_at, runtime = at, body == "runtime permissions:"
        elif body.startswith("firstInstallTime="):
            notes: list[str] = []
            times.append(timestamp(body[17:], notes.append))
            if notes:
                return None
    return tuple(times), tuple(grants)


def user_id(body: str) -> int | None:
    """The N of a ``User N:`` line, or None."""
    if not body.startswith("User "):
        return None
    number, sep, _ = body[5:].partition(":")
    return int(number) if sep and number.isdigit() and number.isascii() else None


def line_starts(text: str, markers: tuple[str, ...], end: int) -> list[int]:
    """Offsets of the lines of ``text[:end]`` after its first that begin with one of
    ``markers`` (each written with the newline before it), in order."""
    starts = []
    for marker in markers:
        at = text.find(marker, 0, end)
        while at >= 0:
            starts.append(at + 1)
            at = text.find(marker, at + 1, end)
    return sorted(starts)

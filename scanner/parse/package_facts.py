"""From a package block's draft to ``checks.facts.Package``: the shared user's grants merged in.

Split from ``scanner.parse.dumpsys_package`` (the block structure lives there, the values in
``scanner.parse.package_fields``). Apps with a ``sharedUser=`` get no permission rows in their
own block (rule 1 of shared/reference/dumpsys-package-format.md): the ``Shared users:`` section's
install and runtime grants are merged into every member, the member's own rows (if any) winning.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct, field

from checks.facts import Package, PackageUser
from scanner.parse.package_fields import (
    READ_KEYS,
    Draft,
    Fresh,
    UserLines,
    field_values,
    install_rows,
    user_lines,
    user_values,
)
from scanner.parse.text import REPLACEMENT


class SharedUser(Struct):
    """A ``SharedUser [`` block's grants, merged into each member package."""

    install: dict[str, bool] = field(default_factory=dict)
    runtime: dict[int, dict[str, bool]] = field(default_factory=dict)


def freeze(d: Draft, shared: SharedUser | None) -> Package:
    """The package ``d`` describes, with the grants of its shared user (``shared``) merged in."""
    install = {**shared.install, **d.install} if shared is not None else d.install
    users = []
    for uid in sorted(d.users):
        u = d.users[uid]
        runtime = u.runtime
        if shared is not None and uid in shared.runtime:
            runtime = {**shared.runtime[uid], **u.runtime}
        users.append(
            PackageUser(
                user_id=uid,
                installed=u.installed,
                runtime_permissions=runtime,
                enabled=u.enabled,
                hidden=u.hidden,
                suspended=u.suspended,
                first_install=u.first_install,
            )
        )
    first_install = d.first_install
    if first_install is None:
        first_install = min(
            (u.first_install for u in users if u.installed is True and u.first_install),
            default=None,
        )
    return Package(
        name=d.name or "",
        app_id=d.app_id,
        version_name=d.version_name,
        version_code=d.version_code,
        installer=d.installer,
        flags=frozenset(d.flags),
        install_permissions=install,
        users=tuple(users),
        shared_user=d.shared_user,
        target_sdk=d.target_sdk,
        first_install=first_install,
        last_update=d.last_update,
        initiating_installer=d.initiating,
        grants_read=d.shared_user is None or shared is not None,
    )


_TOP = re.compile(
    r"\n    (?:"
    rf"((?:{'|'.join(sorted(READ_KEYS))})=[^\n]*)"
    r"|install permissions:[^\S\n]*+(?![^\n])((?:\n    (?: [^\n]*+|[^\S\n]*+(?![^\n])))*+)"
    r"|User ([0-9]+):(?: ceDataInode=[0-9]+(?= ))?([^\n]*)"
    r"((?:\n    (?: [^\n]*+|installReason=[^\n]*+|[^\S\n]*+(?![^\n])))*+)"
    r")"
)
"""The lines at the fields' indent (4) that carry a fact: a field the line reader reads, an
``install permissions:`` list with its rows, a ``User N:`` line with the lines that belong
to the user (deeper ones and, Android 13+, ``installReason=``); blank lines are part of
the list or user they stand in, as the line reader skips them."""

Block = tuple[
    dict[str, Any], set[str], dict[str, bool], dict[int, tuple[Fresh, UserLines]]
]  # fmt: skip
"""What a whole block says: ``Draft`` attributes, flags, install grants, per user the
``User N:`` line's values and what the lines under it say."""


def whole_block(text: str, at: int, stop: int) -> Block | None:
    """What the lines of ``text[at:stop]`` say, a block of the common layout (see
    ``package_sections.block_end``) read with one ``findall`` and the line reader's memoised
    value readers; None when a line holds U+FFFD, a value is unreadable, or a user has a
    second ``User N:`` line: the line reader then reads the block and notes its damage."""
    if text.find(REPLACEMENT, at, stop) >= 0:
        return None
    attrs: dict[str, Any] = {}
    flags: set[str] = set()
    install: dict[str, bool] = {}
    users: dict[int, tuple[Fresh, UserLines]] = {}
    for key, rows, uid, rest, lines in _TOP.findall(text, at - 1, stop):
        if key:
            values, named, notes = field_values(key)
            if notes:
                return None
            attrs.update(values)
            if named:
                flags.update(named)
        elif uid:
            _, fresh, notes = user_values(rest)
            read = user_lines(lines)
            number = int(uid)
            if notes or read is None or number in users:
                return None
            users[number] = fresh, read
        else:
            grants = install_rows(rows)
            if grants is None:
                return None
            install.update(grants)
    return attrs, flags, install, users


_USER_FIELDS = (
    "user_id", "installed", "runtime_permissions", "enabled", "hidden", "suspended",
    "first_install",
)  # fmt: skip
_PACKAGE_FIELDS = (
    "name", "app_id", "version_name", "version_code", "installer", "flags",
    "install_permissions", "users", "shared_user", "target_sdk", "first_install", "last_update",
    "initiating_installer", "grants_read",
)  # fmt: skip
POSITIONAL = (
    getattr(PackageUser, "__match_args__", None) == _USER_FIELDS
    and getattr(Package, "__match_args__", None) == _PACKAGE_FIELDS
)
"""The facts' fields are in the order ``built`` passes them (a third cheaper than by name);
if ``checks.facts`` ever orders them otherwise, ``built`` names each."""


def built(
    name: str,
    fields: dict[str, Any],
    flags: set[str],
    install: dict[str, bool],
    users: dict[int, tuple[Fresh, UserLines]],
) -> Package:
    """``freeze`` of a draft with no shared user, from what a whole block says (``Block``): the
    facts built by position, and the earliest install time of the users that have the app
    found in the same pass over them (``first_install`` when the block has none, 13+)."""
    if not POSITIONAL:
        return _built_by_name(name, fields, flags, install, users)
    frozen = []
    earliest = None
    for uid in sorted(users):
        (installed, hidden, suspended, enabled), (times, runtime) = users[uid]
        when = times[-1] if times else None
        frozen.append(PackageUser(uid, installed, dict(runtime), enabled, hidden, suspended, when))
        if when is not None and installed is True and (earliest is None or when < earliest):
            earliest = when
    get = fields.get
    first_install = get("first_install")
    return Package(
        name, get("app_id"), get("version_name"), get("version_code"), get("installer"),
        frozenset(flags), install, tuple(frozen), None, get("target_sdk"),
        earliest if first_install is None else first_install, get("last_update"),
        get("initiating"), True,
    )  # fmt: skip


def _built_by_name(
    name: str,
    fields: dict[str, Any],
    flags: set[str],
    install: dict[str, bool],
    users: dict[int, tuple[Fresh, UserLines]],
) -> Package:
    """``built`` with every field named (``POSITIONAL`` false: the facts' order changed)."""
    frozen = []
    for uid in sorted(users):
        (installed, hidden, suspended, enabled), (times, runtime) = users[uid]
        user: tuple[Any, ...] = (
            uid, installed, dict(runtime), enabled, hidden, suspended, times[-1] if times else None
        )  # fmt: skip
        frozen.append(PackageUser(**dict(zip(_USER_FIELDS, user, strict=True))))
    get = fields.get
    first_install = get("first_install")
    if first_install is None:
        first_install = min(
            (u.first_install for u in frozen if u.installed is True and u.first_install),
            default=None,
        )
    package: tuple[Any, ...] = (
        name, get("app_id"), get("version_name"), get("version_code"), get("installer"),
        frozenset(flags), install, tuple(frozen), None, get("target_sdk"), first_install,
        get("last_update"), get("initiating"), True,
    )  # fmt: skip
    return Package(**dict(zip(_PACKAGE_FIELDS, package, strict=True)))

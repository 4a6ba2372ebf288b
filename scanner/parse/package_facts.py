"""From a package block's draft to ``checks.facts.Package``: the shared user's grants merged in.

Split from ``scanner.parse.dumpsys_package`` (the block structure lives there, the values in
``scanner.parse.package_fields``). Apps with a ``sharedUser=`` get no permission rows in their
own block (rule 1 of shared/reference/dumpsys-package-format.md): the ``Shared users:`` section's
install and runtime grants are merged into every member, the member's own rows (if any) winning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checks.facts import Package, PackageUser
from scanner.parse.package_fields import Draft, Fresh, UserLines


@dataclass(slots=True)
class SharedUser:
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
    """``freeze`` of a draft with no shared user, from what a whole block says: its fields
    (``Draft`` attributes), flags, install grants, and per user the ``User N:`` line's values
    and what the lines under it say (``package_fields.user_lines``)."""
    frozen = []
    for uid in sorted(users):
        (installed, hidden, suspended, enabled), (times, runtime) = users[uid]
        user: tuple[Any, ...] = (
            uid, installed, dict(runtime), enabled, hidden, suspended, times[-1] if times else None
        )  # fmt: skip
        frozen.append(
            PackageUser(*user)
            if POSITIONAL
            else PackageUser(**dict(zip(_USER_FIELDS, user, strict=True)))
        )
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
    return (
        Package(*package)
        if POSITIONAL
        else Package(**dict(zip(_PACKAGE_FIELDS, package, strict=True)))
    )

"""The simulated phone's ``pm list packages [options] [filter]``, from its own model of the phone.

Formats and options from AOSP (the same sources as ``scanner.parse.package_list``):
``package:`` [sourceDir ``=``] name [`` versionCode:N``] [``  installer=X``] [`` uid:N``];
``-d -e -f -i -l -s -u -3 --user N`` on every version (Android 6 ``Pm.java``), ``-U``,
``--uid N`` and ``--show-versioncode`` from Android 8 (API 26), ``-a`` and ``--apex-only`` from
Android 10 (API 29); an option the phone's version does not know prints ``Error: Unknown option:
X`` (status 255 from ``cmd package``, Android 7+; on stderr with status 1 from Android 6's
``Pm``). Static shared and SDK libraries (``name_<version>``) are never listed to the shell.

``-u`` (``MATCH_UNINSTALLED_PACKAGES``) lists every package the user has an entry for, as
this simulator did before (MVT's ``check-adb`` finds a work profile's apps through it). AOSP's
``PackageInfoUtils.checkUseInstalledOrHidden`` may list only the system ones among those not
installed for the user; not settled here. The cross-check does not depend on it: it expects
``pm`` to list a third-party app only where ``dumpsys`` shows it installed for user 0.

The answer comes from the phone's model, never from a dump it printed: a constructed recording's
model is its spec (``scanner.recordings.construct`` records these answers for msgscan's own
commands, so recordings and farm phones agree, and a fault test that forges the dump keeps the
list the system would print); a recording of a real phone or capture holds no model of its own,
so other options are not derived from its dump (``derived`` answers None: not derivable).

Without ``--user`` Android 14+ lists every user (``defaultUserId = UserHandle.USER_ALL``, the
ids of ``UserManagerInternal.getUserIds()``, ascending): a line per distinct text before the
uid (name, versionCode and installer are the package's, not the user's), its users' uids joined
(`` uid:10187,1010187``). A user the shell may not access (``refused``: a profile with
``DISALLOW_DEBUGGING_FEATURES``) makes ``translateUserId`` throw ``SecurityException``: on
Android 14-15 the whole command fails (``Exception occurred while executing 'list':`` and the
stack, status 255, nothing listed); the Android 16 code catches it per user (``Error: `` and the
exception, callers on the next line, after the list, status 0) and lists the next user. With
``--user N`` such a user fails the same way on Android 11+ (``translateUserId``; docs/sources.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from checks.facts import Package
from scanner.simphone.commands.output import Answer, ok

if TYPE_CHECKING:
    from scanner.simphone.commands.facts import PhoneFacts

_LIBRARY = re.compile(r"_\d+$")
_FROM_8 = frozenset({"-U", "--uid", "--show-versioncode"})
_FROM_10 = frozenset({"-a", "--apex-only"})


def _installed_for(p: Package, user: int) -> bool:
    """Installed for ``user`` and not hidden: what a list without ``-u`` shows
    (``PackageUserStateUtils.isAvailable``; ``PackageUserState.isAvailable`` before 12)."""
    return any(u.user_id == user and u.installed is True and not u.hidden for u in p.users)


def _enabled(p: Package, user: int) -> bool:
    state = next((u.enabled for u in p.users if u.user_id == user), None)
    return state not in (2, 3)  # COMPONENT_ENABLED_STATE_DISABLED(_USER)


def _user_arg(value: str) -> int | None:
    if value in ("current", "cur", "all"):
        return 0
    return int(value) if value.isdigit() else None


ALL_USERS_SDK = 34
"""From Android 14 a list without ``--user`` covers every user (module doc)."""
PER_USER_ERRORS_SDK = 36
"""From Android 16 a user the shell may not access is an ``Error:`` line, not a failure."""
REFUSED_SDK = 30
"""``runListPackages`` checks ``--user N`` with ``translateUserId`` (seen from Android 11)."""


def refusal(user: int) -> str:
    """``SecurityException.toString()`` of ``UserController.handleIncomingUser`` for the shell
    and a user with ``DISALLOW_DEBUGGING_FEATURES`` (its message ends with a newline, a space
    and ``Debug.getCallers(3)``; the line numbers are those of an Android 14 phone quoted in
    docs/sources.md)."""
    return (
        f"java.lang.SecurityException: Shell does not have permission to access user {user}\n"
        " com.android.server.am.ActivityManagerService.handleIncomingUser:14983"
        " android.app.ActivityManager.handleIncomingUser:4805"
        " com.android.server.pm.PackageManagerShellCommand.translateUserId:3517 "
    )


def _failed(user: int) -> Answer:
    """``BasicShellCommandHandler.exec``'s answer to the exception (stack shortened)."""
    text = (
        f"\nException occurred while executing 'list':\n{refusal(user)}\n"
        "\tat com.android.server.am.UserController.handleIncomingUser(UserController.java:2680)\n"
    )
    return Answer(b"", text.encode(), 255)


def _unknown(opt: str, sdk: int) -> Answer:
    message = f"Error: Unknown option: {opt}\n".encode()
    return Answer(b"", message, 1) if sdk < 24 else Answer(message, b"", 255)


def _known(opt: str, sdk: int) -> bool:
    """Whether the phone's version knows ``opt`` (letters are checked later)."""
    if opt.startswith("--"):
        if opt in ("--uid", "--show-versioncode"):
            return sdk >= 26
        return opt == "--user" or (opt == "--apex-only" and sdk >= 29)
    return not ("U" in opt and sdk < 26) and not ("a" in opt and sdk < 29)


def list_packages(
    packages: Sequence[Package],
    users: Iterable[int],
    sdk: int,
    args: list[str],
    apk: dict[str, str] | None = None,
    refused: frozenset[int] = frozenset(),
) -> Answer:
    """``pm list packages`` with ``args`` on a phone of ``sdk`` with ``packages`` and ``users``
    (``refused``: users the shell may not access)."""
    show_path = show_installer = show_uid = show_version = False
    disabled = enabled = system = third = uninstalled = False
    user: int | None = None
    uid = None
    while args and args[0].startswith("-"):
        opt = args.pop(0)
        if not _known(opt, sdk):
            return _unknown(opt, sdk)
        if opt in ("--user", "--uid"):
            if not args:
                message = (
                    f'Error: java.lang.IllegalArgumentException: Argument expected after "{opt}"\n'
                )
                return Answer(message.encode(), b"", 255)
            value = args.pop(0)
            parsed = (
                _user_arg(value) if opt == "--user" else (int(value) if value.isdigit() else None)
            )
            if parsed is None:
                message = f'Error: java.lang.NumberFormatException: For input string: "{value}"\n'
                return Answer(message.encode(), b"", 255)
            if opt == "--user":
                user = parsed
            else:
                uid, show_uid = parsed, True
            continue
        if opt == "--show-versioncode":
            show_version = True
            continue
        if opt == "--apex-only":
            return ok()  # a model without APEX packages lists none
        for c in opt[1:]:
            if c not in "defilsuU3a":
                return _unknown(opt, sdk)
            disabled |= c == "d"
            enabled |= c == "e"
            show_path |= c == "f"
            show_installer |= c == "i"
            system |= c == "s"
            uninstalled |= c in "ua"
            show_uid |= c == "U"
            third |= c == "3"
    name_filter = args[0] if args else None
    known = set(users)
    if user is None and sdk >= ALL_USERS_SDK:
        every = sorted(known or {0})
    else:
        every = [0 if user is None else user]
    if user is not None and known and user not in known:
        # A user that does not exist: no error on any version. getInstalledPackages answers an
        # empty list (``!mUserManager.exists(userId)``: ComputerEngine, PackageManagerService
        # before 13) and Android 14+'s translateUserId (ActivityManager.handleIncomingUser)
        # does not check that the user exists: no line, status 0.
        return ok()
    out: dict[str, list[str]] = {}
    errors = []
    for each in every:
        if each in refused and sdk >= REFUSED_SDK:
            if sdk < PER_USER_ERRORS_SDK:
                return _failed(each)
            errors.append(f"Error: {refusal(each)}\n")
            continue
        for line, p_uid in _lines(
            packages, each, (show_path, show_version, show_installer),
            (disabled, enabled, system, third, uninstalled), name_filter, uid, apk,
        ):  # fmt: skip
            out.setdefault(line, [])
            if show_uid:
                out[line].append(str(p_uid))
    lines = [f"{key}{' uid:' + ','.join(uids) if uids else ''}\n" for key, uids in out.items()]
    return Answer("".join(lines).encode(), "".join(errors).encode(), 0)


def _lines(
    packages: Sequence[Package],
    user: int,
    shown: tuple[bool, bool, bool],
    filters: tuple[bool, bool, bool, bool, bool],
    name_filter: str | None,
    uid: int | None,
    apk: dict[str, str] | None,
) -> Iterable[tuple[str, int]]:
    """One user's lines without the uid, and the uid (``runListPackages``' loop body)."""
    show_path, show_version, show_installer = shown
    disabled, enabled, system, third, uninstalled = filters
    for p in packages:
        if _LIBRARY.search(p.name):
            continue  # filterSharedLibPackage: the shell is not shown static/SDK libraries
        if not (
            _installed_for(p, user) or (uninstalled and any(u.user_id == user for u in p.users))
        ):
            continue  # -u: every package the user has an entry for (see the module's note)
        if name_filter is not None and name_filter not in p.name:
            continue
        p_uid = user * 100000 + (p.app_id or 0)
        if uid is not None and p_uid != uid:
            continue
        on = _enabled(p, user)
        if (
            (disabled and on)
            or (enabled and not on)
            or (system and not p.is_system)
            or (third and p.is_system)
        ):
            continue
        line = "package:"
        if show_path:
            line += f"{(apk or {}).get(p.name) or '/data/app/' + p.name + '/base.apk'}="
        line += p.name
        if show_version:
            line += f" versionCode:{p.version_code}"
        if show_installer:
            line += f"  installer={p.installer or 'null'}"
        yield line, p_uid


def derived(facts: PhoneFacts, args: list[str]) -> Answer | None:
    """The derived answer of a simulated phone, or None when its recording has no model."""
    if not facts.modelled:
        return None
    apks = {p.name: a for p in facts.packages if (a := facts.apk(p.name))}
    users = [u.id for u in facts.users]
    return list_packages(facts.packages, users, facts.sdk, args, apks, facts.shell_refused)

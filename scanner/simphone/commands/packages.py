"""``pm``, ``cmd package``, ``dumpsys package PKG`` and ``appops get`` from the recorded dump.

Formats from AOSP: ``pm list packages`` and ``pm path`` follow
``services/core/java/com/android/server/pm/PackageManagerShellCommand.java`` (runListPackages:
``package:`` [sourceDir ``=``] name [`` versionCode:N``] [``  installer=X``] [`` uid:N``]; options
``-d -e -f -i -l -s -u -U -3 -a --show-versioncode --user N --uid N`` and a name filter that
the package name must contain; ``Error: Unknown option: X`` and status 255 otherwise; runPath:
``package:<sourceDir>``, status 1 and no output for a package the user lacks). Android 6 had
the same formats in ``cmds/pm/src/com/android/commands/pm/Pm.java``. ``pm``, ``cmd package``
and (Android 7+) ``cmd package`` share the code, so they answer alike.

``appops get PKG`` follows ``AppOpsService.Shell`` (``OP: mode`` lines, ``No operations.``
when none differ from the default). ``dumpsys package PKG`` prints the package's block of the
recorded ``Packages:`` section under its header (the real command prints more sections,
which no recording holds).

Writes are refused the way a phone with the "Install via USB" switch off (MIUI) or a
``DISALLOW_INSTALL_APPS`` / ``DISALLOW_UNINSTALL_APPS`` restriction refuses them:
``Failure [INSTALL_FAILED_USER_RESTRICTED: Install canceled by user]``, status 1.
"""

from __future__ import annotations

from collections.abc import Callable

from checks.facts import Package
from scanner.simphone import pm_list
from scanner.simphone.commands.facts import PhoneFacts
from scanner.simphone.commands.output import Answer, fail, ok

PM_WRITES = {
    "install": "Failure [INSTALL_FAILED_USER_RESTRICTED: Install canceled by user]\n",
    "install-create": "Failure [INSTALL_FAILED_USER_RESTRICTED: Install canceled by user]\n",
    "install-existing": "Failure [INSTALL_FAILED_USER_RESTRICTED: Install canceled by user]\n",
    "uninstall": "Failure [DELETE_FAILED_USER_RESTRICTED]\n",
    "clear": "Failed\n",
}
"""Texts of PackageManagerShellCommand's failures (runInstall/runUninstall/runClear)."""


def _installed_for(p: Package, user: int) -> bool:
    return any(u.user_id == user and u.installed for u in p.users)


def _user_arg(value: str) -> int | None:
    if value in ("current", "cur", "all"):
        return 0
    return int(value) if value.isdigit() else None


def path(facts: PhoneFacts, args: list[str]) -> Answer:
    user = 0
    if args[:1] == ["--user"] and len(args) > 1:
        user = _user_arg(args[1]) or 0
        args = args[2:]
    if not args:
        return fail("Error: no package specified\n")
    p = facts.package(args[0])
    if p is None or not _installed_for(p, user):
        return Answer(b"", b"", 1)
    return ok(f"package:{facts.apk(p.name)}\n")


def pm(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer | None:
    """``pm …`` and ``cmd package …`` (argv without the leading ``cmd``)."""
    args = list(argv[1:])
    if not args:
        return None
    verb = args.pop(0)
    if verb == "list" and args and args[0] in ("packages", "package"):
        return pm_list.derived(facts, args[1:])
    if verb == "list" and args[:1] == ["users"]:
        return None  # answered from the recording, or not at all
    if verb == "path":
        return path(facts, args)
    if verb in PM_WRITES:
        return Answer(PM_WRITES[verb].encode(), b"", 1)
    return None


def dumpsys_package(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer | None:
    if len(argv) != 3 or argv[1] != "package":
        return None
    name = argv[2]
    block = facts.blocks.get(name)
    if block is not None:
        return ok("Packages:\n" + block.rstrip("\n") + "\n\n")
    if "." in name and not name.startswith("-"):
        return ok()  # a package name the phone does not have: no Packages: section at all
    return None  # another dump command (shared-users, permissions, …): not derivable


def appops(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer | None:
    """``appops get PKG [OP]`` and ``cmd appops get …``."""
    args = list(argv[1:])
    if args[:1] != ["get"] or len(args) < 2:
        return None
    user = 0
    if "--user" in args:
        at = args.index("--user")
        user = (_user_arg(args[at + 1]) if at + 1 < len(args) else None) or 0
        del args[at : at + 2]
    p = facts.package(args[1])
    if p is None:
        return Answer(f"Error: Unknown package: {args[1]}\n".encode(), b"", 255)
    modes = facts.app_ops.modes.get((user, p.name), {})
    uid_modes = facts.app_ops.uid_modes.get(user * 100000 + (p.app_id or 0), {})
    op = args[2] if len(args) > 2 else None
    lines = []
    for i, (name, mode) in enumerate(sorted(uid_modes.items())):
        if op is None or op == name:
            lines.append(
                f"{'Uid mode: ' if i == 0 and facts.sdk >= 30 else ''}{name}: {mode.value}"
            )
    lines += [
        f"{name}: {mode.value}"
        for name, mode in sorted(modes.items())
        if name not in uid_modes and (op is None or op == name)
    ]
    return ok("".join(f"{line}\n" for line in lines) or "No operations.\n")


def cmd(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer | None:
    """``cmd SERVICE …``: Android 7+ forwards to the service's shell command."""
    if len(argv) < 2:
        return None
    service, rest = argv[1], ("cmd-" + argv[1], *argv[2:])
    if service == "package":
        return pm(facts, rest, stdin)
    if service == "appops":
        return appops(facts, rest, stdin)
    if service == "settings":
        from scanner.simphone.commands.properties import settings

        return settings(facts, rest, stdin)
    return None


COMMANDS: dict[str, Callable[[PhoneFacts, tuple[str, ...], bytes], Answer | None]] = {
    "pm": pm,
    "dumpsys": dumpsys_package,
    "appops": appops,
    "cmd": cmd,
}

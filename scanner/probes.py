"""The commands msgscan runs on a phone, one ``Probe`` each.

A probe is a name (stable: it appears in logs, evidence and recordings), the argv it runs (built
from constants and catalog paths, never from phone output) and, optionally, a ``scrub`` that
removes what a recording must not keep (serial numbers, user names) before it is stored.

Probes travel in waves of parallel streams (``scanner.batch.run_wave``, ``scanner.collect``):
the first wave is ``INVENTORY_STREAMS`` plus ``speculative_targets`` (every catalog folder of
user 0, asked before the inventory says which messengers are installed) and, as soon as the
users are known, ``backup_probes`` of every other user; the second the folders of other users
and the signers' first reads; then the signing blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from msgspec import Struct

from checks.catalog import VARIANTS
from checks.facts import EvidenceKind, Package, User
from checks.locations import Location
from scanner import names
from scanner.parse.boot_id import PATH as BOOT_ID_PATH
from scanner.parse.getprop import scrub_getprop
from scanner.parse.unlocked import scrub_dumpsys_mount
from scanner.parse.users import scrub_pm_list_users, scrub_user_list_verbose

STORAGE_ROOT = "/storage/emulated/{user}"
"""Each user's shared storage. ``/sdcard`` is user 0's view of the same place; the numbered
path is what the shell can (or, for a work profile, often cannot) list for other users."""

STAT_FORMAT = "%Y %s"
"""toybox ``stat -c``: mtime (epoch seconds) and size in bytes. No name ever leaves the phone."""


class Probe(Struct, frozen=True):
    name: str
    argv: tuple[str, ...]
    scrub: Callable[[str], str] | None = None


GETPROP = Probe("getprop", ("getprop",), scrub=scrub_getprop)
USERS = Probe("users", ("pm", "list", "users"), scrub=scrub_pm_list_users)
# Android 11+: user types (clone, private space, managed) and parents; names scrubbed.
USER_TYPES = Probe("user-types", ("cmd", "user", "list", "-v"), scrub=scrub_user_list_verbose)
DEVICE_POLICY = Probe("device-policy", ("dumpsys", "device_policy"))
BACKUP_ENABLED = Probe("backup-enabled", ("bmgr", "enabled"))
BACKUP_TRANSPORTS = Probe("backup-transports", ("bmgr", "list", "transports"))
# PackageManagerService reads one dump command per call (a single `if (opti < args.length)` in
# PackageManagerService.dump, Android 6-11, and DumpHelper.doDump, 13+): "packages shared-users"
# would silently drop the second. Two probes, one exchange. `packages` prints Packages: and Hidden
# system packages:; runtime grants of shared-uid apps appear only under Shared users:.
PACKAGES = Probe("packages", ("dumpsys", "package", "packages"))
SHARED_USERS = Probe("shared-users", ("dumpsys", "package", "shared-users"))
APP_OPS = Probe("app-ops", ("dumpsys", "appops"))
# Android 7+: which users' credential-encrypted storage is unlocked (scanner.parse.unlocked); a
# running user can be locked, and a folder missing below its storage root says nothing.
STORAGE_USERS = Probe("storage-users", ("dumpsys", "mount"), scrub=scrub_dumpsys_mount)
# The kernel's boot id (``scanner.parse.boot_id``): one phone reached on USB and over TCP at
# once answers both with it (``scanner.app.agent.onephone``); clones do not. Never recorded.
BOOT_ID = Probe("boot-id", ("cat", BOOT_ID_PATH))

INVENTORY: tuple[Probe, ...] = (
    GETPROP,
    USERS,
    USER_TYPES,
    DEVICE_POLICY,
    BACKUP_ENABLED,
    BACKUP_TRANSPORTS,
    PACKAGES,
    SHARED_USERS,
    APP_OPS,
    STORAGE_USERS,
    BOOT_ID,
)

INVENTORY_STREAMS: tuple[tuple[Probe, ...], ...] = (
    # The user manager (`pm list users` is handed to it: scanner/simphone/services.py), so it
    # does not wait for the package dump; first, so that the users it names let the per-user
    # questions start early. getprop reads the property area, no service; nor does the
    # kernel's boot id (a sysctl file), a few bytes beside getprop's.
    (USERS, USER_TYPES, GETPROP, BOOT_ID),
    (PACKAGES, SHARED_USERS),  # the package manager: the longest command of a scan
    (APP_OPS,),  # the appops service
    # device_policy, then the mount service (StorageManagerService): two short dumps of two
    # services, one after the other in one stream rather than an exchange of their own.
    (DEVICE_POLICY, STORAGE_USERS),
    (BACKUP_ENABLED, BACKUP_TRANSPORTS),  # the backup manager (bmgr)
)
"""The inventory as streams of one wave: one per system service, since commands served by the
same service wait for each other on the phone anyway (``scanner.simphone.services``)."""


# ``pm list packages`` for the cross-check with ``dumpsys package`` (``parse.package_list``): user
# 0's system and third-party packages, and each other user's packages, with every value
# ``dumpsys`` prints too. ``-u``, ``-i``, ``-s``, ``-3`` and ``--user N`` exist on every Android
# msgscan supports (6+, ``Pm.java``); ``-U`` and ``--show-versioncode`` from Android 8 (API 26,
# ``PackageManagerShellCommand``), so the options are chosen once getprop has said the SDK, in the
# inventory's wave (``scanner.package_check``); an unknown SDK gets the Android 6 options.
# User 0's lists name ``--user 0``: from Android 14 a list without it covers every user
# (``USER_ALL``), joins the uids (``uid:10187,1010187``) and fails whole on 14-15 when the shell
# may not access one profile (docs/sources.md). User 0 gets ``-s`` and ``-3`` with ``-u``; the
# other users a list without them: with ``-u`` the system user's shell on a phone with a managed
# profile gets ``MATCH_ANY_USER`` (``updateFlagsForPackage``), so the list would name packages of
# other users; without it, what is installed for that user and not hidden. Android 6-13 ask one
# list per other user (``pm_user_list_probe``); Android 14+ one list of every user
# (``PM_LIST_ALL``, session 26: the package manager serves pm lists one after another), and a
# user's own list only as a fall-back (``scanner.package_check``). Whether a package is a system
# one is the package's, not the user's (``FLAG_SYSTEM``): user 0's lists check it.
PM_LIST_SDK = 26
"""The first API level whose ``pm list packages`` knows ``-U`` and ``--show-versioncode``."""
PM_LIST_KINDS = (("system", "-s"), ("third", "-3"))


def _pm_values(sdk: int | None) -> tuple[str, ...]:
    return ("-U", "--show-versioncode") if sdk is not None and sdk >= PM_LIST_SDK else ()


def pm_list_probes(sdk: int | None) -> tuple[Probe, Probe]:
    """``pm list packages -s|-3 -u -i [-U --show-versioncode] --user 0`` for an SDK (None:
    unknown)."""
    extra = _pm_values(sdk)
    system, third = (
        Probe(
            f"pm-list-{kind}", ("pm", "list", "packages", flag, "-u", "-i", *extra, "--user", "0")
        )
        for kind, flag in PM_LIST_KINDS
    )
    return system, third


PM_LIST_ALL_SDK = 34
"""The first API level whose ``pm list packages`` without ``--user`` lists every user."""
PM_LIST_ALL = Probe("pm-list-all", ("pm", "list", "packages", "-i", "-U", "--show-versioncode"))
"""Every user's packages in one list (Android 14+): no ``--user``, no ``-u``."""


def pm_user_list_probe(sdk: int | None, user: int) -> Probe:
    """``pm list packages -i [-U --show-versioncode] --user N``: what is installed for user N
    (other than 0), one command per user."""
    argv = ("pm", "list", "packages", "-i", *_pm_values(sdk), "--user", str(user))
    return Probe(f"pm-list-user:{user}", argv)


def backup_probes(uid: int) -> tuple[Probe, Probe]:
    """``bmgr --user N enabled`` and ``bmgr --user N list transports`` (see below)."""
    return (
        Probe(f"backup-enabled:{uid}", ("bmgr", "--user", str(uid), "enabled")),
        Probe(f"backup-transports:{uid}", ("bmgr", "--user", str(uid), "list", "transports")),
    )


def user_backup_probes(
    packages: Iterable[Package], users: Iterable[User]
) -> dict[int, tuple[Probe, Probe]]:
    """``bmgr --user N enabled`` / ``list transports`` for every user other than the system
    user that has a catalog messenger (user 0 is the inventory's ``bmgr enabled``).

    AOSP ``cmds/bmgr/.../Bmgr.java`` (Android 10+): ``parseUserId`` reads ``--user <id>`` before
    the command (usage ``bmgr [--user <userId>] ...``), and ``doEnabled`` prints
    ``Backup Manager currently enabled|disabled`` from ``isBackupEnabledForUser``; a user whose
    backup service is not active gets ``Error: Backup Manager is not activated for user <id>``
    on stderr. Older Bmgr treats ``--user`` as an unknown command: the state stays unknown.
    """
    known = {u.id for u in users}
    ids = sorted(
        {
            uid
            for p in packages
            if p.name in VARIANTS
            for uid in p.installed_for()
            if uid != 0 and names.is_user_id(uid) and (not known or uid in known)
        }
    )
    return {uid: backup_probes(uid) for uid in ids}


class StorageTarget(Struct, frozen=True):
    """One catalog location of one installed messenger in one user's storage."""

    package: str
    user_id: int
    location: Location
    path: str
    files: Probe
    nomedia: Probe | None


def storage_path(user_id: int, location: Location, package: str) -> str:
    rel = location.resolve(package)
    root = STORAGE_ROOT.format(user=user_id)
    return f"{root}/{rel}" if rel else root


NO_BACKUP_DIRS = ("Android/data", "Android/obb")
"""Skipped by searches of a whole storage root: app-private folders no app can save a
user-chosen backup into (the storage access framework refuses them as targets since Android 11;
checklist.md MSG-03). The shell often cannot list them either, which would only blind the search."""


def _find(path: str, location: Location, root: str | None = None) -> tuple[str, ...]:
    """toybox ``find``: ``-mindepth``, ``-maxdepth``, ``-path … -prune -o`` (toys/posix/find.c)."""
    argv: list[str] = ["find", path]
    if location.mindepth is not None:
        argv += ["-mindepth", str(location.mindepth)]
    if location.depth is not None:
        argv += ["-maxdepth", str(location.depth)]
    if location.depth is None and root is not None and path == root:
        for skipped in NO_BACKUP_DIRS:
            argv += ["-path", f"{root}/{skipped}", "-prune", "-o"]
    argv += ["-type", "d" if location.dirs else "f"]
    if location.pattern:
        argv += ["-name", location.pattern]
    if not location.dirs:
        argv += ["!", "-name", ".nomedia"]
    argv += ["-exec", "stat", "-c", STAT_FORMAT, "{}", "+"]
    return tuple(argv)


def storage_targets(
    packages: Iterable[Package], users: Iterable[User]
) -> tuple[StorageTarget, ...]:
    """Where to look, for each installed messenger in each user it is installed for.

    Both the scoped and the legacy folders are looked at whatever the Android version: leftovers
    of the legacy layout still hold archives and media after an upgrade (messengers.md §2.2).
    """
    known_users = {u.id for u in users}
    targets: list[StorageTarget] = []
    for package in packages:
        if package.name not in VARIANTS or not names.is_package_name(package.name):
            continue
        for user_id in package.installed_for():
            if (known_users and user_id not in known_users) or not names.is_user_id(user_id):
                continue  # a phone-supplied id that cannot be real never reaches a command
            targets += _targets(package.name, user_id)
    return tuple(targets)


def speculative_targets(user_id: int = 0) -> tuple[StorageTarget, ...]:
    """Every catalog messenger's folders in one user's storage, whether installed or not: asked
    in the inventory's wave (a ``find`` of an absent path costs the phone one failed stat); the
    collector keeps the answers of the messengers the inventory then shows installed."""
    return tuple(
        t for name in VARIANTS if names.is_package_name(name) for t in _targets(name, user_id)
    )


def _targets(package: str, user_id: int) -> list[StorageTarget]:
    targets = []
    for location in VARIANTS[package][1].locations:
        path = storage_path(user_id, location, package)
        if not names.is_storage_path(path):
            continue
        key = f"storage:{package}:{user_id}:{location.id}"
        nomedia = None
        if location.kind is EvidenceKind.MEDIA:
            nomedia = Probe(f"{key}:nomedia", ("test", "-e", f"{path}/.nomedia"))
        find = Probe(key, _find(path, location, STORAGE_ROOT.format(user=user_id)))
        targets.append(StorageTarget(package, user_id, location, path, find, nomedia))
    return targets


def streams_of(probes: Sequence[Probe], count: int) -> list[tuple[Probe, ...]]:
    """``probes`` dealt into at most ``count`` streams of about equal length, in order."""
    count = max(1, min(count, len(probes)))
    size = -(-len(probes) // count) if probes else 0
    return [tuple(probes[i : i + size]) for i in range(0, len(probes), size)] if size else []


def rejected_names(packages: Iterable[Package], users: Iterable[User]) -> tuple[str, ...]:
    """What the phone listed that no real phone can have: package names Android refuses, user
    ids outside 0..21474. Such values are left out of every command; this says which."""
    problems: list[str] = []
    bad_packages = [p.name for p in packages if not names.is_package_name(p.name)]
    bad_users = sorted(
        {u.user_id for p in packages for u in p.users if not names.is_user_id(u.user_id)}
        | {u.id for u in users if not names.is_user_id(u.id)}
    )
    if bad_packages:
        shown = ", ".join(names.shown(n) for n in bad_packages[:5])
        more = f" and {len(bad_packages) - 5} more" if len(bad_packages) > 5 else ""
        problems.append(
            f"the phone listed {len(bad_packages)} package name(s) that Android does not allow "
            f"({shown}{more}); they were left out of every command"
        )
    if bad_users:
        shown = ", ".join(names.shown(u) for u in bad_users[:5])
        problems.append(
            f"the phone listed user id(s) outside 0-{names.MAX_USER_ID} ({shown}); they were "
            "left out of every command"
        )
    return tuple(problems)


def root_probe(user_id: int) -> Probe:
    """``test -d /storage/emulated/N``: can the shell see user N's storage root at all?

    ``find`` says "No such file or directory" for a folder below a root the shell cannot see as
    for a folder that is not there, so a folder's absence counts only where this answered 0.
    On Android 11+ each user's emulated storage is its own FUSE mount (MediaProvider's
    ``FuseDaemon``), mounted by vold when the user is unlocked (``StorageManagerService
    .onUnlockUser`` -> ``vold.onUserStarted``); the shell, a process of user 0, often gets ENOENT
    or EACCES for another user's root, and for any user that is locked or stopped. ``test`` is a
    shell builtin (mksh, Android 6+): status 0 = a folder the shell can stat, 1 = not."""
    return Probe(f"storage-root:{user_id}", ("test", "-d", STORAGE_ROOT.format(user=user_id)))


def root_probes(targets: Iterable[StorageTarget]) -> dict[int, Probe]:
    """One ``root_probe`` per user the targets look into, by user id."""
    return {uid: root_probe(uid) for uid in sorted({t.user_id for t in targets})}


def storage_probes(targets: Iterable[StorageTarget]) -> tuple[Probe, ...]:
    targets = tuple(targets)
    probes: list[Probe] = list(root_probes(targets).values())
    for t in targets:
        probes.append(t.files)
        if t.nomedia is not None:
            probes.append(t.nomedia)
    return tuple(probes)

"""Build recordings of phones nobody has to own: a spec in, the commands a scan runs out.

A ``PhoneSpec`` describes a phone (properties, users, owners, apps with per-user grants, app ops,
the files in shared storage as dates and sizes). ``build()`` renders what each of msgscan's
probes would print on it (``render.py``, following the format references and AOSP) and returns a
``Recording`` whose metadata says it was constructed, from what, and what a scan should find.

The shipped recordings in this folder are made by ``python -m scanner.recordings.build``; tests
make larger ones (a 300-package, 3-user phone) the same way.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from msgspec import structs

from checks.facts import Package, PackageUser, User, UserKind
from scanner import probes
from scanner.parse import apk_signing
from scanner.recording import Command, DeviceLabel, FileEntry, Recording
from scanner.recordings import render, times
from scanner.recordings.render import App
from scanner.simphone import pm_list

HOW_MADE = (
    "Constructed by scanner/recordings/construct.py from a phone spec, not captured from a phone. "
    "Output layouts follow ../shared/reference/dumpsys-package-format.md (AOSP Settings.java, "
    "Android 9 and 16, and the real captures in ../shared/fixtures/android) and, for commands no "
    "capture shows, the AOSP sources named in scanner/recordings/render.py. Device-side times "
    "follow scanner/recordings/times.py (docs/sources.md: pm's start from real phones' timings "
    "and AOSP, one PackageInfo per package and listed user, printing at the package dump's "
    "rate; the dump's own cost and other services' times are modelled). pm list packages (-s "
    "and -3 with -u and --user 0 for user 0; for the other users of the spec one list without "
    "them per user with --user N on Android 6-13, and on Android 14+ one list without --user, "
    "which lists every user and joins their uids, with a user's own list only where that list "
    "fails) is answered from the spec by scanner/simphone/pm_list.py (AOSP "
    "PackageManagerShellCommand.runListPackages), as the simulated phone answers it."
)
ROOTS_NOTE = (
    " Each user's storage root answers test -d from the spec: 0 where the shell can see it, 1 "
    "for the roots the spec hides ({hidden}), below which find says No such file or directory."
)

REFUSED_NOTE = (
    " The shell may not access users {users} (DISALLOW_DEBUGGING_FEATURES): their pm lists fail"
    " with the SecurityException of UserController.handleIncomingUser (Android 14-15: the list"
    " of every user fails whole; 16: an Error: line for that user)."
)
LOCKED_NOTE = (
    " Users {locked} are running but locked (credential-encrypted storage not unlocked): dumpsys "
    "mount leaves them out of its unlocked users, their storage root shows ciphertext names on "
    "Android 7-10 (test -d 0, find below: No such file or directory) and is not mounted on 11+."
)


@dataclass(frozen=True, slots=True)
class Storage:
    """Shared storage: files (absolute path, mtime epoch, size) and unreadable folders."""

    files: Sequence[tuple[str, int, int]] = ()
    denied: Sequence[str] = ()
    folders: Sequence[str] = ()
    """Folders that exist even when empty."""
    encrypted: Sequence[str] = ()
    """Users' storage roots the shell sees but whose names are ciphertext: a running user whose
    credential-encrypted storage is locked, on Android 7-10 (``scanner.parse.unlocked``).
    ``test -d`` answers 0; ``find`` below says "No such file or directory"; a search of the
    root itself matches no name."""
    hidden: Sequence[str] = ()
    """Users' storage roots the shell cannot see at all (``/storage/emulated/10``): ``test -d``
    fails and ``find`` says "No such file or directory" for anything below, as for a work
    profile's root not mounted in the shell's view (Android 11+ FUSE, one mount per user)."""

    def visible(self, root: str) -> bool:
        """``test -d`` of a user's storage root: the shell can stat it (also when denied)."""
        return root not in self.hidden

    def _dirs(self) -> set[str]:
        dirs = set(self.folders)
        for path, _, _ in self.files:
            parts = path.split("/")
            dirs.update("/".join(parts[:i]) for i in range(2, len(parts)))
        return dirs

    def find(self, argv: Sequence[str]) -> tuple[str, int]:
        """What toybox ``find`` prints for the argv ``scanner.probes`` builds, and its status."""
        root = argv[1]
        depth = int(argv[argv.index("-maxdepth") + 1]) if "-maxdepth" in argv else None
        mindepth = int(argv[argv.index("-mindepth") + 1]) if "-mindepth" in argv else 0
        pruned = tuple(argv[i - 1] + "/" for i, a in enumerate(argv) if a == "-prune")
        want_dirs = argv[argv.index("-type") + 1] == "d"
        names = [argv[i + 1] for i, a in enumerate(argv) if a == "-name" and argv[i - 1] != "!"]
        pattern = names[0] if names else None
        if any(root == h or root.startswith(h + "/") for h in self.hidden):
            return f"find: {root}: No such file or directory\n", 1
        if any(root.startswith(e + "/") for e in self.encrypted):
            return f"find: {root}: No such file or directory\n", 1
        if root in self.encrypted:
            return "", 0  # every name below is ciphertext: no -name pattern matches
        if any(root == d or root.startswith(d + "/") for d in self.denied):
            return f"find: {root}: Permission denied\n", 1
        dirs = self._dirs()
        if root not in dirs and not any(p == root for p, _, _ in self.files):
            return f"find: {root}: No such file or directory\n", 1
        lines: list[str] = []
        errors = [
            d for d in self.denied if d.startswith(root + "/") and not (d + "/").startswith(pruned)
        ]
        blocked = tuple(d + "/" for d in errors) + pruned

        def level(path: str) -> int:
            return path[len(root) :].count("/")

        if want_dirs:
            for d in sorted(dirs):
                if d.startswith(root + "/") and not d.startswith(blocked):
                    name = d.rsplit("/", 1)[-1]
                    if (depth is None or level(d) <= depth) and (
                        pattern is None or fnmatch.fnmatchcase(name, pattern)
                    ):
                        lines.append(f"{render.epoch('2026-11-01T00:00:00')} 3452\n")
        else:
            for path, mtime, size in self.files:
                if not path.startswith(root + "/") or path.startswith(blocked):
                    continue
                name = path.rsplit("/", 1)[-1]
                if (
                    name == ".nomedia"
                    or (depth is not None and level(path) > depth)
                    or level(path) < mindepth
                ):
                    continue
                if pattern is None or fnmatch.fnmatchcase(name, pattern):
                    lines.append(f"{mtime} {size}\n")
        out = "".join(lines) + "".join(f"find: {d}: Permission denied\n" for d in errors)
        return out, 1 if errors else 0

    def exists(self, path: str) -> bool:
        if any(path.startswith(h + "/") for h in (*self.hidden, *self.encrypted)):
            return False
        return any(p == path for p, _, _ in self.files) or path in self._dirs()


@dataclass(frozen=True, slots=True)
class PhoneSpec:
    serial: str
    props: Mapping[str, str]
    users: Sequence[tuple[int, str, int, bool]]
    """(id, name, UserInfo flags, running)."""
    apps: Sequence[App]
    device_policy: str
    app_ops: str
    storage: Storage = Storage()
    locked: Sequence[int] = ()
    """Running users whose credential-encrypted storage is not unlocked (Android 7+): missing
    from ``dumpsys mount``'s unlocked users; their storage root shows ciphertext names on 7-10
    (``Storage.encrypted``) and is not mounted on 11+ (``Storage.hidden``)."""
    backup_enabled: bool = True
    transports: Sequence[str] = (
        "com.google.android.gms/.backup.BackupTransportService",
        "com.google.android.gms/.backup.migrate.service.D2dTransport",
    )
    current_transport: str | None = "com.google.android.gms/.backup.BackupTransportService"
    no_debugging: Sequence[int] = ()
    """Users whose admin set ``DISALLOW_DEBUGGING_FEATURES`` (a locked-down work profile): the
    shell may not access them, so their pm lists are refused (``scanner.simphone.pm_list``)."""
    user_types: Mapping[int, str] = field(default_factory=dict)
    """Android 11+ user types without ``android.os.usertype.``; from the flags when absent."""
    user_backup: Mapping[int, bool | None] = field(default_factory=dict)
    """Per other user: backup enabled (True/False) or None for "not activated"; users not listed
    answer like the system user."""
    description: str = ""
    expect: Mapping[str, Any] = field(default_factory=dict)
    maxdata: int = 1 << 20
    apks: Mapping[str, bytes] = field(default_factory=dict)
    """Package -> its base.apk (signed with keys made at build time, never a vendor's)."""

    @property
    def sdk(self) -> int:
        return int(self.props["ro.build.version.sdk"])


def _packages(spec: PhoneSpec) -> tuple[Package, ...]:
    """Just enough of each app for ``probes.storage_targets`` (names and who has them)."""
    return tuple(
        Package(
            name=a.name,
            app_id=a.app_id,
            version_name=a.version_name,
            version_code=a.version_code,
            installer=a.installer,
            flags=frozenset({"SYSTEM"} if a.system else ()),
            users=tuple(PackageUser(uid, u.installed) for uid, u in a.users.items()),
        )
        for a in spec.apps
    )


def _default_type(uid: int, flags: int) -> str:
    if uid == 0:
        return "full.SYSTEM"
    if flags & 0x20:
        return "profile.MANAGED"
    return "profile.CLONE" if flags & 0x1000 else "full.SECONDARY"


def _owner_users(device_policy: str) -> set[int]:
    return {int(m) for m in re.findall(r"Profile Owner \(User (\d+)\)", device_policy)}


SIGNING_NOTE = (
    "Each messenger's base.apk is a small ZIP signed by apksigner with RSA keys generated when "
    "the recording was built (scanner/recordings/signed_apks.py), not by its vendor: a scan "
    "reports its signer as manual, or fails it where a published vendor digest exists, unless "
    "a policy pins the test key."
)


def _signed_apps(spec: PhoneSpec) -> tuple[tuple[App, ...], tuple[FileEntry, ...]]:
    """The apps with their APK's signature hash (as dumpsys prints it), and the APK files."""
    apps, files = [], []
    for app in spec.apps:
        apk = spec.apks.get(app.name)
        if apk is None:
            apps.append(app)
            continue
        try:
            signer = apk_signing.signer_of_file(apk, spec.sdk)
            apps.append(replace(app, signature_hashes=(apk_signing.java_hash(signer.certificate),)))
        except apk_signing.SigningError:  # a damaged APK (tests): dumpsys keeps its own hash
            apps.append(app)
        path = f"{render.code_path(app, spec.sdk)}/base.apk"
        files.append(FileEntry(path, 0o100644, len(apk), 1795000000, apk))
    return tuple(apps), tuple(files)


def _pm_lists(
    spec: PhoneSpec, user_ids: Sequence[int], as_listed: Sequence[Package], refused: frozenset[int]
) -> list[probes.Probe]:
    """The pm lists msgscan asks (``scanner.package_check``): user 0's, and the other users' one
    by one (Android 6-13) or in one list (14+), with each one's own list where that one fails."""
    others = [u for u in user_ids if u]
    asked = list(probes.pm_list_probes(spec.sdk))
    if others and spec.sdk >= probes.PM_LIST_ALL_SDK:
        asked.append(probes.PM_LIST_ALL)
        every = pm_list.list_packages(as_listed, user_ids, spec.sdk, [], None, refused)
        if every.exit_code == 0:
            return asked
        others = [u for u in others if u not in refused]  # named by the failure
    return [*asked, *(probes.pm_user_list_probe(spec.sdk, u) for u in others)]


def _locked_storage(spec: PhoneSpec) -> Storage:
    """The spec's storage as the shell sees it, with the locked users' roots (``locked``)."""
    roots = [probes.STORAGE_ROOT.format(user=u) for u in spec.locked]
    if not roots or spec.sdk < 24:
        return spec.storage
    if spec.sdk >= 30:
        return replace(spec.storage, hidden=(*spec.storage.hidden, *roots))
    return replace(spec.storage, encrypted=(*spec.storage.encrypted, *roots))


BOOT_ID_NOTE = (
    "not recorded: the simulated phone serving this recording answers `cat /proc/sys/kernel/"
    "random/boot_id` with a version-4 UUID drawn per simulated boot, modelled from AOSP (drivers/"
    "char/random.c; the shell may read it by system/sepolicy, docs/sources.md); a replay holds "
    "none and reads it as not read"
)


def build(spec: PhoneSpec, *, model: str, product: str, device: str) -> Recording:
    user_ids = [u[0] for u in spec.users]
    storage = _locked_storage(spec)
    unlocked = [u[0] for u in spec.users if (u[3] or u[0] == 0) and u[0] not in spec.locked]
    apps, apk_files = _signed_apps(spec)
    outputs: dict[tuple[str, ...], tuple[str, int]] = {
        probes.GETPROP.argv: (render.getprop(spec.props), 0),
        probes.USERS.argv: (render.pm_list_users(spec.users), 0),
        probes.DEVICE_POLICY.argv: (spec.device_policy, 0),
        probes.BACKUP_ENABLED.argv: (render.bmgr_enabled(spec.backup_enabled), 0),
        probes.BACKUP_TRANSPORTS.argv: (
            render.bmgr_transports(spec.transports, spec.current_transport),
            0,
        ),
        probes.PACKAGES.argv: (render.dumpsys_package(apps, spec.sdk, user_ids), 0),
        # No app of a spec has a sharedUserId (render.dumpsys_package prints no sharedUser=),
        # and AOSP Settings.dumpSharedUsersLPr prints its "Shared users:" title only before
        # the first shared user: the answer is empty.
        probes.SHARED_USERS.argv: ("", 0),
        probes.APP_OPS.argv: (spec.app_ops, 0),
        probes.STORAGE_USERS.argv: (render.dumpsys_mount(spec.sdk, unlocked), 0),
    }
    types = {
        uid: spec.user_types.get(uid) or _default_type(uid, flags)
        for uid, _, flags, _ in spec.users
    }
    owners = _owner_users(spec.device_policy)
    outputs[probes.USER_TYPES.argv] = (
        render.user_list_verbose(
            spec.sdk, spec.users, types, device_owner="Device Owner:" in spec.device_policy,
            profile_owners=owners,
        ),
        0,
    )
    users = tuple(
        User(uid, UserKind.SYSTEM, flags, running) for uid, _, flags, running in spec.users
    )
    for uid, (enabled, listed) in probes.user_backup_probes(_packages(spec), users).items():
        state = spec.user_backup.get(uid, spec.backup_enabled)
        if state is None:
            outputs[enabled.argv] = (render.bmgr_not_activated(uid), 0)
            outputs[listed.argv] = (render.bmgr_not_activated(uid), 0)
        else:
            outputs[enabled.argv] = (render.bmgr_enabled(state), 0)
            outputs[listed.argv] = (
                render.bmgr_transports(spec.transports, spec.current_transport),
                0,
            )
    # What the system prints, from the spec: every app has an entry for every user, as
    # render.dumpsys_package prints one (installed=false where the spec has none).
    as_listed = tuple(
        structs.replace(p, users=tuple(PackageUser(u, u in p.installed_for()) for u in user_ids))
        for p in _packages(spec)
    )
    refused = frozenset(spec.no_debugging)
    for probe in _pm_lists(spec, user_ids, as_listed, refused):
        said = pm_list.list_packages(
            as_listed, user_ids, spec.sdk, list(probe.argv[3:]), None, refused
        )
        outputs[probe.argv] = ((said.stdout + said.stderr).decode(), said.exit_code)
    targets = probes.storage_targets(_packages(spec), users)
    for probe in probes.root_probes(targets).values():
        outputs[probe.argv] = ("", 0 if storage.visible(probe.argv[-1]) else 1)
    for target in targets:
        outputs[target.files.argv] = storage.find(target.files.argv)
        if target.nomedia is not None:
            flag = target.nomedia.argv[-1]
            outputs[target.nomedia.argv] = ("", 0 if storage.exists(flag) else 1)
    dump_bytes = len(outputs[probes.PACKAGES.argv][0].encode())
    commands = tuple(
        Command(argv, data, b"", status, times.device_ms(
            argv, sdk=spec.sdk, apps=len(spec.apps), users=len(user_ids), out_bytes=len(data),
            dump_bytes=dump_bytes,
        ))
        for argv, (text, status) in outputs.items()
        for data in (text.encode(),)
    )  # fmt: skip
    meta = {
        "source": "constructed",
        **({"shell_refused_users": sorted(spec.no_debugging)} if spec.no_debugging else {}),
        "how_made": HOW_MADE
        + ROOTS_NOTE.format(hidden=", ".join(storage.hidden) or "none")
        + (LOCKED_NOTE.format(locked=", ".join(map(str, spec.locked))) if spec.locked else "")
        + (
            REFUSED_NOTE.format(users=", ".join(map(str, spec.no_debugging)))
            if spec.no_debugging
            else ""
        )
        + (" " + SIGNING_NOTE if apk_files else ""),
        "description": spec.description,
        "maxdata": spec.maxdata,
        "expect": dict(spec.expect),
        "boot_id": BOOT_ID_NOTE,
    }
    # One small file for the simulated phone's sync service (`adb pull` in tests and demos).
    note = b"msgscan simulated phone: constructed recording, no personal data\n"
    files = (FileEntry("/sdcard/msgscan.txt", 0o100644, len(note), 1795000000, note), *apk_files)
    return Recording(DeviceLabel(spec.serial, product, model, device), commands, meta, files)

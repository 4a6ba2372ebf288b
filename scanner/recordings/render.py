"""Render device output the way Android prints it, for constructed recordings.

Every format here follows the ``dumpsys package`` layouts of docs/sources.md (AOSP
``Settings.java`` of Android 9 and 16, and the real captures listed there) or, for commands no
capture shows, the AOSP source named at each function. Line layouts switch on the SDK level
exactly where those sources show they changed ("reference §N" below: the sections of the
project's format notes that docs/sources.md sums up). Nothing here is a capture.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

EPOCH_PLACEHOLDER = "1970-01-01 01:00:00"
"""The Unix epoch in Central European local time, printed for users that do not have the app."""

# Runtime-permission flags as AOSP PermissionManager prints them for a user's choice on 10+.
USER_FLAGS = "USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED"


@dataclass(frozen=True, slots=True)
class AppUser:
    installed: bool = True
    grants: Mapping[str, bool] = field(default_factory=dict)
    """Runtime permission -> granted; rows for permissions the user decided on."""
    first_install: str = "2025-03-02 09:14:05"


@dataclass(frozen=True, slots=True)
class App:
    name: str
    app_id: int
    version_name: str
    version_code: int
    installer: str | None = "com.android.vending"
    system: bool = False
    allow_backup: bool = True
    target_sdk: int = 34
    min_sdk: int = 24
    install_permissions: tuple[str, ...] = ("android.permission.INTERNET",)
    users: Mapping[int, AppUser] = field(default_factory=dict)
    last_update: str = "2026-10-28 18:40:11"
    identity_hash: str = "5a1c0de"
    signature_hashes: tuple[str, ...] = ()
    """``signatures:[…]`` of its APK's certificate (``Arrays.hashCode``); identity_hash if none."""

    def flags(self) -> str:
        f = ["SYSTEM"] if self.system else []
        f += ["HAS_CODE", "ALLOW_CLEAR_USER_DATA"]
        if self.allow_backup:
            f.append("ALLOW_BACKUP")
        return "[ " + " ".join(f) + " ]"


def _user_line(sdk: int, uid: int, u: AppUser, inode: int) -> str:
    installed = "true" if u.installed else "false"
    ino = inode if u.installed else 0
    if sdk >= 36:  # Android 16: deDataInode, quarantined (reference §3, AOSP 16 Settings.java)
        return (
            f"    User {uid}: ceDataInode={ino} deDataInode={ino + 1} installed={installed} "
            "hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false "
            "enabled=0 instant=false virtual=false quarantined=false"
        )
    if sdk >= 30:  # Android 11-15: distractionFlags added
        return (
            f"    User {uid}: ceDataInode={ino} installed={installed} hidden=false suspended=false "
            "distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false "
            "virtual=false"
        )
    # Android 9-10 (reference §3: Samsung Android 10 has no distractionFlags)
    return (
        f"    User {uid}: ceDataInode={ino} installed={installed} hidden=false suspended=false "
        "stopped=false notLaunched=false enabled=0 instant=false virtual=false"
    )


def _grant_row(perm: str, granted: bool, sdk: int) -> str:
    flags = USER_FLAGS if sdk >= 29 else "USER_SET"
    sep = "" if sdk >= 29 else " "  # pipe style has no space before "]" (reference §4.3)
    return f"        {perm}: granted={'true' if granted else 'false'}, flags=[ {flags}{sep}]"


def code_path(app: App, sdk: int) -> str:
    """Where the package manager keeps the app (``codePath=``; base.apk inside)."""
    if app.system:
        return f"/system/priv-app/{app.name.rsplit('.', 1)[-1]}"
    if sdk < 30:
        return f"/data/app/{app.name}-{app.identity_hash}Zm9v=="
    return f"/data/app/~~{app.identity_hash}Qm9n==/{app.name}-{app.identity_hash}Zm9v=="


def dumpsys_package(apps: Iterable[App], sdk: int, user_ids: Iterable[int]) -> str:
    """``dumpsys package packages``: the ``Packages:`` section in the layout of ``sdk``."""
    users = sorted(user_ids)
    out = ["Packages:"]
    for n, app in enumerate(apps):
        code = code_path(app, sdk)
        out += [
            f"  Package [{app.name}] ({app.identity_hash}):",
            f"    {'appId' if sdk >= 34 else 'userId'}={app.app_id}",
            f"    pkg=Package{{{app.identity_hash[::-1]} {app.name}}}",
            f"    codePath={code}",
            f"    resourcePath={code}",
            f"    legacyNativeLibraryDir={code}/lib",
            "    primaryCpuAbi=arm64-v8a",
            "    secondaryCpuAbi=null",
            f"    versionCode={app.version_code} minSdk={app.min_sdk} targetSdk={app.target_sdk}",
            f"    versionName={app.version_name}",
            "    splits=[base]",
            "    apkSigningVersion=3",
            f"    flags={app.flags()}",
        ]
        if sdk >= 30:
            out += ["    forceQueryable=false", "    queriesPackages=[]"]
        if sdk < 36:
            out.append(f"    dataDir=/data/user/0/{app.name}")
        out.append("    supportsScreens=[small, medium, large, xlarge, resizeable, anyDensity]")
        first = min((u.first_install for u in app.users.values() if u.installed), default=None)
        out.append(f"    timeStamp={first or app.last_update}")
        if sdk < 33 and first:
            out.append(f"    firstInstallTime={first}")
        out.append(f"    lastUpdateTime={app.last_update}")
        if sdk >= 34:
            out += [
                f"    installerPackageName={app.installer or 'null'}",
                f"    installerPackageUid={10050 if app.installer else -1}",
                f"    initiatingPackageName={app.installer or 'null'}",
                "    originatingPackageName=null",
            ]
        elif app.installer:  # <= 12 (and 13): printed only when set (reference §2, §4.14)
            out.append(f"    installerPackageName={app.installer}")
        if sdk >= 33:
            out.append(f"    packageSource={2 if app.installer == 'com.android.vending' else 0}")
        if sdk >= 34:
            out.append("    appMetadataFilePath=null")
        out += [
            (
                f"    signatures=PackageSignatures{{{app.identity_hash[1:]}7 version:3, "
                f"signatures:[{', '.join(app.signature_hashes) or app.identity_hash}], "
                "past signatures:[]}"
            ),
            "    installPermissionsFixed=true",
            f"    pkgFlags={app.flags()}",
        ]
        if sdk >= 34:
            out += ["    privatePkgFlags=[ ]", "    apexModuleName=null"]
        out.append("    install permissions:")
        out += [f"      {p}: granted=true" for p in app.install_permissions]
        requested = {p: False for u in app.users.values() for p in u.grants}
        for uid in users:
            u = app.users.get(uid) or AppUser(installed=False, grants=requested)
            out.append(_user_line(sdk, uid, u, 40000 + n * 7 + uid))
            if sdk >= 33:
                out.append("      installReason=4" if u.installed else "      installReason=0")
                first = u.first_install if u.installed else EPOCH_PLACEHOLDER
                out.append(f"      firstInstallTime={first}")
                out.append("      uninstallReason=0")
            if sdk >= 36:
                out.append(f"      dataDir=/data/user/{uid}/{app.name}")
            out.append("      gids=[3003]")
            out.append("      runtime permissions:")
            # Users without the app still list the app's runtime permissions, all denied (§4.2).
            grants = u.grants if u.installed else requested
            out += [_grant_row(p, g, sdk) for p, g in grants.items()]
    return "\n".join(out) + "\n"


def getprop(props: Mapping[str, str]) -> str:
    """``getprop``: ``[key]: [value]`` sorted by key (toybox getprop, as in the Samsung capture)."""
    return "".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items()))


def find_stat(files: Iterable[tuple[int, int]]) -> str:
    """``find … -exec stat -c '%Y %s' {} +``: one ``mtime size`` line per file."""
    return "".join(f"{mtime} {size}\n" for mtime, size in files)


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def pm_list_users(users: Iterable[tuple[int, str, int, bool]]) -> str:
    """``pm list users``: PackageManagerShellCommand.runListUsers prints "Users:" and one
    ``\\tUserInfo{id:name:hexflags}`` line per user (UserInfo.toString), " running" appended for
    running users; the same layout from Android 6 to 16."""
    lines = ["Users:"]
    for uid, name, flags, running in users:
        lines.append(f"\tUserInfo{{{uid}:{name}:{flags:x}}}{' running' if running else ''}")
    return "\n".join(lines) + "\n"


_FLAG_NAMES = {
    0x1: "PRIMARY", 0x2: "ADMIN", 0x4: "GUEST", 0x8: "RESTRICTED", 0x10: "INITIALIZED",
    0x20: "MANAGED_PROFILE", 0x40: "DISABLED", 0x80: "QUIET_MODE", 0x100: "EPHEMERAL",
    0x200: "DEMO", 0x400: "FULL", 0x800: "SYSTEM", 0x1000: "PROFILE", 0x2000: "EPHEMERAL_ON_CREATE",
    0x4000: "MAIN", 0x8000: "FOR_TESTING",
}
"""UserInfo.FLAG_* names, as UserInfo.flagsToString prints them (joined with "|")."""


def user_list_verbose(
    sdk: int,
    users: Iterable[tuple[int, str, int, bool]],
    types: Mapping[int, str],
    *,
    device_owner: bool = False,
    profile_owners: Iterable[int] = (),
) -> str:
    """``cmd user list -v``: UserManagerServiceShellCommand.runList prints "<n> users:", a blank
    line, then "%d: id=%d, name=%s, type=%s, flags=%s" and the " (parentId=..)", " (running)",
    " (device-owner)", " (profile-owner)", " (current)" suffixes; before Android 11 no type."""
    rows = list(users)
    owned = set(profile_owners)
    lines = [f"{len(rows)} users:", ""]
    for i, (uid, name, flags, running) in enumerate(rows):
        names = "|".join(sorted(n for bit, n in _FLAG_NAMES.items() if flags & bit))
        kind = f", type={types[uid]}" if sdk >= 30 and uid in types else ""
        tail = " (parentId=0)" if uid != 0 and flags & 0x1000 else ""
        tail += " (running)" if running else ""
        tail += " (device-owner)" if uid == 0 and device_owner else ""
        tail += " (profile-owner)" if uid in owned else ""
        tail += " (current)" if uid == 0 else ""
        lines.append(f"{i}: id={uid}, name={name}{kind}, flags={names}{tail}")
    return "\n".join(lines) + "\n"


CE_LABEL_SDK = 35
"""From which release the constructed dump prints ``CE unlocked users:`` (the field renamed
``mCeUnlockedUsers``) instead of ``Local unlocked users:`` (AOSP 14 still prints the latter; the
release of the rename is not pinned by a source here, so the parser reads both)."""


def dumpsys_mount(sdk: int, unlocked: Iterable[int]) -> str:
    """``dumpsys mount``: StorageManagerService.dump (MountService before Android 8) prints the
    disks, volumes and records, the primary storage UUID, then (Android 7+) the users whose
    credential-encrypted storage is unlocked, twice (``Arrays.toString`` of ``int[]``), then the
    OBB tables and the last maintenance. Layout after the real Android 7 capture
    (``isdi-huawei-frd-android7/dumpsys-all.txt``), without its vendor's connector logs."""
    ids = ", ".join(str(u) for u in sorted(set(unlocked)))
    lines = [
        "Disks:",
        "",
        "Volumes:",
        "  VolumeInfo{emulated}:",
        "    type=EMULATED diskId=null partGuid=null mountFlags=PRIMARY|VISIBLE mountUserId=-1 "
        "state=MOUNTED ",
        "    fsType=null fsUuid=null fsLabel=null ",
        "    path=/storage/emulated internalPath=/data/media ",
        "",
        "Records:",
        "",
        "Primary storage UUID: null",
        "",
    ]
    if sdk >= 24:
        label = "CE" if sdk >= CE_LABEL_SDK else "Local"
        lines += [f"{label} unlocked users: [{ids}]", f"System unlocked users: [{ids}]", ""]
    lines += ["mObbMounts:", "", "mObbPathToStateMap:", "", "Last maintenance: 2026-11-01 03:00:00"]
    return "\n".join(lines) + "\n"


def bmgr_not_activated(user_id: int) -> str:
    """Bmgr.isBackupActive's refusal (stderr, merged by the probe's 2>&1)."""
    return f"Error: Backup Manager is not activated for user {user_id}\n"


def bmgr_enabled(enabled: bool) -> str:
    """``bmgr enabled``: Bmgr.doEnabled prints "Backup Manager currently enabled|disabled"."""
    return f"Backup Manager currently {'enabled' if enabled else 'disabled'}\n"


def bmgr_transports(transports: Iterable[str], current: str | None) -> str:
    """``bmgr list transports``: Bmgr.doListTransports marks the selected one with "  * "."""
    return "".join(f"{'  * ' if t == current else '    '}{t}\n" for t in transports)


def device_policy(sdk: int, *, device_owner: str | None, profile_owners: Mapping[int, str]) -> str:
    """``dumpsys device_policy`` (DevicePolicyManagerService.dump; owners from
    OwnersData.OwnerInfo.dump, which adds ``isOrganizationOwnedDevice=`` and drops ``name=`` from
    Android 14; admins from DevicePolicyData.dump). Owners are "pkg/.Class" component strings."""
    lines = [
        "Current Device Policy Manager state:",
        "  Immutable state:",
        "    mHasFeature=true",
        "    mIsWatch=false",
        "    mIsAutomotive=false",
        "    mHasTelephonyFeature=true",
        "    mSafetyChecker=null",
    ]

    def owner(header: str, component: str, extra: list[str]) -> None:
        pkg, cls = component.split("/", 1)
        full = pkg + cls if cls.startswith(".") else cls
        lines.append(f"  {header}: ")
        lines.append(f"    admin=ComponentInfo{{{pkg}/{full}}}")
        if sdk < 34:
            lines.append("    name=")
        lines.append(f"    package={pkg}")
        if sdk >= 34:
            lines.append(
                f"    isOrganizationOwnedDevice={'true' if header == 'Device Owner' else 'false'}"
            )
        lines.extend(extra)
        lines.append("")

    if device_owner:
        owner("Device Owner", device_owner, ["    User ID: 0"])
    for uid, component in sorted(profile_owners.items()):
        owner(f"Profile Owner (User {uid})", component, [])
    admins = dict(profile_owners)
    if device_owner:
        admins[0] = device_owner
    for uid in sorted({0, *profile_owners}):
        state = 3 if uid in admins else 0
        lines.append(f"  Enabled Device Admins (User {uid}, provisioningState: {state}):")
        if uid in admins:
            lines += [
                f"    {admins[uid]}:",
                f"      uid={uid * 100000 + 10150}",
                "      testOnlyAdmin=false",
                "      policies:",
                "        wipe-data",
                "        reset-password",
                "        limit-password",
                "        force-lock",
            ]
        lines.append("")
    return "\n".join(lines) + "\n"


def _format_uid(uid: int) -> str:
    """UserHandle.formatUid: u<user>a<appId-10000> for apps."""
    user, app = divmod(uid, 100000)
    return f"u{user}a{app - 10000}" if app >= 10000 else str(uid)


def dumpsys_appops(sdk: int, uid_modes: Mapping[tuple[int, str], Mapping[str, str]]) -> str:
    """``dumpsys appops`` (AppOpsService.dump, Android 10+ layout): per uid, uid-level modes
    (``OP: mode=allow``, how Settings' "All files access" sets MANAGE_EXTERNAL_STORAGE), then
    ``Package <pkg>:`` with ``OP (mode):`` rows. Only the uids given are printed."""
    lines = [
        "Current AppOps Service state:",
        "  Settings:",
        "    top_state_settle_time=+5s0ms",
        "    fg_service_state_settle_time=+5s0ms",
        "    bg_state_settle_time=+1s0ms",
        "",
    ]
    for (uid, package), ops in sorted(uid_modes.items()):
        lines.append(f"  Uid {_format_uid(uid)}:")
        lines.append("    state=cch")
        lines += [f"      {op}: mode={mode}" for op, mode in sorted(ops.items())]
        lines.append(f"    Package {package}:")
        lines.append("      READ_EXTERNAL_STORAGE (allow):")
        if sdk >= 31:  # Android 12+: accesses grouped by attribution tag ("null" = none)
            lines += [
                "        null=[",
                "          Access: [top-s] 2026-11-20 17:41:09.312 (-22m3s101ms)",
                "        ]",
            ]
        elif sdk >= 30:
            lines.append("        Access: [top-s] 2026-11-20 17:41:09.312 (-22m3s101ms)")
    return "\n".join(lines) + "\n"

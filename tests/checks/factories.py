"""Small factories for the rule tables: a phone is a few apps, users and folders.

Every default describes a healthy, current phone (Android 16, patched this month, encrypted,
Play installs, Android backup on), so a test row states only what it changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from checks.catalog import VARIANTS
from checks.evaluate import judge
from checks.facts import (
    AppOps,
    BackupState,
    DeviceIdentity,
    DevicePolicy,
    Encryption,
    FolderSummary,
    Package,
    PackageUser,
    Snapshot,
    StorageEvidence,
    Unseen,
    User,
    UserKind,
)
from checks.findings import Finding, Status
from checks.policy import DEFAULT, Policy
from checks.rule import Check

TODAY = date(2026, 11, 26)

P, F, NA, M, U, E = (  # the statuses, short enough for the tables of each rule
    Status.PASS,
    Status.FAIL,
    Status.NOT_APPLICABLE,
    Status.MANUAL,
    Status.UNKNOWN,
    Status.ERROR,
)

RC = "android.permission.READ_CONTACTS"
WC = "android.permission.WRITE_CONTACTS"
RES = "android.permission.READ_EXTERNAL_STORAGE"
WES = "android.permission.WRITE_EXTERNAL_STORAGE"
RMI = "android.permission.READ_MEDIA_IMAGES"
RMV = "android.permission.READ_MEDIA_VIDEO"
RMA = "android.permission.READ_MEDIA_AUDIO"
CAM = "android.permission.CAMERA"
GMS = "com.google.android.gms/.backup.BackupTransportService"
MDM = "com.example.mdm"

PERSONAL = User(0, UserKind.SYSTEM, 0x4C13, True)
WORK = User(10, UserKind.MANAGED_PROFILE, 0x1030, True)
MISSING = Unseen("dumpsys package packages: not collected (phone did not answer)")
"""What the collector records for a probe that never ran because the phone was lost."""
REFUSED = Unseen("dumpsys package packages failed (exit 1): Error")
"""What it records for a probe the phone refused."""

NO_OWNER = DevicePolicy(None)
NO_OPS = AppOps({})
BACKUP_ON = BackupState(True, GMS)
IDENTITY = DeviceIdentity(
    manufacturer="Google",
    brand="google",
    model="Pixel 9",
    device="tokay",
    release="16",
    sdk=36,
    security_patch=date(2026, 11, 5),
    encryption=Encryption.FILE_BASED,
)


def app(
    name: str,
    *,
    users: Iterable[int] = (0,),
    grants: Mapping[str, bool] | None = None,
    app_id: int = 10300,
    version: str | None = "1.0",
    installer: str | None = "com.android.vending",
    initiating: str | None = None,
    system: bool = False,
    backup: bool = True,
    install_permissions: Mapping[str, bool] | None = None,
    target_sdk: int | None = 34,
) -> Package:
    """A package installed for ``users``, with the same runtime ``grants`` in each."""
    flags = (
        {"HAS_CODE"} | ({"SYSTEM"} if system else set()) | ({"ALLOW_BACKUP"} if backup else set())
    )
    return Package(
        name=name,
        app_id=app_id,
        version_name=version,
        version_code=1,
        installer=installer,
        flags=frozenset(flags),
        install_permissions=dict(install_permissions or {}),
        users=tuple(PackageUser(u, True, dict(grants or {})) for u in users),
        target_sdk=target_sdk,
        initiating_installer=initiating,
    )


def phone(
    *apps: Package,
    packages: Unseen | None = None,
    users: tuple[User, ...] | Unseen = (PERSONAL,),
    policy: DevicePolicy | Unseen = NO_OWNER,
    app_ops: AppOps | Unseen = NO_OPS,
    storage: Iterable[StorageEvidence] = (),
    backup: BackupState | Unseen = BACKUP_ON,
    identity: DeviceIdentity | Unseen = IDENTITY,
    complete: bool = True,
) -> Snapshot:
    return Snapshot(
        serial="TESTPHONE",
        identity=identity,
        users=users,
        policy=policy,
        packages=apps if packages is None else packages,
        app_ops=app_ops,
        storage=tuple(storage),
        backup=backup,
        complete=complete,
    )


def folder(
    files: int = 0,
    *,
    nomedia: bool | None = False,
    exists: bool = True,
    unreadable: int = 0,
    newest: date = date(2026, 11, 20),
) -> FolderSummary:
    if not exists:
        return FolderSummary(exists=False)
    return FolderSummary(
        exists=True,
        files=files,
        total_bytes=files * 100_000,
        newest=datetime(newest.year, newest.month, newest.day, 12, tzinfo=UTC) if files else None,
        nomedia=nomedia,
        unreadable=unreadable,
    )


def seen(
    package: str, location: str, summary: FolderSummary | Unseen, user: int = 0
) -> StorageEvidence:
    """What the collector records for one catalog location of an installed messenger."""
    loc = next(x for x in VARIANTS[package][1].locations if x.id == location)
    rel = loc.resolve(package)
    path = f"/storage/emulated/{user}/{rel}" if rel else f"/storage/emulated/{user}"
    return StorageEvidence(package, user, loc.id, loc.kind, path, summary)


def every(
    package: str, summary: FolderSummary | Unseen, user: int = 0, kind: str | None = None
) -> list[StorageEvidence]:
    """The same summary for every catalog location of the package, or of one kind ("archive",
    "media")."""
    return [
        seen(package, loc.id, summary, user)
        for loc in VARIANTS[package][1].locations
        if kind is None or loc.kind.value == kind
    ]


def findings(check: Check, snapshot: Snapshot, policy: Policy = DEFAULT) -> tuple[Finding, ...]:
    return tuple(judge(snapshot, policy, today=TODAY, checks=[check], strict=True))


def statuses(check: Check, snapshot: Snapshot, policy: Policy = DEFAULT) -> list[Status]:
    return [f.status for f in findings(check, snapshot, policy)]


def texts(check: Check, snapshot: Snapshot, policy: Policy = DEFAULT) -> list[str]:
    """Every evidence text of every finding, in order."""
    return [e.text for f in findings(check, snapshot, policy) for e in f.evidence]

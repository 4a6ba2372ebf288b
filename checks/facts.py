"""The device-facts model: what msgscan knows about one phone after collecting.

Pure data. Whatever the phone withholds is a value (``Unseen``), not ``None``: a check that meets
it reports ``unknown``, never ``pass``. ``None`` means "the device says there is none" (no
installer recorded, no security patch property).

Nothing here holds message content, contact data, chat file names, IMEI or phone numbers: counts,
dates, sizes and permission states are enough for every rule in the checklist.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from msgspec import Struct, field

from checks.enums import FastEnum


class Unseen(Struct, frozen=True):
    """A fact the phone did not let us read; checks report it as ``unknown``."""

    reason: str
    """What stopped us, e.g. "permission denied: /storage/emulated/10"."""


class Encryption(FastEnum):
    """Storage encryption as ``ro.crypto.state`` / ``ro.crypto.type`` report it."""

    FILE_BASED = "file"
    FULL_DISK = "block"
    ENCRYPTED = "encrypted"  # encrypted, type not reported (Android 6/7 FDE builds)
    UNENCRYPTED = "unencrypted"
    UNSUPPORTED = "unsupported"
    UNREPORTED = "unreported"  # no ro.crypto.state at all


class DeviceIdentity(Struct, frozen=True):
    """Identity of the phone from ``getprop``; no serial number, IMEI or phone number."""

    manufacturer: str | None
    brand: str | None
    model: str | None
    device: str | None
    release: str | None
    """``ro.build.version.release``, e.g. "16" or "7.0"."""
    sdk: int | None
    security_patch: date | None
    encryption: Encryption
    build_fingerprint: str | None = None


class UserKind(FastEnum):
    """What kind of Android user a user id is (from ``UserInfo`` flags)."""

    SYSTEM = "system"  # user 0, the owner / personal profile
    SECONDARY = "secondary"  # a full second user
    MANAGED_PROFILE = "managed_profile"  # a work profile (FLAG_MANAGED_PROFILE)
    OTHER_PROFILE = "other_profile"  # clone / private space / vendor dual-app profile
    GUEST = "guest"
    RESTRICTED = "restricted"


class User(Struct, frozen=True):
    """One Android user or profile. The user's display name is never kept."""

    id: int
    kind: UserKind
    flags: int
    """Raw ``UserInfo`` flags as printed by ``pm list users`` (hex there)."""
    running: bool
    type: str | None = None
    """Android 11+ user type without its ``android.os.usertype.`` prefix (``profile.MANAGED``,
    ``profile.CLONE``, ``profile.PRIVATE``, ``full.SECONDARY``, ...) from ``cmd user list -v``;
    None when the phone did not say."""
    parent: int | None = None
    """The profile's parent user (``parentId=``), None for a full user or when not printed."""


class DevicePolicy(Struct, frozen=True):
    """Device owner and profile owners from ``dumpsys device_policy``."""

    device_owner: str | None
    """Package of the device-owner admin (a fully managed device), or None."""
    profile_owners: Mapping[int, str] = field(default_factory=dict)
    """User id -> package of that user's profile owner (the MDM of a work profile)."""
    admins: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """User id -> packages of active device admins (includes owners; stalkerware shows here)."""


class PackageUser(Struct, frozen=True):
    """A package's state for one user, from its ``User N:`` block."""

    user_id: int
    installed: bool | Unseen
    """``Unseen`` when the ``installed=`` value could not be read (a cut or damaged line)."""
    runtime_permissions: Mapping[str, bool] = field(default_factory=dict)
    """Permission -> granted. A permission with no row is absent ("no entry"), not denied."""
    enabled: int | None = None
    """0 default, 1 enabled, 2 disabled, 3 disabled by user, 4 disabled until used."""
    hidden: bool = False
    suspended: bool = False
    first_install: datetime | None = None
    """Device-local time with no zone, as dumpsys prints it (placeholders dropped)."""


class Package(Struct, frozen=True):
    """One package from ``dumpsys package`` (the active entry, never the hidden factory stub)."""

    name: str
    app_id: int | None
    version_name: str | None
    version_code: int | None
    installer: str | None
    """``installerPackageName``; None when none is recorded (typical of sideloads)."""
    flags: frozenset[str]
    """``pkgFlags`` / ``flags``, e.g. SYSTEM, ALLOW_BACKUP, UPDATED_SYSTEM_APP."""
    install_permissions: Mapping[str, bool] = field(default_factory=dict)
    """Package-wide grants (normal permissions; dangerous ones for apps targeting SDK < 23)."""
    users: tuple[PackageUser, ...] = ()
    shared_user: str | None = None
    target_sdk: int | None = None
    first_install: datetime | None = None
    last_update: datetime | None = None
    initiating_installer: str | None = None
    """``initiatingPackageName`` (Android 14+): who really started the install."""
    grants_read: bool = True
    """False for an app with a ``sharedUser=`` whose grants were not read: AOSP prints them only
    under ``Shared users:`` (``dumpsys package shared-users``), so when that output or the
    shared user's block in it is missing, the app's permissions are not known (not "none")."""

    @property
    def is_system(self) -> bool:
        return "SYSTEM" in self.flags

    @property
    def allows_backup(self) -> bool:
        return "ALLOW_BACKUP" in self.flags

    def user(self, user_id: int) -> PackageUser | None:
        for u in self.users:
            if u.user_id == user_id:
                return u
        return None

    def installed_for(self) -> tuple[int, ...]:
        return tuple([u.user_id for u in self.users if u.installed is True])  # a list: faster


class OpMode(FastEnum):
    """An app-op mode (``AppOpsManager.MODE_*``)."""

    ALLOW = "allow"
    IGNORE = "ignore"
    DENY = "deny"  # MODE_ERRORED
    DEFAULT = "default"
    FOREGROUND = "foreground"


class AppOps(Struct, frozen=True):
    """App-op modes that differ from the default, per (user, package)."""

    modes: Mapping[tuple[int, str], Mapping[str, OpMode]]
    """(user id, package) -> op name (e.g. "MANAGE_EXTERNAL_STORAGE") -> mode; uid-level modes
    of a uid whose block lists the package are already applied (a uid mode overrides)."""
    uid_modes: Mapping[int, Mapping[str, OpMode]] = field(default_factory=dict)
    """uid (user * 100000 + appId) -> op -> mode, for uid-level modes ("All files access" is
    set this way), including uids whose block lists no package."""

    def mode(self, user_id: int, package: str, op: str, app_id: int | None = None) -> OpMode | None:
        """The effective mode: the uid's own mode wins over the package's (AppOpsService)."""
        if app_id is not None:
            uid_mode = self.uid_modes.get(user_id * 100000 + app_id, {}).get(op)
            if uid_mode is not None:
                return uid_mode
        return self.modes.get((user_id, package), {}).get(op)


class FolderSummary(Struct, frozen=True):
    """Files found in one shared-storage location: no names, no content."""

    exists: bool
    files: int = 0
    total_bytes: int = 0
    newest: datetime | None = None
    """Newest modification time (UTC)."""
    nomedia: bool | None = None
    """A ``.nomedia`` file in the folder (hides it from gallery apps); None if not looked for."""
    unreadable: int = 0
    """Subfolders below the location that the shell could not read (their files are not counted)."""


class EvidenceKind(FastEnum):
    """What a storage location tells a rule about."""

    ARCHIVE = "archive"  # chat backups / exports (MSG-03)
    MEDIA = "media"  # received media visible in shared storage (MSG-04)
    PRIVATE_MEDIA = "private_media"  # media the app keeps hidden (Private/, .nomedia'd)


class StorageEvidence(Struct, frozen=True):
    """One messenger folder (or name pattern) in one user's shared storage."""

    package: str
    user_id: int
    location: str
    """Stable id of the catalog location, e.g. "whatsapp.scoped.images"."""
    kind: EvidenceKind
    path: str
    """Device path that was looked at (a fixed app folder, never a chat file name)."""
    summary: FolderSummary | Unseen


class BackupState(Struct, frozen=True):
    """Android's own backup (``bmgr``): is it on, and where does it send data."""

    enabled: bool | None
    """None when bmgr answered neither enabled nor disabled."""
    transport: str | None
    """The selected backup transport, e.g. com.google.android.gms/.backup.BackupTransportService."""
    transports: tuple[str, ...] = ()
    activated: bool | None = None
    """False when bmgr said the backup service is not activated for the user (then nothing is
    backed up); None when it did not say."""


class SigningCertificate(Struct, frozen=True):
    """The certificate an installed APK is signed with, as read from its signing block."""

    scheme: str
    """Signature scheme of the signer Android uses on this phone: v1, v2, v3 or v3.1."""
    sha256: str
    """SHA-256 of the signer's certificate (DER), lower-case hex: what apksigner prints."""
    lineage: tuple[str, ...] = ()
    """SHA-256 of each certificate in the key-rotation lineage, oldest first, this one last."""
    others: tuple[str, ...] = ()
    """Digests of the APK's other signers (other schemes or SDK ranges)."""
    short_hash: str = ""
    """``Arrays.hashCode`` of the certificate in hex: what ``dumpsys package`` prints."""


class SignerEvidence(Struct, frozen=True):
    """Who signed one installed messenger's base.apk (certificates are public data)."""

    package: str
    apk: str | None
    """The base.apk path ``pm path`` named; None when it named none."""
    certificate: SigningCertificate | Unseen
    dumpsys_hashes: tuple[str, ...] = ()
    """``signatures:[…]`` as ``dumpsys package`` printed it (the package manager's view)."""
    bytes_read: int = 0
    """Bytes of the APK the scan read for this (EOCD, signing block, v1 entry)."""


class ProbeRecord(Struct, frozen=True):
    """How one probe went: for evidence ("from which command") and for timing."""

    name: str
    command: str
    exit_code: int | None
    ok: bool
    bytes: int
    error: str | None = None
    wave: int | None = None
    """Which wave of parallel streams asked it (1 = with the inventory), and in which stream."""
    stream: int | None = None


class Snapshot(Struct, frozen=True):
    """Everything msgscan collected from one phone, ready for the rules."""

    serial: str
    identity: DeviceIdentity | Unseen
    users: tuple[User, ...] | Unseen
    policy: DevicePolicy | Unseen
    packages: tuple[Package, ...] | Unseen
    app_ops: AppOps | Unseen
    storage: tuple[StorageEvidence, ...]
    backup: BackupState | Unseen
    """Android backup of the system user (``bmgr enabled``)."""
    probes: tuple[ProbeRecord, ...] = ()
    complete: bool = True
    """False when the phone was lost or timed out mid-collection."""
    interrupted_by: str | None = None
    """Why collection stopped early: "timeout" (the phone stopped answering in time) or "lost"
    (the connection broke); None when it completed."""
    problems: tuple[str, ...] = ()
    """Human-readable notes on what could not be collected and why."""
    user_backups: Mapping[int, BackupState | Unseen] = field(default_factory=dict)
    """Android backup of each other user a messenger is installed for (``bmgr --user N``)."""
    damaged: Mapping[str, str] = field(default_factory=dict)
    """Fact (a field name above: "packages", "app_ops" …) -> what in its output could not be
    read. The fact holds what could be read; a rule that reads it never passes on it."""

    signers: tuple[SignerEvidence, ...] = ()
    """Signing certificate of each installed messenger (MSG-08)."""
    address: str | None = None
    """How the phone was reached (``host:port``) when ``serial`` is its own serial instead."""
    boot_id: str | Unseen = Unseen("not asked")
    """The kernel's boot id (``/proc/sys/kernel/random/boot_id``, ``scanner.parse.boot_id``): a
    random UUID drawn anew at each boot, so two endpoints answering with one serial and one
    boot id are one running phone (``scanner.app.agent.onephone``). No hardware id, but it
    names one running phone: no report, event, recording or state keeps it."""

    def backup_for(self, user_id: int) -> BackupState | Unseen:
        """That user's own backup state; ``Unseen`` when it was not collected."""
        if user_id == 0:
            return self.backup
        return self.user_backups.get(user_id, Unseen(f"bmgr --user {user_id}: not collected"))

    def package(self, name: str) -> Package | None:
        if isinstance(self.packages, Unseen):
            return None
        for p in self.packages:
            if p.name == name:
                return p
        return None

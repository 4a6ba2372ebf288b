"""What the rules share: messenger installs, unseen facts as outcomes, evidence wording.

Private to ``checks.rules``. Pure: nothing here reads a clock, a file or a phone.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from checks.catalog import VARIANTS, Messenger, Variant
from checks.facts import (
    AppOps,
    EvidenceKind,
    FolderSummary,
    OpMode,
    Package,
    Snapshot,
    StorageEvidence,
    Unseen,
    User,
    UserKind,
)
from checks.findings import Evidence, Outcome, Status
from checks.owners import (
    SAMSUNG_DUAL_APP_USER,
    XIAOMI_DUAL_APP_USER,
    Profile,
    ProfileKind,
    classify,
)

# The probe commands facts come from (scanner/probes.py), named in every piece of evidence.
GETPROP = "getprop"
USERS = "pm list users"
DEVICE_POLICY = "dumpsys device_policy"
PACKAGES = "dumpsys package packages"
APP_OPS = "dumpsys appops"
BACKUP = "bmgr enabled"
TRANSPORTS = "bmgr list transports"
POLICY = "policy"
CATALOG = "catalog"

# Section headings of the article (../shared/article/whatsapp-business-use-de.txt).
PITFALLS = "Die (beruflichen) Stolpersteine von WhatsApp"
"""Holds the "Achtung" paragraph, the experts' exceptions and the configuration advice."""
ALTERNATIVES = "Alternativen für die berufliche Kommunikation"
"""Threema, Telegram, Signal and Wire, with what each needs from the phone."""

BLOCKING = frozenset({OpMode.IGNORE, OpMode.DENY})
"""App-op modes that take away what a runtime grant gives (AppOpsManager MODE_IGNORED/ERRORED)."""

_KINDS = {
    UserKind.SYSTEM: "personal profile",
    UserKind.SECONDARY: "secondary user",
    UserKind.MANAGED_PROFILE: "work profile",
    UserKind.OTHER_PROFILE: "clone or private profile",
    UserKind.GUEST: "guest user",
    UserKind.RESTRICTED: "restricted profile",
}
"""Labels from the flags alone, when the device policy (who owns a profile) is unreadable."""

_PROFILE_KINDS = {
    ProfileKind.MAIN: "personal profile",
    ProfileKind.WORK_MDM: "work profile",
    ProfileKind.WORK_UNKNOWN_OWNER: "profile of an unknown owner",
    ProfileKind.WORK_UNMANAGED: "unmanaged work profile",
    ProfileKind.VENDOR_CONTAINER: "Secure Folder",
    ProfileKind.CLONE: "clone profile",
    ProfileKind.PRIVATE: "private space",
    ProfileKind.SECONDARY: "secondary user",
    ProfileKind.GUEST: "guest user",
    ProfileKind.RESTRICTED: "restricted profile",
    ProfileKind.OTHER_PROFILE: "unknown kind of profile",
}
_VENDOR_CLONES = {SAMSUNG_DUAL_APP_USER: "Dual Messenger", XIAOMI_DUAL_APP_USER: "Dual apps"}


@dataclass(frozen=True, slots=True)
class Install:
    """One catalog messenger package installed for one Android user."""

    package: Package
    user_id: int
    messenger: Messenger
    variant: Variant

    @property
    def name(self) -> str:
        return self.package.name

    def outcome(self, status: Status, *evidence: Evidence) -> Outcome:
        return Outcome(status, tuple(evidence), package=self.package.name, user_id=self.user_id)


def unseen(
    snapshot: Snapshot,
    fact: Unseen,
    source: str,
    what: str,
    *,
    package: str | None = None,
    user_id: int | None = None,
) -> Outcome:
    """``unknown`` for a fact the phone withheld; ``error`` when the scan stopped before it."""
    status = Status.ERROR if collection_failed(snapshot, fact) else Status.UNKNOWN
    evidence = Evidence(f"{what} could not be read: {fact.reason}", source, {"reason": fact.reason})
    return Outcome(status, (evidence,), package=package, user_id=user_id)


def collection_failed(snapshot: Snapshot, fact: Unseen) -> bool:
    """The fact is missing because the phone was lost or timed out, not because it refused."""
    return not snapshot.complete and "not collected" in fact.reason


def installs(snapshot: Snapshot) -> tuple[Install, ...] | Outcome:
    """Every catalog messenger install, in package order then user order; or why there is none."""
    if isinstance(snapshot.packages, Unseen):
        return unseen(snapshot, snapshot.packages, PACKAGES, "the package list")
    found: list[Install] = []
    for package in snapshot.packages:
        entry = VARIANTS.get(package.name)
        if entry is None:
            continue
        messenger, variant = entry
        for user_id in package.installed_for():
            found.append(Install(package, user_id, messenger, variant))
    return tuple(found)


def profile_of(snapshot: Snapshot, user_id: int) -> Profile | None:
    """What the user is and who owns it (``checks.owners``); None when users or the device
    policy are unreadable or the user is not listed."""
    if isinstance(snapshot.users, Unseen) or isinstance(snapshot.policy, Unseen):
        return None
    user = find_user(snapshot.users, user_id)
    return None if user is None else classify(user, snapshot.policy)


def user_label(snapshot: Snapshot, user_id: int) -> str:
    """ "user 10 (work profile)", "user 150 (Secure Folder)"; the number alone when ``pm list
    users`` was not readable. Without the device policy the label comes from the flags."""
    if isinstance(snapshot.users, Unseen):
        return f"user {user_id}"
    profile = profile_of(snapshot, user_id)
    if profile is not None:
        if profile.main_managed:
            return f"user {user_id} (fully managed phone)"
        if profile.kind is ProfileKind.CLONE and user_id in _VENDOR_CLONES:
            return f"user {user_id} ({_VENDOR_CLONES[user_id]})"
        return f"user {user_id} ({_PROFILE_KINDS[profile.kind]})"
    user = find_user(snapshot.users, user_id)
    return f"user {user_id} ({_KINDS[user.kind]})" if user else f"user {user_id}"


def find_user(users: Iterable[User], user_id: int) -> User | None:
    return next((u for u in users if u.id == user_id), None)


def third_party_apps(packages: Iterable[Package], user_id: int) -> list[Package]:
    """Apps installed for the user that are not part of the phone's system image."""
    return [p for p in packages if not p.is_system and user_id in p.installed_for()]


def granted(package: Package, user_id: int, permission: str) -> bool:
    """A runtime grant for the user, or an install-time grant (apps targeting SDK < 23 get
    dangerous permissions at install; newer apps never list them there)."""
    pu = package.user(user_id)
    if pu is not None and pu.runtime_permissions.get(permission) is True:
        return True
    legacy = package.target_sdk is None or package.target_sdk < 23
    return legacy and package.install_permissions.get(permission) is True


def op_mode(ops: AppOps, package: Package, user_id: int, op: str) -> OpMode | None:
    return ops.mode(user_id, package.name, op, app_id=package.app_id)


# --- storage evidence -----------------------------------------------------------------------


def storage_for(snapshot: Snapshot, install: Install, kind: EvidenceKind) -> list[StorageEvidence]:
    return [
        e
        for e in snapshot.storage
        if e.package == install.name and e.user_id == install.user_id and e.kind is kind
    ]


def has_locations(variant: Variant, kind: EvidenceKind) -> bool:
    return any(loc.kind is kind for loc in variant.locations)


def find_source(path: str) -> str:
    """The storage probe, named by the folder it looked at (never a file name)."""
    return f"find {path} …"


def common_source(paths: Iterable[str]) -> str:
    return find_source(posixpath.commonpath(list(paths)))


def count(n: int, word: str, plural: str | None = None) -> str:
    """ "1 file", "37 files"."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "unknown"


def size(n: int) -> str:
    """Bytes as people read them (binary units, one decimal)."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def folder_data(summary: FolderSummary) -> dict[str, object]:
    return {
        "files": summary.files,
        "bytes": summary.total_bytes,
        "newest": summary.newest.isoformat() if summary.newest else None,
        "nomedia": summary.nomedia,
        "unreadable": summary.unreadable,
    }


def unreadable_part(summary: FolderSummary) -> Unseen | None:
    """Subfolders the shell could not list: files there may exist uncounted."""
    if summary.unreadable:
        return Unseen(f"{count(summary.unreadable, 'subfolder')} below it could not be read")
    return None

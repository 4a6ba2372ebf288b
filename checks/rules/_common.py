"""What the rules share: messenger installs, unseen facts as outcomes, evidence wording.

Private to ``checks.rules``. Pure: nothing here reads a clock, a file or a phone.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from datetime import datetime

from msgspec import Struct

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
from checks.findings import Evidence, Message, Outcome, Status, say, size_text
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
    UserKind.SYSTEM: say("user.kind.personal", "personal profile"),
    UserKind.SECONDARY: say("user.kind.secondary", "secondary user"),
    UserKind.MANAGED_PROFILE: say("user.kind.work", "work profile"),
    UserKind.OTHER_PROFILE: say("user.kind.clone_or_private", "clone or private profile"),
    UserKind.GUEST: say("user.kind.guest", "guest user"),
    UserKind.RESTRICTED: say("user.kind.restricted", "restricted profile"),
}
"""Labels from the flags alone, when the device policy (who owns a profile) is unreadable."""

_PROFILE_KINDS = {
    ProfileKind.MAIN: _KINDS[UserKind.SYSTEM],
    ProfileKind.WORK_MDM: _KINDS[UserKind.MANAGED_PROFILE],
    ProfileKind.WORK_UNKNOWN_OWNER: say("user.kind.unknown_owner", "profile of an unknown owner"),
    ProfileKind.WORK_UNMANAGED: say("user.kind.unmanaged_work", "unmanaged work profile"),
    ProfileKind.VENDOR_CONTAINER: say("user.kind.secure_folder", "Secure Folder"),
    ProfileKind.CLONE: say("user.kind.clone", "clone profile"),
    ProfileKind.PRIVATE: say("user.kind.private_space", "private space"),
    ProfileKind.SECONDARY: _KINDS[UserKind.SECONDARY],
    ProfileKind.GUEST: _KINDS[UserKind.GUEST],
    ProfileKind.RESTRICTED: _KINDS[UserKind.RESTRICTED],
    ProfileKind.OTHER_PROFILE: say("user.kind.other", "unknown kind of profile"),
}
_VENDOR_CLONES = {
    SAMSUNG_DUAL_APP_USER: say("user.kind.dual_messenger", "Dual Messenger"),
    XIAOMI_DUAL_APP_USER: say("user.kind.dual_apps", "Dual apps"),
}
_FULLY_MANAGED = say("user.kind.fully_managed", "fully managed phone")
_WHAT = {
    "the package list": say("fact.package_list", "the package list"),
    "the list of users and profiles": say("fact.users", "the list of users and profiles"),
    "the device policy": say("fact.device_policy", "the device policy"),
    "app ops (all-files access, blocked grants)": say(
        "fact.app_ops", "app ops (all-files access, blocked grants)"
    ),
    "the device properties": say("fact.device_properties", "the device properties"),
    "Android's backup state": say("fact.backup_state", "Android's backup state"),
}
"""The facts a rule names when the phone withheld them."""


class Install(Struct, frozen=True):
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
    what: str | Message,
    *,
    package: str | None = None,
    user_id: int | None = None,
) -> Outcome:
    """``unknown`` for a fact the phone withheld; ``error`` when the scan stopped before it."""
    status = Status.ERROR if collection_failed(snapshot, fact) else Status.UNKNOWN
    named = _WHAT.get(what, what) if isinstance(what, str) else what
    message = say(
        "fact.unreadable",
        "{what} could not be read: {reason:reason}",
        what=named,
        reason=fact.reason,
    )
    evidence = Evidence.of(message, source, {"reason": fact.reason})
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


def user_msg(snapshot: Snapshot, user_id: int) -> Message:
    """ "user 10 (work profile)", "user 150 (Secure Folder)"; the number alone when ``pm list
    users`` was not readable. Without the device policy the label comes from the flags."""
    kind: Message | None = None
    if not isinstance(snapshot.users, Unseen):
        profile = profile_of(snapshot, user_id)
        if profile is not None:
            if profile.main_managed:
                kind = _FULLY_MANAGED
            elif profile.kind is ProfileKind.CLONE and user_id in _VENDOR_CLONES:
                kind = _VENDOR_CLONES[user_id]
            else:
                kind = _PROFILE_KINDS[profile.kind]
        elif (user := find_user(snapshot.users, user_id)) is not None:
            kind = _KINDS[user.kind]
    if kind is None:
        return say("user.bare", "user {user}", user=user_id)
    return say("user.labelled", "user {user} ({kind})", user=user_id, kind=kind)


def user_label(snapshot: Snapshot, user_id: int) -> str:
    """The English of ``user_msg``."""
    return user_msg(snapshot, user_id).english()


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


def grants_unread(pkg: Package) -> Evidence:
    """An app with a shared user id whose grants (under ``Shared users:``) were not read."""
    return Evidence.of(
        say(
            "grants.unread",
            "{package} runs under the shared user id {shared}, whose permissions could not be "
            "read (dumpsys package shared-users): its grants are not known",
            package=pkg.name,
            shared=pkg.shared_user or "",
        ),
        PACKAGES,
        {"package": pkg.name, "shared_user": pkg.shared_user, "grants_read": False},
    )


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
    return size_text(n)


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

"""MSG-05's reading of one user: what messenger data lies open, and which other apps can read it.

Exposure is what MSG-03 and MSG-04 find (``checks.rules._exposure.look``); readers are the
apps installed for the same user holding a storage or media grant that no app op takes back,
or all-files access.
"""

from __future__ import annotations

from checks.catalog import Archives
from checks.facts import AppOps, EvidenceKind, OpMode, Package, Snapshot, Unseen
from checks.findings import Evidence, Outcome, Status
from checks.rules._common import (
    APP_OPS,
    BLOCKING,
    PACKAGES,
    Install,
    collection_failed,
    common_source,
    count,
    find_source,
    granted,
    op_mode,
    unseen,
    user_label,
)
from checks.rules._exposure import Look, look

_READS = {
    "android.permission.READ_EXTERNAL_STORAGE": "READ_EXTERNAL_STORAGE",
    # Android grants READ implicitly to an app holding WRITE (Manifest.permission docs).
    "android.permission.WRITE_EXTERNAL_STORAGE": "WRITE_EXTERNAL_STORAGE",
    "android.permission.READ_MEDIA_IMAGES": "READ_MEDIA_IMAGES",
    "android.permission.READ_MEDIA_VIDEO": "READ_MEDIA_VIDEO",
    "android.permission.READ_MEDIA_AUDIO": "READ_MEDIA_AUDIO",
}
"""Runtime permission -> the app op that can take it back."""


def exposure(snapshot: Snapshot, user_id: int, group: list[Install]) -> Outcome:
    """One outcome for the user: fail, pass, not applicable, unknown or error (MSG-05)."""
    where = user_label(snapshot, user_id)
    looks: list[Look] = []
    for install in group:
        if install.messenger.archives is Archives.LOCATED:
            looks.append(look(snapshot, install, EvidenceKind.ARCHIVE))
        if install.messenger.autosaves_media:
            looks.append(look(snapshot, install, EvidenceKind.MEDIA))
    exposed = [lk for lk in looks if lk.exposed]
    if not exposed:
        return _nothing_exposed(snapshot, user_id, where, looks)
    evidence = [_exposed_evidence(lk) for lk in exposed]
    if isinstance(snapshot.app_ops, Unseen):
        out = unseen(
            snapshot, snapshot.app_ops, APP_OPS, "app ops (all-files access, blocked grants)"
        )
        return Outcome(out.status, (*evidence, *out.evidence), user_id=user_id)
    owners = {lk.install.name for lk in exposed}
    packages: tuple[Package, ...] = (
        () if isinstance(snapshot.packages, Unseen) else snapshot.packages
    )
    readers: list[tuple[Package, list[str]]] = []
    system: list[tuple[Package, list[str]]] = []
    for pkg in packages:
        if user_id not in pkg.installed_for() or not owners - {pkg.name}:
            continue
        ways = _access(pkg, user_id, snapshot.app_ops)
        if ways:
            (system if pkg.is_system else readers).append((pkg, ways))
    for pkg, ways in readers:
        source = APP_OPS if any("all files" in w for w in ways) else PACKAGES
        evidence.append(
            Evidence(
                f"{pkg.name} can read shared storage of user {user_id}: {'; '.join(ways)}",
                source,
                {"package": pkg.name, "access": ways},
            )
        )
    if system:
        names = [p.name for p, _ in system]
        evidence.append(
            Evidence(
                f"{count(len(names), 'preinstalled system app')} can read it too "
                f"({', '.join(names)}); not counted: part of the firmware",
                PACKAGES,
                {"system_readers": names},
            )
        )
    if readers:
        return Outcome(Status.FAIL, tuple(evidence), user_id=user_id)
    evidence.append(
        Evidence(
            f"no other third-party app in {where} can read shared storage", PACKAGES, {"readers": 0}
        )
    )
    return Outcome(Status.PASS, tuple(evidence), user_id=user_id)


def _nothing_exposed(snapshot: Snapshot, user_id: int, where: str, looks: list[Look]) -> Outcome:
    undetermined = [lk for lk in looks if lk.catalogued and (not lk.collected or lk.blind)]
    if not undetermined:
        return Outcome(
            Status.NOT_APPLICABLE,
            (
                Evidence(
                    f"no messenger data found in shared storage of {where}",
                    common_source([f"/storage/emulated/{user_id}"]),
                    {"user": user_id},
                ),
            ),
            user_id=user_id,
        )
    evidence = []
    failed = False
    for lk in undetermined:
        label = f"{lk.install.variant.label} {lk.kind.value} folders"  # "WhatsApp media folders"
        if not lk.collected:
            failed = failed or not snapshot.complete
            evidence.append(
                Evidence(
                    f"{label}: not collected",
                    find_source(f"/storage/emulated/{user_id}"),
                    {"package": lk.install.name},
                )
            )
            continue
        failed = failed or any(collection_failed(snapshot, r) for _, r in lk.blind)
        first = lk.blind[0][1].reason
        evidence.append(
            Evidence(
                f"{label}: {len(lk.blind)} of {len(lk.blind) + len(lk.clean) + len(lk.exposed)} "
                f"could not be read ({first})",
                common_source([ev.path for ev, _ in lk.blind]),
                {"package": lk.install.name, "unreadable": len(lk.blind)},
            )
        )
    evidence.insert(
        0,
        Evidence(
            f"could not tell whether messenger data lies in shared storage of {where}",
            find_source(f"/storage/emulated/{user_id}"),
            {"user": user_id},
        ),
    )
    return Outcome(Status.ERROR if failed else Status.UNKNOWN, tuple(evidence), user_id=user_id)


def _exposed_evidence(looked: Look) -> Evidence:
    what = "chat backup file" if looked.kind is EvidenceKind.ARCHIVE else "visible media file"
    return Evidence(
        f"{looked.install.variant.label}: {count(looked.files, what)} in shared storage",
        common_source([ev.path for ev, _ in looked.exposed]),
        {"package": looked.install.name, "kind": looked.kind.value, "files": looked.files},
    )


def _access(pkg: Package, user_id: int, ops: AppOps) -> list[str]:
    """How the app can read the user's shared storage, in words; empty if it cannot."""
    ways = []
    for permission, op in _READS.items():
        if granted(pkg, user_id, permission):
            mode = op_mode(ops, pkg, user_id, op)
            if mode not in BLOCKING:
                ways.append(f"{op} granted")
    if op_mode(ops, pkg, user_id, "MANAGE_EXTERNAL_STORAGE") is OpMode.ALLOW:
        ways.append("all files access (app op MANAGE_EXTERNAL_STORAGE allow)")
    return ways

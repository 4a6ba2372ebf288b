"""The versioned JSON report of one scan (schema ``reports/schema/report-1.schema.json``).

``build_report`` turns a ``ScanResult`` into plain JSON data that every machine-readable renderer
starts from. Rules for its shape:

* Keys come in a fixed order (the order written here; ``evidence.data`` sorted), lists in a fixed
  order (messengers in catalog order, findings by severity, then status, then id, as
  ``checks.evaluate`` sorts them: one finding per check, package and profile), so the same scan
  gives the same bytes.
* A fact the phone withheld is ``{"unseen": "<reason>"}``, never ``null`` or ``[]``: ``null``
  means the phone says there is none (no patch level, no installer recorded). A storage location
  that could not be read has ``status: "unknown"`` and its ``reason``.
* Times are ISO 8601 in UTC with ``Z``; dates are ``YYYY-MM-DD``.
* When the phone is named by a pseudonym, its real serial appears nowhere: every string that holds
  it (a problem note, evidence text) has it replaced by the pseudonym.

Checking a report against its schema is the other job, in ``reports.schema_check`` (``validate``,
``ReportInvalid`` and ``SCHEMA_PATH`` are re-exported here, loaded when asked: ``__getattr__``).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from checks import law
from checks.alternatives import compare, comparison
from checks.catalog import VARIANTS
from checks.evaluate import summarize
from checks.facts import (
    AppOps,
    DeviceIdentity,
    DevicePolicy,
    FolderSummary,
    OpMode,
    Package,
    PackageUser,
    Snapshot,
    StorageEvidence,
    Unseen,
    User,
)
from checks.findings import Finding
from checks.owners import classify
from checks.result import ScanResult

if TYPE_CHECKING:  # a replay's text report never validates: no pathlib (RESULTS, "Start-up")
    from reports.schema_check import SCHEMA_PATH, ReportInvalid, validate

SCHEMA_VERSION = "1.3"
"""1.1 (additive): status ``informational``; ``summary.informational`` and ``attested``;
``attested.until``, ``device`` and ``package``. 1.2 (additive): ``integrity`` (digest and signature,
``reports.integrity``) and ``retention``. 1.3 (additive): ``legal`` per finding (``checks.law``) and
``alternatives`` (``checks.alternatives``). Every 1.x report still validates."""
UNSEEN = "unseen"
"""The key of the marker for a withheld fact: ``{"unseen": "<reason>"}``."""

PERMISSION_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("contacts", ("READ_CONTACTS", "WRITE_CONTACTS")),
    ("storage", ("READ_EXTERNAL_STORAGE", "WRITE_EXTERNAL_STORAGE")),
    ("media_images", ("READ_MEDIA_IMAGES",)),
    ("media_video", ("READ_MEDIA_VIDEO",)),
    ("media_audio", ("READ_MEDIA_AUDIO",)),
    ("media_selected", ("READ_MEDIA_VISUAL_USER_SELECTED",)),
    ("camera", ("CAMERA",)),
    ("microphone", ("RECORD_AUDIO",)),
    ("location", ("ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "ACCESS_BACKGROUND_LOCATION")),
    ("notifications", ("POST_NOTIFICATIONS",)),
)
"""Report key -> the ``android.permission.*`` names it sums up; then ``all_files`` (an app op)."""

_ALL_FILES = "MANAGE_EXTERNAL_STORAGE"


def _unseen(fact: Unseen) -> dict[str, str]:
    return {UNSEEN: fact.reason}


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_LEAVES = frozenset({str, int, bool})


def _plain(value: Any) -> Any:
    """Evidence data as JSON: dates ISO, enums by value, mappings with sorted string keys."""
    kind = type(value)
    if value is None or kind in _LEAVES:  # most values, first (not a str or int enum)
        return value
    if kind is dict:  # exactly a dict (not one of the types below): as Mapping does, at once
        # the keys sorted by their text as the items are below (a stable sort: the
        # same order), without a tuple and a call per item
        return {str(k): _plain(value[k]) for k in sorted(value, key=str)}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if isinstance(value, Unseen):
        return _unseen(value)
    if isinstance(value, datetime):
        return _iso(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, Struct):  # the facts model's values (checks/)
        return {name: _plain(getattr(value, name)) for name in value.__struct_fields__}
    if hasattr(type(value), "__dataclass_fields__"):  # a dataclass instance: its module is
        import dataclasses  # loaded already; a scan has none (start-up: no ``dataclasses``)

        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, frozenset | set):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and Infinity are not JSON
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _scan(result: ScanResult, complete: bool) -> dict[str, Any]:
    problems = list(result.snapshot.problems)
    if result.error is not None:
        problems.append(result.error)
    return {
        "id": result.scan_id,
        "started": _iso(result.started),
        "finished": _iso(result.finished),
        "msgscan_version": result.msgscan_version,
        "policy": {"name": result.policy.name, "digest": result.policy.digest},
        "complete": complete,
        "problems": problems,
    }


def _device(result: ScanResult) -> dict[str, Any]:
    snap = result.snapshot
    ident: DeviceIdentity | Unseen = snap.identity
    fields = ("manufacturer", "model", "android_release", "sdk", "security_patch", "encryption")
    if isinstance(ident, Unseen):
        facts: dict[str, Any] = {name: _unseen(ident) for name in fields}
    else:
        facts = {
            "manufacturer": ident.manufacturer,
            "model": ident.model,
            "android_release": ident.release,
            "sdk": ident.sdk,
            "security_patch": ident.security_patch.isoformat() if ident.security_patch else None,
            "encryption": ident.encryption.value,
        }
    policy = snap.policy
    owner = _unseen(policy) if isinstance(policy, Unseen) else policy.device_owner
    out = {"serial": result.device_name, **facts, "device_owner": owner}
    if snap.address is not None and not result.pseudonymized:  # since 1.2: how a TCP phone was
        # reached (its id is its own serial); an identifier too, so left out under a pseudonym
        out["address"] = snap.address
    return out


def _profile(user: User, policy: DevicePolicy | Unseen) -> dict[str, Any]:
    if isinstance(policy, Unseen):
        profile_owner: Any = _unseen(policy)
        device_owner: Any = _unseen(policy)
    else:
        profile_owner = policy.profile_owners.get(user.id)
        # The device owner is an admin of the system user (DevicePolicyManagerService).
        device_owner = user.id == 0 and policy.device_owner is not None
    profile: dict[str, Any] = {
        "user_id": user.id,
        "kind": user.kind.value,
        "running": user.running,
        "profile_owner": profile_owner,
        "device_owner": device_owner,
    }
    if not isinstance(policy, Unseen):
        # What the profile is and who owns it (checks.owners): Secure Folder is not an MDM's.
        what = classify(user, policy)
        profile["profile_kind"] = what.kind.value
        profile["description"] = what.describe()
    return profile


def _grant(package: Package, pu: PackageUser, names: tuple[str, ...]) -> str:
    """granted (any), denied (listed, none granted) or absent (no row: never requested)."""
    states = []
    for short in names:
        name = f"android.permission.{short}"
        # Apps targeting SDK < 23 hold dangerous permissions as install-time (package-wide) grants.
        state = pu.runtime_permissions.get(name, package.install_permissions.get(name))
        if state is not None:
            states.append(state)
    if any(states):
        return "granted"
    return "denied" if states else "absent"


def _all_files(package: Package, pu: PackageUser, ops: AppOps | Unseen) -> Any:
    """``MANAGE_EXTERNAL_STORAGE`` as ``Environment.isExternalStorageManager`` decides it."""
    if isinstance(ops, Unseen):
        return _unseen(ops)
    mode = ops.mode(pu.user_id, package.name, _ALL_FILES, package.app_id)
    if mode is OpMode.ALLOW:
        return "granted"
    if mode in (OpMode.IGNORE, OpMode.DENY):
        return "denied"
    # MODE_DEFAULT (or no mode): the permission's own grant decides.
    return _grant(package, pu, (_ALL_FILES,))


def _install(package: Package, pu: PackageUser, ops: AppOps | Unseen) -> dict[str, Any]:
    permissions: dict[str, Any] = {
        key: _grant(package, pu, names) for key, names in PERMISSION_GROUPS
    }
    permissions["all_files"] = _all_files(package, pu, ops)
    return {
        "user_id": pu.user_id,
        "installed": pu.installed if isinstance(pu.installed, bool) else None,  # None: unreadable
        "permissions": permissions,
        "allow_backup": package.allows_backup,
    }


def _storage(evidence: StorageEvidence) -> dict[str, Any]:
    summary: FolderSummary | Unseen = evidence.summary
    entry: dict[str, Any] = {
        "user_id": evidence.user_id,
        "location": evidence.location,
        "kind": evidence.kind.value,
        "path": evidence.path,
    }
    if isinstance(summary, Unseen):
        figures: dict[str, Any] = {"status": "unknown", "files": None, "total_bytes": None}
        figures |= {"newest": None, "nomedia": None, "unreadable": None, "reason": summary.reason}
    elif not summary.exists:
        figures = {"status": "absent", "files": 0, "total_bytes": 0, "newest": None}
        figures |= {"nomedia": None, "unreadable": 0, "reason": None}
    else:
        figures = {
            "status": "found",
            "files": summary.files,
            "total_bytes": summary.total_bytes,
            "newest": _iso(summary.newest) if summary.newest else None,
            "nomedia": summary.nomedia,
            "unreadable": summary.unreadable,
            "reason": None,
        }
    return entry | figures


def _messengers(snap: Snapshot) -> Any:
    if isinstance(snap.packages, Unseen):
        return _unseen(snap.packages)
    present = {p.name: p for p in snap.packages}
    out = []
    for name, (messenger, variant) in VARIANTS.items():  # catalog order
        package = present.get(name)
        if package is None:
            continue
        profile = messenger.profile
        out.append(
            {
                "package": name,
                "messenger": messenger.key,
                "name": messenger.name,
                "variant": variant.label,
                "build": variant.build.value,
                "version_name": package.version_name,
                "version_code": package.version_code,
                "installer": package.installer,
                "comparison": None if profile is None else comparison(profile),
                "installs": [_install(package, pu, snap.app_ops) for pu in package.users],
                "storage": [_storage(e) for e in snap.storage if e.package == name],
            }
        )
    if not out and "packages" in snap.damaged:  # an unreadable block may be a messenger
        return _unseen(
            Unseen(f"the package list could not be fully read: {snap.damaged['packages']}")
        )
    return out


def alternatives(snap: Snapshot) -> list[dict[str, Any]]:
    """The article's whole comparison with the messengers installed on this phone marked."""
    found = (
        []
        if isinstance(snap.packages, Unseen)
        else [
            (VARIANTS[p.name][0].key, VARIANTS[p.name][0].name)
            for p in snap.packages
            if p.name in VARIANTS and any(u.installed is not False for u in p.users)
        ]
    )
    return compare(found)


def _finding(f: Finding) -> dict[str, Any]:
    known = VARIANTS.get(f.package) if f.package else None
    return {
        "check_id": f.check_id,
        "status": f.status.value,
        "severity": f.severity.value,
        "messenger": known[0].name if known else f.messenger,
        "package": f.package,
        "profile": f.user_id,
        "title": f.title,
        "evidence": [  # since 1.3 with the message id and values (SIEMs group by id)
            {"text": e.text, "source": e.source, "data": _plain(e.data)}
            | (e.message.plain_sorted(_plain) if e.message else {})
            for e in f.evidence
        ],
        "remediation": list(f.remediation),
        "article_ref": {"section": f.article.section, "ref": f.article.ref},
        "waived": None
        if f.waived is None
        else {"until": f.waived.until.isoformat(), "reason": f.waived.reason},
        "attested": None if f.attested is None else _attested(f),
        "legal": law.as_json(f.check_id),
    }


def _attested(f: Finding) -> dict[str, Any]:
    a = f.attested
    assert a is not None
    out: dict[str, Any] = {"by": a.by, "on": a.on.isoformat(), "note": a.note}
    out["until"] = a.until.isoformat() if a.until else None
    out["device"] = a.device
    out["package"] = a.package
    return out


def _scrub(value: Any, secret: re.Pattern[str], name: str) -> Any:
    """``value`` with every match of ``secret`` (the real serial) replaced by ``name``."""
    if isinstance(value, str):
        return secret.sub(name, value)
    if isinstance(value, dict):
        return {_scrub(k, secret, name): _scrub(v, secret, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secret, name) for v in value]
    return value


def build_report(result: ScanResult) -> dict[str, Any]:
    """The report of ``result`` as JSON data (see the module docstring for its rules)."""
    snap = result.snapshot
    complete = snap.complete and result.error is None
    summary = summarize(result.findings, complete=complete)
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "scan": _scan(result, complete),
        "device": _device(result),
        "profiles": _unseen(snap.users)
        if isinstance(snap.users, Unseen)
        else [_profile(u, snap.policy) for u in snap.users],
        "messengers": _messengers(snap),
        "findings": [_finding(f) for f in result.findings],
        "alternatives": alternatives(snap),
        "summary": {
            "counts": dict(summary.counts),
            "score": summary.score,
            "verdict": summary.verdict,
            "failed": summary.failed,
            "waived": summary.waived,
            "informational": summary.informational,
            "attested": summary.attested,
        },
    }
    if result.pseudonymized and snap.serial:
        # Any case: some tools print serials in lower case (adb over mDNS, udev names).
        secret = re.compile(re.escape(snap.serial), re.IGNORECASE)
        report = _scrub(report, secret, result.device_name)
    return report


def __getattr__(name: str) -> Any:
    if name in ("SCHEMA_PATH", "ReportInvalid", "validate"):
        return getattr(__import__("reports.schema_check").schema_check, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PERMISSION_GROUPS",
    "SCHEMA_PATH",
    "SCHEMA_VERSION",
    "UNSEEN",
    "ReportInvalid",
    "build_report",
    "validate",
]

"""Scans to report on: snapshots replayed from the shipped recordings or made by hand, judged by
small rules of the tests' own (one per status) so the reports do not depend on checks/rules/."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from msgspec.structs import replace

from checks.evaluate import evaluate
from checks.facts import (
    AppOps,
    BackupState,
    DeviceIdentity,
    DevicePolicy,
    Encryption,
    EvidenceKind,
    FolderSummary,
    Package,
    PackageUser,
    Snapshot,
    StorageEvidence,
    Unseen,
    User,
    UserKind,
)
from checks.findings import Article, Evidence, Outcome, Severity, Status
from checks.policy import DEFAULT, Policy
from checks.result import ScanResult
from checks.rule import Check, Context, check
from scanner import recording
from scanner.collect import collect
from scanner.replay import ReplayTransport

RECORDINGS = Path(__file__).resolve().parents[2] / "scanner" / "recordings"
SHIPPED = sorted(p.name for p in RECORDINGS.glob("*.json"))
TODAY = date(2026, 11, 21)
STARTED = datetime(2026, 11, 21, 9, 30, 0, tzinfo=UTC)
FINISHED = datetime(2026, 11, 21, 9, 30, 4, 250000, tzinfo=UTC)
SCAN_ID = "0b5e8c1e-7d2a-4f4e-9a51-3c2f1e0d9b77"
ARTICLE = Article("Konfiguration", "test rule")


def replayed(name: str) -> Snapshot:
    return collect(ReplayTransport(recording.load(RECORDINGS / name)))


def _installs(ctx: Context) -> Iterator[tuple[Package, int]]:
    if isinstance(ctx.snapshot.packages, Unseen):
        return
    from checks.catalog import VARIANTS

    for p in ctx.snapshot.packages:
        if p.name in VARIANTS:
            for uid in p.installed_for():
                yield p, uid


@check(
    id="TST-01",
    slug="contacts",
    title="Messenger reads the address book",
    severity=Severity.HIGH,
    article=ARTICLE,
    rationale="test",
    remediation=("Revoke the contacts permission.", "Then re-scan."),
)
def contacts(ctx: Context) -> Iterator[Outcome]:
    """Fails every install that holds READ_CONTACTS, passes the others."""
    for p, uid in _installs(ctx):
        pu = p.user(uid)
        granted = pu is not None and pu.runtime_permissions.get("android.permission.READ_CONTACTS")
        status = Status.FAIL if granted else Status.PASS
        text = f"READ_CONTACTS {'granted' if granted else 'not granted'} for user {uid}"
        yield Outcome(status, (Evidence(text, "dumpsys package", {"user": uid}),), p.name, uid)


@check(
    id="TST-02",
    slug="version",
    title="Messenger version",
    severity=Severity.LOW,
    article=ARTICLE,
    rationale="test",
    remediation=("Update the app.",),
)
def version(ctx: Context) -> Iterator[Outcome]:
    """Fails every install, quoting its version name (which comes from the phone)."""
    for p, uid in _installs(ctx):
        text = f"{p.name} version {p.version_name} installed"
        yield Outcome(Status.FAIL, (Evidence(text, "dumpsys package"),), p.name, uid)


@check(
    id="TST-03",
    slug="informed",
    title="Customers informed",
    severity=Severity.MEDIUM,
    article=ARTICLE,
    rationale="test",
    remediation=("Tell customers which messenger you use.",),
)
def informed(ctx: Context) -> Iterator[Outcome]:
    yield Outcome(Status.MANUAL, (Evidence("nothing on the phone shows this", "policy"),))


@check(
    id="TST-04",
    slug="storage",
    title="Messenger folders readable",
    severity=Severity.MEDIUM,
    article=ARTICLE,
    rationale="test",
    remediation=("Nothing to do.",),
)
def storage(ctx: Context) -> Iterator[Outcome]:
    """Unknown for every unreadable folder, pass for every readable one."""
    for e in ctx.snapshot.storage:
        if isinstance(e.summary, Unseen):
            yield Outcome(
                Status.UNKNOWN, (Evidence(e.summary.reason, "find"),), e.package, e.user_id
            )
        else:
            yield Outcome(Status.PASS, (Evidence(f"{e.path} read", "find"),), e.package, e.user_id)


@check(
    id="TST-05",
    slug="broken",
    title="Probe that failed",
    severity=Severity.CRITICAL,
    article=ARTICLE,
    rationale="test",
    remediation=("Re-scan.",),
)
def broken(ctx: Context) -> Iterator[Outcome]:
    yield Outcome(Status.ERROR, (Evidence("dumpsys backup failed (exit 1)", "dumpsys backup"),))


@check(
    id="TST-06",
    slug="nothing",
    title="Nothing to check",
    severity=Severity.INFO,
    article=ARTICLE,
    rationale="test",
    remediation=("Nothing.",),
)
def nothing(ctx: Context) -> Iterator[Outcome]:
    yield from ()


RULES: tuple[Check, ...] = (contacts, version, informed, storage, broken, nothing)


def scan(
    snapshot: Snapshot,
    *,
    rules: Sequence[Check] = RULES,
    policy: Policy = DEFAULT,
    device_name: str | None = None,
    error: str | None = None,
) -> ScanResult:
    name = device_name or snapshot.serial
    findings = evaluate(snapshot, policy, today=TODAY, checks=rules, device=name, strict=True)
    return ScanResult(
        scan_id=SCAN_ID,
        started=STARTED,
        finished=FINISHED,
        msgscan_version="0.1.0",
        policy=policy,
        snapshot=snapshot,
        findings=findings,
        device_name=name,
        error=error,
    )


def handmade(serial: str = "R5CT1234ABC", **changes: object) -> Snapshot:
    """A small Android 14 phone: WhatsApp (personal), a WhatsApp mod in a work profile."""
    whatsapp = Package(
        name="com.whatsapp",
        app_id=10234,
        version_name="2.26.41.74",
        version_code=262817004,
        installer="com.android.vending",
        flags=frozenset({"ALLOW_BACKUP", "HAS_CODE"}),
        install_permissions={"android.permission.INTERNET": True},
        users=(
            PackageUser(
                0,
                True,
                {
                    "android.permission.READ_CONTACTS": True,
                    "android.permission.READ_MEDIA_IMAGES": False,
                    "android.permission.ACCESS_FINE_LOCATION": False,
                    "android.permission.ACCESS_COARSE_LOCATION": True,
                },
            ),
        ),
    )
    mod = Package(
        name="com.gbwhatsapp",
        app_id=10301,
        version_name="17.85",
        version_code=None,
        installer=None,
        flags=frozenset({"HAS_CODE"}),
        install_permissions={"android.permission.MANAGE_EXTERNAL_STORAGE": False},
        users=(
            PackageUser(0, False),
            PackageUser(10, True, {"android.permission.READ_CONTACTS": False}),
        ),
    )
    base = Snapshot(
        serial=serial,
        identity=DeviceIdentity(
            manufacturer="Google",
            brand="google",
            model="Pixel 8",
            device="shiba",
            release="14",
            sdk=34,
            security_patch=date(2026, 9, 5),
            encryption=Encryption.FILE_BASED,
        ),
        users=(
            User(0, UserKind.SYSTEM, 0x13, True),
            User(10, UserKind.MANAGED_PROFILE, 0x1030, True),
        ),
        policy=DevicePolicy(None, {10: "com.example.mdm"}),
        packages=(whatsapp, mod),
        app_ops=AppOps({(10, "com.gbwhatsapp"): {}}, {1000000 + 10301: {}}),
        storage=(
            StorageEvidence(
                "com.whatsapp",
                0,
                "scoped.databases",
                EvidenceKind.ARCHIVE,
                "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Databases",
                FolderSummary(True, 2, 4096, datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
            ),
            StorageEvidence(
                "com.gbwhatsapp",
                10,
                "scoped.media",
                EvidenceKind.MEDIA,
                "/storage/emulated/10/Android/media/com.gbwhatsapp/GBWhatsApp/Media",
                Unseen("permission denied: /storage/emulated/10"),
            ),
        ),
        backup=BackupState(True, None),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def withheld(serial: str = "R5CT1234ABC") -> Snapshot:
    """A phone that let us read nothing: every fact is Unseen, and the scan stopped."""
    return Snapshot(
        serial=serial,
        identity=Unseen("getprop failed (exit 1): permission denied"),
        users=Unseen("pm list users failed (exit 255)"),
        policy=Unseen("dumpsys device_policy: not collected (phone lost)"),
        packages=Unseen("dumpsys package: not collected (phone lost)"),
        app_ops=Unseen("dumpsys appops: not collected (phone lost)"),
        storage=(),
        backup=Unseen("bmgr: not collected (phone lost)"),
        complete=False,
        problems=(f"{serial}: the phone went away during the scan (reconnect it and scan again)",),
    )

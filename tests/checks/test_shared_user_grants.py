"""Apps with a shared user id whose grants were not read (``Package.grants_read`` False).

AOSP prints such an app's permissions only under ``Shared users:`` (the ``dumpsys package
shared-users`` probe; Settings.dumpPackageLPr skips them in the package's own block). When that
output is missing, "no grant row" means "not read", never "not granted": MSG-06 and MSG-05 do
not pass on it; a grant or a reader seen elsewhere still counts."""

from __future__ import annotations

from msgspec.structs import replace

from checks.facts import AppOps, OpMode
from checks.findings import Status
from checks.rules.exposure import storage_exposure
from checks.rules.permissions import contacts_access
from tests.checks.factories import NO_OPS, RC, RMI, app, findings, folder, phone, seen

WA = "com.whatsapp"
UNREAD = {"grants_read": False, "shared_user": "com.example.suite"}
BACKUPS = [seen(WA, "scoped.databases", folder(3))]


def test_contacts_of_an_unread_shared_user_app_are_unknown() -> None:
    """A WhatsApp clone under a shared user id, grants not read: unknown, with the reason."""
    messenger = replace(app(WA), **UNREAD)

    [finding] = findings(contacts_access, phone(messenger))

    assert Status.UNKNOWN is finding.status
    assert finding.evidence[0].message is not None
    assert finding.evidence[0].message.id == "grants.unread"
    assert finding.evidence[0].data["shared_user"] == "com.example.suite"


def test_contacts_seen_granted_still_count() -> None:
    """Read grants (the shared user's block was read) give the usual verdicts."""
    assert [
        findings(contacts_access, phone(replace(app(WA, grants=g), shared_user="x")))[0].status
        for g in ({RC: False}, {RC: True})
    ] == [Status.PASS, Status.MANUAL]


def test_an_unread_third_party_app_may_read_exposed_backups() -> None:
    """Backups in shared storage, no known reader, but a third-party app whose grants were not
    read: unknown, not pass; the app is named."""
    other = replace(app("com.example.suite.files", app_id=10400), **UNREAD)
    snap = phone(app(WA, app_id=10233), other, storage=BACKUPS)

    [finding] = findings(storage_exposure, snap)

    assert Status.UNKNOWN is finding.status
    assert finding.evidence[0].data["package"] == "com.example.suite.files"


def test_a_known_reader_still_fails_and_system_apps_are_not_counted() -> None:
    """Another app seen reading makes it fail whatever is unread; an unread system app (part of
    the firmware, like every other system reader) leaves the pass standing."""
    unread = replace(app("com.example.suite.files", app_id=10400), **UNREAD)
    files = app("com.example.files", app_id=10501)
    all_files = AppOps({}, {10501: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}})
    system = replace(app("com.android.providers.media", system=True), **UNREAD)

    failed = phone(app(WA, app_id=10233), unread, files, storage=BACKUPS, app_ops=all_files)
    passed = phone(app(WA, app_id=10233), system, storage=BACKUPS, app_ops=NO_OPS)

    assert Status.FAIL is findings(storage_exposure, failed)[0].status
    assert Status.PASS is findings(storage_exposure, passed)[0].status


def test_an_unread_app_with_media_access_only_is_still_unread() -> None:
    """An app seen holding images access only (cannot read backups) whose other grants are not
    known: the backups may be readable through them, so unknown."""
    media = replace(app("com.example.suite.gallery", app_id=10401, grants={RMI: True}), **UNREAD)

    [finding] = findings(storage_exposure, phone(app(WA, app_id=10233), media, storage=BACKUPS))

    assert Status.UNKNOWN is finding.status

"""MSG-03 chat archives, MSG-04 visible media, MSG-05 other readers, MSG-12 Android backup."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from checks.facts import (
    AppOps,
    BackupState,
    OpMode,
    Package,
    Snapshot,
    StorageEvidence,
    Unseen,
    User,
)
from checks.findings import Status
from checks.rules.backup import system_backup
from checks.rules.exposure import storage_exposure
from checks.rules.storage import chat_archives, media_autosave
from tests.checks.factories import (
    GMS,
    MISSING,
    NA,
    NO_OPS,
    PERSONAL,
    REFUSED,
    RES,
    RMA,
    RMI,
    RMV,
    WES,
    WORK,
    E,
    F,
    M,
    P,
    U,
    app,
    every,
    findings,
    folder,
    phone,
    seen,
    statuses,
    texts,
)

WA = "com.whatsapp"
DENIED = Unseen("permission denied: /storage/emulated/10")
LOST = Unseen("not collected (phone did not answer)")
CLEAN_WA = every(WA, folder(exists=False))
ARCHIVES_WA = [
    seen(WA, "scoped.databases", folder(3)),
    *every(WA, folder(exists=False), kind="media"),
]
MEDIA_WA = [seen(WA, "scoped.images", folder(37)), *every(WA, folder(exists=False), kind="archive")]


class TestChatArchives:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app(WA), storage=ARCHIVES_WA), [F, M]),
            (phone(app(WA), storage=CLEAN_WA), [P, M]),
            (phone(app(WA), storage=every(WA, folder(0))), [P, M]),
            (phone(app(WA), storage=every(WA, DENIED)), [U, M]),
            (
                phone(
                    app(WA),
                    storage=[
                        seen(WA, "scoped.databases", folder(0, unreadable=1)),
                        seen(WA, "legacy.databases", folder(exists=False)),
                    ],
                ),
                [U, M],
            ),
            (
                phone(
                    app(WA),
                    storage=[
                        seen(WA, "scoped.databases", folder(2)),
                        seen(WA, "legacy.databases", DENIED),
                    ],
                ),
                [F, M],
            ),
            (phone(app(WA), storage=every(WA, LOST), complete=False), [E, M]),
            (phone(app(WA), complete=False), [E, M]),
            (phone(app(WA)), [U, M]),
            (
                phone(
                    app("org.thoughtcrime.securesms"),
                    storage=[
                        seen("org.thoughtcrime.securesms", "backup.files", folder(2)),
                        seen("org.thoughtcrime.securesms", "backup.folders", folder(0)),
                    ],
                ),
                [F],
            ),
            (
                phone(
                    app("org.thoughtcrime.securesms"),
                    storage=[
                        seen("org.thoughtcrime.securesms", "backup.files", folder(0)),
                        seen("org.thoughtcrime.securesms", "backup.folders", folder(1)),
                    ],
                ),
                [F],
            ),
            (phone(app("ch.threema.app"), storage=every("ch.threema.app", folder(0))), [P]),
            (phone(app("org.telegram.messenger")), [NA]),
            (phone(app("com.wire")), [M]),
            (phone(app("com.obwhatsapp")), [M]),
            (phone(app("com.gbwhatsapp"), storage=every("com.gbwhatsapp", folder(1))), [F]),
            (phone(app("com.example.notes")), [NA]),
            (phone(packages=REFUSED), [U]),
        ],
        ids=[
            "whatsapp-backups",
            "whatsapp-absent",
            "whatsapp-empty",
            "whatsapp-unreadable",
            "empty-but-subfolder-unreadable",
            "backups-and-unreadable",
            "storage-lost",
            "storage-never-collected",
            "no-evidence-complete-scan",
            "signal-backup-files",
            "signal-backup-folder",
            "threema-none",
            "telegram",
            "wire",
            "mod-without-known-folder",
            "mod-with-backups",
            "no-messenger",
            "packages-unseen",
        ],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """Archives fail, unread folders are unknown, only folders read in full pass; official
        WhatsApp adds an unknown for its Google Drive setting."""
        assert expected == statuses(chat_archives, snapshot)

    def test_fail_evidence(self) -> None:
        """Count, size, newest date and the catalog folder; never a file name."""
        [finding, _] = findings(chat_archives, phone(app(WA), storage=ARCHIVES_WA))

        assert [
            (
                "3 chat backup files (msgstore*.db.crypt*), 293.0 KiB, newest 2026-11-20, in "
                "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Databases"
            )
        ] == [e.text for e in finding.evidence]
        assert (
            "find /storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Databases …"
            == finding.evidence[0].source
        )

    def test_drive_backup_is_manual(self) -> None:
        """The Google Drive setting is manual without root, and says what to check in the app."""
        [*_, drive] = findings(
            chat_archives,
            phone(app("com.whatsapp.w4b"), storage=every("com.whatsapp.w4b", folder(0))),
        )

        assert drive.status is M
        assert drive.evidence[0].text == (
            "Google Drive backup is a setting inside WhatsApp Business that a non-root shell "
            "cannot read; check in the app: Settings > Chats > Chat backup > Back up to Google "
            "Drive must be Never (or end-to-end encrypted backup on, if the organisation allows it)"
        )


class TestMediaAutosave:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app(WA), storage=MEDIA_WA), [F]),
            (phone(app(WA), storage=[seen(WA, "scoped.images", folder(37, nomedia=True))]), [P]),
            (phone(app(WA), storage=[seen(WA, "scoped.images", folder(37, nomedia=None))]), [F]),
            (phone(app(WA), storage=CLEAN_WA), [P]),
            (phone(app(WA), storage=every(WA, DENIED, kind="media")), [U]),
            (phone(app(WA), storage=[seen(WA, "scoped.images", folder(0, unreadable=2))]), [U]),
            (phone(app(WA), storage=every(WA, LOST), complete=False), [E]),
            (phone(app(WA), complete=False), [E]),
            (
                phone(
                    app("org.telegram.messenger"),
                    storage=[seen("org.telegram.messenger", "scoped.images", folder(12))],
                ),
                [F],
            ),
            (
                phone(
                    app("ch.threema.app"),
                    storage=[seen("ch.threema.app", "gallery.pictures", folder(1))],
                ),
                [F],
            ),
            (phone(app("org.thoughtcrime.securesms")), [NA]),
            (phone(app("com.wire")), [NA]),
            (phone(app("com.obwhatsapp")), [M]),
            (phone(app("com.example.notes")), [NA]),
            (phone(packages=MISSING, complete=False), [E]),
        ],
        ids=[
            "whatsapp-visible",
            "whatsapp-nomedia",
            "nomedia-not-checked",
            "whatsapp-absent",
            "whatsapp-unreadable",
            "empty-but-subfolder-unreadable",
            "storage-lost",
            "storage-never-collected",
            "telegram-visible",
            "threema-gallery",
            "signal",
            "wire",
            "mod-without-known-folder",
            "no-messenger",
            "phone-lost",
        ],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """Media without .nomedia fail; hidden, empty or absent folders pass; unread is unknown."""
        assert expected == statuses(media_autosave, snapshot)

    def test_fail_evidence(self) -> None:
        """Each visible folder is named by its catalog name with count, date and .nomedia state."""
        snap = phone(
            app(WA),
            storage=[
                seen(WA, "scoped.images", folder(37)),
                seen(WA, "scoped.video", folder(1, nomedia=None)),
            ],
        )

        assert [
            "37 files in WhatsApp Images, newest 2026-11-20, no .nomedia",
            "1 file in WhatsApp Video, newest 2026-11-20, .nomedia not checked",
        ] == texts(media_autosave, snap)

    def test_unreadable_folders_are_grouped(self) -> None:
        """A dozen folders denied for one cause make one line of evidence."""
        [text] = texts(
            media_autosave,
            phone(app(WA), storage=every(WA, Unseen("permission denied"), kind="media")),
        )

        assert text.startswith(
            "12 folders could not be read (permission denied), e.g. /storage/emulated/0/"
        )


def _exposed(
    *others: Package,
    app_ops: AppOps | Unseen = NO_OPS,
    users: tuple[User, ...] = (PERSONAL,),
    storage: list[StorageEvidence] | None = None,
) -> Snapshot:
    """Consumer WhatsApp with visible media in user 0, plus ``others``."""
    evidence = MEDIA_WA if storage is None else storage
    return phone(app(WA, app_id=10233), *others, users=users, app_ops=app_ops, storage=evidence)


MANAGER = app("com.ghisler.android.TotalCommander", app_id=10240)


class TestStorageExposure:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (_exposed(app("com.instagram.android", grants={RMI: True})), [F]),
            (_exposed(app("com.instagram.android", grants={RMI: False, RMV: False})), [P]),
            (_exposed(), [P]),
            # Only images are exposed: an audio reader cannot read them (Android 13+).
            (_exposed(app("com.example.music", grants={RMA: True})), [P]),
            # WRITE_EXTERNAL_STORAGE grants nothing to apps targeting 30+; READ for 29 and lower.
            (_exposed(app("com.example.old", grants={WES: True})), [P]),
            (_exposed(app("com.example.old", grants={WES: True}, target_sdk=29)), [F]),
            (
                _exposed(app("com.example.legacy", install_permissions={RES: True}, target_sdk=22)),
                [F],
            ),
            (
                _exposed(app("com.example.modern", install_permissions={RES: True}, target_sdk=34)),
                [P],
            ),
            (
                _exposed(
                    app("com.instagram.android", grants={RMI: True}),
                    app_ops=AppOps(
                        {(0, "com.instagram.android"): {"READ_MEDIA_IMAGES": OpMode.IGNORE}}
                    ),
                ),
                [P],
            ),
            (
                _exposed(
                    app("com.instagram.android", grants={RMI: True}),
                    app_ops=AppOps(
                        {(0, "com.instagram.android"): {"READ_MEDIA_IMAGES": OpMode.FOREGROUND}}
                    ),
                ),
                [F],
            ),
            (
                _exposed(
                    MANAGER,
                    app_ops=AppOps({(0, MANAGER.name): {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}}),
                ),
                [F],
            ),
            (
                _exposed(
                    MANAGER, app_ops=AppOps({}, {10240: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}})
                ),
                [F],
            ),
            (
                _exposed(
                    MANAGER,
                    app_ops=AppOps({}, {10240: {"MANAGE_EXTERNAL_STORAGE": OpMode.DEFAULT}}),
                ),
                [P],
            ),
            (_exposed(app("com.google.android.apps.photos", grants={RMI: True}, system=True)), [P]),
            (
                _exposed(
                    app("com.instagram.android", users=(10,), grants={RMI: True}),
                    users=(PERSONAL, WORK),
                ),
                [P],
            ),
            (
                _exposed(
                    app("com.instagram.android", grants={RMI: True}),
                    app_ops=Unseen("dumpsys appops failed (exit 1)"),
                ),
                [U],
            ),
            (_exposed(app("com.instagram.android", grants={RMI: True}), app_ops=LOST), [U]),
            (phone(app(WA), app_ops=LOST, storage=MEDIA_WA, complete=False), [E]),
            (_exposed(app("org.telegram.messenger", grants={RMI: True}, app_id=10234)), [F]),
            (phone(app(WA, grants={RMI: True}), storage=MEDIA_WA), [P]),
            (_exposed(storage=CLEAN_WA), [NA]),
            (_exposed(storage=[seen(WA, "scoped.databases", folder(2))]), [P]),
            (_exposed(storage=every(WA, DENIED)), [U]),
            (phone(app(WA), storage=every(WA, LOST), complete=False), [E]),
            (phone(app(WA), complete=False), [E]),
            (
                phone(
                    app(WA, users=(0, 10)),
                    users=(PERSONAL, WORK),
                    storage=[*MEDIA_WA, *every(WA, DENIED, user=10)],
                ),
                [P, U],
            ),
            (phone(app("com.wire"), app("com.instagram.android", grants={RMI: True})), [NA]),
            (phone(app("com.example.notes")), [NA]),
            (phone(packages=REFUSED), [U]),
        ],
        ids=[
            "media-reader",
            "media-permission-denied",
            "no-other-app",
            "audio-reader-images-exposed",
            "write-grants-nothing-target-30-plus",
            "write-implies-read-legacy-target",
            "legacy-install-grant",
            "install-grant-ignored-for-modern-target",
            "grant-blocked-by-app-op",
            "foreground-op-still-reads",
            "all-files-access-package-op",
            "all-files-access-uid-op",
            "all-files-access-default",
            "system-reader-not-counted",
            "reader-in-other-profile",
            "app-ops-unseen",
            "app-ops-lost-in-complete-scan",
            "app-ops-lost",
            "other-messenger-reads",
            "messenger-reads-only-its-own",
            "nothing-exposed",
            "archives-exposed-no-reader",
            "exposure-unreadable",
            "storage-lost",
            "storage-never-collected",
            "per-user",
            "wire-cannot-be-located",
            "no-messenger",
            "packages-unseen",
        ],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """Exposed data plus another third-party reader fails; exposure unseen is unknown."""
        assert expected == statuses(storage_exposure, snapshot)

    def test_fail_names_readers(self) -> None:
        """The failure names each reader and how it reads; system apps are listed apart."""
        snap = _exposed(
            MANAGER,
            app("com.instagram.android", grants={RMI: True, RMV: False}),
            app("com.google.android.apps.photos", grants={RMI: True}, system=True),
            app_ops=AppOps({}, {10240: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}}),
        )

        assert [
            (
                "2 other apps can read messenger data in shared storage of user 0 (personal "
                "profile): com.ghisler.android.TotalCommander (WhatsApp images); "
                "com.instagram.android (WhatsApp images)"
            ),
            "WhatsApp: 37 visible media files in shared storage",
            (
                "com.ghisler.android.TotalCommander can read WhatsApp images in shared storage of "
                "user 0: all files access (app op MANAGE_EXTERNAL_STORAGE allow)"
            ),
            (
                "com.instagram.android can read WhatsApp images in shared storage of user 0: "
                "READ_MEDIA_IMAGES granted (images only)"
            ),
            (
                "1 preinstalled system app can read it too (com.google.android.apps.photos); not "
                "counted: part of the firmware"
            ),
        ] == texts(storage_exposure, snap)

    def test_outcome_is_per_user(self) -> None:
        """The finding is about the user, not one messenger."""
        [finding] = findings(
            storage_exposure, _exposed(app("com.instagram.android", grants={RMI: True}))
        )

        assert (None, 0) == (finding.package, finding.user_id)


I = Status.INFORMATIONAL


class TestSystemBackup:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app(WA)), [I]),
            (phone(app(WA, backup=False)), [P]),
            (phone(app(WA), backup=BackupState(False, GMS)), [P]),
            (phone(app(WA, backup=False), backup=Unseen("bmgr enabled failed (exit 1)")), [P]),
            (phone(app(WA), backup=Unseen("bmgr enabled failed (exit 1)")), [U]),
            (phone(app(WA), backup=LOST, complete=False), [E]),
            (phone(app(WA), backup=BackupState(None, None)), [U]),
            (phone(app(WA), backup=BackupState(True, None)), [U]),
            (phone(app(WA, users=(0, 10)), users=(PERSONAL, WORK)), [I, U]),
            (
                replace(
                    phone(app(WA, users=(0, 10)), users=(PERSONAL, WORK)),
                    user_backups={10: BackupState(False, None)},
                ),
                [I, P],
            ),
            (
                replace(
                    phone(app(WA, users=(0, 10)), users=(PERSONAL, WORK), backup=BackupState(False, GMS)),
                    user_backups={10: BackupState(True, GMS)},
                ),
                [P, I],
            ),
            (
                replace(
                    phone(app(WA, users=(0, 10)), users=(PERSONAL, WORK)),
                    user_backups={10: BackupState(False, None, activated=False)},
                ),
                [I, P],
            ),
            (phone(app("com.example.notes")), [NA]),
            (phone(packages=REFUSED), [U]),
        ],
        ids=[
            "allowed-and-on",
            "not-allowed",
            "backup-off",
            "not-allowed-backup-unseen",
            "backup-unseen",
            "backup-lost",
            "bmgr-unclear",
            "no-transport",
            "work-profile-not-collected",
            "work-profile-off",
            "work-profile-on-owner-off",
            "work-profile-not-activated",
            "no-messenger",
            "packages-unseen",
        ],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """An app allowing backup where its own profile's backup is on is informational; each
        profile is judged from its own bmgr state, and a state not read is unknown."""
        assert expected == statuses(system_backup, snapshot)

    def test_tokens_only(self) -> None:
        """The evidence says what WhatsApp's backup agent actually hands over."""
        assert [
            "ALLOW_BACKUP set in the app's flags",
            f"Android backup is on, transport {GMS}",
            "WhatsApp: its backup agent saves only a token file, no chats",
        ] == texts(system_backup, phone(app(WA)))

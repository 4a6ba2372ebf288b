"""MSG-05 by file kind and Android version: what each grant reaches (``checks.rules._readers``)."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from checks.catalog import AUDIO, IMAGES, VIDEOS
from checks.facts import AppOps, OpMode, Package, Snapshot, StorageEvidence
from checks.findings import Status
from checks.rules._readers import EVERYTHING, reach
from checks.rules.exposure import storage_exposure
from tests.checks.factories import (
    IDENTITY,
    NA,
    NO_OPS,
    RES,
    RMA,
    RMI,
    RMV,
    WES,
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
)

WA = "com.whatsapp"
MEDIA = frozenset({IMAGES, VIDEOS, AUDIO})
ALL = frozenset({EVERYTHING})
LEGACY_IGNORED = "LEGACY_STORAGE"


def _reach(pkg: Package, sdk: int | None, ops: AppOps = NO_OPS) -> frozenset[str]:
    return reach(pkg, 0, ops, sdk).kinds


class TestReach:
    @pytest.mark.parametrize(
        ("grants", "target", "sdk", "expected"),
        [
            # Android 13+: granular media permissions, each its own kind.
            ({RMI: True}, 34, 34, frozenset({IMAGES})),
            ({RMV: True}, 34, 36, frozenset({VIDEOS})),
            ({RMA: True}, 34, 33, frozenset({AUDIO})),
            # READ_EXTERNAL_STORAGE: no effect for apps targeting 33+ on 13+; media for 30..32.
            ({RES: True}, 34, 34, frozenset()),
            ({RES: True}, 32, 34, MEDIA),
            ({RES: True}, 30, 30, MEDIA),
            # Apps targeting 29 or lower keep legacy storage on 11+ (unless the op says no).
            ({RES: True}, 29, 34, ALL),
            ({RES: True}, 28, 31, ALL),
            # Android 10 honours requestLegacyExternalStorage whatever the target.
            ({RES: True}, 34, 29, ALL),
            # Android 9 and older: READ_EXTERNAL_STORAGE reads every file.
            ({RES: True}, 28, 28, ALL),
            ({RES: True}, 34, 26, ALL),
            # WRITE_EXTERNAL_STORAGE: nothing for targets 30+; READ for 29 and lower.
            ({WES: True}, 30, 34, frozenset()),
            ({WES: True}, 33, 29, ALL),  # Android 10 knows no API-30 rule
            ({WES: True}, 29, 34, ALL),
            ({WES: True}, 26, 28, ALL),
            # READ_MEDIA_* do not exist before Android 13.
            ({RMI: True}, 34, 32, frozenset()),
            # Denied grants reach nothing.
            ({RMI: False, RES: False}, 34, 34, frozenset()),
            # Android version not known: the wider, older rules.
            ({RES: True}, 34, None, ALL),
        ],
    )
    def test_runtime_grants(
        self, grants: dict[str, bool], target: int, sdk: int | None, expected: frozenset[str]
    ) -> None:
        """What a grant reaches depends on the Android version and the app's target API level."""
        assert expected == _reach(app("com.example.x", grants=grants, target_sdk=target), sdk)

    def test_install_time_grants_below_23(self) -> None:
        """An app targeting SDK < 23 holds dangerous permissions from install; a newer app's
        install-permission list never grants them."""
        old = app("com.example.old", install_permissions={RES: True}, target_sdk=22)
        new = app("com.example.new", install_permissions={RES: True}, target_sdk=23)

        assert (ALL, frozenset()) == (_reach(old, 29), _reach(new, 34))
        assert ALL == _reach(old, 34)  # installed before Android 14 refused targets < 23

    def test_legacy_storage_taken_away_by_app_op(self) -> None:
        """A LEGACY_STORAGE op of ignore means scoped storage: media only."""
        pkg = app("com.example.x", grants={RES: True}, target_sdk=29, app_id=10500)
        ops = AppOps({}, {10500: {LEGACY_IGNORED: OpMode.IGNORE}})

        assert (MEDIA, ALL) == (_reach(pkg, 34, ops), _reach(pkg, 34))

    def test_all_files_access(self) -> None:
        """MANAGE_EXTERNAL_STORAGE allow reaches every file on 11+; the op means nothing on 10."""
        pkg = app("com.example.files", app_id=10501)
        ops = AppOps({}, {10501: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}})

        assert (ALL, frozenset()) == (_reach(pkg, 30, ops), _reach(pkg, 29, ops))

    def test_grant_blocked_by_its_op(self) -> None:
        pkg = app("com.example.x", grants={RMI: True})
        ops = AppOps({(0, "com.example.x"): {"READ_MEDIA_IMAGES": OpMode.DENY}})

        assert frozenset() == _reach(pkg, 34, ops)


def _phone(
    *others: Package, storage: list[StorageEvidence], sdk: int = 34, ops: AppOps = NO_OPS
) -> Snapshot:
    return phone(
        app(WA, app_id=10233), *others, storage=storage, app_ops=ops,
        identity=replace(IDENTITY, sdk=sdk),
    )


BACKUPS = [seen(WA, "scoped.databases", folder(3)), *every(WA, folder(exists=False), kind="media")]
HIDDEN = [
    *every(WA, folder(exists=False), kind="archive"),
    *every(WA, folder(exists=False), kind="media"),
    seen(WA, "scoped.images.hidden", folder(9)),
]
NOMEDIA = [
    *every(WA, folder(exists=False), kind="archive"),
    seen(WA, "scoped.images", folder(4, nomedia=True)),
]
AUDIO_ONLY = [
    *every(WA, folder(exists=False), kind="archive"),
    seen(WA, "scoped.voice_notes", folder(5)),
]
DOCUMENTS = [
    *every(WA, folder(exists=False), kind="archive"),
    seen(WA, "scoped.documents", folder(2)),
]
GALLERY = app("com.example.gallery", grants={RMI: True, RMV: True})
FILES = app("com.example.files", app_id=10501)
ALL_FILES = AppOps({}, {10501: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}})


class TestByFileKind:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (_phone(GALLERY, storage=BACKUPS), [P]),
            (_phone(FILES, storage=BACKUPS, ops=ALL_FILES), [F]),
            (_phone(app("com.example.old", grants={RES: True}, target_sdk=28), storage=BACKUPS,
                    sdk=29), [F]),
            (_phone(GALLERY, storage=HIDDEN), [P]),
            (_phone(FILES, storage=HIDDEN, ops=ALL_FILES), [F]),
            (_phone(GALLERY, storage=NOMEDIA), [P]),
            (_phone(FILES, storage=NOMEDIA, ops=ALL_FILES), [F]),
            (_phone(GALLERY, storage=AUDIO_ONLY), [P]),
            (_phone(app("com.example.music", grants={RMA: True}), storage=AUDIO_ONLY), [F]),
            (_phone(app("com.example.music", grants={RMA: True}), storage=DOCUMENTS), [F]),
            (_phone(app("com.example.x", grants={RES: True}, target_sdk=34), storage=DOCUMENTS),
             [P]),
            (_phone(GALLERY, storage=HIDDEN, sdk=29), [P]),
            (_phone(app("com.example.x", grants={RES: True}), storage=HIDDEN, sdk=29), [F]),
        ],
        ids=[
            "backups-media-reader",
            "backups-all-files",
            "backups-android10-legacy",
            "private-sent-media-reader",
            "private-sent-all-files",
            "nomedia-folder-media-reader",
            "nomedia-folder-all-files",
            "voice-notes-image-reader",
            "voice-notes-audio-reader",
            "documents-audio-reader",
            "documents-read-external-target-34",
            "hidden-android10-read-media-does-not-exist",
            "hidden-android10-read-external",
        ],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """Fail only when some other app can read that kind of exposed file."""
        assert expected == statuses(storage_exposure, snapshot)

    def test_reader_named_with_what_it_reads(self) -> None:
        snap = _phone(FILES, GALLERY, storage=HIDDEN, ops=ALL_FILES)
        [finding] = findings(storage_exposure, snap)

        assert finding.evidence[0].text == (
            "1 other app can read messenger data in shared storage of user 0 (personal profile): "
            "com.example.files (WhatsApp hidden media)"
        )
        assert "WhatsApp: 9 hidden media files in shared storage" == finding.evidence[1].text


class TestUnlocatedVariants:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app("org.thunderdog.challegram", grants={RMI: True})), [M]),
            (phone(app("com.obwhatsapp")), [M]),
            (phone(app("com.wire")), [NA]),
            (phone(app("org.thunderdog.challegram"), storage=[]), [M]),
            (
                phone(
                    app("org.thunderdog.challegram"),
                    app(WA),
                    storage=every(WA, folder(exists=False)),
                ),
                [M],
            ),
            (phone(app(WA), storage=[seen(WA, "scoped.images.hidden", folder(0, unreadable=1))]),
             [U]),
        ],
        ids=["telegram-x", "mod-without-folders", "wire", "telegram-x-no-storage",
             "telegram-x-beside-clean-whatsapp", "hidden-unreadable"],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """A variant whose folders the catalog does not know is never not-applicable by default."""
        assert expected == statuses(storage_exposure, snapshot)


def test_molly_backups_are_searched_by_molly_names() -> None:
    """Molly (Signal fork) writes Molly-<date>.backup, not signal-*.backup: its search finds its
    own backups and not Signal's (a borrowed pattern would pass Molly on Signal's files)."""
    from checks.facts import PackageUser, User, UserKind
    from scanner.probes import storage_targets
    from scanner.recordings.construct import Storage

    molly = replace(app("im.molly.app"), users=(PackageUser(0, True),))
    [target] = storage_targets([molly], [User(0, UserKind.SYSTEM, 0x4C13, True)])
    storage = Storage(files=[
        ("/storage/emulated/0/Signal/Backups/signal-2026-11-19-03-00-12.backup", 1795000000, 10),
        ("/storage/emulated/0/Backups/Molly-2026-11-19-03-00-12.backup", 1795000000, 20),
    ])

    out, status = storage.find(target.files.argv)
    assert (0, ["1795000000 20"]) == (status, out.splitlines())
    assert "-prune" in target.files.argv


def test_unreadable_media_folder_with_media_reader_is_unknown() -> None:
    """Backups exposed, the images folder unreadable, a gallery with READ_MEDIA_IMAGES: the
    gallery cannot read the backups, but may read what lies in the unread folder: unknown, not
    pass. Without such a reader the unread folder changes nothing: pass."""
    from checks.facts import Unseen

    storage = [
        seen(WA, "scoped.databases", folder(3)),
        seen(WA, "scoped.images", Unseen("permission denied: /storage/emulated/0/Android/media")),
    ]

    assert [U] == statuses(storage_exposure, _phone(GALLERY, storage=storage))
    assert [P] == statuses(storage_exposure, _phone(storage=storage))
    [finding] = findings(storage_exposure, _phone(GALLERY, storage=storage))
    assert finding.evidence[0].text.startswith(
        "could not tell whether other apps with media access can read messenger media"
    )

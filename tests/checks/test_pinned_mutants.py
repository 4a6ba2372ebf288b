"""Behaviours of the rules that mutation testing (``python -m bench.mutation checks``) found
unpinned: each test here fails for a mutant that survived the other tests.

The checklist (shared/reference/checklist.md) decides what is right: a fact the phone refused is
``unknown`` even in a scan that was cut short later, ``error`` only for what the cut kept from
being collected; apps targeting SDK < 23 hold dangerous permissions from install time.
"""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from checks.facts import AppOps, OpMode, Unseen, User, UserKind
from checks.findings import Status
from checks.rules._common import folder_data, size, user_label
from checks.rules.exposure import storage_exposure
from checks.rules.profiles import isolation
from checks.rules.storage import chat_archives, media_autosave
from tests.checks.factories import (
    MISSING,
    PERSONAL,
    REFUSED,
    RES,
    RMI,
    WORK,
    E,
    F,
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
MEDIA_WA = [seen(WA, "scoped.images", folder(37)), *every(WA, folder(exists=False), kind="archive")]
USERS_REFUSED = Unseen("pm list users failed (exit 255): Exception")
OPS_REFUSED = Unseen("dumpsys appops failed (exit 1)")


def exposed(*others, **kwargs):  # type: ignore[no-untyped-def]
    """Consumer WhatsApp with 37 visible media files in user 0, plus ``others``."""
    return phone(app(WA, app_id=10233), *others, storage=MEDIA_WA, **kwargs)


class TestRefusedIsUnknownEvenInACutScan:
    """_common.collection_failed: ``error`` needs both a cut scan and a fact not collected."""

    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app(WA), users=USERS_REFUSED, complete=False), [U]),
            (phone(app(WA), users=USERS_REFUSED), [U]),
            (phone(app(WA), users=Unseen("pm list users: not collected (phone did not answer)"),
                   complete=False), [E]),
            (phone(packages=REFUSED, complete=False), [U]),
            (phone(packages=MISSING, complete=False), [E]),
            (phone(packages=MISSING), [U]),
        ],
        ids=["users-refused-cut", "users-refused", "users-lost", "packages-refused-cut",
             "packages-lost", "packages-not-collected-but-complete"],
    )
    def test_isolation(self, snapshot, expected) -> None:  # type: ignore[no-untyped-def]
        assert expected == statuses(isolation, snapshot)

    def test_app_ops_refused_in_a_cut_scan(self) -> None:
        """MSG-05 with exposed media and a reader, app ops refused, scan cut later: unknown."""
        snap = exposed(app("com.instagram.android", grants={RMI: True}), app_ops=OPS_REFUSED,
                       complete=False)

        assert [U] == statuses(storage_exposure, snap)

    @pytest.mark.parametrize(("complete", "expected"), [(False, E), (True, U)])
    def test_unreadable_storage(self, complete: bool, expected: Status) -> None:
        """A media folder lost in a cut scan is an error; the same reason in a complete scan
        (the collector never says that, but a recording may) stays unknown."""
        lost = Unseen("not collected (phone did not answer)")
        snap = phone(app(WA), storage=every(WA, lost), complete=complete)

        # MSG-03's second finding is Google Drive backup, app-private: manual either way
        assert ([expected], [expected, Status.MANUAL]) == (statuses(media_autosave, snap),
                                               statuses(chat_archives, snap))


class TestInstallTimeGrants:
    """_common.granted: install-time dangerous grants count for apps targeting SDK < 23 only."""

    @pytest.mark.parametrize(
        ("target_sdk", "expected"), [(22, F), (23, P), (None, F), (1, F), (24, P)]
    )
    def test_boundary(self, target_sdk: int | None, expected: Status) -> None:
        reader = app("com.example.files", install_permissions={RES: True}, target_sdk=target_sdk)

        assert [expected] == statuses(storage_exposure, exposed(reader))

    def test_install_grant_set_false(self) -> None:
        """``granted=false`` in install permissions is no grant, whatever the target."""
        reader = app("com.example.files", install_permissions={RES: False}, target_sdk=22)

        assert [P] == statuses(storage_exposure, exposed(reader))

    def test_runtime_grant_counts_for_any_target(self) -> None:
        reader = app("com.example.files", grants={RES: True}, target_sdk=22)

        assert [F] == statuses(storage_exposure, exposed(reader))

    def test_blocked_install_grant(self) -> None:
        """An app op that ignores the grant takes it back, install-time or not."""
        reader = app("com.example.files", install_permissions={RES: True}, target_sdk=22)
        ops = AppOps({(0, "com.example.files"): {"READ_EXTERNAL_STORAGE": OpMode.IGNORE}})

        assert [P] == statuses(storage_exposure, exposed(reader, app_ops=ops))


class TestWording:
    """How users are named in evidence, and which probe a piece of evidence names."""

    @pytest.mark.parametrize(
        ("kind", "label"),
        [
            (UserKind.SYSTEM, "personal profile"),
            (UserKind.SECONDARY, "secondary user"),
            (UserKind.MANAGED_PROFILE, "work profile"),
            (UserKind.OTHER_PROFILE, "clone or private profile"),
            (UserKind.GUEST, "guest user"),
            (UserKind.RESTRICTED, "restricted profile"),
        ],
    )
    def test_user_kinds(self, kind: UserKind, label: str) -> None:
        """Without the device policy (who owns a profile) the label comes from the flags."""
        snap = phone(users=(PERSONAL, User(11, kind, 0, True)),
                     policy=Unseen("dumpsys device_policy failed (exit 1)"))

        assert f"user 11 ({label})" == user_label(snap, 11)

    def test_user_not_listed_or_users_unseen(self) -> None:
        """The number alone: for a user the list lacks, and when the list was not readable."""
        assert ("user 12", "user 10") == (
            user_label(phone(users=(PERSONAL, WORK)), 12),
            user_label(phone(users=USERS_REFUSED), 10),
        )

    def test_user_not_listed_in_isolation_evidence(self) -> None:
        [finding] = findings(isolation, phone(app(WA, users=(12,))))

        assert (U, "user 12 is not in the list of users, so its kind is not known") == (
            finding.status, finding.evidence[0].text)

    def test_exposure_evidence_names_the_folder_probed(self) -> None:
        """Each piece of storage evidence names the folder the find probe looked at."""
        [finding] = findings(storage_exposure, exposed(app("com.instagram.android",
                                                           grants={RMI: True})))

        assert [
            "dumpsys package packages",
            "find /storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images …",
            "dumpsys package packages",
        ] == [e.source for e in finding.evidence]


class TestExposureEvidence:
    """_readers: what MSG-05 says when nobody else reads, and when it cannot tell."""

    def test_pass_says_no_other_reader(self) -> None:
        [finding] = findings(storage_exposure, exposed(app("com.instagram.android")))

        assert (P, [
            "no other third-party app in user 0 (personal profile) can read the messenger data "
            "found there",
            "WhatsApp: 37 visible media files in shared storage",
        ], {"readers": 0}) == (finding.status, [e.text for e in finding.evidence],
                               finding.evidence[0].data)

    def test_unreadable_folders_are_counted(self) -> None:
        """One of WhatsApp's 12 media folders unreadable, the rest empty: unknown, and the
        evidence says which part could not be read, from which folder."""
        denied = Unseen("permission denied: /storage/emulated/0")
        storage = [seen(WA, "scoped.images", denied),
                   *[e for e in every(WA, folder(exists=False)) if e.location != "scoped.images"]]
        [finding] = findings(storage_exposure, phone(app(WA), storage=storage))

        assert (U, [
            ("could not tell whether messenger data lies in shared storage of user 0 (personal "
             "profile)", "find /storage/emulated/0 …"),
            ("WhatsApp media folders: 1 of 12 could not be read (permission denied: "
             "/storage/emulated/0)",
             "find /storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images …"),
        ]) == (finding.status, [(e.text, e.source) for e in finding.evidence])

    def test_storage_never_collected(self) -> None:
        [finding] = findings(storage_exposure, phone(app(WA), complete=False))

        assert (E, [
            "could not tell whether messenger data lies in shared storage of user 0 (personal "
            "profile)",
            "WhatsApp archive folders: not collected",
            "WhatsApp media folders: not collected",
            "WhatsApp hidden media folders: not collected",
        ]) == (finding.status, [e.text for e in finding.evidence])


class TestFigures:
    @pytest.mark.parametrize(
        ("n", "text"),
        [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
         (1024**2 * 5, "5.0 MiB"), (1024**3, "1.0 GiB"), (1024**4, "1024.0 GiB")],
    )
    def test_size(self, n: int, text: str) -> None:
        """Binary units, one decimal, bytes whole; GiB is the largest unit."""
        assert text == size(n)

    def test_folder_data(self) -> None:
        assert [
            {"files": 0, "bytes": 0, "newest": None, "nomedia": False, "unreadable": 0},
            {"files": 3, "bytes": 300000, "newest": "2026-11-20T12:00:00+00:00",
             "nomedia": True, "unreadable": 2},
        ] == [folder_data(folder(0)), folder_data(folder(3, nomedia=True, unreadable=2))]


def test_reader_evidence_names_its_probe() -> None:
    """A reader by grant is seen in the package dump; one by all-files access in app ops."""
    manager = app("com.ghisler.android.TotalCommander", app_id=10240)
    ops = AppOps({(0, manager.name): {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}})
    snap = exposed(manager, app("com.instagram.android", grants={RMI: True}), app_ops=ops)
    [finding] = findings(storage_exposure, snap)

    assert [
        ("com.ghisler.android.TotalCommander", "dumpsys appops"),
        ("com.instagram.android", "dumpsys package packages"),
    ] == [(e.data["package"], e.source) for e in finding.evidence[2:]]


@pytest.mark.parametrize("n", [2, 3])
def test_unreadable_folders_share_a_line_from_three_on(n: int) -> None:
    from checks.rules._exposure import blind_evidence

    denied = Unseen("permission denied")
    blind = tuple((seen(WA, loc, denied), denied)
                  for loc in ("scoped.images", "scoped.video", "scoped.audio")[:n])
    root = "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp"

    assert {
        2: [f"{root} Images could not be read: permission denied",
            f"{root} Video could not be read: permission denied"],
        3: [f"3 folders could not be read (permission denied), e.g. {root} Images"],
    }[n] == [e.text for e in blind_evidence(blind)]


def test_first_api_level_of_each_release() -> None:
    """Build.VERSION_CODES: the first API level of Android 6 to 16; later ones one a release."""
    from checks.rules.device import sdk_of_release

    assert [23, 24, 26, 28, 29, 30, 31, 33, 34, 35, 36, 37] == [
        sdk_of_release(r) for r in range(6, 18)]


def test_backup_off_evidence() -> None:
    from checks.facts import BackupState
    from checks.rules.backup import system_backup

    [finding] = findings(system_backup, phone(app(WA), backup=BackupState(False, None)))

    assert (P, {"enabled": False, "user": 0}) == (finding.status, finding.evidence[-1].data)


def test_causes_naming_their_folder_are_grouped() -> None:
    """Reasons that differ only by the folder they name ("…: <path>") are one cause."""
    from checks.rules._exposure import blind_evidence

    evs = [seen(WA, loc, folder()) for loc in ("scoped.images", "scoped.video", "scoped.audio")]
    blind = tuple((ev, Unseen(f"Permission denied: {ev.path}")) for ev in evs)
    [line] = blind_evidence(blind)

    assert (f"3 folders could not be read (Permission denied), e.g. {evs[0].path}",
            {"paths": [ev.path for ev in evs], "reason": "Permission denied"},
            "find /storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Media …") == (
        line.text, line.data, line.source)


def test_contacts_granted_to_a_messenger_that_needs_none() -> None:
    """Wire works without the phonebook: a contacts grant fails, and the evidence says both
    what is granted and that the messenger does not need it."""
    from checks.rules.permissions import contacts_access
    from tests.checks.factories import RC

    [finding] = findings(contacts_access, phone(app("com.wire", grants={RC: True})))

    assert (F, 2, "READ_CONTACTS granted for user 0") == (
        finding.status, len(finding.evidence), finding.evidence[0].text)
    assert finding.evidence[1].text.startswith("Wire works without the phonebook")


@pytest.mark.parametrize(
    ("initiating", "text"),
    [
        ("com.example.store", "installed by Google Play (install started by com.example.store)"),
        ("com.android.vending", "installed by Google Play"),
        (None, "installed by Google Play"),
    ],
)
def test_install_initiator_named_when_it_differs(initiating: str | None, text: str) -> None:
    from checks.rules.sources import untrusted_source

    [finding] = findings(untrusted_source, phone(app(WA, initiating=initiating)))

    assert (P, [text]) == (finding.status, [e.text for e in finding.evidence])


@pytest.mark.parametrize(
    ("sdk", "target", "ways"),
    [
        (28, 34, "READ_EXTERNAL_STORAGE granted (legacy storage, Android 9 or older: every file)"),
        (29, 34, "READ_EXTERNAL_STORAGE granted (legacy storage, Android 10: every file)"),
        (30, 29, "READ_EXTERNAL_STORAGE granted (legacy storage, targets API 29: every file)"),
        (30, None, "READ_EXTERNAL_STORAGE granted (legacy storage, target API level not "
                   "reported: every file)"),
        (30, 30, "READ_EXTERNAL_STORAGE granted (images, videos and audio)"),
        (32, 33, "READ_EXTERNAL_STORAGE granted (images, videos and audio)"),
        (33, 32, "READ_EXTERNAL_STORAGE granted (images, videos and audio)"),
        (33, 33, None),  # READ_EXTERNAL_STORAGE grants nothing to 33+ apps on Android 13+
    ],
)
def test_what_read_storage_reaches(sdk: int, target: int | None, ways: str | None) -> None:
    """Scoped storage by Android release and target (Manifest.permission, storage docs)."""
    from checks.rules._readers import reach
    from tests.checks.factories import NO_OPS

    got = reach(app("com.example.reader", grants={RES: True}, target_sdk=target), 0, NO_OPS, sdk)

    assert ([ways] if ways else []) == list(got.ways)


@pytest.mark.parametrize(
    ("enabled", "text", "source"),
    [
        (None, "bmgr reported neither enabled nor disabled", "bmgr enabled"),
        (True, "Android backup is on but no selected transport was reported",
         "bmgr list transports"),
    ],
)
def test_backup_half_reported_is_unknown(enabled: bool | None, text: str, source: str) -> None:
    from checks.facts import BackupState
    from checks.rules.backup import system_backup

    [finding] = findings(system_backup, phone(app(WA), backup=BackupState(enabled, None)))

    assert (U, text, source) == (finding.status, finding.evidence[-1].text,
                                 finding.evidence[-1].source)


def test_os_version_without_release_name() -> None:
    """The API level decides; a release the phone did not name is shown as "?"."""
    from checks.rules.device import os_version
    from tests.checks.factories import IDENTITY

    [finding] = findings(os_version, phone(identity=replace(IDENTITY, release=None, sdk=34)))

    assert (P, "Android ? (API 34); policy minimum Android 14 (API 34)") == (
        finding.status, finding.evidence[0].text)

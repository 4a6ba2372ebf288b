"""Rule behaviours that survived ``python -m bench.mutation checks`` (issue 12, item 12): each
test fails for at least one mutant the other tests let live.

Asserted are statuses, evidence data and the facts evidence names (user kinds, catalog
patterns), not the wording of evidence sentences (those become message ids).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from msgspec.structs import replace

from checks.evaluate import evaluate, judge, merge, section_of
from checks.facts import AppOps, OpMode, Snapshot, Unseen, User, UserKind
from checks.findings import Evidence, Status
from checks.owners import ProfileKind, classify
from checks.policy import DEFAULT
from checks.result import ScanResult
from checks.rules._common import user_label
from checks.rules.backup import system_backup
from checks.rules.exposure import storage_exposure
from checks.rules.storage import chat_archives, media_autosave
from checks.toml_reader import describe
from tests.checks.factories import (
    NO_OPS,
    NO_OWNER,
    PERSONAL,
    RMI,
    RMV,
    TODAY,
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

# AOSP UserManager.USER_TYPE_* (without "android.os.usertype."), as ``cmd user list -v`` prints
# them on Android 11+; "profile.TEST" stands for a profile type msgscan does not know.
_TYPED_USERS = {
    ProfileKind.SECONDARY: User(10, UserKind.SECONDARY, 0x400, True, "full.SECONDARY"),
    ProfileKind.GUEST: User(11, UserKind.GUEST, 0x404, True, "full.GUEST"),
    ProfileKind.RESTRICTED: User(12, UserKind.RESTRICTED, 0x408, True, "full.RESTRICTED"),
    ProfileKind.WORK_UNMANAGED: User(
        13, UserKind.MANAGED_PROFILE, 0x1030, True, "profile.MANAGED", 0
    ),
    ProfileKind.CLONE: User(14, UserKind.OTHER_PROFILE, 0x1000, True, "profile.CLONE", 0),
    ProfileKind.PRIVATE: User(15, UserKind.OTHER_PROFILE, 0x1000, True, "profile.PRIVATE", 0),
    ProfileKind.OTHER_PROFILE: User(16, UserKind.OTHER_PROFILE, 0x1000, True, "profile.TEST", 0),
}


class TestProfileLabels:
    """With the device policy readable, every kind of profile gets its own name in evidence."""

    def test_each_kind_is_classified_as_its_type_says(self) -> None:
        assert {kind: kind for kind in _TYPED_USERS} == {
            kind: classify(user, NO_OWNER).kind for kind, user in _TYPED_USERS.items()
        }

    def test_every_kind_has_a_label_of_its_own(self) -> None:
        """A kind without a label would crash the rule that names the user; two kinds with one
        label would tell a guest user from a restricted profile by nothing."""
        snap = phone(users=(PERSONAL, *_TYPED_USERS.values()), policy=NO_OWNER)
        labels = {0: user_label(snap, 0)} | {
            u.id: user_label(snap, u.id) for u in _TYPED_USERS.values()
        }

        assert all(label.startswith(f"user {uid} (") for uid, label in labels.items())
        assert len(set(labels.values())) == len(labels)

    @pytest.mark.parametrize("kind", [ProfileKind.GUEST, ProfileKind.RESTRICTED])
    def test_label_without_policy_agrees(self, kind: ProfileKind) -> None:
        """The label from the device policy and the one from the flags alone name the same kind
        for a guest user and a restricted profile (Android's own names for them)."""
        user = _TYPED_USERS[kind]
        with_policy = user_label(phone(users=(PERSONAL, user), policy=NO_OWNER), user.id)
        without = user_label(
            phone(users=(PERSONAL, user), policy=Unseen("dumpsys device_policy failed (exit 1)")),
            user.id,
        )
        assert with_policy == without


class TestVendorClonesAndDescriptions:
    """Samsung's Dual Messenger (user 95) and Xiaomi's Dual apps (user 999) are clone profiles
    that the label names after the vendor; every kind of profile describes itself."""

    def test_vendor_clone_labels(self) -> None:
        users = tuple(
            User(uid, UserKind.OTHER_PROFILE, 0x1000, True, "profile.CLONE", 0)
            for uid in (14, 95, 999)
        )
        snap = phone(users=(PERSONAL, *users), policy=NO_OWNER)
        labels = [user_label(snap, u.id) for u in users]

        assert all(label.startswith(f"user {u.id} (") for u, label in zip(users, labels))
        assert len({label.partition(" (")[2] for label in labels}) == 3

    def test_every_kind_describes_itself(self) -> None:
        described = {kind: classify(u, NO_OWNER).describe() for kind, u in _TYPED_USERS.items()}

        assert all(f"user {_TYPED_USERS[k].id}" in text for k, text in described.items())
        assert len(set(described.values())) == len(described)


class TestDamagedFacts:
    """checks.damaged: a conclusion from absence (pass, not applicable) drawn from a fact the
    phone showed only in part is unknown; a failure stands; damage to a fact the rule did not
    read changes nothing."""

    DAMAGE = "1 line could not be read: line cut short (1); in 1 block (com.example)"

    def _threema(self, **damaged: str) -> Snapshot:
        snap = phone(app("ch.threema.app"), storage=every("ch.threema.app", folder(0)))
        return replace(snap, damaged=damaged)

    def test_pass_on_damaged_packages_is_unknown(self) -> None:
        [finding] = findings(chat_archives, self._threema(packages=self.DAMAGE))

        assert finding.status is U
        assert {"damaged": "packages"} in [e.data for e in finding.evidence]

    def test_damage_the_rule_did_not_read(self) -> None:
        assert [P] == statuses(chat_archives, self._threema(app_ops=self.DAMAGE))

    def test_failure_stands(self) -> None:
        snap = phone(app(WA), storage=[seen(WA, "scoped.databases", folder(3))])
        snap = replace(snap, damaged={"packages": self.DAMAGE})

        assert F is findings(chat_archives, snap)[0].status


class TestEvaluate:
    """evaluate() merges the parts of one item, and keeps every item that has one part."""

    def test_one_finding_per_item(self) -> None:
        snap = phone(
            app(WA, users=(0,)),
            app("org.telegram.messenger"),
            storage=[seen(WA, "scoped.databases", folder(3)), *every(WA, folder(0), kind="media")],
        )
        parts = judge(snap, DEFAULT, today=TODAY, strict=True)
        merged = evaluate(snap, DEFAULT, today=TODAY, strict=True)
        keys = [(f.check_id, f.package, f.user_id) for f in merged]

        assert len(keys) == len(set(keys))
        assert set(keys) == {(f.check_id, f.package, f.user_id) for f in parts}

    def test_only_manual_parts_take_attestation_notes(self) -> None:
        """A finding that passes names no attestation: only manual parts of MSG-03/06/07 are
        attested (checks.policy.DEVICE_ATTESTABLE)."""
        snap = phone(app("ch.threema.app"), storage=every("ch.threema.app", folder(0)))
        [finding] = findings(chat_archives, snap)

        assert (P, None) == (finding.status, finding.attested)
        assert [] == [e for e in finding.evidence if e.source == "policy"]


def test_scan_result_times_must_be_aware() -> None:
    """A naive time would be printed as UTC whatever zone it was taken in."""
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    kwargs = {
        "scan_id": "x",
        "started": now,
        "finished": now,
        "msgscan_version": "0",
        "policy": DEFAULT,
        "snapshot": phone(),
        "findings": (),
        "device_name": "TESTPHONE",
    }
    ScanResult(**kwargs)  # type: ignore[arg-type]
    for name in ("started", "finished"):
        with pytest.raises(ValueError, match=name):
            ScanResult(**{**kwargs, name: now.replace(tzinfo=None)})  # type: ignore[arg-type]


class TestArchiveEvidenceNamesTheSearch:
    """Chat backup evidence says how far the search went: Signal's backups are searched in the
    whole tree below the folder (``depth=None``), WhatsApp's in its Databases folder only."""

    SIGNAL = "org.thoughtcrime.securesms"

    def test_signal_whole_tree(self) -> None:
        snap = phone(app(self.SIGNAL), storage=[seen(self.SIGNAL, "backup.files", folder(2))])
        [finding] = findings(chat_archives, snap)

        assert finding.status is F
        assert "signal-*.backup" in finding.evidence[0].text
        assert finding.evidence[0].text.endswith("/storage/emulated/0 and below")

    def test_whatsapp_one_folder(self) -> None:
        snap = phone(app(WA), storage=[seen(WA, "scoped.databases", folder(3))])
        finding = findings(chat_archives, snap)[0]

        assert finding.status is F
        assert finding.evidence[0].text.endswith("/WhatsApp/Databases")


def test_policy_errors_name_each_kind_of_value() -> None:
    """A policy file's error says what was found; each TOML kind reads differently."""
    values = [True, "yes", datetime(2026, 1, 1, 9, 0), date(2026, 1, 1), time(9, 0), [1], {}, 3]
    shown = [describe(v) for v in values]

    assert all(isinstance(s, str) and s for s in shown)
    assert len(set(shown)) == len(values)


def test_merged_evidence_worst_part_first() -> None:
    """The parts of one item are merged worst first (checks.evaluate.merge): the failing part's
    evidence leads, then the unknown part's, then the passing part's, whatever the rule's order."""
    [base] = findings(
        chat_archives, phone(app("ch.threema.app"), storage=every("ch.threema.app", folder(0)))
    )
    parts = [
        replace(base, status=status, evidence=(Evidence(status.value, "test"),))
        for status in (P, U, F)
    ]
    [merged] = merge(parts)

    assert merged.status is F
    assert ["fail", "unknown", "pass"] == [e.text for e in merged.evidence]


class TestWhoReachesWhat:
    """MSG-05 on Android 16: READ_MEDIA_* reach media of their own kind through MediaStore,
    never chat backups (msgstore*.db.crypt* is no media file); all files access reaches both."""

    READER = "com.example.files"
    MANAGE = "android.permission.MANAGE_EXTERNAL_STORAGE"
    BACKUPS = (
        seen(WA, "scoped.databases", folder(3)),
        *every(WA, folder(exists=False), kind="media"),
    )
    IMAGES = (
        seen(WA, "scoped.images", folder(37)),
        *every(WA, folder(exists=False), kind="archive"),
    )

    @pytest.mark.parametrize(
        ("exposed", "grant", "expected"),
        [
            ("backups", RMI, P),
            ("backups", RMV, P),
            ("backups", "MANAGE", F),
            ("images", RMI, F),
            ("images", RMV, P),
            ("images", "MANAGE", F),
        ],
    )
    def test_readers(self, exposed: str, grant: str, expected: Status) -> None:
        storage = self.BACKUPS if exposed == "backups" else self.IMAGES
        if grant == "MANAGE":
            reader = app(self.READER, grants={self.MANAGE: True})
            ops = AppOps({(0, self.READER): {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}})
        else:
            reader, ops = app(self.READER, grants={grant: True}), NO_OPS
        snap = phone(app(WA, app_id=10233), reader, storage=storage, app_ops=ops)
        [finding] = findings(storage_exposure, snap)
        readers = finding.evidence[0].data["readers"]

        assert (expected, expected is F) == (finding.status, readers == [self.READER])


def test_clean_folders_counted_by_state() -> None:
    """MSG-04 passes when every media folder was read and none shows media; its evidence counts
    the folders that are empty, absent, or hold files hidden by .nomedia."""
    absent = [
        e
        for e in every(WA, folder(exists=False), kind="media")
        if e.location not in ("scoped.images", "scoped.video")
    ]
    snap = phone(
        app(WA),
        storage=[
            seen(WA, "scoped.images", folder(0)),
            seen(WA, "scoped.video", folder(5, nomedia=True)),
            *absent,
        ],
    )
    [finding] = findings(media_autosave, snap)

    assert finding.status is P
    assert {"folders": len(absent) + 2, "empty": 1, "absent": len(absent), "hidden": 1} == (
        finding.evidence[-1].data
    )
    assert "media" in finding.evidence[-1].text
    [archives, _drive] = findings(chat_archives, phone(app(WA), storage=every(WA, folder(0))))
    assert "backup" in archives.evidence[-1].text


def test_every_status_has_its_report_section() -> None:
    """A failure is listed as failed or waived; every other status under its own name, in every
    report format (checks.evaluate.section_of)."""
    assert {s.value: s.value for s in Status if s is not F} | {"fail": "failed"} == {
        s.value: section_of(s.value, False) for s in Status
    }
    assert "waived" == section_of(F.value, True)


@pytest.mark.parametrize("allows", [True, False])
def test_backup_evidence_says_whether_the_app_allows_backup(allows: bool) -> None:
    """The ALLOW_BACKUP flag (ApplicationInfo.FLAG_ALLOW_BACKUP) is a fact in the evidence data
    of the system-backup rule, as the phone showed it."""
    [finding] = findings(system_backup, phone(app(WA, backup=allows)))

    assert allows in [e.data.get("allow_backup") for e in finding.evidence if e.data]

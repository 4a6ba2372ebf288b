"""MSG-01 and MSG-02 by what each profile is and who owns it (issue 11, items 1 and 3)."""

from __future__ import annotations

import pytest

from checks.facts import DevicePolicy, Snapshot, Unseen, User, UserKind
from checks.findings import Status
from checks.policy import DEFAULT, Policy
from checks.rules.profiles import isolation
from checks.rules.whatsapp import consumer_whatsapp
from tests.checks.factories import PERSONAL, WORK, F, M, P, U, app, phone, statuses, texts

I = Status.INFORMATIONAL
ADP = "com.google.android.apps.work.clouddpc"
SF_OWNER = "com.samsung.knox.securefolder"
FORBIDDEN = Policy(personal_whatsapp_forbidden=True)
SECURE_FOLDER = User(150, UserKind.MANAGED_PROFILE, 0x10061030, False)
DUAL = User(95, UserKind.OTHER_PROFILE, 0x20001010, True)
PRIVATE = User(12, UserKind.OTHER_PROFILE, 0x1090, False, "profile.PRIVATE", 0)
SECOND = User(14, UserKind.SECONDARY, 0x410, True, "full.SECONDARY")

WA, WAB = "com.whatsapp", "com.whatsapp.w4b"
BYOD = phone(app(WA), app(WAB, users=(10,)), users=(PERSONAL, WORK), policy=DevicePolicy(None, {10: ADP}))
"""Consumer WhatsApp privately, WhatsApp Business in a work profile owned by Android Device Policy."""


def _with(policy: DevicePolicy, *apps_users: tuple[str, tuple[int, ...]], users: tuple[User, ...]) -> Snapshot:
    return phone(*(app(name, users=u) for name, u in apps_users), users=users, policy=policy)


CASES = [
    (BYOD, DEFAULT, [I, P], [I, P]),
    (BYOD, FORBIDDEN, [F, P], [F, P]),
    # Business in a work profile whose owner msgscan does not know: no BYOD exemption.
    (_with(DevicePolicy(None, {10: "com.example.mdm"}), (WA, (0,)), (WAB, (10,)), users=(PERSONAL, WORK)),
     DEFAULT, [F, P], [F, M]),
    # Business in an unmanaged work profile: no exemption, and the profile fails MSG-02.
    (_with(DevicePolicy(None), (WA, (0,)), (WAB, (10,)), users=(PERSONAL, WORK)), DEFAULT, [F, P], [F, F]),
    # Samsung Secure Folder: its owner is Samsung's app, not an MDM.
    (_with(DevicePolicy(None, {150: SF_OWNER}), (WAB, (150,)), users=(PERSONAL, SECURE_FOLDER)), DEFAULT, [P], [F]),
    (_with(DevicePolicy(None, {150: SF_OWNER}), (WA, (0,)), (WAB, (150,)), users=(PERSONAL, SECURE_FOLDER)),
     DEFAULT, [F, P], [F, F]),
    # Consumer WhatsApp inside the MDM work profile is used for work: MSG-01 fails it.
    (_with(DevicePolicy(None, {10: ADP}), (WA, (10,)), users=(PERSONAL, WORK)), DEFAULT, [F], [P]),
    # Clones and the private space are the personal side too; a secondary user is not.
    (_with(DevicePolicy(None, {10: ADP}), (WA, (0, 95)), (WAB, (10,)), users=(PERSONAL, WORK, DUAL)),
     DEFAULT, [I, I, P], [I, I, P]),
    (_with(DevicePolicy(None, {10: ADP}), (WA, (12, 14)), (WAB, (10,)), users=(PERSONAL, WORK, PRIVATE, SECOND)),
     DEFAULT, [I, F, P], [I, F, P]),
    (_with(DevicePolicy(None, {10: ADP, 150: SF_OWNER}), (WA, (150,)), (WAB, (10,)),
           users=(PERSONAL, WORK, SECURE_FOLDER)),
     DEFAULT, [F, P], [F, P]),
    (_with(DevicePolicy(None), (WA, (12,)), users=(PERSONAL, PRIVATE)), DEFAULT, [F], [F]),
    # Without the device policy nobody can tell who owns the work profile: never informational.
    (phone(app(WA), app(WAB, users=(10,)), users=(PERSONAL, WORK), policy=Unseen("dumpsys device_policy failed")),
     DEFAULT, [F, P], [U, U]),
    # A fully managed phone (device owner) is not BYOD.
    (_with(DevicePolicy(ADP, {10: ADP}), (WA, (0,)), (WAB, (10,)), users=(PERSONAL, WORK)), DEFAULT, [F, P], [F, P]),
]
IDS = [
    "byod", "byod-forbidden", "unknown-owner", "unmanaged-work", "secure-folder", "secure-folder-and-personal",
    "consumer-in-work", "dual-messenger", "private-space-and-secondary", "secure-folder-beside-work",
    "private-space", "policy-unseen", "device-owner",
]


class TestByProfile:
    @pytest.mark.parametrize(("snapshot", "policy", "msg01", "msg02"), CASES, ids=IDS)
    def test_statuses(self, snapshot: Snapshot, policy: Policy, msg01: list[Status], msg02: list[Status]) -> None:
        """Only an MDM's work profile isolates; BYOD's private WhatsApp is informational unless
        the policy forbids it; WhatsApp Business always gets its own finding."""
        assert (msg01, msg02) == (statuses(consumer_whatsapp, snapshot, policy), statuses(isolation, snapshot, policy))

    def test_byod_evidence(self) -> None:
        """Both rules say why the personal WhatsApp is private: Business sits in the MDM's profile."""
        business = (
            "WhatsApp Business sits in a work profile (user 10) managed by the MDM Android Device "
            "Policy (com.google.android.apps.work.clouddpc)"
        )
        assert [
            "consumer WhatsApp (com.whatsapp) installed for user 0 (personal profile)",
            business,
            "on the personal side of the phone, WhatsApp is the employee's private app (BYOD)",
            "WhatsApp Business installed for user 10 (work profile)",
        ] == texts(consumer_whatsapp, BYOD)
        assert [
            "consumer WhatsApp in user 0 (personal profile) is the employee's private app (BYOD)",
            business,
        ] == texts(isolation, BYOD)[:2]

    def test_forbidden_says_so(self) -> None:
        """With personal WhatsApp forbidden, the failure names the policy."""
        assert "the policy forbids personal WhatsApp beside the work profile" == texts(
            consumer_whatsapp, BYOD, FORBIDDEN
        )[2]

    def test_secure_folder_evidence(self) -> None:
        """The Secure Folder failure says what it is and that no MDM owns it."""
        snap = _with(DevicePolicy(None, {150: SF_OWNER}), (WAB, (150,)), users=(PERSONAL, SECURE_FOLDER))
        assert [
            ("installed in user 150 (Secure Folder) beside 0 other third-party apps, outside any "
            "managed work profile"),
            ("Samsung Secure Folder (user 150), owned by Samsung's own app com.samsung.knox.securefolder, "
            "not by an MDM"),
        ] == texts(isolation, snap)

    def test_unknown_owner_is_manual_and_named(self) -> None:
        """An owner msgscan does not know is neither passed nor failed: a person confirms it."""
        snap = _with(DevicePolicy(None, {10: "com.example.mdm"}), (WAB, (10,)), users=(PERSONAL, WORK))
        assert [
            "a managed profile (user 10) whose profile owner com.example.mdm is not a known MDM",
            "a person must confirm that com.example.mdm is the organisation's MDM",
        ] == texts(isolation, snap)

"""German for the profile, BYOD and per-profile backup evidence of reports before schema 1.3
(the [[profile]] and [[profile_rule]] tables of reports/i18n/de_evidence.toml)."""

from __future__ import annotations

import pytest

from checks.facts import DevicePolicy, User, UserKind
from checks.owners import ProfileKind, classify
from reports.i18n.de_evidence import tables, translate

EXAMPLES = (
    ("the phone's main user (user 0), fully managed by device owner Android Device Policy "
    "(com.google.android.apps.work.clouddpc)"),
    "the personal profile (user 0)",
    ("a work profile (user 10) managed by the MDM Microsoft Intune Company Portal "
    "(com.microsoft.windowsintune.companyportal)"),
    "a managed profile (user 10) whose profile owner com.example.mdm is not a known MDM",
    "a work profile (user 10) without a profile owner: no MDM manages it",
    "Samsung Secure Folder (user 150), owned by Samsung's own app com.samsung.knox.securefolder, not by an MDM",
    "Samsung Dual Messenger (user 95), a second copy of personal apps",
    "Xiaomi Dual apps (user 999), a second copy of personal apps",
    "a clone profile (user 11), Android's second copy of personal apps",
    "the private space (user 12), the owner's hidden personal apps",
    "a secondary user (user 13)",
    "a guest user (user 14)",
    "a restricted profile (user 15)",
    "a profile (user 16) of a kind msgscan does not know, not managed by an MDM",
    "the policy marks the phone dedicated to business; its device owner com.example.mdm is not a known MDM",
    "a person must confirm that com.example.mdm is the organisation's MDM",
    "consumer WhatsApp in user 0 (personal profile) is the employee's private app (BYOD)",
    ("WhatsApp Business sits in a work profile (user 10) managed by the MDM Android Device Policy "
    "(com.google.android.apps.work.clouddpc)"),
    "the policy forbids personal WhatsApp beside the work profile",
    "on the personal side of the phone, WhatsApp is the employee's private app (BYOD)",
    "WhatsApp Business installed for user 150 (Secure Folder)",
    "Android's backup service is not activated for user 10 (work profile)",
    "Android backup is off for user 150 (Secure Folder)",
    "Android backup is on for user 11 (clone profile), transport com.google.android.gms/.backup.BackupTransportService",
    "Android backup is on for user 10 (work profile) but no selected transport was reported",
    "bmgr reported neither enabled nor disabled for user 10 (profile of an unknown owner)",
    "Android's backup state for user 95 (Dual Messenger) could not be read: bmgr --user 95 enabled: not collected",
)


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples_in_german(text: str) -> None:
    """Each profile evidence form has German, with no English words of the form left."""
    german = translate(text)
    assert german is not None
    assert not any(w in german for w in (" profile ", "owned by", "backup is", "private app", "sits in"))


def test_every_pattern_is_exercised() -> None:
    """No profile pattern is dead: each is the first match of some example."""
    rules = (*tables()["profile"], *tables()["profile_rule"])
    first = {next(i for i, (p, _) in enumerate(rules) if p.fullmatch(t)) for t in EXAMPLES}
    assert [] == sorted(set(range(len(rules))) - first)


USERS = [
    User(0, UserKind.SYSTEM, 0x4C13, True),
    User(10, UserKind.MANAGED_PROFILE, 0x1030, True),
    User(95, UserKind.OTHER_PROFILE, 0x20001010, True),
    User(999, UserKind.OTHER_PROFILE, 0x801010, True),
    User(11, UserKind.OTHER_PROFILE, 0x1010, True, "profile.CLONE"),
    User(12, UserKind.OTHER_PROFILE, 0x1010, True, "profile.PRIVATE"),
    User(13, UserKind.OTHER_PROFILE, 0x1010, True),
    User(14, UserKind.SECONDARY, 0x410, True),
    User(15, UserKind.GUEST, 0x414, True),
    User(16, UserKind.RESTRICTED, 0x418, True),
    User(150, UserKind.MANAGED_PROFILE, 0x10061030, False),
]
"""One user of every kind classify() tells apart (with POLICIES: every ProfileKind)."""
POLICIES = [
    DevicePolicy(None),
    DevicePolicy("com.google.android.apps.work.clouddpc", {10: "com.google.android.apps.work.clouddpc"}),
    DevicePolicy(None, {10: "com.example.mdm", 150: "com.samsung.knox.securefolder"}),
]


def test_every_profile_description_has_german() -> None:
    """Whatever classify() returns, its description translates (the table of pre-1.3 reports)."""
    kinds = set()
    for policy in POLICIES:
        for user in USERS:
            profile = classify(user, policy)
            kinds.add(profile.kind)
            assert translate(profile.describe()) is not None, profile.describe()
    assert set(ProfileKind) == kinds


def test_every_line_of_the_profile_recordings() -> None:
    """Every evidence line a scan of a profile recording writes has German."""
    from checks.policy import DEFAULT, Policy
    from scanner import recording
    from scanner.recordings import profiles
    from scanner.replay import ReplayTransport
    from scanner.app.scan import scan_result

    lines = {
        e.text
        for name in profiles.RECORDINGS
        for policy in (DEFAULT, Policy(personal_whatsapp_forbidden=True))
        for f in scan_result(
            ReplayTransport(recording.load(profiles.HERE / name)), policy, timeout=30
        ).findings
        for e in f.evidence
    }
    assert [] == sorted(t for t in lines if translate(t) is None)

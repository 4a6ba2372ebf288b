"""Rule behaviours that survived ``python -m bench.mutation checks`` (issue 12, item 12): each
test fails for at least one mutant the other tests let live.

Asserted are statuses, evidence data and the facts evidence names (user kinds, catalog
patterns), not the wording of evidence sentences (those become message ids).
"""

from __future__ import annotations

import pytest

from checks.facts import Unseen, User, UserKind
from checks.owners import ProfileKind, classify
from checks.rules._common import user_label
from tests.checks.factories import NO_OWNER, PERSONAL, phone

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

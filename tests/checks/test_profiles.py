"""MSG-02: WhatsApp on a separate business phone or in a managed work profile."""

from __future__ import annotations

import pytest

from checks.facts import DevicePolicy, Snapshot, Unseen, User, UserKind
from checks.findings import Status
from checks.policy import DEFAULT, DeviceRole, Policy
from checks.rules.profiles import isolation
from tests.checks.factories import (
    MDM,
    MISSING,
    NA,
    PERSONAL,
    REFUSED,
    WORK,
    E,
    F,
    M,
    P,
    U,
    app,
    phone,
    statuses,
    texts,
)

DEDICATED = Policy(device_role=DeviceRole.DEDICATED)
SHARED = Policy(device_role=DeviceRole.SHARED)
BUSINESS_AT_WORK = app("com.whatsapp.w4b", users=(10,))
ADP = "com.google.android.apps.work.clouddpc"
MANAGED = DevicePolicy(None, {10: ADP})
"""A work profile owned by Android Device Policy, a DPC the catalog knows (checks/owners.py)."""


class TestIsolation:
    @pytest.mark.parametrize(
        ("snapshot", "policy", "expected"),
        [
            (phone(BUSINESS_AT_WORK, users=(PERSONAL, WORK), policy=MANAGED), DEFAULT, [P]),
            (
                phone(BUSINESS_AT_WORK, users=(PERSONAL, WORK), policy=DevicePolicy(None)),
                DEFAULT,
                [F],
            ),
            (phone(app("com.whatsapp")), DEFAULT, [F]),
            (
                phone(app("com.whatsapp", users=(0, 10)), users=(PERSONAL, WORK), policy=MANAGED),
                DEFAULT,
                [F, P],
            ),
            (phone(app("com.whatsapp"), policy=DevicePolicy(ADP)), DEDICATED, [P]),
            (phone(app("com.whatsapp"), policy=DevicePolicy(MDM)), DEDICATED, [M]),
            (phone(app("com.whatsapp"), policy=DevicePolicy(MDM)), DEFAULT, [F]),
            (phone(app("com.whatsapp"), policy=DevicePolicy(MDM)), SHARED, [F]),
            (phone(app("com.whatsapp")), DEDICATED, [M]),
            (phone(app("com.gbwhatsapp")), DEFAULT, [F]),
            (
                phone(
                    app("com.whatsapp", users=(11,)),
                    users=(PERSONAL, User(11, UserKind.OTHER_PROFILE, 0x1010, True)),
                ),
                DEFAULT,
                [F],
            ),
            (
                phone(
                    app("com.whatsapp"), users=Unseen("pm list users failed (exit 255): Exception")
                ),
                DEFAULT,
                [U],
            ),
            (
                phone(app("com.whatsapp"), policy=Unseen("dumpsys device_policy failed (exit 1)")),
                DEFAULT,
                [U],
            ),
            (phone(app("com.whatsapp"), policy=MISSING, complete=False), DEFAULT, [E]),
            (phone(app("com.whatsapp", users=(12,))), DEFAULT, [U]),
            (phone(app("org.telegram.messenger")), DEFAULT, [NA]),
            (phone(packages=REFUSED), DEFAULT, [U]),
        ],
        ids=[
            "work-profile-managed",
            "work-profile-unmanaged",
            "personal-profile",
            "personal-and-work",
            "fully-managed-dedicated",
            "unknown-device-owner-dedicated",
            "fully-managed-role-unspecified",
            "fully-managed-shared",
            "dedicated-without-mdm",
            "mod-in-personal-profile",
            "clone-profile",
            "users-unseen",
            "policy-unseen",
            "policy-lost",
            "user-not-listed",
            "no-whatsapp",
            "packages-unseen",
        ],
    )
    def test_statuses(self, snapshot: Snapshot, policy: Policy, expected: list[Status]) -> None:
        """Pass only in a managed profile or on a managed dedicated phone; attest a bare one."""
        assert expected == statuses(isolation, snapshot, policy)

    def test_fail_counts_neighbours(self) -> None:
        """The failure counts the other third-party apps in the profile, not system apps."""
        snap = phone(
            app("com.whatsapp"),
            app("org.telegram.messenger"),
            app("com.instagram.android"),
            app("com.android.chrome", system=True),
            app("com.example.work", users=(10,)),
            users=(PERSONAL, WORK),
        )

        assert [
            (
                "installed in user 0 (personal profile) beside 2 other third-party apps, outside "
                "any managed work profile"
            )
        ] == texts(isolation, snap)

    def test_fail_explains_unmarked_managed_phone(self) -> None:
        """A fully managed phone fails until the policy says it is dedicated, and says so."""
        snap = phone(app("com.whatsapp"), policy=DevicePolicy(MDM))

        assert (
            "the phone is fully managed (device owner com.example.mdm) but the policy does not "
            "mark it dedicated to business"
        ) == texts(isolation, snap)[-1]

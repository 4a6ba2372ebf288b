"""Review 7: ``device_role = "dedicated"`` on a phone whose device owner is a known MDM made
MSG-02 pass for every WhatsApp install on the phone, wherever it sat. The README's table gives
that pass to the main user only ("personal profile (user 0) | fail; pass on a phone whose device
owner is a known DPC and which the policy marks dedicated"); a clone or dual-app copy, a private
space, a Secure Folder and a secondary user fail: they are a person's own second copy beside the
managed phone, the private use MSG-02 is about. A second WhatsApp in Samsung's Dual Messenger
on a dedicated business phone passed as "fully managed phone, dedicated to business"."""

from __future__ import annotations

import pytest

from checks.facts import DevicePolicy, User, UserKind
from checks.findings import Status
from checks.policy import DeviceRole, Policy
from checks.rules.profiles import isolation
from tests.checks.factories import PERSONAL, app, phone, statuses

DEDICATED = Policy(device_role=DeviceRole.DEDICATED)
ADP = "com.google.android.apps.work.clouddpc"
SECURE_FOLDER_OWNER = "com.samsung.android.knox.containeragent"

OTHERS = {
    "samsung dual messenger": User(95, UserKind.OTHER_PROFILE, 0x1010, True, "profile.CLONE", 0),
    "clone profile": User(11, UserKind.OTHER_PROFILE, 0x1010, True, "profile.CLONE", 0),
    "private space": User(12, UserKind.OTHER_PROFILE, 0x1010, True, "profile.PRIVATE", 0),
    "secondary user": User(13, UserKind.SECONDARY, 0x0410, True, "full.SECONDARY"),
}


@pytest.mark.parametrize("name", sorted(OTHERS))
def test_a_second_copy_beside_the_managed_phone_is_not_isolated(name: str) -> None:
    user = OTHERS[name]
    snapshot = phone(
        app("com.whatsapp", users=(0, user.id)),
        users=(PERSONAL, user),
        policy=DevicePolicy(ADP),
    )
    assert statuses(isolation, snapshot, DEDICATED) == [Status.PASS, Status.FAIL], name


def test_secure_folder_on_a_dedicated_phone_fails() -> None:
    folder = User(150, UserKind.MANAGED_PROFILE, 0x1030, True, "profile.MANAGED", 0)
    snapshot = phone(
        app("com.whatsapp", users=(150,)),
        users=(PERSONAL, folder),
        policy=DevicePolicy(ADP, {150: SECURE_FOLDER_OWNER}),
    )
    assert statuses(isolation, snapshot, DEDICATED) == [Status.FAIL]


def test_the_main_user_of_a_dedicated_managed_phone_still_passes() -> None:
    snapshot = phone(app("com.whatsapp"), policy=DevicePolicy(ADP))
    assert statuses(isolation, snapshot, DEDICATED) == [Status.PASS]

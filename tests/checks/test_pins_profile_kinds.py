"""Pins for mutants of ``checks/owners.py``'s ``classify`` that the owner tests let live.

* Before Android 11 ``pm list users`` prints no user type: the flags decide, and a restricted
  profile (``FLAG_RESTRICTED``, 0x8; tablets since 4.3) is a restricted profile, a guest a guest,
  never "a secondary user".
* The vendor dual-app ids (Samsung 95, Xiaomi 999) name a clone profile only when the type does
  not say otherwise: a private space (``profile.PRIVATE``) that got one of those ids stays the
  private space, while an untyped profile there is the vendor's clone.
"""

from __future__ import annotations

import pytest

from checks.facts import DevicePolicy, User, UserKind
from checks.owners import ProfileKind, classify

NO_OWNER = DevicePolicy(None)


@pytest.mark.parametrize(
    ("user", "kind"),
    [
        (User(11, UserKind.RESTRICTED, 0x8, True), ProfileKind.RESTRICTED),
        (User(12, UserKind.GUEST, 0x414, True), ProfileKind.GUEST),
        (User(13, UserKind.MANAGED_PROFILE, 0x1030, True), ProfileKind.WORK_UNMANAGED),
        (User(14, UserKind.OTHER_PROFILE, 0x1010, True), ProfileKind.OTHER_PROFILE),
        (User(15, UserKind.SECONDARY, 0x410, True), ProfileKind.SECONDARY),
    ],
    ids=["restricted", "guest", "managed", "other-profile", "secondary"],
)
def test_untyped_users_are_judged_by_their_flags(user: User, kind: ProfileKind) -> None:
    assert classify(user, NO_OWNER).kind is kind


@pytest.mark.parametrize("uid", [95, 999])
def test_a_private_space_on_a_dual_app_id_stays_private(uid: int) -> None:
    private = User(uid, UserKind.OTHER_PROFILE, 0x1090, False, "profile.PRIVATE", 0)
    assert classify(private, NO_OWNER).kind is ProfileKind.PRIVATE
    untyped = User(uid, UserKind.OTHER_PROFILE, 0x1010, True)
    assert classify(untyped, NO_OWNER).kind is ProfileKind.CLONE

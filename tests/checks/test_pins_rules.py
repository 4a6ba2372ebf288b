"""Pins for mutants of ``checks/rules/profiles.py`` and ``checks/rules/whatsapp.py`` that the
rule tests let live.

* MSG-02's evidence of the profile names its owner (the MDM's DPC package) when it has one,
  and no owner when it has none.
* MSG-01 (consumer WhatsApp) judges the WhatsApp apps only: Telegram, Threema or a WhatsApp mod
  (MSG-08 fails mods) on their own make it not applicable, never a failure.
"""

from __future__ import annotations

import pytest

from checks.facts import DevicePolicy, User, UserKind
from checks.rules._common import unreadable_part
from checks.rules.profiles import isolation
from checks.rules.whatsapp import consumer_whatsapp
from tests.checks.factories import NA, PERSONAL, WORK, app, findings, folder, phone, statuses

ADP = "com.google.android.apps.work.clouddpc"


SECONDARY = User(10, UserKind.SECONDARY, 0x400, True, "full.SECONDARY")


def profile_data(users: tuple[User, ...], policy: DevicePolicy) -> list[dict[str, object]]:
    snap = phone(app("com.whatsapp.w4b", users=(10,)), users=users, policy=policy)
    [finding] = findings(isolation, snap)
    return [dict(e.data) for e in finding.evidence if "profile" in e.data]


def test_the_profiles_owner_is_in_the_evidence() -> None:
    managed = profile_data((PERSONAL, WORK), DevicePolicy(None, {10: ADP}))
    assert managed == [{"user": 10, "profile": "work_mdm", "owner": ADP}]
    assert profile_data((PERSONAL, SECONDARY), DevicePolicy(None)) == [
        {"user": 10, "profile": "secondary"}
    ]


@pytest.mark.parametrize(
    "package",
    ["org.telegram.messenger", "ch.threema.app", "com.gbwhatsapp", "org.thoughtcrime.securesms"],
)
def test_other_messengers_are_not_consumer_whatsapp(package: str) -> None:
    assert statuses(consumer_whatsapp, phone(app(package))) == [NA]


@pytest.mark.parametrize(
    ("n", "words"), [(1, "1 subfolder"), (2, "2 subfolders"), (37, "37 subfolders")]
)
def test_unreadable_subfolders_are_counted_in_the_reason(n: int, words: str) -> None:
    """A folder read in part (find could not enter ``n`` folders below it): unknown, and the
    reason counts them."""
    part = unreadable_part(folder(3, unreadable=n))
    assert part is not None and part.reason.startswith(f"{words} below it ")
    assert unreadable_part(folder(3)) is None

"""How a finding names the user an app is installed in (``checks.rules._common.user_msg``).

The label is what tells a reader which side of the phone a finding is about: on a phone a device
owner manages, user 0 is not a "personal profile", and the evidence must not say it is."""

from __future__ import annotations

from checks.facts import DevicePolicy
from checks.rules.profiles import isolation
from checks.rules.whatsapp import consumer_whatsapp
from tests.checks.factories import MDM, app, phone, texts


def test_user_0_of_a_fully_managed_phone_is_named_so() -> None:
    """A device owner on user 0: the phone's main user is the managed phone, not a private side."""
    snap = phone(app("com.whatsapp"), policy=DevicePolicy(MDM))

    assert texts(consumer_whatsapp, snap) == [
        "consumer WhatsApp (com.whatsapp) installed for user 0 (fully managed phone)"
    ]
    assert texts(isolation, snap)[0] == (
        "installed in user 0 (fully managed phone) beside 0 other third-party apps, outside any "
        "managed work profile"
    )


def test_user_0_without_a_device_owner_is_the_personal_profile() -> None:
    """The same phone without the owner: user 0 is the personal profile."""
    snap = phone(app("com.whatsapp"))

    assert texts(consumer_whatsapp, snap) == [
        "consumer WhatsApp (com.whatsapp) installed for user 0 (personal profile)"
    ]

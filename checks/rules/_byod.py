"""Personal and business side by side (BYOD): shared by MSG-01 and MSG-02.

Private to ``checks.rules``. A phone is BYOD here when an organisation's MDM manages a work
profile that holds WhatsApp Business, while the main user is not under a device owner: then
consumer WhatsApp in the personal profile is the employee's private app (checklist MSG-01).
"""

from __future__ import annotations

from collections.abc import Sequence

from checks.facts import Snapshot
from checks.owners import Profile, ProfileKind
from checks.rules._common import Install, profile_of


def business_work_profile(snapshot: Snapshot, found: Sequence[Install]) -> Profile | None:
    """The MDM work profile holding WhatsApp Business, if there is one."""
    for install in found:
        if install.messenger.key != "whatsapp_business":
            continue
        profile = profile_of(snapshot, install.user_id)
        if profile is not None and profile.mdm:
            return profile
    return None


def private_whatsapp(snapshot: Snapshot, install: Install, found: Sequence[Install]) -> Profile | None:
    """The business work profile when ``install`` is consumer WhatsApp in the personal profile
    of a BYOD phone; None otherwise."""
    if install.messenger.key != "whatsapp":
        return None
    home = profile_of(snapshot, install.user_id)
    if home is None or home.kind is not ProfileKind.MAIN or home.owner is not None:
        return None
    return business_work_profile(snapshot, found)

"""Personal and business side by side (BYOD): shared by MSG-01 and MSG-02.

Private to ``checks.rules``. A phone is BYOD here when an organisation's MDM manages a work
profile that holds WhatsApp Business, while the main user is not under a device owner: then
consumer WhatsApp on the personal side is the employee's private app (checklist MSG-01).

Decision: the personal side is the personal profile and the profiles Android and the vendors
make of it for the same person: clone and dual-app users (a second copy of personal apps) and
the private space. Not a secondary user or guest (another person's space), and not a Samsung
Secure Folder (a vault whose owner is not an MDM: MSG-02 must never treat it as isolation, so it
gets no exemption either).
"""

from __future__ import annotations

from collections.abc import Sequence

from checks.catalog import Edition
from checks.facts import Snapshot
from checks.findings import Evidence, say
from checks.owners import Profile, ProfileKind
from checks.rules._common import DEVICE_POLICY, Install, profile_of


def business_work_profile(snapshot: Snapshot, found: Sequence[Install]) -> Profile | None:
    """The MDM work profile holding WhatsApp Business, if there is one."""
    for install in found:
        if install.messenger.edition is not Edition.BUSINESS:
            continue
        profile = profile_of(snapshot, install.user_id)
        if profile is not None and profile.mdm:
            return profile
    return None


_PERSONAL_SIDE = frozenset({ProfileKind.MAIN, ProfileKind.CLONE, ProfileKind.PRIVATE})


def private_whatsapp(
    snapshot: Snapshot, install: Install, found: Sequence[Install]
) -> Profile | None:
    """The business work profile when ``install`` is consumer WhatsApp on the personal side of
    a BYOD phone; None otherwise."""
    if install.messenger.edition is not Edition.CONSUMER:
        return None
    home = profile_of(snapshot, install.user_id)
    main = profile_of(snapshot, 0)
    if home is None or home.kind not in _PERSONAL_SIDE or main is None or main.main_managed:
        return None
    return business_work_profile(snapshot, found)


def business_beside(work: Profile) -> Evidence:
    """ "WhatsApp Business sits in a work profile (user 10) managed by the MDM …"."""
    return Evidence.of(
        say(
            "whatsapp.business_in",
            "WhatsApp Business sits in {profile:profile}",
            profile=work.message(),
        ),
        DEVICE_POLICY,
        {"business_user": work.user_id, "profile_owner": work.owner},
    )

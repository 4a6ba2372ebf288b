"""Every rule msgscan runs, in checklist order: an explicit list, checked when it is loaded."""

from __future__ import annotations

from collections.abc import Iterable

from checks.errors import RegistryError
from checks.rule import Check
from checks.rules import (
    authenticity,
    backup,
    device,
    exposure,
    forbidden,
    organisation,
    permissions,
    profiles,
    sources,
    storage,
    telegram,
    versions,
    whatsapp,
)

CHECKS: tuple[Check, ...] = (
    whatsapp.consumer_whatsapp,  # MSG-01
    profiles.isolation,  # MSG-02
    storage.chat_archives,  # MSG-03
    storage.media_autosave,  # MSG-04
    exposure.storage_exposure,  # MSG-05
    permissions.contacts_access,  # MSG-06
    telegram.telegram_cloud_chats,  # MSG-07
    authenticity.unofficial_client,  # MSG-08
    versions.outdated_messenger,  # MSG-09
    sources.untrusted_source,  # MSG-10
    forbidden.policy_forbidden,  # MSG-11
    backup.system_backup,  # MSG-12
    organisation.customers_informed,  # ORG-01
    organisation.no_internal_whatsapp,  # ORG-02
    organisation.no_professional_secrecy,  # ORG-03
    device.patch_level,  # DEV-01
    device.os_version,  # DEV-02
    device.encryption,  # DEV-03
)


def by_id(checks: Iterable[Check] = CHECKS) -> dict[str, Check]:
    index: dict[str, Check] = {}
    for c in checks:
        if (other := index.setdefault(c.info.id, c)) is not c:
            raise RegistryError(
                f"check id {c.info.id} is used by {other.name} and {c.name}",
                hint="ids never change meaning: give the new rule the next free id",
            )
    return index


INDEX = by_id()

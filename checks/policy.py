"""The organisation's policy: what the rules enforce beyond the article's defaults.

The default policy is the article's: no messenger is forbidden, patches may be 90 days old, the
device role is not known. An organisation policy file (TOML, see ``policy.example.toml``) is
read by ``checks.policy_file.parse_policy``; this module holds only the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from msgspec import Struct, field

from checks.attestable import (  # re-exported: the policy's users import them from here
    ATTEST_TABLE,
    ATTESTABLE,
    DEVICE_ATTESTABLE,
    ORGANISATION_ATTESTABLE,
    attest_key,
)
from checks.attested import Refusal
from checks.digests import sha256_hex
from checks.enums import FastEnum
from checks.findings import Attestation, Severity, Waiver


class DeviceRole(FastEnum):
    UNSPECIFIED = "unspecified"
    DEDICATED = "dedicated"
    """A phone used only for business (the article's "separates Smartphone")."""
    SHARED = "shared"
    """A phone also used privately."""


class Override(Struct, frozen=True):
    """A rule's severity changed, or the rule switched off, with the reason why."""

    reason: str
    severity: Severity | None = None
    disabled: bool = False


DEFAULT_DIGEST = "sha256:" + sha256_hex(b"msgscan default policy 1")


class Policy(Struct, frozen=True):
    name: str = "default (article)"
    denied_messengers: frozenset[str] = frozenset()
    """Catalog keys (whatsapp, telegram, ...) or package names the organisation forbids."""
    device_role: DeviceRole = DeviceRole.UNSPECIFIED
    personal_whatsapp_forbidden: bool = False
    """BYOD: consumer WhatsApp in the personal profile beside an MDM work profile that holds
    WhatsApp Business is the employee's private app (informational) unless this is set."""
    max_patch_age_days: int = 90
    min_android: int = 14
    """Oldest Android major release still accepted (receiving security updates)."""
    trusted_installers: frozenset[str] = frozenset()
    """Installers accepted besides app stores and the device's MDM (e.g. an enterprise store)."""
    attestations: Mapping[str, tuple[Attestation, ...]] = field(default_factory=dict)
    """Check id -> its attestations (one for an ORG item; one per device for the others)."""
    refused: tuple[Refusal, ...] = ()
    """Signed attestations (``msgscan attest``) a scan does not apply, and why
    (``checks.attested``)."""
    overrides: Mapping[str, Override] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    signer_pins: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Package -> SHA-256 digests (lower-case hex) of the signing certificates the organisation
    accepts for it (MSG-08); for a package pinned here they replace the catalog's references."""
    pseudonym_key: str | None = None
    """Key for --pseudonymize; the MSGSCAN_PSEUDONYM_KEY environment variable also works."""
    digest: str = DEFAULT_DIGEST
    """sha256 of the policy file's bytes: which policy a report was judged by."""
    source: str | None = None
    """The file it came from, or None for the default."""

    def denies(self, key: str, package: str) -> bool:
        return key in self.denied_messengers or package in self.denied_messengers

    def attestation(
        self, check_id: str, device: str | None, package: str | None, today: date
    ) -> tuple[Attestation | None, Attestation | None]:
        """(the attestation in force for this item, or None; the newest expired one, or None).

        One made for another device or package never applies."""
        mine = [a for a in self.attestations.get(check_id, ()) if a.covers(device, package)]
        valid = [a for a in mine if not a.expired(today)]
        expired = [a for a in mine if a.expired(today)]
        newest = max(valid, key=lambda a: a.on, default=None)
        lapsed = max(expired, key=lambda a: a.until or a.on, default=None)
        return newest, lapsed


DEFAULT = Policy()


__all__ = [
    "ATTESTABLE",
    "ATTEST_TABLE",
    "DEFAULT",
    "DEFAULT_DIGEST",
    "DEVICE_ATTESTABLE",
    "ORGANISATION_ATTESTABLE",
    "DeviceRole",
    "Override",
    "Policy",
    "attest_key",
]

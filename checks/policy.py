"""The organisation's policy: what the rules enforce beyond the article's defaults.

The default policy is the article's: no messenger is forbidden, patches may be 90 days old, the
device role is not known. An organisation policy file (TOML, see ``policy.example.toml``) is
read by ``checks.policy_file.parse_policy``; this module holds only the model.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from checks.findings import Attestation, Severity, Waiver


class DeviceRole(enum.Enum):
    UNSPECIFIED = "unspecified"
    DEDICATED = "dedicated"
    """A phone used only for business (the article's "separates Smartphone")."""
    SHARED = "shared"
    """A phone also used privately."""


@dataclass(frozen=True, slots=True)
class Override:
    """A rule's severity changed, or the rule switched off, with the reason why."""

    reason: str
    severity: Severity | None = None
    disabled: bool = False


DEFAULT_DIGEST = "sha256:" + hashlib.sha256(b"msgscan default policy 1").hexdigest()


@dataclass(frozen=True, slots=True)
class Policy:
    name: str = "default (article)"
    denied_messengers: frozenset[str] = frozenset()
    """Catalog keys (whatsapp, telegram, ...) or package names the organisation forbids."""
    device_role: DeviceRole = DeviceRole.UNSPECIFIED
    max_patch_age_days: int = 90
    min_android: int = 14
    """Oldest Android major release still accepted (receiving security updates)."""
    trusted_installers: frozenset[str] = frozenset()
    """Installers accepted besides app stores and the device's MDM (e.g. an enterprise store)."""
    attestations: Mapping[str, Attestation] = field(default_factory=dict)
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


DEFAULT = Policy()

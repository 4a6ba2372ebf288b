"""What the rules say about a phone: statuses, severities, evidence, outcomes and findings.

A rule yields ``Outcome``s (status, what it is about, evidence); ``checks.evaluate`` adds the
rule's metadata and the policy's decisions (severity overrides, waivers, attestations) to turn
each into a ``Finding``. Pure data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


class Status(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    INFORMATIONAL = "informational"
    NOT_APPLICABLE = "not_applicable"
    """The thing the rule is about is not there (e.g. no messenger of that kind)."""
    MANUAL = "manual"
    """A person must attest it: nothing on the device can show it."""
    UNKNOWN = "unknown"
    """The device did not let us see it (needs root, folder unreadable). Never a pass."""
    ERROR = "error"
    """Collection failed (the phone was lost, a command failed) or the rule itself broke."""


STATUS_MEANING = {
    Status.PASS: "the device shows the item is in order",
    Status.FAIL: "the device shows the item is not in order; counts toward the verdict and the "
    "exit code unless the policy waives it",
    Status.INFORMATIONAL: "worth knowing, never counted as a failure (XCCDF's informational)",
    Status.NOT_APPLICABLE: "the thing the item is about is not there",
    Status.MANUAL: "a person must attest it: nothing on the device can show it; an attested "
    "item stays manual and names who attested it, when and until when",
    Status.UNKNOWN: "the device did not let msgscan see it; never a pass",
    Status.ERROR: "collection failed or the rule broke",
}
"""What each status means (the checklist's wording): ``msgscan checks --json`` lists it."""


class Severity(enum.Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> float:
        """Score weight: what a pass earns (OpenSCAP-style weighted scoring)."""
        return _WEIGHTS[self]

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


_WEIGHTS = {
    Severity.INFO: 0.0,
    Severity.LOW: 1.0,
    Severity.MEDIUM: 3.0,
    Severity.HIGH: 6.0,
    Severity.CRITICAL: 10.0,
}


@dataclass(frozen=True, slots=True)
class Article:
    """Where a rule rests in the source article (../shared/article), or that it goes beyond it."""

    section: str
    """Section heading of the article, or "beyond the article"."""
    ref: str
    """Which statement: a short German cue from the article, paraphrased, not its prose."""

    @property
    def beyond(self) -> bool:
        return self.section == BEYOND


BEYOND = "beyond the article"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One thing that was seen, in words, with the command it came from."""

    text: str
    """e.g. "READ_CONTACTS granted for user 0"."""
    source: str
    """The probe command, e.g. "dumpsys package packages", or "policy" / "catalog"."""
    data: Mapping[str, object] = field(default_factory=dict)
    """Machine-readable figures behind the text (counts, dates as ISO strings, sizes)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One result of one rule, about one messenger install, one user or the whole device."""

    status: Status
    evidence: tuple[Evidence, ...]
    package: str | None = None
    """The messenger package this is about, or None for the device / organisation."""
    user_id: int | None = None
    """The Android user / profile this is about, or None."""
    severity: Severity | None = None
    """Overrides the rule's severity for this outcome (e.g. MSG-06 fails Wire harder)."""


WORST_FIRST = (
    Status.FAIL,
    Status.ERROR,
    Status.UNKNOWN,
    Status.MANUAL,
    Status.INFORMATIONAL,
    Status.PASS,
    Status.NOT_APPLICABLE,
)
"""Statuses from worst to best: which one an item with several parts gets, and report order.
``informational`` (XCCDF's: worth knowing, never a failure) ranks just above pass."""


@dataclass(frozen=True, slots=True)
class Attestation:
    """A person's statement that an item the device cannot show is in order.

    Organisational items (ORG-*) are attested once for every phone (``device`` None); items a
    person checks on the phone (MSG-03's cloud backup, MSG-06, MSG-07) for one device (serial or
    pseudonym), optionally one package, until a date."""

    by: str
    on: date
    note: str = ""
    until: date | None = None
    """Last day the attestation holds; None: until the policy is changed."""
    device: str | None = None
    """The phone it was made for (serial or pseudonym); None for organisational items."""
    package: str | None = None
    """Only this messenger package, or None for every install on the device."""

    def covers(self, device: str | None, package: str | None) -> bool:
        """Made for this device (or for every phone) and this package (or every package)."""
        return (self.device is None or self.device == device) and (
            self.package is None or self.package == package
        )

    def expired(self, today: date) -> bool:
        return self.until is not None and today > self.until


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted failure, for one device (serial or pseudonym; "*" for all), until a date."""

    check_id: str
    device: str
    until: date
    reason: str
    package: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    check_id: str
    status: Status
    severity: Severity
    title: str
    evidence: tuple[Evidence, ...]
    remediation: tuple[str, ...]
    article: Article
    package: str | None = None
    messenger: str | None = None
    """Catalog name of the messenger (e.g. "WhatsApp Business")."""
    user_id: int | None = None
    waived: Waiver | None = None
    """Set when the policy waived this failure (the status stays fail; the verdict ignores it)."""
    attested: Attestation | None = None

    @property
    def counts_as_failure(self) -> bool:
        """A failure that decides the verdict: status fail, not waived. (A result that never
        counts, such as a failure at severity info, has status ``informational``.)"""
        return self.status is Status.FAIL and self.waived is None

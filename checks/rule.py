"""What a rule is: a pure function of the snapshot and the policy, with its metadata on top.

    @check(
        id="MSG-03",
        slug="chat-archives",
        title="Chat archives in shared storage",
        severity=Severity.HIGH,
        article=Article("Konfiguration", "Nachrichtenverläufe nicht archivieren"),
        rationale="...",
        remediation=("Delete the local chat backups ...", "..."),
    )
    def chat_archives(ctx: Context) -> Iterator[Outcome]: ...

A rule that yields nothing is reported as one ``not_applicable`` finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from msgspec import Struct

from checks.facts import Snapshot
from checks.findings import Article, Outcome, Severity
from checks.policy import Policy


class Context(Struct, frozen=True):
    """Everything a rule may look at. ``today`` is passed in: rules never read a clock."""

    snapshot: Snapshot
    policy: Policy
    today: date


class CheckInfo(Struct, frozen=True):
    id: str
    """Stable id (MSG-01 …); never changes meaning once released."""
    slug: str
    """The checklist's name for it, e.g. "consumer-whatsapp"."""
    title: str
    severity: Severity
    article: Article
    rationale: str
    remediation: tuple[str, ...]
    """Steps a person can follow on the phone (or in the organisation)."""


RuleFunction = Callable[[Context], Iterator[Outcome]]


class Check(Struct, frozen=True):
    info: CheckInfo
    run: RuleFunction

    @property
    def name(self) -> str:
        return getattr(self.run, "__name__", self.info.slug)


def check(
    *,
    id: str,
    slug: str,
    title: str,
    severity: Severity,
    article: Article,
    rationale: str,
    remediation: tuple[str, ...],
) -> Callable[[RuleFunction], Check]:
    info = CheckInfo(id, slug, title, severity, article, rationale, remediation)

    def wrap(fn: RuleFunction) -> Check:
        return Check(info, fn)

    return wrap

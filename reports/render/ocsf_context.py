"""What an OCSF event needs to know about its scan, from a live ``ScanResult`` or a saved report.

``msgscan scan --format ocsf`` and the agent build events from a ``ScanResult``;
``msgscan report REPORT.json --format ocsf|ecs|cef|csv`` builds the same events from the saved
JSON report alone. ``ScanContext`` is the common ground: the scan's id and time, the phone's
name, and the few device facts the report does not carry (the build id in the fingerprint).

It also holds the compliance vocabulary of every event: the standard msgscan's checks implement
(``STANDARD``), and the references each finding cites (``references``): the article section it
comes from and the GDPR articles behind it, each as an OCSF ``kb_article`` with its URL where
one is known. The trade article is cited by section: it has no public URL in its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks import law
from checks.result import PSEUDONYM_PREFIX, ScanResult

STANDARD = "msgscan messenger data-protection checklist"
"""``compliance.standards``: the checklist (after the German trade article) every check belongs
to. The organisation's policy that tuned it is named in ``unmapped.msgscan.policy``."""
GDPR = "GDPR (Regulation (EU) 2016/679)"
GDPR_URL = law.GDPR_URL

STGB = "German Criminal Code (StGB)"


def gdpr_articles(check_id: str) -> tuple[tuple[str, str], ...]:
    """The GDPR articles a check serves (number, title), from ``checks.law``: the one place."""
    return tuple((b.provision.number, b.provision.title) for b in law.legal(check_id)
                 if b.provision.law == "GDPR")


def references(check_id: str, article_ref: Mapping[str, str]) -> list[dict[str, str]]:
    """``compliance.compliance_references``: the article section, then each provision the check
    serves (``checks.law``, as in the report's ``legal`` list)."""
    section, quote = article_ref.get("section", ""), article_ref.get("ref", "")
    out = [{"uid": f"article:{section}" if section else "article",
            "title": f"Trade article on business use of WhatsApp, {section}: {quote}".rstrip(": ")}]
    for b in law.legal(check_id):
        p = b.provision
        name = GDPR if p.law == "GDPR" else STGB
        mark = "Art." if p.law == "GDPR" else "§"
        out.append({"uid": p.uid, "title": f"{name}, {mark} {p.number}: {p.title}",
                    "src_url": p.url})
    return out


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _build(fingerprint: object) -> str | None:
    """``ro.build.id`` from the fingerprint ``brand/product/device:release/ID/incremental:...``."""
    if not isinstance(fingerprint, str) or ":" not in fingerprint:
        return None
    parts = fingerprint.split(":", 1)[1].split("/")
    return parts[1] if len(parts) > 2 and parts[1] else None


@dataclass(frozen=True, slots=True)
class ScanContext:
    scan_id: str
    finished: datetime
    msgscan_version: str
    device_name: str
    policy_name: str
    policy_digest: str | None
    pseudonymized: bool
    build: str | None = None
    managed: bool | None = None
    """A device or profile owner exists (OCSF ``is_managed``); None when the phone withheld it."""
    lineage: int | None = 0
    """Which phone behind the device id (the agent's state: 0 its first, n after n swaps); part
    of every finding uid when not 0 (``ocsf.finding_uid``). None: unknown, no state says it (a
    saved report rendered without the agent's state, ``msgscan report``): the uids are those
    of the id's first phone and every event says the lineage is unknown
    (``unmapped.msgscan.lineage_unknown``)."""
    twin: bool = False
    """The agent holds the id: two phones answered as it, and no state can say which one this
    scan is (``msgscan scan --send`` of a twin; the lead, session 26, review11's finding). Its
    finding uids are of this scan alone (``ocsf.finding_uid``'s ``lineage`` ``twin:<scan>``),
    so its passes close no other phone's failures, and every event says so
    (``unmapped.msgscan.twin``, with ``lineage_unknown``)."""

    @classmethod
    def of(cls, result: ScanResult | ScanContext) -> ScanContext:
        if isinstance(result, ScanContext):
            return result
        policy = result.snapshot.policy
        managed = None
        if hasattr(policy, "device_owner"):
            managed = bool(
                getattr(policy, "device_owner", None) or getattr(policy, "profile_owners", None)
            )
        return cls(
            scan_id=result.scan_id, finished=result.finished,
            msgscan_version=result.msgscan_version, device_name=result.device_name,
            policy_name=result.policy.name, policy_digest=getattr(result.policy, "digest", None),
            pseudonymized=result.pseudonymized,
            build=_build(getattr(result.snapshot.identity, "build_fingerprint", None)),
            managed=managed,
        )

    @classmethod
    def from_report(cls, report: Mapping[str, Any], lineage: int | None = None) -> ScanContext:
        """The context of a saved (schema-valid) report: what it says, nothing invented; the
        report does not say which phone behind its id it was (``lineage``: the agent's state
        does, ``scanner.app.agent.lineage.of_scan``; None: unknown)."""
        scan, dev = report["scan"], report["device"]
        finished = datetime.fromisoformat(scan["finished"])
        owner = dev.get("device_owner")
        profiles = report.get("profiles")
        managed: bool | None = None
        if not isinstance(owner, dict) and isinstance(profiles, list):
            managed = owner is not None or any(
                isinstance(p.get("profile_owner"), str) for p in profiles)
        name = str(dev["serial"])
        return cls(
            scan_id=scan["id"], finished=finished, msgscan_version=scan["msgscan_version"],
            device_name=name, policy_name=scan["policy"]["name"],
            policy_digest=scan["policy"].get("digest"),
            pseudonymized=name.startswith(PSEUDONYM_PREFIX), managed=managed, lineage=lineage,
        )


__all__ = ["GDPR", "GDPR_URL", "STANDARD", "ScanContext", "gdpr_articles", "references"]

"""Turn a snapshot into findings: run every rule, apply the policy, score the result.

``evaluate`` is pure: the same snapshot, policy and day give the same findings. A rule that raises
is a bug; in a scan it becomes one ``error`` finding so the rest of the report survives, and in
tests (``strict=True``) the exception propagates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from checks.catalog import MESSENGERS, VARIANTS
from checks.damaged import downgrade, watched
from checks.facts import Snapshot
from checks.findings import Evidence, Finding, Outcome, Severity, Status, Waiver
from checks.policy import Policy
from checks.rule import Check, Context


def _waiver(policy: Policy, device: str, finding: Finding, today: date) -> Waiver | None:
    for w in policy.waivers:
        if (
            w.check_id == finding.check_id
            and w.device in ("*", device)
            and (w.package is None or w.package == finding.package)
            and today <= w.until
        ):
            return w
    return None


_NAMES = {m.name for m in MESSENGERS}


def remediation_for(steps: tuple[str, ...], package: str | None) -> tuple[str, ...]:
    """The steps that apply to this finding's messenger.

    A step that starts with a messenger's name and a colon ("Telegram: Settings > …") is kept
    only for that messenger (WhatsApp steps also serve WhatsApp Business and the mods); steps
    without such a prefix apply to every finding of the rule.
    """
    entry = VARIANTS.get(package) if package else None
    if entry is None:
        return steps
    messenger = entry[0]
    kept = []
    for step in steps:
        prefix = step.split(":", 1)[0]
        if prefix not in _NAMES or prefix == messenger.name or (
            messenger.whatsapp_family and prefix == "WhatsApp"
        ):
            kept.append(step)
    return tuple(kept) or steps


def _finding(check: Check, outcome: Outcome, policy: Policy) -> Finding:
    info = check.info
    severity = outcome.severity or info.severity
    override = policy.overrides.get(info.id)
    if override is not None and override.severity is not None:
        severity = override.severity
    messenger = VARIANTS[outcome.package][1].label if outcome.package in VARIANTS else None
    return Finding(
        check_id=info.id,
        status=outcome.status,
        severity=severity,
        title=info.title,
        evidence=outcome.evidence,
        remediation=remediation_for(info.remediation, outcome.package),
        article=info.article,
        package=outcome.package,
        messenger=messenger,
        user_id=outcome.user_id,
    )


def evaluate(
    snapshot: Snapshot,
    policy: Policy,
    *,
    today: date,
    checks: Iterable[Check] | None = None,
    device: str | None = None,
    strict: bool = False,
) -> tuple[Finding, ...]:
    """All findings for ``snapshot``; ``device`` is the name waivers match (serial or pseudonym)."""
    if checks is None:
        from checks.registry import CHECKS

        checks = CHECKS
    ctx = Context(snapshot, policy, today)
    name = device or snapshot.serial
    findings: list[Finding] = []
    for check in checks:
        override = policy.overrides.get(check.info.id)
        if override is not None and override.disabled:
            continue
        seen, read = watched(snapshot) if snapshot.damaged else (snapshot, set())
        try:
            outcomes = list(check.run(Context(seen, policy, today) if snapshot.damaged else ctx))
        except Exception as e:  # a bug in a rule must not cost the whole report
            if strict:
                raise
            outcomes = [
                Outcome(Status.ERROR, (Evidence(f"rule failed: {type(e).__name__}: {e}", "msgscan"),))
            ]
        if not outcomes:
            outcomes = [Outcome(Status.NOT_APPLICABLE, (Evidence("nothing on this phone to check", "msgscan"),))]
        outcomes = downgrade(outcomes, snapshot, read)
        for outcome in outcomes:
            f = _finding(check, outcome, policy)
            if f.status is Status.FAIL:
                waiver = _waiver(policy, name, f, today)
                if waiver is not None:
                    f = replace(f, waived=waiver)
            findings.append(f)
    return tuple(findings)


@dataclass(frozen=True, slots=True)
class Summary:
    counts: dict[str, int]
    """Findings per status (every status present, zeros included)."""
    score: float | None
    """0-100: pass earns its severity weight, fail/unknown/error earn nothing, not_applicable and
    manual are left out (OpenSCAP-style); None when nothing was scored."""
    verdict: str
    """non_compliant (a failure not waived) | incomplete (unknown/error, or the scan stopped) |
    compliant."""
    failed: int
    waived: int


def summarize(findings: Iterable[Finding], *, complete: bool = True) -> Summary:
    items = list(findings)
    counts = {s.value: 0 for s in Status}
    for f in items:
        counts[f.status.value] += 1
    scored = [f for f in items if f.status in (Status.PASS, Status.FAIL, Status.UNKNOWN, Status.ERROR)]
    total = sum(f.severity.weight for f in scored if not (f.status is Status.FAIL and f.waived))
    earned = sum(f.severity.weight for f in scored if f.status is Status.PASS)
    score = round(100.0 * earned / total, 1) if total > 0 else None
    failed = sum(1 for f in items if f.counts_as_failure)
    waived = sum(1 for f in items if f.status is Status.FAIL and f.waived)
    if failed:
        verdict = "non_compliant"
    elif not complete or counts["unknown"] or counts["error"]:
        verdict = "incomplete"
    else:
        verdict = "compliant"
    return Summary(counts, score, verdict, failed, waived)


def worst_first(findings: Iterable[Finding]) -> list[Finding]:
    """Failed first, then manual, unknown, error, pass, not applicable; severe first within."""
    order = {Status.FAIL: 0, Status.MANUAL: 1, Status.UNKNOWN: 2, Status.ERROR: 3, Status.PASS: 4, Status.NOT_APPLICABLE: 5}
    return sorted(findings, key=lambda f: (order[f.status], -f.severity.rank, f.check_id))


__all__ = ["Severity", "Summary", "evaluate", "summarize", "worst_first"]

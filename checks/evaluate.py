"""Turn a snapshot into findings: run every rule, apply the policy, score the result.

``evaluate`` is pure: the same snapshot, policy and day give the same findings. A rule that raises
is a bug; in a scan it becomes one ``error`` finding so the rest of the report survives, and in
tests (``strict=True``) the exception propagates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from msgspec import Struct
from msgspec.structs import replace

from checks.attested import refusals
from checks.catalog import MESSENGERS, VARIANTS
from checks.damaged import downgrade, watched
from checks.facts import Snapshot
from checks.findings import (
    WORST_FIRST,
    Attestation,
    Evidence,
    Finding,
    Message,
    Outcome,
    Severity,
    Status,
    Waiver,
    say,
)
from checks.policy import ATTESTABLE, DEVICE_ATTESTABLE, Policy, attest_key
from checks.registry import CHECKS
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
        if (
            prefix not in _NAMES
            or prefix == messenger.name
            or (messenger.whatsapp_family and prefix == "WhatsApp")
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
    status = outcome.status
    if status is Status.FAIL and severity is Severity.INFO:
        # A failure at severity info (the rule's or the policy's) never decides the verdict:
        # that is XCCDF's "informational", and every format counts it as that.
        status = Status.INFORMATIONAL
    return Finding(
        check_id=info.id,
        status=status,
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
    """All findings for ``snapshot``, one per check, package and user (``merge``), severe first;
    ``device`` is the name waivers and attestations match (serial or pseudonym)."""
    found = judge(snapshot, policy, today=today, checks=checks, device=device, strict=strict)
    return tuple(sorted(merge(found), key=_order))


def judge(
    snapshot: Snapshot,
    policy: Policy,
    *,
    today: date,
    checks: Iterable[Check] | None = None,
    device: str | None = None,
    strict: bool = False,
) -> list[Finding]:
    """One finding per rule outcome, in rule order, with the policy applied (severity, waivers,
    attestations): what each rule said, before ``evaluate`` merges the parts of one item."""
    if checks is None:
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
            failed = say("rule.failed", "rule failed: {error}", error=_error(e))
            outcomes = [Outcome(Status.ERROR, (Evidence.of(failed, "msgscan"),))]
        if not outcomes:
            nothing = say("rule.nothing", "nothing on this phone to check")
            outcomes = [Outcome(Status.NOT_APPLICABLE, (Evidence.of(nothing, "msgscan"),))]
        outcomes = downgrade(outcomes, snapshot, read)
        for outcome in outcomes:
            f = _finding(check, outcome, policy)
            if f.status is Status.FAIL:
                waiver = _waiver(policy, name, f, today)
                if waiver is not None:
                    f = replace(f, waived=waiver)
            elif f.status is Status.MANUAL and f.check_id in ATTESTABLE:
                f = _attest(f, policy, name, today, snapshot.serial)
            findings.append(f)
    return findings


def _error(e: Exception) -> str:
    return f"{type(e).__name__}: {e}"


def attestation_text(a: Attestation) -> str:
    """ "attested by DPO on 2026-10-01 until 2027-03-31: note" (evidence, in every format)."""
    return attestation_message(a).english()


def attestation_message(a: Attestation) -> Message:
    until: Message | str = ""
    if a.until:
        until = say("attest.until", " until {until:date}", until=a.until.isoformat())
    note: Message | str = f": {a.note}" if a.note else ""
    if a.signed is not None:
        note = say("attest.note", ": {note}", note=a.signed)
    return say(
        "attest.by",
        "attested by {by} on {on:date}{until}{note}",
        by=a.by,
        on=a.on.isoformat(),
        until=until,
        note=note,
    )


def _attest(
    f: Finding, policy: Policy, device: str, today: date, serial: str | None = None
) -> Finding:
    """A manual finding with the policy's attestation for this device and package, if one is in
    force. It stays ``manual`` (the phone showed nothing; a person vouches for it) with
    ``attested`` set; an expired one is named in the evidence and attests nothing, and so is a
    signed one that was not applied (``checks.attested``: forged, or for another phone)."""
    valid, lapsed = policy.attestation(f.check_id, device, f.package, today)
    lines = refusals(policy, f.check_id, device, f.package, serial)
    notes = tuple(Evidence.of(m, "attestation") for m in lines)
    if valid is not None:
        data = {"by": valid.by, "on": valid.on, "until": valid.until, "note": valid.note}
        seen = Evidence.of(attestation_message(valid), "policy", data)
        return replace(f, attested=valid, evidence=(*f.evidence, seen, *notes))
    if lapsed is not None and lapsed.until is not None:
        text = say(
            "attest.expired",
            "the attestation by {by} on {on:date} expired on {until:date}: attest it again ({key})",
            by=lapsed.by,
            on=lapsed.on.isoformat(),
            until=lapsed.until.isoformat(),
            key=attest_key(f.check_id),
        )
        data = {"by": lapsed.by, "on": lapsed.on, "until": lapsed.until}
        return replace(f, evidence=(*f.evidence, Evidence.of(text, "policy", data), *notes))
    if f.check_id in DEVICE_ATTESTABLE:
        text = say(
            "attest.missing",
            "not attested for this phone: record it in the policy as {key} (device, by, on, until)",
            key=attest_key(f.check_id),
        )
        return replace(f, evidence=(*f.evidence, Evidence.of(text, "policy"), *notes))
    return replace(f, evidence=(*f.evidence, *notes)) if notes else f


_RANK = {s: i for i, s in enumerate(WORST_FIRST)}


def _order(f: Finding) -> tuple[int, int, str, str, int]:
    """Severe first, then worst status, then check id, package and profile."""
    user = -1 if f.user_id is None else f.user_id
    return (-f.severity.rank, _RANK[f.status], f.check_id, f.package or "", user)


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per check, package and user: a rule that yields several outcomes for one
    install (MSG-03's local archives and its cloud backup setting; two media folders) becomes one
    finding with the worst status, the severity of its worst part and every part's evidence
    (worst part first). It counts as waived or attested only when all its parts at that status
    are; first occurrence order is kept."""
    groups: dict[tuple[str, str | None, int | None], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.check_id, f.package, f.user_id), []).append(f)
    out = []
    for parts in groups.values():
        if len(parts) == 1:
            out.append(parts[0])
            continue
        status = min((p.status for p in parts), key=_RANK.__getitem__)
        worst = [p for p in parts if p.status is status]
        head = max(worst, key=lambda p: (p.waived is None, p.severity.rank))
        rest = [p for p in parts if p is not head]
        rest.sort(key=lambda p: _RANK[p.status])
        evidence = tuple(e for p in (head, *rest) for e in p.evidence)
        waived = head.waived if all(p.waived for p in worst) else None
        attested = head.attested if all(p.attested for p in worst) else None
        out.append(replace(head, evidence=evidence, waived=waived, attested=attested))
    return out


class Summary(Struct, frozen=True):
    counts: dict[str, int]
    """Findings per status (every status present, zeros included)."""
    score: float | None
    """0-100: pass earns its severity weight, fail/unknown/error earn nothing, not_applicable,
    informational and manual are left out (OpenSCAP-style); None when nothing was scored."""
    verdict: str
    """non_compliant (a failure not waived) | incomplete (unknown/error, or the scan stopped) |
    compliant."""
    failed: int
    """Failures that decide the verdict: status fail, not waived (``Finding.counts_as_failure``)."""
    waived: int
    informational: int = 0
    attested: int = 0
    """Manual items a person attested (still counted under ``manual``)."""


def summarize(findings: Iterable[Finding], *, complete: bool = True) -> Summary:
    items = list(findings)
    counts = {s.value: 0 for s in Status}
    for f in items:
        counts[f.status.value] += 1
    # informational, like manual and not_applicable, is left out of the score
    scored = [
        f for f in items if f.status in (Status.PASS, Status.FAIL, Status.UNKNOWN, Status.ERROR)
    ]
    total = sum(f.severity.weight for f in scored if not (f.status is Status.FAIL and f.waived))
    earned = sum(f.severity.weight for f in scored if f.status is Status.PASS)
    score = round(100.0 * earned / total, 1) if total > 0 else None
    failed = sum(1 for f in items if f.counts_as_failure)
    waived = sum(1 for f in items if f.status is Status.FAIL and f.waived)
    attested = sum(1 for f in items if f.status is Status.MANUAL and f.attested)
    if failed:
        verdict = "non_compliant"
    elif not complete or counts["unknown"] or counts["error"]:
        verdict = "incomplete"
    else:
        verdict = "compliant"
    return Summary(
        counts, score, verdict, failed, waived, counts[Status.INFORMATIONAL.value], attested
    )


def section_of(status: str, waived: bool) -> str:
    """The one section a finding (as a report holds it) is listed under, in every format:
    ``failed`` (counts toward the verdict), ``waived``, or its status. The summary's ``failed``
    and ``waived`` count exactly these sections."""
    if status == Status.FAIL.value:
        return "waived" if waived else "failed"
    return status


def worst_first(findings: Iterable[Finding]) -> list[Finding]:
    """Worst status first (``findings.WORST_FIRST``); severe first within."""
    return sorted(findings, key=lambda f: (_RANK[f.status], -f.severity.rank, f.check_id))


__all__ = [
    "Severity",
    "Summary",
    "attestation_text",
    "evaluate",
    "judge",
    "merge",
    "section_of",
    "summarize",
    "worst_first",
]

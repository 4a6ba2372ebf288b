"""Pins for mutants of ``checks/evaluate.py``'s ``summarize`` that the rule tests let live.

The summary counts informational findings on their own (``summary.informational`` of the JSON
report, 1.1): never the not-applicable ones, and informational findings are not scored.
"""

from __future__ import annotations

from msgspec.structs import replace

from checks.evaluate import summarize
from checks.findings import Article, Finding, Severity, Status

ONE = Finding(
    check_id="MSG-10",
    status=Status.INFORMATIONAL,
    severity=Severity.LOW,
    title="Something worth knowing",
    evidence=(),
    remediation=(),
    article=Article("Konfiguration", "Updates"),
    package="com.whatsapp",
    user_id=0,
)


def test_informational_findings_are_counted_apart_from_not_applicable() -> None:
    na = replace(ONE, status=Status.NOT_APPLICABLE, package="ch.threema.app")
    summary = summarize([ONE, na, replace(na, package="org.telegram.messenger")])
    assert (summary.informational, summary.counts["informational"]) == (1, 1)
    assert summary.counts["not_applicable"] == 2
    assert (summary.score, summary.verdict) == (None, "compliant")
    only_na = summarize([na])
    assert (only_na.informational, only_na.counts["not_applicable"]) == (0, 1)

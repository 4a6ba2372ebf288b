"""Pins for mutants of ``checks/evaluate.py``'s ``_order`` that the rule tests let live: the
findings of one check are listed by package (the device's own finding first), those of one
package by profile (user 0 before 10, and a finding for no profile first), whatever order the
rule yields them in; severity, then status, come before."""

from __future__ import annotations

from collections.abc import Iterator

from checks.evaluate import evaluate
from checks.findings import Evidence, Outcome, Severity, Status
from checks.policy import DEFAULT
from checks.rule import Context, check
from checks.rules.whatsapp import consumer_whatsapp
from tests.checks.factories import TODAY, app, phone

WA = "com.whatsapp"


@check(
    id="MSG-01",
    slug="t",
    title="t",
    severity=Severity.MEDIUM,
    article=consumer_whatsapp.info.article,
    rationale="t",
    remediation=("t",),
)
def per_profile(ctx: Context) -> Iterator[Outcome]:
    """One fail per profile, yielded in an order the report must not keep."""
    for user in (10, 11, 0):
        yield Outcome(Status.FAIL, (Evidence(f"user {user}", "t"),), WA, user)
    yield Outcome(Status.FAIL, (Evidence("no profile", "t"),), WA, None)
    yield Outcome(Status.FAIL, (Evidence("worse", "t"),), WA, 12, severity=Severity.HIGH)


def test_findings_are_ordered_by_severity_then_profile() -> None:
    found = evaluate(phone(app(WA)), DEFAULT, today=TODAY, checks=[per_profile], strict=True)
    assert [f.user_id for f in found] == [12, None, 0, 10, 11]


@check(
    id="MSG-01",
    slug="t",
    title="t",
    severity=Severity.MEDIUM,
    article=consumer_whatsapp.info.article,
    rationale="t",
    remediation=("t",),
)
def per_package(ctx: Context) -> Iterator[Outcome]:
    """One fail per package and one for the device, in an order the report must not keep."""
    for package in ("org.telegram.messenger", WA, None, "ch.threema.app"):
        yield Outcome(Status.FAIL, (Evidence(f"{package}", "t"),), package, 0)


def test_findings_of_one_check_are_ordered_by_package() -> None:
    found = evaluate(phone(app(WA)), DEFAULT, today=TODAY, checks=[per_package], strict=True)
    assert [f.package for f in found] == [None, "ch.threema.app", WA, "org.telegram.messenger"]

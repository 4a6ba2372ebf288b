"""Pins for mutants of ``checks/evaluate.py``'s ``_finding`` that the rule tests let live: a
policy override that sets a rule's severity gives its findings that severity; one that only
gives a reason (no severity) leaves the rule's own; a fail overridden to severity info is
informational (never decides the verdict)."""

from __future__ import annotations

from checks.findings import Severity, Status
from checks.policy import Override, Policy
from checks.rules.telegram import telegram_cloud_chats
from checks.rules.whatsapp import consumer_whatsapp
from tests.checks.factories import app, findings, phone

TELEGRAM = phone(app("org.telegram.messenger"))


def severities(policy: Policy) -> list[Severity]:
    return [f.severity for f in findings(telegram_cloud_chats, TELEGRAM, policy)]


def test_an_override_sets_the_severity() -> None:
    assert severities(Policy()) == [Severity.MEDIUM]
    low = Override("cloud chats accepted as a lesser risk here", Severity.LOW)
    assert severities(Policy(overrides={"MSG-07": low})) == [Severity.LOW]
    assert severities(Policy(overrides={"MSG-01": low})) == [Severity.MEDIUM]


def test_an_override_without_a_severity_keeps_the_rules() -> None:
    assert severities(Policy(overrides={"MSG-07": Override("noted")})) == [Severity.MEDIUM]


def test_a_failure_overridden_to_info_is_informational() -> None:
    info = Policy(overrides={"MSG-01": Override("tolerated for now", Severity.INFO)})
    [plain] = findings(consumer_whatsapp, phone(app("com.whatsapp")))
    [f] = findings(consumer_whatsapp, phone(app("com.whatsapp")), info)
    assert (plain.status, f.status, f.severity) == (
        Status.FAIL,
        Status.INFORMATIONAL,
        Severity.INFO,
    )

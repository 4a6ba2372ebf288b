"""Pins for mutants of ``checks/evaluate.py``'s ``attestation_text`` that the rule tests let
live: the English of an attestation is the evidence line an attested manual item carries
("attested by <who> on <day> until <day>: <note>"), without "until" when it has no end."""

from __future__ import annotations

from datetime import date, timedelta

from checks.evaluate import attestation_text
from checks.findings import Attestation, Status
from checks.policy import Policy
from checks.rules.telegram import telegram_cloud_chats
from tests.checks.factories import TODAY, app, findings, phone


def test_the_attestation_text_is_the_evidence_of_the_attested_item() -> None:
    a = Attestation(
        "Team lead", TODAY - timedelta(days=1), "checked", TODAY + timedelta(days=9), "TESTPHONE"
    )
    policy = Policy(attestations={"MSG-07": (a,)})
    [finding] = findings(telegram_cloud_chats, phone(app("org.telegram.messenger")), policy)
    assert (finding.status, finding.attested) == (Status.MANUAL, a)
    assert attestation_text(a) == "attested by Team lead on 2026-11-25 until 2026-12-05: checked"
    assert attestation_text(a) in [e.text for e in finding.evidence]


def test_an_open_ended_attestation_says_no_until() -> None:
    a = Attestation("DPO", date(2026, 10, 1))
    assert attestation_text(a) == "attested by DPO on 2026-10-01"

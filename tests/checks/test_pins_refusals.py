"""Pins for mutants of ``checks/attested.py``'s ``Refusal.why`` that the rule tests let live: a
signed attestation whose signature fails is named on the findings of the phone it was made for,
or of every phone when it names none; a forged claim made for another phone says nothing on
this one (a report never lists other phones' claims)."""

from __future__ import annotations

from datetime import timedelta

from checks.attested import Claim, with_claims
from checks.findings import Attestation, Status
from checks.policy import DEFAULT
from checks.rules.telegram import telegram_cloud_chats
from tests.checks.factories import TODAY, app, findings, phone

TELEGRAM = "org.telegram.messenger"


def notes(device: str | None, problem: str | None) -> tuple[Status, bool, list[str]]:
    a = Attestation(
        "Team lead", TODAY - timedelta(days=3), "checked", TODAY + timedelta(days=30), device
    )
    claim = Claim("MSG-07", a, "attest.json", None if problem else "SHA256:abc", problem)
    [f] = findings(telegram_cloud_chats, phone(app(TELEGRAM)), with_claims(DEFAULT, [claim]))
    ids = [e.message.id for e in f.evidence if e.source == "attestation" and e.message]
    return f.status, f.attested is not None, ids


def test_a_forged_claim_for_this_phone_or_every_phone_is_named() -> None:
    forged = "the signature does not verify"
    assert notes("TESTPHONE", forged) == (Status.MANUAL, False, ["attest.refused"])
    assert notes(None, forged) == (Status.MANUAL, False, ["attest.refused"])


def test_a_forged_claim_for_another_phone_says_nothing_here() -> None:
    assert notes("R5CX000OTHER", "the signature does not verify") == (Status.MANUAL, False, [])

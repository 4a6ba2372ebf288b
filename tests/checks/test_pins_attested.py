"""Pins for mutants of ``checks/attested.py`` that the rule tests let live.

A signed attestation that is not applied (forged, or for another phone) is named in the
evidence of the findings it was meant for, and of no other: a claim bound to one package says
nothing on another messenger's finding (``Refusal.why``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from checks.attested import Claim, with_claims
from checks.evaluate import judge
from checks.findings import Attestation, Finding, Status
from checks.policy import DEFAULT
from checks.rules.telegram import telegram_cloud_chats
from tests.checks.factories import TODAY, app, findings, phone

TELEGRAM = "org.telegram.messenger"
CHALLEGRAM = "org.thunderdog.challegram"
SERIAL = "TESTPHONE"
"""The factories' phone serial."""


def claim(package: str | None, *, device: str = SERIAL, problem: str | None) -> Claim:
    a = Attestation("Team lead", TODAY - timedelta(days=3), "checked", TODAY + timedelta(days=30),
                    device, package)  # fmt: skip
    return Claim("MSG-07", a, "attest.json", None if problem else "SHA256:abc", problem)


def refusal_notes(c: Claim) -> dict[str | None, tuple[Status, bool, int]]:
    """Per package: status, attested or not, and how many refusal notes its MSG-07 finding has."""
    found: tuple[Finding, ...] = findings(
        telegram_cloud_chats, phone(app(TELEGRAM), app(CHALLEGRAM)), with_claims(DEFAULT, [c])
    )
    return {
        f.package: (
            f.status,
            f.attested is not None,
            sum(e.source == "attestation" for e in f.evidence),
        )
        for f in found
    }


@pytest.mark.parametrize("package", [TELEGRAM, CHALLEGRAM])
def test_a_forged_claim_is_named_on_its_packages_finding_only(package: str) -> None:
    other = CHALLEGRAM if package == TELEGRAM else TELEGRAM
    notes = refusal_notes(claim(package, problem="the signature does not verify"))
    assert notes[package] == (Status.MANUAL, False, 1)
    assert notes[other] == (Status.MANUAL, False, 0)


def test_a_forged_claim_for_every_install_is_named_on_each() -> None:
    notes = refusal_notes(claim(None, problem="the signature does not verify"))
    assert notes == {TELEGRAM: (Status.MANUAL, False, 1), CHALLEGRAM: (Status.MANUAL, False, 1)}


def test_a_claim_for_another_phone_is_named_on_its_package_only() -> None:
    notes = refusal_notes(claim(TELEGRAM, device="R5CX000OTHER", problem=None))
    assert notes == {TELEGRAM: (Status.MANUAL, False, 1), CHALLEGRAM: (Status.MANUAL, False, 0)}


def test_a_verified_claim_for_this_phone_attests_its_package_only() -> None:
    notes = refusal_notes(claim(TELEGRAM, problem=None))
    assert notes == {TELEGRAM: (Status.MANUAL, True, 0), CHALLEGRAM: (Status.MANUAL, False, 0)}


def test_a_claim_naming_the_serial_never_repeats_it_under_a_pseudonym() -> None:
    """The scan names the phone by its pseudonym: a verified claim made for its serial is not
    applied, and the note says so without the serial (the pseudonym hides it); a claim for
    another phone names that phone by its pseudonym (one naming it by a serial says nothing:
    tests/review7/test_pseudonym_other_phone.py)."""
    pseudonym = "anon-0123456789abcdef"
    snap = phone(app(TELEGRAM))
    for device, named in ((SERIAL, False), ("anon-fedcba9876543210", True)):
        policy = with_claims(DEFAULT, [claim(TELEGRAM, device=device, problem=None)])
        [f] = judge(snap, policy, today=TODAY, checks=[telegram_cloud_chats], device=pseudonym)
        [note] = [e.text for e in f.evidence if e.source == "attestation"]
        assert (f.attested, device in note) == (None, named)

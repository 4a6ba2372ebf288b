"""Pins for mutants of ``checks/evaluate.py``, ``checks/findings.py`` and ``checks/owners.py``
that the rule tests let live: the summary's count of attested items, what each status means
(``msgscan checks --json`` lists it), and the description of each kind of profile.
"""

from __future__ import annotations

from datetime import timedelta

from checks.evaluate import summarize
from checks.findings import STATUS_MEANING, Attestation, Status
from checks.owners import Profile, ProfileKind
from checks.policy import Policy
from checks.rules.telegram import telegram_cloud_chats
from tests.checks.factories import TODAY, app, findings, phone

TELEGRAM = "org.telegram.messenger"


def test_the_summary_counts_attested_manual_items() -> None:
    """MSG-07 attested for this phone stays manual and counts once as attested; unattested,
    it counts as manual only."""
    a = Attestation(
        "Team lead", TODAY - timedelta(days=1), "", TODAY + timedelta(days=9), "TESTPHONE"
    )
    attested = findings(
        telegram_cloud_chats, phone(app(TELEGRAM)), Policy(attestations={"MSG-07": (a,)})
    )
    plain = findings(telegram_cloud_chats, phone(app(TELEGRAM)))
    got = [
        (s.counts["manual"], s.attested, s.verdict) for s in (summarize(attested), summarize(plain))
    ]
    assert got == [(1, 1, "compliant"), (1, 0, "compliant")]


def test_every_status_has_a_meaning_of_its_own() -> None:
    assert set(STATUS_MEANING) == set(Status)
    assert len(set(STATUS_MEANING.values())) == len(Status)


def test_every_kind_of_profile_describes_itself_for_the_same_user() -> None:
    """Told apart by the words, not only by the user id: a guest is not a secondary user."""
    described = {
        kind: Profile(10, kind, "com.example.owner", None).describe() for kind in ProfileKind
    }
    assert len(set(described.values())) == len(ProfileKind)

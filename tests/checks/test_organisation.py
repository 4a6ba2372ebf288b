"""ORG-01 to ORG-03: duties no phone can show, attested in the policy."""

from __future__ import annotations

from datetime import date

import pytest

from checks.facts import Unseen
from checks.findings import Attestation, Status
from checks.policy import DEFAULT, Policy
from checks.rule import Check
from checks.rules.organisation import (
    customers_informed,
    no_internal_whatsapp,
    no_professional_secrecy,
)
from tests.checks.factories import app, phone, statuses, texts

RULES = [customers_informed]
WHATSAPP_RULES = [no_internal_whatsapp, no_professional_secrecy]
ATTESTED = Policy(
    attestations={
        "ORG-01": Attestation("Data protection officer", date(2026, 9, 1), "notice v3"),
        "ORG-02": Attestation("Head of sales", date(2026, 9, 2)),
        "ORG-03": Attestation("Compliance", date(2026, 9, 3), "no doctors among customers"),
    }
)


class TestOrganisation:
    @pytest.mark.parametrize("rule", RULES, ids=lambda r: r.info.id)
    @pytest.mark.parametrize(
        ("policy", "snapshot", "expected"),
        [
            (DEFAULT, phone(app("com.whatsapp")), [Status.MANUAL]),
            (DEFAULT, phone(app("org.thoughtcrime.securesms")), [Status.MANUAL]),
            (DEFAULT, phone(), [Status.MANUAL]),
            (ATTESTED, phone(app("com.whatsapp")), [Status.PASS]),
            (
                Policy(attestations={"ORG-99": Attestation("x", date(2026, 1, 1))}),
                phone(),
                [Status.MANUAL],
            ),
        ],
        ids=["whatsapp", "other-messenger", "no-messenger", "attested", "other-item-attested"],
    )
    def test_statuses(
        self, rule: Check, policy: Policy, snapshot: object, expected: list[Status]
    ) -> None:
        """One outcome in every report: manual until the policy records an attestation."""
        assert expected == statuses(rule, snapshot, policy)  # type: ignore[arg-type]

    @pytest.mark.parametrize("rule", WHATSAPP_RULES, ids=lambda r: r.info.id)
    @pytest.mark.parametrize(
        ("policy", "snapshot", "expected"),
        [
            (DEFAULT, phone(app("com.whatsapp")), [Status.MANUAL]),
            (DEFAULT, phone(app("com.whatsapp.w4b", users=(10,))), [Status.MANUAL]),
            (DEFAULT, phone(app("com.gbwhatsapp")), [Status.MANUAL]),
            (DEFAULT, phone(app("org.thoughtcrime.securesms")), [Status.NOT_APPLICABLE]),
            (DEFAULT, phone(), [Status.NOT_APPLICABLE]),
            (ATTESTED, phone(app("com.whatsapp")), [Status.PASS]),
            (ATTESTED, phone(), [Status.NOT_APPLICABLE]),
            (DEFAULT, phone(packages=Unseen("dumpsys package packages failed (exit 1)")), [Status.MANUAL]),
        ],
        ids=["whatsapp", "business", "mod", "other-messenger", "no-messenger", "attested",
             "attested-no-whatsapp", "packages-unseen"],
    )
    def test_whatsapp_items(
        self, rule: Check, policy: Policy, snapshot: object, expected: list[Status]
    ) -> None:
        """ORG-02 and ORG-03 concern WhatsApp: not applicable without a WhatsApp-family app;
        an unreadable package list never makes them not applicable."""
        assert expected == statuses(rule, snapshot, policy)  # type: ignore[arg-type]

    def test_attestation_evidence(self) -> None:
        """A pass says who attested, when, and their note."""
        assert ["attested by Data protection officer on 2026-09-01: notice v3"] == texts(
            customers_informed, phone(), ATTESTED
        )
        assert ["attested by Head of sales on 2026-09-02"] == texts(
            no_internal_whatsapp, phone(app("com.whatsapp")), ATTESTED
        )

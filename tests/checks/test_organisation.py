"""ORG-01 to ORG-03: duties no phone can show, attested in the policy ([attest.ORG-01])."""

from __future__ import annotations

from datetime import date

import pytest

from checks.findings import Attestation, Status
from checks.policy import DEFAULT, Policy
from checks.rule import Check
from checks.rules.organisation import (
    customers_informed,
    no_internal_whatsapp,
    no_professional_secrecy,
)
from tests.checks.factories import M, NA, REFUSED, U, app, findings, phone, statuses, texts

RULES = [customers_informed, no_internal_whatsapp, no_professional_secrecy]
ATTESTED = Policy(
    attestations={
        "ORG-01": (Attestation("Data protection officer", date(2026, 9, 1), "notice v3"),),
        "ORG-02": (Attestation("Head of sales", date(2026, 9, 2)),),
        "ORG-03": (Attestation("Compliance", date(2026, 9, 3), "no doctors among customers"),),
    }
)


WHATSAPP_ONLY = ["ORG-02", "ORG-03"]


class TestOrganisation:
    @pytest.mark.parametrize("rule", RULES, ids=lambda r: r.info.id)
    @pytest.mark.parametrize(
        ("policy", "snapshot", "expected", "whatsapp_only"),
        [
            (DEFAULT, phone(app("com.whatsapp")), M, M),
            (DEFAULT, phone(app("com.whatsapp.w4b")), M, M),
            (DEFAULT, phone(app("org.thoughtcrime.securesms")), M, NA),
            (DEFAULT, phone(), M, NA),
            (DEFAULT, phone(packages=REFUSED), M, U),
            (ATTESTED, phone(app("com.whatsapp")), M, M),
            (
                Policy(attestations={"ORG-99": (Attestation("x", date(2026, 1, 1)),)}),
                phone(app("com.whatsapp")),
                M,
                M,
            ),
        ],
        ids=["whatsapp", "business", "other-messenger", "no-messenger", "packages-unreadable",
             "attested", "other-item-attested"],
    )
    def test_statuses(
        self, rule: Check, policy: Policy, snapshot: object, expected: Status,
        whatsapp_only: Status,
    ) -> None:
        """ORG-01 is manual on every phone; ORG-02 and ORG-03 concern WhatsApp: not applicable
        without a WhatsApp-family app (checklist, amended 2026-12-02). An attested item stays
        manual, with ``attested`` set."""
        want = whatsapp_only if rule.info.id in WHATSAPP_ONLY else expected
        assert [want] == statuses(rule, snapshot, policy)  # type: ignore[arg-type]

    def test_attested_stays_manual(self) -> None:
        """The attestation is carried on the finding: who, when; the status stays manual."""
        (f,) = findings(customers_informed, phone(), ATTESTED)
        assert (Status.MANUAL, "Data protection officer") == (f.status, f.attested and f.attested.by)

    def test_unattested_names_the_policy_table(self) -> None:
        """The evidence points to the table the policy loader reads."""
        assert texts(customers_informed, phone())[0].endswith("(policy [attest.ORG-01])")

    def test_attestation_evidence(self) -> None:
        """The evidence says who attested, when, and their note."""
        assert "attested by Data protection officer on 2026-09-01: notice v3" == texts(
            customers_informed, phone(), ATTESTED
        )[-1]
        assert "attested by Head of sales on 2026-09-02" == texts(
            no_internal_whatsapp, phone(app("com.whatsapp")), ATTESTED
        )[-1]

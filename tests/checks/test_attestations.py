"""Attestations: items a person checks, recorded in the policy under [attest.<id>].

Per device (MSG-03's cloud part, MSG-06, MSG-07): who, when, until when, for which phone and
optionally which package. An attested item stays ``manual`` with ``attested`` set; an expired
attestation, or one for another phone or package, attests nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from checks.evaluate import evaluate
from checks.findings import Attestation, Evidence, Outcome, Severity, Status
from checks.policy import Policy
from checks.policy_file import parse_policy
from checks.registry import INDEX
from checks.rule import Context, check
from checks.rules.organisation import customers_informed
from checks.rules.permissions import contacts_access
from checks.rules.telegram import telegram_cloud_chats
from tests.checks.factories import RC, TODAY, app, findings, phone

TELEGRAM = "org.telegram.messenger"
SERIAL = "TESTPHONE"
"""The factories' phone serial."""


def attest(check_id: str, *, device: str = SERIAL, package: str | None = None,
           until: date = TODAY + timedelta(days=30), on: date = TODAY - timedelta(days=10)) -> Policy:
    a = Attestation("Team lead", on, "checked on the phone", until, device, package)
    return Policy(attestations={check_id: (a,)})


def one(policy: Policy, *, rule=telegram_cloud_chats, snapshot=None):  # type: ignore[no-untyped-def]
    [f] = findings(rule, snapshot or phone(app(TELEGRAM)), policy)
    return f


class TestPerDevice:
    def test_attested_for_this_phone(self) -> None:
        """MSG-07 attested for this phone: manual, attested, with who/when/until in evidence."""
        f = one(attest("MSG-07"))

        assert (Status.MANUAL, "Team lead") == (f.status, f.attested and f.attested.by)
        assert (
            f"attested by Team lead on {(TODAY - timedelta(days=10)).isoformat()} until "
            f"{(TODAY + timedelta(days=30)).isoformat()}: checked on the phone"
        ) == f.evidence[-1].text

    def test_another_phone_does_not_apply(self) -> None:
        """An attestation made on another phone leaves this one manual and unattested."""
        f = one(attest("MSG-07", device="R5CX000OTHER"))

        assert (Status.MANUAL, None) == (f.status, f.attested)
        assert "not attested for this phone: record it in the policy as [[attest.MSG-07]]" in (
            f.evidence[-1].text
        )

    def test_expired_is_manual_again(self) -> None:
        """After its until date the item is manual again and the evidence says it expired on …"""
        lapsed = TODAY - timedelta(days=1)
        f = one(attest("MSG-07", until=lapsed, on=TODAY - timedelta(days=100)))

        assert (Status.MANUAL, None) == (f.status, f.attested)
        assert f"expired on {lapsed.isoformat()}: attest it again ([[attest.MSG-07]])" in (
            f.evidence[-1].text
        )

    def test_holds_on_its_last_day(self) -> None:
        """until is the last day it holds."""
        assert one(attest("MSG-07", until=TODAY)).attested is not None

    @pytest.mark.parametrize(("package", "applies"), [(TELEGRAM, True), ("org.thunderdog.challegram", False)])
    def test_package(self, package: str, applies: bool) -> None:
        """A package-bound attestation covers only that install."""
        assert applies == (one(attest("MSG-07", package=package)).attested is not None)

    def test_pseudonym_names_the_phone(self) -> None:
        """With --pseudonymize the phone is named by its pseudonym, as for waivers."""
        policy = attest("MSG-07", device="anon-1234")
        [f] = evaluate(phone(app(TELEGRAM)), policy, today=TODAY, checks=[telegram_cloud_chats],
                       device="anon-1234")
        assert f.attested is not None

    def test_contacts_manual_attested_but_a_failure_stays(self) -> None:
        """MSG-06: WhatsApp's phonebook access (manual) takes the attestation; Wire's (a
        failure the phone shows) never does."""
        snap = phone(app("com.whatsapp", grants={RC: True}), app("com.wire", grants={RC: True}))
        got = {f.package: (f.status, f.attested is not None)
               for f in findings(contacts_access, snap, attest("MSG-06"))}

        assert {"com.whatsapp": (Status.MANUAL, True), "com.wire": (Status.FAIL, False)} == got


@check(id="MSG-03", slug="t", title="t", severity=Severity.HIGH, article=customers_informed.info.article,
       rationale="t", remediation=("t",))
def archives_and_cloud(ctx: Context):  # type: ignore[no-untyped-def]
    """MSG-03's shape: local archives (what the phone shows) and the cloud setting (manual)."""
    local = Status.FAIL if ctx.snapshot.storage else Status.PASS
    yield Outcome(local, (Evidence("local archives", "find"),), "com.whatsapp", 0)
    yield Outcome(Status.MANUAL, (Evidence("Google Drive setting is app-private", "x"),), "com.whatsapp", 0)


class TestMergedItem:
    def test_attested_cloud_part_with_clean_storage(self) -> None:
        """Local pass + attested cloud part: one manual finding, attested, both parts' evidence."""
        [f] = evaluate(phone(app("com.whatsapp")), attest("MSG-03"), today=TODAY,
                       checks=[archives_and_cloud], strict=True)

        assert (Status.MANUAL, True) == (f.status, f.attested is not None)
        assert ["Google Drive setting is app-private", "local archives"] == [
            e.text for e in f.evidence if not e.text.startswith("attested")
        ]


class TestOrganisation:
    def test_one_attestation_covers_every_phone(self) -> None:
        """[attest.ORG-01] has no device: it applies on every phone, and may carry until."""
        policy = Policy(attestations={"ORG-01": (Attestation("DPO", date(2026, 9, 1)),)})
        for serial in ("A1", "B2"):
            [f] = evaluate(phone(), policy, today=TODAY, checks=[customers_informed], device=serial)
            assert (Status.MANUAL, "DPO") == (f.status, f.attested and f.attested.by)

    def test_expired_organisational_attestation(self) -> None:
        policy = Policy(attestations={"ORG-01": (Attestation("DPO", date(2025, 1, 1), "", date(2025, 12, 31)),)})
        [f] = findings(customers_informed, phone(), policy)
        assert f.attested is None and "expired on 2025-12-31" in f.evidence[-1].text


class TestPolicyFile:
    def test_reads_per_device_entries(self) -> None:
        """Two phones, two [[attest.MSG-07]] entries; each applies only to its own phone."""
        data = b"""
[[attest.MSG-07]]
device = "TESTPHONE"
by = "Team lead"
on = 2026-11-01
until = 2027-04-30

[[attest.MSG-07]]
device = "R5CX000OTHER"
package = "org.telegram.messenger"
by = "Team lead"
on = 2026-11-02
until = 2027-04-30
note = "secret chats only"
"""
        policy = parse_policy(data, "p.toml", known_checks=set(INDEX))
        assert ["TESTPHONE", "R5CX000OTHER"] == [a.device for a in policy.attestations["MSG-07"]]
        assert one(policy).attested == policy.attestations["MSG-07"][0]

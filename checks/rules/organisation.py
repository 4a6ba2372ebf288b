"""What the organisation must do and no phone can show: attested by a person, in every report.

ORG-01 customers-informed, ORG-02 no-internal-whatsapp, ORG-03 no-professional-secrecy.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.findings import Article, Evidence, Outcome, Severity, Status
from checks.rule import Context, check
from checks.rules._common import PITFALLS, POLICY, installs


def _about_whatsapp(ctx: Context, check_id: str, duty: str) -> Iterator[Outcome]:
    """ORG-02 and ORG-03 concern WhatsApp: nothing (not applicable) on a phone without a
    WhatsApp-family app (checklist, amended 2026-12-02); attested or manual otherwise.

    Decision: when the package list is unreadable it is not known whether WhatsApp is there, so
    the item stays as it would be with WhatsApp (manual or attested), never not applicable.
    """
    found = installs(ctx.snapshot)
    if not isinstance(found, Outcome) and not any(i.messenger.whatsapp_family for i in found):
        return
    yield from _attested(ctx, check_id, duty)


def _attested(ctx: Context, check_id: str, duty: str) -> Iterator[Outcome]:
    """Pass when the policy records an attestation for the item, manual otherwise.

    Decision: ORG-01 appears whatever the phone holds: a fleet tracks that attestation per
    organisation, not per phone's contents.
    """
    attestation = ctx.policy.attestations.get(check_id)
    if attestation is None:
        yield Outcome(
            Status.MANUAL,
            (
                Evidence(
                    f"the phone cannot show this; a person must attest that {duty} "
                    f"(policy attestations.{check_id})",
                    POLICY,
                    {"policy": ctx.policy.name},
                ),
            ),
        )
        return
    note = f": {attestation.note}" if attestation.note else ""
    yield Outcome(
        Status.PASS,
        (
            Evidence(
                f"attested by {attestation.by} on {attestation.on.isoformat()}{note}",
                POLICY,
                {"by": attestation.by, "on": attestation.on.isoformat(), "note": attestation.note},
            ),
        ),
    )


@check(
    id="ORG-01",
    slug="customers-informed",
    title="Customers informed before messenger use",
    severity=Severity.MEDIUM,
    article=Article(PITFALLS, "Achtung-Hinweis: Kunden vorab über die Nutzung informieren"),
    rationale=(
        "Whoever uses WhatsApp for work despite its risks should tell customers beforehand: their "
        "number, profile data and metadata reach the operator, a company in the USA."
    ),
    remediation=(
        (
            "Add to the customer information (privacy notice, first message, contract annex) that "
            "and how the messenger is used and which data reach its operator."
        ),
        (
            "Keep the text and the date it was introduced, then record the attestation in the "
            "policy (attestations.ORG-01: who, when, note)."
        ),
    ),
)
def customers_informed(ctx: Context) -> Iterator[Outcome]:
    """Manual unless the policy attests that customers are informed before messenger use."""
    yield from _attested(
        ctx, "ORG-01", "customers are informed before the messenger is used with them"
    )


@check(
    id="ORG-02",
    slug="no-internal-whatsapp",
    title="WhatsApp not used for purely internal communication",
    severity=Severity.MEDIUM,
    article=Article(PITFALLS, "Experten: nicht für rein interne Firmenkommunikation"),
    rationale=(
        "Experts quoted by the article advise against WhatsApp for purely internal company "
        "communication: there is no customer reason to accept its data flows, and internal tools "
        "without them exist."
    ),
    remediation=(
        (
            "Provide an internal channel (the company's chat, Threema Work or Wire) and tell staff "
            "that WhatsApp is for customers only."
        ),
        "Record the attestation in the policy (attestations.ORG-02: who, when, note).",
    ),
)
def no_internal_whatsapp(ctx: Context) -> Iterator[Outcome]:
    """Not applicable without a WhatsApp-family app; else manual unless the policy attests that
    WhatsApp is not used for internal communication."""
    yield from _about_whatsapp(ctx, "ORG-02", "WhatsApp is not used for purely internal communication")


@check(
    id="ORG-03",
    slug="no-professional-secrecy",
    title="WhatsApp not used with holders of professional secrecy",
    severity=Severity.MEDIUM,
    article=Article(PITFALLS, "Experten: nicht mit Berufsgeheimnisträgern wie Ärzten"),
    rationale=(
        "Experts quoted by the article advise against WhatsApp in exchanges with people bound by "
        "professional secrecy, such as doctors: their messages carry data the law protects most, "
        "and the messenger's metadata alone may reveal the relationship."
    ),
    remediation=(
        (
            "Agree another channel with doctors, lawyers and other holders of professional secrecy "
            "(encrypted e-mail, a portal, Threema Work) and tell staff not to use WhatsApp with "
            "them."
        ),
        "Record the attestation in the policy (attestations.ORG-03: who, when, note).",
    ),
)
def no_professional_secrecy(ctx: Context) -> Iterator[Outcome]:
    """Not applicable without a WhatsApp-family app; else manual unless the policy attests that
    WhatsApp is not used with secrecy holders."""
    yield from _about_whatsapp(
        ctx, "ORG-03", "WhatsApp is not used with doctors or other holders of professional secrecy"
    )

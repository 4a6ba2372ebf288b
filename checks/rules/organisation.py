"""What the organisation must do and no phone can show: attested by a person, in every report.

ORG-01 customers-informed, ORG-02 no-internal-whatsapp, ORG-03 no-professional-secrecy.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.findings import Article, Evidence, Message, Outcome, Severity, Status, say
from checks.policy import attest_key
from checks.rule import Context, check
from checks.rules._common import PACKAGES, PITFALLS, POLICY, installs


def _attested(
    ctx: Context, check_id: str, duty: Message, *, whatsapp: bool = False
) -> Iterator[Outcome]:
    """Manual: the phone cannot show it. ``checks.evaluate`` adds the policy's attestation
    (``[attest.ORG-01]``: who, when), and the item stays ``manual`` with ``attested`` set.

    ORG-01 appears on every phone (customers are informed of any messenger use). ORG-02 and
    ORG-03 (``whatsapp``) concern WhatsApp: not applicable on a phone without a WhatsApp-family
    app (the checklist, amended 2026-12-02); unknown when the package list is unreadable.
    """
    if whatsapp:
        found = installs(ctx.snapshot)
        if isinstance(found, Outcome):
            yield found
            return
        if not any(i.messenger.whatsapp_family for i in found):
            yield Outcome(
                Status.NOT_APPLICABLE,
                (
                    Evidence.of(
                        say("org.no_whatsapp", "no WhatsApp-family app installed"), PACKAGES
                    ),
                ),
            )
            return
    yield Outcome(
        Status.MANUAL,
        (
            Evidence.of(
                say(
                    "org.attest",
                    "the phone cannot show this; a person must attest that {duty} (policy {key})",
                    duty=duty,
                    key=attest_key(check_id),
                ),
                POLICY,
                {"policy": ctx.policy.name},
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
            "policy [attest.ORG-01]: by, on, note."
        ),
    ),
)
def customers_informed(ctx: Context) -> Iterator[Outcome]:
    """Manual on every phone; the policy's attestation is shown beside it."""
    yield from _attested(
        ctx,
        "ORG-01",
        say("org.duty.informed", "customers are informed before the messenger is used with them"),
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
        "without them exist. Only phones with a WhatsApp-family app: not applicable elsewhere."
    ),
    remediation=(
        (
            "Provide an internal channel (the company's chat, Threema Work or Wire) and tell staff "
            "that WhatsApp is for customers only."
        ),
        "Record the attestation in the policy [attest.ORG-02]: by, on, note.",
    ),
)
def no_internal_whatsapp(ctx: Context) -> Iterator[Outcome]:
    """Manual where a WhatsApp-family app is installed (attested in the policy), else n/a."""
    yield from _attested(
        ctx,
        "ORG-02",
        say("org.duty.internal", "WhatsApp is not used for purely internal communication"),
        whatsapp=True,
    )


@check(
    id="ORG-03",
    slug="no-professional-secrecy",
    title="WhatsApp not used with holders of professional secrecy",
    severity=Severity.MEDIUM,
    article=Article(PITFALLS, "Experten: nicht mit Berufsgeheimnisträgern wie Ärzten"),
    rationale=(
        "Experts quoted by the article advise against WhatsApp in exchanges with people bound by "
        "professional secrecy, such as doctors: their messages may carry data the law protects "
        "most, "
        "and the messenger's metadata alone may reveal the relationship. Only phones with a "
        "WhatsApp-family app: not applicable elsewhere."
    ),
    remediation=(
        (
            "Agree another channel with doctors, lawyers and other holders of professional secrecy "
            "(encrypted e-mail, a portal, Threema Work) and tell staff not to use WhatsApp with "
            "them."
        ),
        "Record the attestation in the policy [attest.ORG-03]: by, on, note.",
    ),
)
def no_professional_secrecy(ctx: Context) -> Iterator[Outcome]:
    """Manual where a WhatsApp-family app is installed (attested in the policy), else n/a."""
    yield from _attested(
        ctx,
        "ORG-03",
        say(
            "org.duty.secrecy",
            "WhatsApp is not used with doctors or other holders of professional secrecy",
        ),
        whatsapp=True,
    )

"""MSG-01 consumer-whatsapp: consumer WhatsApp where WhatsApp Business belongs.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.findings import Article, Evidence, Outcome, Severity, Status
from checks.rule import Context, check
from checks.rules._common import (
    PACKAGES,
    PITFALLS,
    installs,
    user_label,
)


@check(
    id="MSG-01",
    slug="consumer-whatsapp",
    title="Consumer WhatsApp instead of WhatsApp Business",
    severity=Severity.MEDIUM,
    article=Article(PITFALLS, "Achtung-Hinweis: für den Beruf besser WhatsApp Business"),
    rationale=(
        "The article advises anyone who still uses WhatsApp for work to use WhatsApp Business. "
        "The business app keeps work chats apart from a private account and gives the business "
        "a profile customers can recognise; consumer WhatsApp mixes both."
    ),
    remediation=(
        (
            "Install WhatsApp Business from Google Play (or from the company's MDM into the work "
            "profile) and register the business number in it."
        ),
        (
            "When WhatsApp Business offers to move the chats of that number from WhatsApp on this "
            "phone, accept; then stop using consumer WhatsApp for customers."
        ),
        (
            "Where the phone is only for business, remove consumer WhatsApp: Settings > Apps > "
            "WhatsApp > Uninstall (in every profile it appears in)."
        ),
    ),
)
def consumer_whatsapp(ctx: Context) -> Iterator[Outcome]:
    """Fail per user with consumer WhatsApp; pass per WhatsApp Business install when no consumer
    WhatsApp is on the phone; nothing (not applicable) without either.

    Decision: WhatsApp mods are not counted here; MSG-08 fails them as critical, and counting
    them twice would double one problem.
    """
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    consumer = [i for i in found if i.messenger.key == "whatsapp"]
    business = [i for i in found if i.messenger.key == "whatsapp_business"]
    for install in consumer:
        evidence = [
            Evidence(
                f"consumer WhatsApp ({install.name}) installed for "
                f"{user_label(ctx.snapshot, install.user_id)}",
                PACKAGES,
                {"package": install.name, "user": install.user_id},
            )
        ]
        if business:
            users = sorted({b.user_id for b in business})
            evidence.append(
                Evidence(
                    f"WhatsApp Business is also installed (users {', '.join(map(str, users))})",
                    PACKAGES,
                    {"business_users": users},
                )
            )
        yield install.outcome(Status.FAIL, *evidence)
    if consumer:
        return
    for install in business:
        yield install.outcome(
            Status.PASS,
            Evidence(
                f"WhatsApp Business installed for {user_label(ctx.snapshot, install.user_id)}; "
                "no consumer WhatsApp in any profile",
                PACKAGES,
                {"package": install.name, "user": install.user_id},
            ),
        )

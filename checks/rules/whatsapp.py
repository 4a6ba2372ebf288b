"""MSG-01 consumer-whatsapp: consumer WhatsApp where WhatsApp Business belongs.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.catalog import Edition
from checks.findings import Article, Evidence, Outcome, Severity, Status, say
from checks.rule import Context, check
from checks.rules._byod import business_beside, private_whatsapp
from checks.rules._common import (
    PACKAGES,
    PITFALLS,
    POLICY,
    installs,
    user_msg,
)


@check(
    id="MSG-01",
    slug="consumer-whatsapp",
    title="Consumer WhatsApp instead of WhatsApp Business",
    severity=Severity.MEDIUM,
    article=Article(PITFALLS, "Achtung-Hinweis: für den Beruf besser WhatsApp Business"),
    rationale=(
        "The article advises anyone who uses WhatsApp for work despite its risks to use WhatsApp "
        "Business. The business app keeps work chats apart from a private account and gives the "
        "business a profile customers can recognise; consumer WhatsApp mixes both. Neither app "
        "comes with a data-processing agreement from Meta: only the WhatsApp Business Platform "
        "(Cloud API), a separate service for businesses, does. On a personal phone "
        "whose MDM work profile holds WhatsApp Business (BYOD), consumer WhatsApp on the personal "
        "side is the employee's own app: informational, unless the policy forbids it."
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
    """Per consumer WhatsApp install: fail, or informational when it sits on the personal side
    (personal profile, its clones, its private space) of a BYOD phone (an MDM work profile holds
    WhatsApp Business) and the policy does not forbid personal WhatsApp. Per WhatsApp Business
    install: pass, judged on its own whatever consumer WhatsApp exists elsewhere. Nothing (not
    applicable) without either.

    Decision: WhatsApp mods are not counted here; MSG-08 fails them as critical, and counting
    them twice would double one problem.
    """
    snapshot = ctx.snapshot
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    business = [i for i in found if i.messenger.edition is Edition.BUSINESS]
    for install in found:
        where = user_msg(snapshot, install.user_id)
        if install.messenger.edition is Edition.BUSINESS:
            yield install.outcome(
                Status.PASS,
                Evidence.of(
                    say(
                        "whatsapp.business",
                        "{name} installed for {where}",
                        name=install.messenger.name,
                        where=where,
                    ),
                    PACKAGES,
                    {"package": install.name, "user": install.user_id},
                ),
            )
            continue
        if install.messenger.edition is not Edition.CONSUMER:
            continue
        evidence = [
            Evidence.of(
                say(
                    "whatsapp.consumer",
                    "consumer {name} ({package}) installed for {where}",
                    name=install.messenger.name,
                    package=install.name,
                    where=where,
                ),
                PACKAGES,
                {"package": install.name, "user": install.user_id},
            )
        ]
        work = private_whatsapp(snapshot, install, found)
        if work is not None:
            evidence.append(business_beside(work))
            if not ctx.policy.personal_whatsapp_forbidden:
                evidence.append(
                    Evidence.of(
                        say(
                            "whatsapp.byod",
                            "on the personal side of the phone, WhatsApp is the "
                            "employee's private app (BYOD)",
                        ),
                        POLICY,
                        {"personal_whatsapp": "private"},
                    )
                )
                yield install.outcome(Status.INFORMATIONAL, *evidence)
                continue
            evidence.append(
                Evidence.of(
                    say(
                        "whatsapp.byod_forbidden",
                        "the policy forbids personal WhatsApp beside the work profile",
                    ),
                    POLICY,
                    {"personal_whatsapp": "forbidden"},
                )
            )
        elif business:
            users = sorted({b.user_id for b in business})
            evidence.append(
                Evidence.of(
                    say(
                        "whatsapp.business_too",
                        "WhatsApp Business is also installed (users {users})",
                        users=users,
                    ),
                    PACKAGES,
                    {"business_users": users},
                )
            )
        yield install.outcome(Status.FAIL, *evidence)

"""MSG-07 telegram-cloud-chats: Telegram's normal chats are cloud chats.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.findings import Article, Evidence, Outcome, Severity, Status, say
from checks.rule import Context, check
from checks.rules._common import (
    ALTERNATIVES,
    PACKAGES,
    installs,
    user_msg,
)


@check(
    id="MSG-07",
    slug="telegram-cloud-chats",
    title="Telegram chats readable by the operator unless secret",
    severity=Severity.MEDIUM,
    article=Article(ALTERNATIVES, "Telegram: Ende-zu-Ende nur, wenn man geheime Chats wählt"),
    rationale=(
        "Telegram encrypts ordinary chats only between phone and server: the operator can read "
        "them. Only secret chats (one-to-one) are end-to-end encrypted, and the user has to "
        "start them. Which chats are used is not visible on the phone without root."
    ),
    remediation=(
        (
            "Hold business conversations only in secret chats: open the contact, tap ⋮ (More) > "
            "Start Secret Chat."
        ),
        (
            "Do not use Telegram groups or channels for customer data: they are never end-to-end "
            "encrypted."
        ),
        "Record who checked this phone, when and until when: msgscan attest MSG-07 --device "
        "SERIAL (docs/attestations.md), or in the policy: [[attest.MSG-07]].",
    ),
)
def telegram_cloud_chats(ctx: Context) -> Iterator[Outcome]:
    """Manual for every Telegram install (official, web APK, beta, Telegram X); nothing without."""
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        if not install.messenger.secret_chats:
            continue
        yield install.outcome(
            Status.MANUAL,
            Evidence.of(
                say(
                    "telegram.secret_chats",
                    "{label} installed for {where}: whether business chats are secret chats "
                    "cannot be read without root",
                    label=install.variant.label,
                    where=user_msg(ctx.snapshot, install.user_id),
                ),
                PACKAGES,
                {"package": install.name, "user": install.user_id},
            ),
        )

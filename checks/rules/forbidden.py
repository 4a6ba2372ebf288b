"""MSG-11 policy-forbidden: messengers the organisation's policy forbids.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.findings import Article, Evidence, Outcome, Severity, Status, say
from checks.rule import Context, check
from checks.rules._common import (
    PITFALLS,
    POLICY,
    installs,
)


@check(
    id="MSG-11",
    slug="policy-forbidden",
    title="Messenger forbidden by the organisation",
    severity=Severity.HIGH,
    article=Article(PITFALLS, "Firmen verbieten WhatsApp auf Diensthandys (Beispiel Continental)"),
    rationale=(
        "Some organisations forbid a messenger on work phones altogether, as the article reports "
        "of an automotive supplier. Where the policy names a messenger, any install of it is a "
        "breach of that rule whatever its settings."
    ),
    remediation=(
        (
            "Uninstall the forbidden messenger: Settings > Apps > (the app) > Uninstall, in every "
            "profile it appears in."
        ),
        "Move business conversations to a messenger the policy allows.",
        (
            "If it must stay on this phone, change the policy's denied list or record a waiver "
            "with a reason and an end date."
        ),
    ),
)
def policy_forbidden(ctx: Context) -> Iterator[Outcome]:
    """Fail per install the policy denies (by catalog key or package name), pass otherwise."""
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    policy = ctx.policy
    for install in found:
        data = {"policy": policy.name, "key": install.messenger.key}
        if policy.denies(install.messenger.key, install.name):
            yield install.outcome(
                Status.FAIL,
                Evidence.of(
                    say(
                        "policy.forbidden",
                        "{name} is forbidden by policy {policy:policy}",
                        name=install.messenger.name,
                        policy=policy.name,
                    ),
                    POLICY,
                    data,
                ),
            )
        else:
            yield install.outcome(
                Status.PASS,
                Evidence.of(
                    say(
                        "policy.allowed",
                        "{name} is not forbidden by policy {policy:policy}",
                        name=install.messenger.name,
                        policy=policy.name,
                    ),
                    POLICY,
                    data,
                ),
            )

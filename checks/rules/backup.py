"""MSG-12 system-backup: what Android's own backup may copy of a messenger's data."""

from __future__ import annotations

from collections.abc import Iterator

from checks.facts import Unseen
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status
from checks.rule import Context, check
from checks.rules._common import (
    BACKUP,
    CATALOG,
    PACKAGES,
    TRANSPORTS,
    installs,
    unseen,
)

_BACKS_UP_TOKENS = {
    "whatsapp": "its backup agent saves only a token file, no chats",
    "whatsapp_business": "its backup agent saves only a token file, no chats",
    "telegram": "its backup agent saves only login tokens, no chats",
    "signal": "its backup agent saves only account-recovery tokens, no chats",
}
"""What the messenger's own backup agent hands to Android's backup (messengers.md §2.4, §4.4,
§5.4)."""


@check(
    id="MSG-12",
    slug="system-backup",
    title="Android's own backup may copy messenger data",
    severity=Severity.INFO,
    article=Article(BEYOND, "Kontext zu: Nachrichtenverläufe nicht archivieren"),
    rationale=(
        "Context for MSG-03: an app that allows backup hands data to Android's backup, which "
        "sends it to the selected transport (usually Google). WhatsApp, Telegram and Signal "
        "allow it but hand over only login tokens, so this is informational."
    ),
    remediation=(
        "Usually nothing to do: for WhatsApp, Telegram and Signal the backup holds no chats.",
        (
            "To keep all app data out of Google's backup: Settings > Google > Backup > Backup by "
            "Google One: off (or forbid the backup service in the MDM)."
        ),
    ),
)
def system_backup(ctx: Context) -> Iterator[Outcome]:
    """Per install: fail (informational) when the app allows backup and Android's backup is on
    with a transport; pass when the app does not allow it or backup is off; unknown when the
    backup state could not be read (or backup is on without a reported transport)."""
    snapshot = ctx.snapshot
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        if not install.package.allows_backup:
            yield install.outcome(
                Status.PASS,
                Evidence(
                    "ALLOW_BACKUP not set: Android's backup copies none of its data",
                    PACKAGES,
                    {"allow_backup": False},
                ),
            )
            continue
        flag = Evidence("ALLOW_BACKUP set in the app's flags", PACKAGES, {"allow_backup": True})
        backup = snapshot.backup
        if isinstance(backup, Unseen):
            out = unseen(snapshot, backup, BACKUP, "Android's backup state")
            yield install.outcome(out.status, flag, *out.evidence)
            continue
        if backup.enabled is False:
            yield install.outcome(
                Status.PASS, flag, Evidence("Android backup is off", BACKUP, {"enabled": False})
            )
            continue
        if backup.enabled is None or backup.transport is None:
            text = (
                "bmgr reported neither enabled nor disabled"
                if backup.enabled is None
                else "Android backup is on but no selected transport was reported"
            )
            source = BACKUP if backup.enabled is None else TRANSPORTS
            yield install.outcome(
                Status.UNKNOWN, flag, Evidence(text, source, {"enabled": backup.enabled})
            )
            continue
        what = _BACKS_UP_TOKENS.get(
            install.messenger.key, "what its backup agent copies is not documented: assume app data"
        )
        yield install.outcome(
            Status.FAIL,
            flag,
            Evidence(
                f"Android backup is on, transport {backup.transport}",
                TRANSPORTS,
                {"transport": backup.transport},
            ),
            Evidence(f"{install.messenger.name}: {what}", CATALOG, {"key": install.messenger.key}),
        )

"""MSG-12 system-backup: what Android's own backup may copy of a messenger's data."""

from __future__ import annotations

from collections.abc import Iterator

from checks.facts import Unseen
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status, say
from checks.rule import Context, check
from checks.rules._common import (
    BACKUP,
    CATALOG,
    PACKAGES,
    TRANSPORTS,
    installs,
    unseen,
    user_msg,
)


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
    """Per install, from the state of Android's backup in the install's own profile (``bmgr
    enabled`` for user 0, ``bmgr --user N`` for the others): informational when the app allows
    backup and that profile's backup is on with a transport; pass when the app does not allow
    it, or that profile's backup is off or not activated; unknown when that profile's state
    could not be read (or backup is on without a reported transport)."""
    snapshot = ctx.snapshot
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        if not install.package.allows_backup:
            yield install.outcome(
                Status.PASS,
                Evidence.of(
                    say(
                        "backup.not_allowed",
                        "ALLOW_BACKUP not set: Android's backup copies none of its data",
                    ),
                    PACKAGES,
                    {"allow_backup": False},
                ),
            )
            continue
        flag = Evidence.of(
            say("backup.allowed", "ALLOW_BACKUP set in the app's flags"),
            PACKAGES,
            {"allow_backup": True},
        )
        uid = install.user_id
        backup = snapshot.backup_for(uid)
        enabled_src, transports_src = _sources(uid)
        where = (
            "" if uid == 0 else say("backup.for_user", " for {user}", user=user_msg(snapshot, uid))
        )
        if isinstance(backup, Unseen):
            state = say("backup.state", "Android's backup state{where}", where=where)
            out = unseen(snapshot, backup, enabled_src, state)
            yield install.outcome(out.status, flag, *out.evidence)
            continue
        if backup.activated is False:
            yield install.outcome(
                Status.PASS,
                flag,
                Evidence.of(
                    say(
                        "backup.not_activated",
                        "Android's backup service is not activated{where}",
                        where=where,
                    ),
                    enabled_src,
                    {"enabled": False, "activated": False, "user": uid},
                ),
            )
            continue
        if backup.enabled is False:
            yield install.outcome(
                Status.PASS,
                flag,
                Evidence.of(
                    say("backup.off", "Android backup is off{where}", where=where),
                    enabled_src,
                    {"enabled": False, "user": uid},
                ),
            )
            continue
        if backup.enabled is None or backup.transport is None:
            text = (
                say(
                    "backup.neither",
                    "bmgr reported neither enabled nor disabled{where}",
                    where=where,
                )
                if backup.enabled is None
                else say(
                    "backup.no_transport",
                    "Android backup is on{where} but no selected transport was reported",
                    where=where,
                )
            )
            source = enabled_src if backup.enabled is None else transports_src
            yield install.outcome(
                Status.UNKNOWN,
                flag,
                Evidence.of(text, source, {"enabled": backup.enabled, "user": uid}),
            )
            continue
        what = install.messenger.backup_agent or say(
            "backup.undocumented", "what its backup agent copies is not documented: assume app data"
        )
        yield install.outcome(
            Status.INFORMATIONAL,
            flag,
            Evidence.of(
                say(
                    "backup.on",
                    "Android backup is on{where}, transport {transport}",
                    where=where,
                    transport=backup.transport,
                ),
                transports_src,
                {"transport": backup.transport, "user": uid},
            ),
            Evidence.of(
                say("backup.agent", "{name}: {what}", name=install.messenger.name, what=what),
                CATALOG,
                {"key": install.messenger.key},
            ),
        )


def _sources(user_id: int) -> tuple[str, str]:
    """The bmgr commands the user's state came from (scanner/probes.py)."""
    if user_id == 0:
        return BACKUP, TRANSPORTS
    return f"bmgr --user {user_id} enabled", f"bmgr --user {user_id} list transports"

"""What the messengers may read beyond their own data: the phonebook.

MSG-06 contacts-access.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.facts import Unseen
from checks.findings import Article, Evidence, Outcome, Severity, Status, say
from checks.rule import Context, check
from checks.rules._common import (
    APP_OPS,
    BLOCKING,
    CATALOG,
    PACKAGES,
    PITFALLS,
    granted,
    grants_unread,
    installs,
    op_mode,
)

_CONTACTS = ("android.permission.READ_CONTACTS", "android.permission.WRITE_CONTACTS")


@check(
    id="MSG-06",
    slug="contacts-access",
    title="Messenger can read the phonebook",
    severity=Severity.MEDIUM,
    article=Article(PITFALLS, "Telefonbuchzugriff nur mit Kundenkontakten, die eingewilligt haben"),
    rationale=(
        "A messenger with phonebook access uploads the numbers of every contact, including "
        "people who never agreed. The article requires that, once access is granted, only "
        "customer contacts who consented are stored; Telegram and Signal work without access, "
        "and Wire asks for none."
    ),
    remediation=(
        (
            "Where the messenger keeps phonebook access: store only customer contacts who agreed, "
            "in the work profile's or business phone's contacts, and record it in the policy: "
            "[[attest.MSG-06]]."
        ),
        (
            "Otherwise take access away: Settings > Apps > (the app) > Permissions > Contacts > "
            "Don't allow; numbers can be entered in the app by hand."
        ),
        "Wire needs no phonebook: Settings > Apps > Wire > Permissions > Contacts > Don't allow.",
    ),
)
def contacts_access(ctx: Context) -> Iterator[Outcome]:
    """Per install: contacts granted (runtime for that user or at install) and not blocked by
    the app op -> manual for messengers that may use the phonebook (a person attests only
    consenting customer contacts are stored), fail for Wire (it needs none); not granted or
    blocked -> pass; no grant seen for an app whose shared user's grants were not read
    (``Package.grants_read``) -> unknown, never pass.

    Decisions: READ_CONTACTS and WRITE_CONTACTS are checked each against its own app op. With
    app ops unreadable a seen grant still counts (an op can only take access away) and the
    evidence says the ops were not read.
    """
    snapshot = ctx.snapshot
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    ops = snapshot.app_ops
    for install in found:
        pkg, user_id = install.package, install.user_id
        holds: list[str] = []
        blocked: list[str] = []
        denied: list[str] = []
        for permission in _CONTACTS:
            short = permission.rsplit(".", 1)[-1]
            if not granted(pkg, user_id, permission):
                pu = pkg.user(user_id)
                if pu is not None and pu.runtime_permissions.get(permission) is False:
                    denied.append(short)
                continue
            mode = None if isinstance(ops, Unseen) else op_mode(ops, pkg, user_id, short)
            (blocked if mode in BLOCKING else holds).append(short)
        data = {"granted": holds, "blocked": blocked, "denied": denied, "user": user_id}
        if not holds and not pkg.grants_read:
            yield install.outcome(Status.UNKNOWN, grants_unread(pkg))
            continue
        if not holds:
            yield install.outcome(Status.PASS, _not_held(user_id, blocked, denied, data))
            continue
        held = say(
            "contacts.granted",
            "{permissions} granted for user {user}",
            permissions=holds,
            user=user_id,
        )
        evidence = [Evidence.of(held, PACKAGES, data)]
        if isinstance(ops, Unseen):
            evidence.append(
                Evidence.of(
                    say(
                        "fact.unreadable",
                        "{what} could not be read: {reason:reason}",
                        what=say("fact.app_ops_plain", "app ops"),
                        reason=ops.reason,
                    ),
                    APP_OPS,
                    {"reason": ops.reason},
                )
            )
        if install.messenger.needs_contacts:
            evidence.append(
                Evidence.of(
                    say(
                        "contacts.attest",
                        "a person must attest that only customer contacts who consented are stored",
                    ),
                    CATALOG,
                    {"needs_contacts": True},
                )
            )
            yield install.outcome(Status.MANUAL, *evidence)
        else:
            evidence.append(
                Evidence.of(
                    say(
                        "contacts.not_needed",
                        "{name} works without the phonebook and asks for none",
                        name=install.messenger.name,
                    ),
                    CATALOG,
                    {"needs_contacts": False},
                )
            )
            yield install.outcome(Status.FAIL, *evidence)


def _not_held(
    user_id: int, blocked: list[str], denied: list[str], data: dict[str, object]
) -> Evidence:
    parts = []
    if blocked:
        parts.append(
            say(
                "contacts.blocked",
                "{permissions} granted but blocked by its app op",
                permissions=blocked,
            )
        )
    if denied:
        parts.append(say("contacts.denied", "{permissions} denied", permissions=denied))
    if not parts:
        return Evidence.of(
            say(
                "contacts.none",
                "contacts permissions not granted for user {user} (no entry)",
                user=user_id,
            ),
            PACKAGES,
            data,
        )
    return Evidence.of(
        say("contacts.not_held", "{parts:semi} for user {user}", parts=parts, user=user_id),
        APP_OPS if blocked else PACKAGES,
        data,
    )

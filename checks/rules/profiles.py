"""Where WhatsApp lives on the phone: a separate business phone or a managed container.

MSG-02 isolation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from checks.facts import Package, Snapshot, Unseen
from checks.findings import Article, Evidence, Message, Outcome, Severity, Status, say, say_n
from checks.owners import DPCS, Profile, ProfileKind
from checks.policy import DeviceRole
from checks.rule import Context, check
from checks.rules._byod import business_beside, private_whatsapp
from checks.rules._common import (
    DEVICE_POLICY,
    PACKAGES,
    PITFALLS,
    POLICY,
    USERS,
    Install,
    installs,
    profile_of,
    third_party_apps,
    unseen,
    user_msg,
)


@check(
    id="MSG-02",
    slug="isolation",
    title="WhatsApp not isolated from other apps",
    severity=Severity.HIGH,
    article=Article(PITFALLS, "eigenes Diensthandy oder MDM-Container für WhatsApp"),
    rationale=(
        "The article advises putting WhatsApp on a separate phone or into a container managed by "
        "a mobile device management (MDM). In a personal profile WhatsApp shares contacts, "
        "storage and the phone with every private app; a work profile or a business-only phone "
        "keeps those apart and lets the organisation enforce settings. Only a profile the "
        "organisation's MDM owns is such a container: a Samsung Secure Folder, a clone or "
        "dual-app copy and a private space are the user's own."
    ),
    remediation=(
        (
            "Enrol the phone in the organisation's MDM with a work profile (Android Enterprise) "
            "and install WhatsApp Business inside it (apps with the briefcase badge)."
        ),
        "Then remove WhatsApp from the personal profile: Settings > Apps > WhatsApp > Uninstall.",
        (
            "Or give WhatsApp a phone of its own used only for business; if the MDM fully manages "
            'it (device owner), set device_role = "dedicated" in the policy.'
        ),
    ),
)
def isolation(ctx: Context) -> Iterator[Outcome]:
    """Per WhatsApp-family install, judged by what its profile is and who owns it
    (``checks.owners``):

    * pass in a work profile whose profile owner is a known MDM's DPC, or in the main user of a
      phone whose device owner is a known DPC and which the policy marks dedicated;
    * manual when the profile or device owner is not a known MDM (a person must confirm it is the
      organisation's), or in the main user of a phone the policy marks dedicated without a
      device owner (the policy's role speaks for the main user: a clone, private space, Secure
      Folder or second user beside it is judged as what it is);
    * informational for consumer WhatsApp on the personal side (personal profile, its clones, its
      private space) of a BYOD phone (an MDM work profile holds WhatsApp Business), unless the
      policy forbids personal WhatsApp;
    * fail otherwise: personal profile, Samsung Secure Folder (its owner is Samsung's own app, not
      an MDM), clone and dual-app users, private space, secondary users, a work profile without
      owner;
    * unknown when users or device policy are unreadable.

    Decisions: an unknown owner is never assumed to be an MDM (no pass), nor assumed not to be one
    (no fail): manual. A fully managed phone whose policy does not say "dedicated" fails: a device
    owner alone does not show that no private apps are used beside WhatsApp.
    """
    snapshot, role = ctx.snapshot, ctx.policy.device_role
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    packages = () if isinstance(snapshot.packages, Unseen) else snapshot.packages
    for install in found:
        if not install.messenger.whatsapp_family:
            continue
        if isinstance(snapshot.policy, Unseen):
            yield unseen(
                snapshot,
                snapshot.policy,
                DEVICE_POLICY,
                "the device policy",
                package=install.name,
                user_id=install.user_id,
            )
            continue
        # The policy's "dedicated" speaks for the managed phone's main user only: a clone, a
        # private space, a Secure Folder or a second user beside it is judged as what it is.
        device_owner = snapshot.policy.device_owner if _in_main(snapshot, install) else None
        if device_owner and role is DeviceRole.DEDICATED and device_owner not in DPCS:
            yield install.outcome(
                Status.MANUAL,
                Evidence.of(
                    say(
                        "profiles.unknown_owner",
                        "the policy marks the phone dedicated to "
                        "business; its device owner {owner} is not a known MDM",
                        owner=device_owner,
                    ),
                    DEVICE_POLICY,
                    {"device_owner": device_owner, "device_role": role.value},
                ),
                Evidence.of(
                    _confirm(device_owner),
                    DEVICE_POLICY,
                    {"profile_owner": device_owner},
                ),
            )
            continue
        if device_owner and role is DeviceRole.DEDICATED:
            yield install.outcome(
                Status.PASS,
                Evidence.of(
                    say(
                        "profiles.dedicated",
                        "fully managed phone (device owner {owner}), "
                        "dedicated to business by the policy",
                        owner=device_owner,
                    ),
                    DEVICE_POLICY,
                    {"device_owner": device_owner, "device_role": role.value},
                ),
            )
            continue
        if isinstance(snapshot.users, Unseen):
            yield unseen(
                snapshot,
                snapshot.users,
                USERS,
                "the list of users and profiles",
                package=install.name,
                user_id=install.user_id,
            )
            continue
        profile = profile_of(snapshot, install.user_id)
        if profile is None:
            yield install.outcome(
                Status.UNKNOWN,
                Evidence.of(
                    say(
                        "profiles.unlisted",
                        "user {user} is not in the list of users, so its kind is not known",
                        user=install.user_id,
                    ),
                    USERS,
                    {"user": install.user_id},
                ),
            )
            continue
        yield _judge(ctx, install, profile, found, packages)


def _in_main(snapshot: Snapshot, install: Install) -> bool:
    """The install sits in the phone's main user: user 0, or the user the list calls the system
    user (an unreadable list leaves user 0 as the only main user known)."""
    if isinstance(snapshot.users, Unseen):
        return install.user_id == 0
    profile = profile_of(snapshot, install.user_id)
    return profile is not None and profile.kind is ProfileKind.MAIN


def _what(profile: Profile) -> Evidence:
    data: dict[str, object] = {"user": profile.user_id, "profile": profile.kind.value}
    if profile.owner:
        data["owner"] = profile.owner
    return Evidence.of(_describe(profile), DEVICE_POLICY, data)


def _describe(profile: Profile) -> Message:
    """``Profile.describe()`` (checks.owners), in words each language renders."""
    return say("profiles.describe", "{profile:profile}", profile=profile.message())


def _confirm(owner: str | None) -> Message:
    return say(
        "profiles.confirm",
        "a person must confirm that {owner} is the organisation's MDM",
        owner=owner,
    )


def _judge(
    ctx: Context,
    install: Install,
    profile: Profile,
    found: Sequence[Install],
    packages: Sequence[Package],
) -> Outcome:
    snapshot, role = ctx.snapshot, ctx.policy.device_role
    where = user_msg(snapshot, install.user_id)
    if profile.mdm:
        return install.outcome(
            Status.PASS,
            Evidence.of(
                say(
                    "profiles.isolated",
                    "installed only in {where}, managed by profile owner {owner}",
                    where=where,
                    owner=profile.owner,
                ),
                DEVICE_POLICY,
                {"user": profile.user_id, "profile_owner": profile.owner},
            ),
            _what(profile),
        )
    if profile.kind is ProfileKind.WORK_UNKNOWN_OWNER:
        return install.outcome(
            Status.MANUAL,
            _what(profile),
            Evidence.of(
                _confirm(profile.owner),
                DEVICE_POLICY,
                {"profile_owner": profile.owner},
            ),
        )
    if role is DeviceRole.DEDICATED and profile.kind is ProfileKind.MAIN:
        return install.outcome(
            Status.MANUAL,
            Evidence.of(
                say(
                    "profiles.dedicated_unmanaged",
                    "installed in {where}; the policy marks the phone "
                    "dedicated to business but no MDM manages it: a person must attest that it is "
                    "used for nothing else",
                    where=where,
                ),
                POLICY,
                {"user": profile.user_id, "device_role": role.value},
            ),
        )
    work = private_whatsapp(snapshot, install, found)
    if work is not None:
        beside = business_beside(work)
        if not ctx.policy.personal_whatsapp_forbidden:
            return install.outcome(
                Status.INFORMATIONAL,
                Evidence.of(
                    say(
                        "profiles.byod",
                        "consumer WhatsApp in {where} is the employee's private app (BYOD)",
                        where=where,
                    ),
                    PACKAGES,
                    {"user": profile.user_id, "byod": True},
                ),
                beside,
            )
        forbidden = Evidence.of(
            say(
                "whatsapp.byod_forbidden",
                "the policy forbids personal WhatsApp beside the work profile",
            ),
            POLICY,
            {"personal_whatsapp": "forbidden"},
        )
        return install.outcome(
            Status.FAIL, _outside(where, install, profile, packages), beside, forbidden
        )
    evidence = [_outside(where, install, profile, packages)]
    if profile.main_managed:
        evidence.append(
            Evidence.of(
                say(
                    "profiles.not_dedicated",
                    "the phone is fully managed (device owner {owner}) but "
                    "the policy does not mark it dedicated to business",
                    owner=profile.owner,
                ),
                POLICY,
                {"device_owner": profile.owner, "device_role": role.value},
            )
        )
    elif profile.kind is ProfileKind.WORK_UNMANAGED:
        evidence.append(
            Evidence.of(
                say(
                    "profiles.no_owner",
                    "{where} has no profile owner: no MDM manages it",
                    where=where,
                ),
                DEVICE_POLICY,
                {"user": profile.user_id},
            )
        )
    elif profile.kind is not ProfileKind.MAIN:
        evidence.append(_what(profile))
    return install.outcome(Status.FAIL, *evidence)


def _outside(
    where: Message, install: Install, profile: Profile, packages: Sequence[Package]
) -> Evidence:
    others = [p.name for p in third_party_apps(packages, profile.user_id) if p.name != install.name]
    return Evidence.of(
        say_n(
            "profiles.outside",
            "installed in {where} beside {n} other third-party app, outside "
            "any managed work profile",
            "installed in {where} beside {n} other third-party apps, "
            "outside any managed work profile",
            len(others),
            where=where,
        ),
        PACKAGES,
        {"user": profile.user_id, "other_apps": len(others)},
    )

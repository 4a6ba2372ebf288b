"""Where WhatsApp lives on the phone: a separate business phone or a managed container.

MSG-02 isolation.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.facts import Unseen, UserKind
from checks.findings import Article, Evidence, Outcome, Severity, Status
from checks.policy import DeviceRole
from checks.rule import Context, check
from checks.rules._common import (
    DEVICE_POLICY,
    PACKAGES,
    PITFALLS,
    POLICY,
    USERS,
    count,
    find_user,
    installs,
    third_party_apps,
    unseen,
    user_label,
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
        "keeps those apart and lets the organisation enforce settings."
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
    """Per WhatsApp-family install: pass in a managed work profile (a profile owner is set for
    that user) or on a fully managed phone the policy marks dedicated; manual on a phone the
    policy marks dedicated without a device owner (a person attests it is a business phone);
    fail otherwise; unknown when users or device policy are unreadable.

    Decisions: a work profile without a profile owner counts as unmanaged (fail). A fully
    managed phone whose policy does not say "dedicated" fails: a device owner alone does not
    show that no private apps are used beside WhatsApp; the evidence says so.
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
        where = user_label(snapshot, install.user_id)
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
        device_owner = snapshot.policy.device_owner
        if device_owner and role is DeviceRole.DEDICATED:
            yield install.outcome(
                Status.PASS,
                Evidence(
                    f"fully managed phone (device owner {device_owner}), dedicated to business "
                    "by the policy",
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
        user = find_user(snapshot.users, install.user_id)
        if user is None:
            yield install.outcome(
                Status.UNKNOWN,
                Evidence(
                    f"{where} is not in the list of users, so its kind is not known",
                    USERS,
                    {"user": install.user_id},
                ),
            )
            continue
        owner = snapshot.policy.profile_owners.get(user.id)
        if user.kind is UserKind.MANAGED_PROFILE and owner:
            yield install.outcome(
                Status.PASS,
                Evidence(
                    f"installed only in {where}, managed by profile owner {owner}",
                    DEVICE_POLICY,
                    {"user": user.id, "profile_owner": owner},
                ),
            )
            continue
        if role is DeviceRole.DEDICATED:
            yield install.outcome(
                Status.MANUAL,
                Evidence(
                    f"installed in {where}; the policy marks the phone dedicated to business but "
                    "no MDM manages it: a person must attest that it is used for nothing else",
                    POLICY,
                    {"user": user.id, "device_role": role.value},
                ),
            )
            continue
        others = [p.name for p in third_party_apps(packages, user.id) if p.name != install.name]
        evidence = [
            Evidence(
                f"installed in {where} beside {count(len(others), 'other third-party app')}, "
                "outside any managed work profile",
                PACKAGES,
                {"user": user.id, "other_apps": len(others)},
            )
        ]
        if device_owner:
            evidence.append(
                Evidence(
                    f"the phone is fully managed (device owner {device_owner}) but the policy does "
                    "not mark it dedicated to business",
                    POLICY,
                    {"device_owner": device_owner, "device_role": role.value},
                )
            )
        elif user.kind is UserKind.MANAGED_PROFILE:
            evidence.append(
                Evidence(
                    f"{where} has no profile owner: no MDM manages it",
                    DEVICE_POLICY,
                    {"user": user.id},
                )
            )
        yield install.outcome(Status.FAIL, *evidence)

"""Rules on which messengers are installed, which builds, how new, and where from.

MSG-01 consumer-whatsapp, MSG-07 telegram-cloud-chats, MSG-08 unofficial-client,
MSG-09 outdated-messenger, MSG-10 untrusted-source, MSG-11 policy-forbidden. Each looks at the
package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_never

from checks.catalog import SIDELOAD_INSTALLERS, STORES, Build, version_key
from checks.facts import Unseen
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status
from checks.rule import Context, check
from checks.rules._common import (
    ALTERNATIVES,
    CATALOG,
    DEVICE_POLICY,
    PACKAGES,
    PITFALLS,
    POLICY,
    Install,
    count,
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
        "Record who checked this and when in the policy's attestations (MSG-07).",
    ),
)
def telegram_cloud_chats(ctx: Context) -> Iterator[Outcome]:
    """Manual for every Telegram install (official, web APK, beta, Telegram X); nothing without."""
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        if install.messenger.key != "telegram":
            continue
        yield install.outcome(
            Status.MANUAL,
            Evidence(
                f"{install.variant.label} installed for "
                f"{user_label(ctx.snapshot, install.user_id)}: whether business chats are secret "
                "chats cannot be read without root",
                PACKAGES,
                {"package": install.name, "user": install.user_id},
            ),
        )


@check(
    id="MSG-08",
    slug="unofficial-client",
    title="Unofficial or modified messenger client",
    severity=Severity.CRITICAL,
    article=Article(BEYOND, "folgt aus dem Datenschutzziel des Artikels"),
    rationale=(
        "Modified clients (GBWhatsApp, FMWhatsApp and similar) are built by unknown parties, are "
        "not security-reviewed, break the vendor's terms and have shipped malware (FMWhatsApp "
        "carried the Triada trojan). Everything typed into them must be taken as exposed."
    ),
    remediation=(
        "Uninstall the modified client: Settings > Apps > (the app) > Uninstall.",
        (
            "Install the official app from Google Play (WhatsApp Business, Telegram, Signal, "
            "Threema or Wire) and register again."
        ),
        (
            "Before the phone is used for business again, have IT check it for malware and change "
            "passwords typed on it."
        ),
    ),
)
def unofficial_client(ctx: Context) -> Iterator[Outcome]:
    """Fail for a known mod; pass for official, vendor-beta and fork builds.

    Package names only: a mod installed under an official name is found by its signing
    certificate, which the deep mode reads; the evidence says it was not checked. Decision:
    forks of open-source apps (Molly) pass, named as forks: their source is public and they
    are not the repackaged closed clients this rule is about.
    """
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    unchecked = "signing certificate not checked (needs the deep mode)"
    for install in found:
        label, name = install.variant.label, install.name
        data = {"package": name, "build": install.variant.build.value}
        match install.variant.build:
            case Build.MOD:
                yield install.outcome(
                    Status.FAIL,
                    Evidence(
                        f"{name} is {label}, a modified "
                        f"{install.messenger.name.removesuffix(' mod')} client not published by "
                        "the vendor",
                        CATALOG,
                        data,
                    ),
                )
            case Build.FORK:
                yield install.outcome(
                    Status.PASS,
                    Evidence(
                        f"{name} is {label}: a third-party build of open-source code, not a known "
                        f"mod or clone; {unchecked}",
                        CATALOG,
                        data,
                    ),
                )
            case Build.OFFICIAL | Build.BETA:
                kind = (
                    "the vendor's beta build" if install.variant.build is Build.BETA else "official"
                )
                yield install.outcome(
                    Status.PASS,
                    Evidence(
                        f"{name} ({label}, {kind}) is not a known mod or clone; {unchecked}",
                        CATALOG,
                        data,
                    ),
                )
            case _:
                assert_never(install.variant.build)


@check(
    id="MSG-09",
    slug="outdated-messenger",
    title="Messenger version with known security flaws",
    severity=Severity.HIGH,
    article=Article(BEYOND, "aktuelle App-Version mit geschlossenen Sicherheitslücken"),
    rationale=(
        "Messengers parse media and calls from anyone who knows the number; several of the "
        "listed flaws allowed code execution from a single message or call and were exploited. "
        "A version below the fix stays exposed however well the app is configured."
    ),
    remediation=(
        (
            "Update the app: Google Play > profile icon > Manage apps & device > Updates available "
            "> Update (or let the MDM push the update to the work profile)."
        ),
        (
            "Turn on automatic updates: Google Play > profile icon > Settings > Network "
            "preferences > Auto-update apps."
        ),
        (
            "If the app no longer updates on this Android version, move the messenger to a phone "
            "that still gets updates."
        ),
    ),
)
def outdated_messenger(ctx: Context) -> Iterator[Outcome]:
    """Fail below any advisory's fixed version (naming every missed one); pass at or above all;
    not applicable where no advisory is known; unknown when the version is not a version."""
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        yield _version_outcome(install)


def _version_outcome(install: Install) -> Outcome:
    version = install.package.version_name
    own = install.variant.advisories
    advisories = install.messenger.advisories if own is None else own
    if not advisories:
        why = f"the catalog lists no advisory for {install.variant.label}"
        return install.outcome(
            Status.NOT_APPLICABLE,
            Evidence(f"no security floor known: {why}", CATALOG, {"version": version}),
        )
    current = version_key(version) if version else None
    if current is None:
        return install.outcome(
            Status.UNKNOWN,
            Evidence(
                "versionName missing"
                if version is None
                else f"versionName {version!r} is not a version number",
                PACKAGES,
                {"version": version},
            ),
        )
    missed = [a for a in advisories if current < (version_key(a.fixed_in) or ())]
    if not missed:
        floor = max(advisories, key=lambda a: version_key(a.fixed_in) or ())
        return install.outcome(
            Status.PASS,
            Evidence(
                f"version {version} is at or above every known fix "
                f"({count(len(advisories), 'advisory', 'advisories')}, highest floor "
                f"{floor.fixed_in})",
                PACKAGES,
                {"version": version, "advisories": len(advisories)},
            ),
        )
    evidence = [
        Evidence(
            f"version {version} lacks the fix for {len(missed)} of "
            f"{count(len(advisories), 'known advisory', 'known advisories')}",
            PACKAGES,
            {"version": version, "missing": [a.id for a in missed]},
        )
    ]
    evidence += [
        Evidence(
            f"{a.id}: {a.issue}; fixed in {a.fixed_in}",
            CATALOG,
            {"id": a.id, "fixed_in": a.fixed_in},
        )
        for a in missed
    ]
    return install.outcome(Status.FAIL, *evidence)


@check(
    id="MSG-10",
    slug="untrusted-source",
    title="Messenger not installed from an app store or the MDM",
    severity=Severity.LOW,
    article=Article(BEYOND, "Bezug der Apps nur aus den App-Stores"),
    rationale=(
        "An APK file from a website or a chat can be any build: a mod, an old version or a "
        "trojan under the real name. Stores and the organisation's MDM check what they deliver "
        "and keep it updated."
    ),
    remediation=(
        (
            "Back up what must be kept, then reinstall the app from Google Play or the company's "
            "app store: Settings > Apps > (the app) > Uninstall, then Play Store > search > "
            "Install."
        ),
        (
            "Block installs from unknown sources: Settings > Apps > Special app access > Install "
            "unknown apps: off for every app (or enforce it in the MDM)."
        ),
        (
            "If the organisation distributes apps by its own installer, add it to the policy's "
            "trusted_installers."
        ),
    ),
)
def untrusted_source(ctx: Context) -> Iterator[Outcome]:
    """Pass for a store, the device's MDM (device or profile owner) or an installer the policy
    trusts; fail for no installer, an APK installer, adb or an unknown installer.

    Decisions: a package in the system image with no installer is firmware and passes. On
    Android 14+ an install started by the package installer or adb that names a store as
    installer fails: that is how `pm install -i com.android.vending` disguises an APK. Another
    initiating package (a store, a restore tool) is reported but does not fail. An unknown
    installer while the device policy is unreadable is unknown: it may be the MDM.
    """
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    snapshot, policy = ctx.snapshot, ctx.policy
    owners: dict[str, str] | None = None
    if not isinstance(snapshot.policy, Unseen):
        owners = {
            pkg: f"the work profile's MDM ({pkg})"
            for pkg in snapshot.policy.profile_owners.values()
        }
        if snapshot.policy.device_owner:
            owners[snapshot.policy.device_owner] = (
                f"the device's MDM ({snapshot.policy.device_owner})"
            )

    def trusted(installer: str) -> str | None:
        if installer in STORES:
            return STORES[installer]
        if owners and installer in owners:
            return owners[installer]
        if installer in policy.trusted_installers:
            return f"{installer} (trusted by policy {policy.name})"
        return None

    for install in found:
        pkg = install.package
        installer, initiating = pkg.installer, pkg.initiating_installer
        data = {"installer": installer, "initiating_installer": initiating}
        if installer is None and pkg.is_system:
            yield install.outcome(
                Status.PASS,
                Evidence("part of the phone's system image (preinstalled)", PACKAGES, data),
            )
            continue
        if installer is None:
            yield install.outcome(
                Status.FAIL,
                Evidence(
                    "no installer recorded: installed from an APK file (by adb or a file manager)",
                    PACKAGES,
                    data,
                ),
            )
            continue
        source = trusted(installer)
        if source is not None:
            if initiating in SIDELOAD_INSTALLERS and initiating != installer:
                yield install.outcome(
                    Status.FAIL,
                    Evidence(
                        f"recorded installer is {source}, but the install was started by "
                        f"{SIDELOAD_INSTALLERS[initiating]}: an APK file installed under a store's "
                        "name",
                        PACKAGES,
                        data,
                    ),
                )
                continue
            note = (
                f" (install started by {initiating})"
                if initiating and initiating != installer
                else ""
            )
            yield install.outcome(
                Status.PASS, Evidence(f"installed by {source}{note}", PACKAGES, data)
            )
            continue
        if installer in SIDELOAD_INSTALLERS:
            yield install.outcome(
                Status.FAIL,
                Evidence(f"installed by {SIDELOAD_INSTALLERS[installer]}", PACKAGES, data),
            )
        elif owners is None:
            yield install.outcome(
                Status.UNKNOWN,
                Evidence(
                    f"installed by {installer}, which may be the MDM: the device policy could "
                    "not be read",
                    DEVICE_POLICY,
                    data,
                ),
            )
        else:
            yield install.outcome(
                Status.FAIL,
                Evidence(
                    f"installed by an unknown installer ({installer}): not an app store, the MDM "
                    "or trusted by the policy",
                    PACKAGES,
                    data,
                ),
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
                Evidence(
                    f"{install.messenger.name} is forbidden by policy {policy.name}", POLICY, data
                ),
            )
        else:
            yield install.outcome(
                Status.PASS,
                Evidence(
                    f"{install.messenger.name} is not forbidden by policy {policy.name}",
                    POLICY,
                    data,
                ),
            )

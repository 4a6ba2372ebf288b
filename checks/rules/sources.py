"""MSG-10 untrusted-source: who installed the messenger.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.facts import Snapshot, Unseen
from checks.findings import BEYOND, Article, Evidence, Message, Outcome, Severity, Status, say
from checks.installers import (
    MDM_AGENTS,
    SIDELOAD_INSTALLERS,
    STORES,
    SYSTEM_INSTALLERS,
    is_package_installer,
)
from checks.rule import Context, check
from checks.rules._common import (
    DEVICE_POLICY,
    PACKAGES,
    installs,
)

_APK = "package installer (an APK file)"


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
    """Pass for a store, the device's MDM (device or profile owner, or a known MDM agent that is
    an active admin), a system installer of the phone's maker or the messenger's vendor, or an
    installer the policy trusts; fail for no installer, an APK installer, adb, the app itself
    (a self-updating APK from a website) or an unknown installer.

    Decisions: a package in the system image with no installer is firmware and passes. An
    installer that is itself a system package on this phone is named for what it is and passes
    (makers preload messengers through their own installers and stores), unless it is a package
    installer under a maker's name (``….packageinstaller``): that is a sideload. On Android 14+
    an install started by the package installer or adb that names a store as installer fails:
    that is how `pm install -i com.android.vending` disguises an APK. Another initiating package
    (a store, a restore tool) is reported but does not fail. An unknown installer while the
    device policy is unreadable is unknown: it may be the MDM.
    """
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    snapshot, policy = ctx.snapshot, ctx.policy
    owners: dict[str, Message] | None = None
    if not isinstance(snapshot.policy, Unseen):
        owners = {
            pkg: say("sources.work_mdm", "the work profile's MDM ({package})", package=pkg)
            for pkg in snapshot.policy.profile_owners.values()
        }
        if snapshot.policy.device_owner:
            owners[snapshot.policy.device_owner] = say(
                "sources.device_mdm",
                "the device's MDM ({package})",
                package=snapshot.policy.device_owner,
            )

    admins = _admins(snapshot)
    system = _system_packages(snapshot)

    def trusted(installer: str, package: str) -> Message | None:
        if installer in STORES:
            return say("sources.store", "{store:source}", store=STORES[installer])
        if owners and installer in owners:
            return owners[installer]
        if installer in MDM_AGENTS and installer in admins:
            return say(
                "sources.mdm_admin",
                "the MDM agent {name} ({package}), an active device admin",
                name=MDM_AGENTS[installer],
                package=installer,
            )
        if installer in system and installer != package and not is_package_installer(installer):
            if installer in SYSTEM_INSTALLERS:
                return say(
                    "sources.system_installer",
                    "{name} ({package}), a system installer of the phone (preloaded app)",
                    name=SYSTEM_INSTALLERS[installer],
                    package=installer,
                )
            return say(
                "sources.firmware_app",
                "{package}, a system app of the phone's firmware (the maker's installer)",
                package=installer,
            )
        if installer in policy.trusted_installers:
            return say(
                "sources.trusted",
                "{package} (trusted by policy {policy:policy})",
                package=installer,
                policy=policy.name,
            )
        return None

    for install in found:
        pkg = install.package
        installer, initiating = pkg.installer, pkg.initiating_installer
        data = {"installer": installer, "initiating_installer": initiating}
        if installer is None and pkg.is_system:
            yield install.outcome(
                Status.PASS,
                Evidence.of(
                    say("sources.preinstalled", "part of the phone's system image (preinstalled)"),
                    PACKAGES,
                    data,
                ),
            )
            continue
        if installer is None:
            yield install.outcome(
                Status.FAIL,
                Evidence.of(
                    say(
                        "sources.none",
                        "no installer recorded: installed from an APK file (by adb "
                        "or a file manager)",
                    ),
                    PACKAGES,
                    data,
                ),
            )
            continue
        source = trusted(installer, pkg.name)
        if source is not None:
            if initiating and is_package_installer(initiating) and initiating != installer:
                yield install.outcome(
                    Status.FAIL,
                    Evidence.of(
                        say(
                            "sources.disguised",
                            "recorded installer is {source}, but the install "
                            "was started by {how:source}: an APK file installed under a store's "
                            "name",
                            source=source,
                            how=SIDELOAD_INSTALLERS.get(initiating, _APK),
                        ),
                        PACKAGES,
                        data,
                    ),
                )
                continue
            note: Message | str = (
                say("sources.started_by", " (install started by {package})", package=initiating)
                if initiating and initiating != installer
                else ""
            )
            seen = say(
                "sources.installed_by", "installed by {source}{note}", source=source, note=note
            )
            yield install.outcome(Status.PASS, Evidence.of(seen, PACKAGES, data))
            continue
        if is_package_installer(installer):
            how = say(
                "sources.sideload", "{how:source}", how=SIDELOAD_INSTALLERS.get(installer, _APK)
            )
            yield install.outcome(
                Status.FAIL,
                Evidence.of(
                    say("sources.installed_by", "installed by {source}{note}", source=how, note=""),
                    PACKAGES,
                    data,
                ),
            )
        elif installer == pkg.name:
            yield install.outcome(
                Status.FAIL,
                Evidence.of(
                    say(
                        "sources.self",
                        "the app is recorded as its own installer: an APK "
                        "installed outside an app store (a self-updating download or a restore "
                        "tool)",
                    ),
                    PACKAGES,
                    data,
                ),
            )
        elif installer in MDM_AGENTS and owners is not None:
            yield install.outcome(
                Status.FAIL,
                Evidence.of(
                    say(
                        "sources.mdm_idle",
                        "installed by the MDM agent {name} ({package}), which "
                        "does not manage this phone (not an owner or active admin)",
                        name=MDM_AGENTS[installer],
                        package=installer,
                    ),
                    DEVICE_POLICY,
                    data,
                ),
            )
        elif owners is None:
            yield install.outcome(
                Status.UNKNOWN,
                Evidence.of(
                    say(
                        "sources.maybe_mdm",
                        "installed by {package}, which may be the MDM: the "
                        "device policy could not be read",
                        package=installer,
                    ),
                    DEVICE_POLICY,
                    data,
                ),
            )
        else:
            yield install.outcome(
                Status.FAIL,
                Evidence.of(
                    say(
                        "sources.unknown",
                        "installed by an unknown installer ({package}): not an "
                        "app store, the MDM or trusted by the policy",
                        package=installer,
                    ),
                    PACKAGES,
                    data,
                ),
            )


def _admins(snapshot: Snapshot) -> frozenset[str]:
    """Packages of every owner and active device admin, in any user."""
    if isinstance(snapshot.policy, Unseen):
        return frozenset()
    found = set(snapshot.policy.profile_owners.values()) | {
        a for admins in snapshot.policy.admins.values() for a in admins
    }
    if snapshot.policy.device_owner:
        found.add(snapshot.policy.device_owner)
    return frozenset(found)


def _system_packages(snapshot: Snapshot) -> frozenset[str]:
    if isinstance(snapshot.packages, Unseen):
        return frozenset()
    return frozenset(p.name for p in snapshot.packages if p.is_system)

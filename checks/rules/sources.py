"""MSG-10 untrusted-source: who installed the messenger.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.facts import Snapshot, Unseen
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status
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

    admins = _admins(snapshot)
    system = _system_packages(snapshot)

    def trusted(installer: str, package: str) -> str | None:
        if installer in STORES:
            return STORES[installer]
        if owners and installer in owners:
            return owners[installer]
        if installer in MDM_AGENTS and installer in admins:
            return f"the MDM agent {MDM_AGENTS[installer]} ({installer}), an active device admin"
        if installer in system and installer != package and not is_package_installer(installer):
            if installer in SYSTEM_INSTALLERS:
                return (
                    f"{SYSTEM_INSTALLERS[installer]} ({installer}), a system installer of the "
                    "phone (preloaded app)"
                )
            return f"{installer}, a system app of the phone's firmware (the maker's installer)"
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
        source = trusted(installer, pkg.name)
        if source is not None:
            if initiating and is_package_installer(initiating) and initiating != installer:
                yield install.outcome(
                    Status.FAIL,
                    Evidence(
                        f"recorded installer is {source}, but the install was started by "
                        f"{SIDELOAD_INSTALLERS.get(initiating, _APK)}: "
                        "an APK file installed under a store's "
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
        if is_package_installer(installer):
            how = SIDELOAD_INSTALLERS.get(installer, _APK)
            yield install.outcome(
                Status.FAIL,
                Evidence(f"installed by {how}", PACKAGES, data),
            )
        elif installer == pkg.name:
            yield install.outcome(
                Status.FAIL,
                Evidence(
                    "the app is recorded as its own installer: an APK installed outside an app "
                    "store (a self-updating download or a restore tool)",
                    PACKAGES,
                    data,
                ),
            )
        elif installer in MDM_AGENTS and owners is not None:
            yield install.outcome(
                Status.FAIL,
                Evidence(
                    f"installed by the MDM agent {MDM_AGENTS[installer]} ({installer}), which "
                    "does not manage this phone (not an owner or active admin)",
                    DEVICE_POLICY,
                    data,
                ),
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


def _admins(snapshot: Snapshot) -> frozenset[str]:
    """Packages of every owner and active device admin, in any user."""
    if isinstance(snapshot.policy, Unseen):
        return frozenset()
    found = set(snapshot.policy.profile_owners.values()) | set(
        a for admins in snapshot.policy.admins.values() for a in admins
    )
    if snapshot.policy.device_owner:
        found.add(snapshot.policy.device_owner)
    return frozenset(found)


def _system_packages(snapshot: Snapshot) -> frozenset[str]:
    if isinstance(snapshot.packages, Unseen):
        return frozenset()
    return frozenset(p.name for p in snapshot.packages if p.is_system)

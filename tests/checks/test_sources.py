"""MSG-10 with the installers real phones record: makers' system installers, MDM agents,
maker-named package installers and self-updating APKs."""

from __future__ import annotations

import pytest

from checks.facts import DevicePolicy, Package, Unseen
from checks.findings import Status
from checks.installers import MDM_AGENTS, SIDELOAD_INSTALLERS, STORES, SYSTEM_INSTALLERS
from checks.rules.sources import untrusted_source
from tests.checks.factories import F, P, U, app, phone, statuses, texts

WA = "com.whatsapp"
META = "com.facebook.system"
INTUNE = "com.microsoft.windowsintune.companyportal"


class TestInstallers:
    @pytest.mark.parametrize(
        ("packages", "policy", "expected"),
        [
            ((app(WA, installer=META), app(META, system=True, installer=None)), None, [P]),
            # The same name as a user-installed app is not the maker's installer.
            ((app(WA, installer=META), app(META, installer="com.android.vending")), None, [F]),
            ((app(WA, installer=META),), None, [F]),
            ((app(WA, installer="com.vendor.updater"),
              app("com.vendor.updater", system=True, installer=None)), None, [P]),
            ((app(WA, installer="com.miui.packageinstaller"),
              app("com.miui.packageinstaller", system=True, installer=None)), None, [F]),
            ((app(WA, installer="com.vendor.packageinstaller"),
              app("com.vendor.packageinstaller", system=True, installer=None)), None, [F]),
            ((app(WA, installer="com.android.shell"),
              app("com.android.shell", system=True, installer=None)), None, [F]),
            ((app(WA, installer=WA),), None, [F]),
            ((app(WA, installer=INTUNE), app(INTUNE)), DevicePolicy(None, admins={0: (INTUNE,)}),
             [P]),
            ((app(WA, installer=INTUNE), app(INTUNE)), DevicePolicy(None), [F]),
            ((app(WA, installer=INTUNE), app(INTUNE)), Unseen("dumpsys device_policy failed"),
             [U]),
            ((app(WA, installer="com.sec.android.app.samsungapps"),), None, [P]),
            ((app(WA, installer="com.android.vending", initiating="com.miui.packageinstaller"),),
             None, [F]),
        ],
        ids=[
            "meta-installer-system",
            "meta-installer-name-on-user-app",
            "meta-installer-absent",
            "unlisted-system-installer",
            "xiaomi-package-installer",
            "maker-named-package-installer",
            "adb",
            "self-updating-apk",
            "mdm-agent-active-admin",
            "mdm-agent-not-managing",
            "mdm-agent-policy-unseen",
            "galaxy-store",
            "store-name-over-maker-package-installer",
        ],
    )
    def test_statuses(
        self,
        packages: tuple[Package, ...],
        policy: DevicePolicy | Unseen | None,
        expected: list[Status],
    ) -> None:
        """System installers of the phone and active MDM agents pass; sideloads stay failures."""
        snap = phone(*packages) if policy is None else phone(*packages, policy=policy)
        assert expected == statuses(untrusted_source, snap)

    def test_system_installer_named(self) -> None:
        snap = phone(app(WA, installer=META), app(META, system=True, installer=None))
        assert [
            "installed by Meta App Installer (com.facebook.system), a system installer of the "
            "phone (preloaded app)"
        ] == texts(untrusted_source, snap)

    def test_lists_do_not_overlap(self) -> None:
        """A package is a store, a system installer, an MDM agent or a sideload, never two."""
        lists = [set(STORES), set(SYSTEM_INSTALLERS), set(MDM_AGENTS), set(SIDELOAD_INSTALLERS)]
        for i, a in enumerate(lists):
            for b in lists[i + 1:]:
                assert not a & b

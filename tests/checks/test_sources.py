"""MSG-10 with the installers real phones record: makers' system installers, MDM agents,
maker-named package installers and self-updating APKs."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from checks.facts import DevicePolicy, Package, Unseen
from checks.findings import Status
from checks.installers import MDM_AGENTS, SIDELOAD_INSTALLERS, STORES, SYSTEM_INSTALLERS
from checks.rules.sources import untrusted_source
from tests.checks.factories import F, P, U, app, findings, phone, statuses, texts

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
            ((app(WA, installer=WA, system=True),), None, [F]),
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
            "system-app-naming-itself",
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


@pytest.mark.needs_fixtures
def test_installers_of_a_real_capture(capture) -> None:  # type: ignore[no-untyped-def]
    """The Honor 8 capture (Android 7): WhatsApp and Signal from Google Play pass; apps recorded
    as their own installer (com.digiplex.game and others there) are APKs from outside a store."""
    from scanner.parse.dumpsys_package import parse_dumpsys_package
    from scanner.parse.text import decode

    packages = parse_dumpsys_package(decode(capture("isdi-huawei-frd-android7/dumpsys-all.txt")))
    by_name = {p.name: p for p in packages}
    snap = phone(*packages)

    assert {"com.whatsapp": "pass", "org.thoughtcrime.securesms": "pass"} == {
        f.package: f.status.value for f in findings(untrusted_source, snap)
    }
    own = replace(by_name["com.digiplex.game"], name=WA)
    assert "com.digiplex.game" == own.installer
    self_installed = replace(own, installer=WA)
    [finding] = findings(untrusted_source, phone(self_installed))
    assert ("fail", "the app is recorded as its own installer") == (
        finding.status.value,
        finding.evidence[0].text.split(":")[0],
    )

"""``dumpsys package`` / ``pm dump`` parsing, on real captures and on synthetic Android 14/16 text.

Real captures: ../shared/fixtures/android (facts quoted in its PROVENANCE.md). Synthetic blocks
follow the line formats of shared/reference/dumpsys-package-format.md, sections 2 and 3.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from textwrap import dedent

import pytest

from checks.facts import Package
from scanner.parse.dumpsys_package import parse_dumpsys_package, to_json_shape
from scanner.parse.text import decode

Capture = Callable[[str], bytes]

HUAWEI = "isdi-huawei-frd-android7/dumpsys-all.txt"
LG_SYSTEM = "isdi-lg-m150-android6/pm-dump-com.android.system.txt"
LG_TRACKVIEW = "isdi-lg-m150-android6/pm-dump-com.trackview.txt"
TEKARTIK_1 = "tekartik-wearos-android11/dumpsys-package-1.txt"
TEKARTIK_2 = "tekartik-wearos-android11/dumpsys-package-2.txt"
APPIUM_TAIL = "appium-android7/pm-dump-tail-com.xxx.txt"
APPIUM_FIRST = "appium-android7/dumpsys-package-com.example.testapp.first.txt"
DUMPS = (HUAWEI, LG_SYSTEM, LG_TRACKVIEW, TEKARTIK_1, TEKARTIK_2, APPIUM_TAIL, APPIUM_FIRST)

P = "android.permission."


def by_name(packages: tuple[Package, ...]) -> dict[str, Package]:
    return {p.name: p for p in packages}


def parse_capture(capture: Capture, name: str, **kwargs: str) -> dict[str, Package]:
    return by_name(parse_dumpsys_package(decode(capture(name)), **kwargs))


def runtime(package: Package, user_id: int = 0) -> dict[str, bool]:
    user = package.user(user_id)
    assert user is not None
    return dict(user.runtime_permissions)


# -- real captures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huawei(capture: Capture) -> dict[str, Package]:
    return parse_capture(capture, HUAWEI)


@pytest.mark.needs_fixtures
class TestHuaweiAndroid7:
    """isdi-huawei-frd-android7/dumpsys-all.txt: a Honor 8's full dump, Android 7."""

    def test_active_package_count(self, huawei: dict[str, Package]) -> None:
        """Packages: holds 252 blocks; the 19 hidden stubs all shadow one of them, adding none."""
        assert 252 == len(huawei)

    def test_package_count_matches_packages_section(self, capture: Capture) -> None:
        """The names parsed are the Package [ lines of Packages:, each once."""
        lines = decode(capture(HUAWEI)).split("\n")
        active = lines[lines.index("Packages:") : lines.index("Hidden system packages:")]
        hidden = lines[lines.index("Hidden system packages:") : lines.index("Shared users:")]
        names = {line[11 : line.index("]")] for line in active if line.startswith("  Package [")}
        stubs = {line[11 : line.index("]")] for line in hidden if line.startswith("  Package [")}
        packages = parse_dumpsys_package(decode(capture(HUAWEI)))

        assert (252, 19, set()) == (len(names), len(stubs), stubs - names)
        assert names == {p.name for p in packages}
        assert len(packages) == len({p.name for p in packages})

    def test_whatsapp_identity(self, huawei: dict[str, Package]) -> None:
        """WhatsApp's version, installer, uid, SDK and dates come from lines 24037-24060."""
        wa = huawei["com.whatsapp"]

        assert (
            "2.18.341",
            452576,
            "com.android.vending",
            10232,
            27,
            datetime(2017, 8, 8, 21, 55, 46),
            datetime(2018, 11, 9, 1, 8, 52),
        ) == (
            wa.version_name,
            wa.version_code,
            wa.installer,
            wa.app_id,
            wa.target_sdk,
            wa.first_install,
            wa.last_update,
        )

    def test_whatsapp_flags(self, huawei: dict[str, Package]) -> None:
        """flags= and pkgFlags= give HAS_CODE ALLOW_CLEAR_USER_DATA; hwflags=[ ] adds nothing."""
        wa = huawei["com.whatsapp"]

        assert (frozenset({"HAS_CODE", "ALLOW_CLEAR_USER_DATA"}), False, False) == (
            wa.flags,
            wa.is_system,
            wa.allows_backup,
        )

    def test_whatsapp_user_0(self, huawei: dict[str, Package]) -> None:
        """User 0 has WhatsApp installed, visible, not suspended, enabled state 0."""
        user = huawei["com.whatsapp"].user(0)
        assert user is not None

        assert (0, True, False, False, 0) == (
            user.user_id,
            user.installed,
            user.hidden,
            user.suspended,
            user.enabled,
        )
        assert (0,) == huawei["com.whatsapp"].installed_for()

    def test_whatsapp_runtime_permissions(self, huawei: dict[str, Package]) -> None:
        """All 11 runtime rows (24106-24116) are granted, READ_CONTACTS among them."""
        expected = {
            P + name: True
            for name in (
                "ACCESS_FINE_LOCATION",
                "RECEIVE_SMS",
                "READ_EXTERNAL_STORAGE",
                "ACCESS_COARSE_LOCATION",
                "SEND_SMS",
                "WRITE_CONTACTS",
                "CAMERA",
                "GET_ACCOUNTS",
                "WRITE_EXTERNAL_STORAGE",
                "RECORD_AUDIO",
                "READ_CONTACTS",
            )
        }

        assert expected == runtime(huawei["com.whatsapp"])

    def test_whatsapp_install_permissions(self, huawei: dict[str, Package]) -> None:
        """Install permissions are package-wide; runtime READ_CONTACTS is not among them."""
        install = huawei["com.whatsapp"].install_permissions

        assert (31, True, None) == (
            len(install),
            install[P + "INTERNET"],
            install.get(P + "READ_CONTACTS"),
        )

    def test_signal(self, huawei: dict[str, Package]) -> None:
        """Signal 4.29.7 has READ_CONTACTS and CAMERA granted and no RECORD_AUDIO row at all."""
        signal = huawei["org.thoughtcrime.securesms"]
        grants = runtime(signal)

        assert ("4.29.7", 421, "com.android.vending", 10123) == (
            signal.version_name,
            signal.version_code,
            signal.installer,
            signal.app_id,
        )
        assert (14, True, True) == (
            len(grants),
            grants[P + "READ_CONTACTS"],
            grants[P + "CAMERA"],
        )
        assert (None, None) == (
            grants.get(P + "RECORD_AUDIO"),
            grants.get(P + "ACCESS_FINE_LOCATION"),
        )
        assert datetime(2018, 8, 8, 19, 4, 32) == signal.first_install

    def test_skype_contacts_denied(self, huawei: dict[str, Package]) -> None:
        """Skype's READ_CONTACTS is denied (granted=false, USER_SET) while CAMERA is granted."""
        skype = huawei["com.skype.raider"]
        grants = runtime(skype)

        assert ("8.34.0.72", False, True) == (
            skype.version_name,
            grants[P + "READ_CONTACTS"],
            grants[P + "CAMERA"],
        )

    @pytest.mark.parametrize(
        ("name", "version"),
        [("com.facebook.orca", "191.0.0.22.98"), ("com.facebook.katana", "197.0.0.46.98")],
    )
    def test_updated_system_app_keeps_active_version(
        self, capture: Capture, name: str, version: str
    ) -> None:
        """The hidden factory stub "stub (18.4)" neither replaces the active entry nor adds one."""
        packages = parse_dumpsys_package(decode(capture(HUAWEI)))
        entries = [p for p in packages if p.name == name]

        assert [version] == [p.version_name for p in entries]
        assert {"SYSTEM", "UPDATED_SYSTEM_APP"} <= entries[0].flags

    def test_shared_user_name(self, huawei: dict[str, Package]) -> None:
        """sharedUser=SharedUserSetting{9656c03 android.media/10009} names android.media."""
        assert "android.media" == huawei["com.android.providers.media"].shared_user

    def test_shared_user_runtime_grants_reach_members(self, huawei: dict[str, Package]) -> None:
        """Every android.media member gets READ_EXTERNAL_STORAGE granted from Shared users:."""
        members = sorted(n for n, p in huawei.items() if p.shared_user == "android.media")

        assert [
            "com.android.mtp",
            "com.android.providers.downloads",
            "com.android.providers.downloads.ui",
            "com.android.providers.media",
        ] == members
        assert [True] * 4 == [runtime(huawei[n])[P + "READ_EXTERNAL_STORAGE"] for n in members]

    def test_shared_user_install_grants_reach_members(self, huawei: dict[str, Package]) -> None:
        """A shared-uid block lists no install permissions; SharedUser [android.media]'s apply."""
        install = huawei["com.android.providers.media"].install_permissions

        assert (21, True) == (len(install), install[P + "WRITE_MEDIA_STORAGE"])

    def test_only_user_is_zero(self, huawei: dict[str, Package]) -> None:
        """The phone has one user, so every package has exactly one PackageUser, id 0."""
        assert {(0,)} == {tuple(u.user_id for u in p.users) for p in huawei.values()}

    def test_parse_time(self, capture: Capture) -> None:
        """Decoding and parsing the 3.8 MB dump stays well under half a second (best of three)."""
        data = capture(HUAWEI)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            parse_dumpsys_package(decode(data))
            best = min(best, time.perf_counter() - start)

        assert best < 0.5, f"{best:.3f} s"


@pytest.mark.needs_fixtures
class TestLgAndroid6PmDump:
    """isdi-lg-m150-android6 ``pm dump``: CRLF, fields shifted by 2, later services at column 0."""

    def test_crlf_input(self, capture: Capture) -> None:
        """Both captures really are CRLF, so these tests exercise the \\r stripping."""
        assert (True, True) == (b"\r\n" in capture(LG_SYSTEM), b"\r\n" in capture(LG_TRACKVIEW))

    def test_only_the_dumped_package(self, capture: Capture) -> None:
        """Each pm dump yields its one package and nothing from the services after it."""
        assert (["com.android.system"], ["com.trackview"]) == (
            list(parse_capture(capture, LG_SYSTEM)),
            list(parse_capture(capture, LG_TRACKVIEW)),
        )

    def test_stalkerware_identity(self, capture: Capture) -> None:
        """com.android.system: userId 10140, 1.0 (1), targetSdk 22, no installer (sideloaded)."""
        app = parse_capture(capture, LG_SYSTEM)["com.android.system"]

        assert (10140, "1.0", 1, 22, None, datetime(2018, 2, 23, 19, 46, 51)) == (
            app.app_id,
            app.version_name,
            app.version_code,
            app.target_sdk,
            app.installer,
            app.first_install,
        )
        assert frozenset({"HAS_CODE", "ALLOW_CLEAR_USER_DATA", "ALLOW_BACKUP"}) == app.flags

    def test_stalkerware_install_time_grants(self, capture: Capture) -> None:
        """Targeting SDK 22, its dangerous permissions are install grants; runtime is empty."""
        app = parse_capture(capture, LG_SYSTEM)["com.android.system"]
        install = app.install_permissions

        assert (True, True, True) == (
            install[P + "READ_CONTACTS"],
            install[P + "RECORD_AUDIO"],
            install[P + "CAMERA"],
        )
        assert {} == runtime(app)

    def test_user_line_with_two_spaces(self, capture: Capture) -> None:
        """Android 6's "User 0:  installed=true …" (two spaces) gives an installed user 0."""
        app = parse_capture(capture, LG_SYSTEM)["com.android.system"]
        user = app.user(0)
        assert user is not None

        assert ((0,), False, 0) == (app.installed_for(), user.hidden, user.enabled)

    def test_trackview(self, capture: Capture) -> None:
        """TrackView 3.0.12 (3012) from Play holds RECORD_AUDIO, CAMERA and fine location."""
        app = parse_capture(capture, LG_TRACKVIEW)["com.trackview"]
        install = app.install_permissions

        assert ("3.0.12", 3012, "com.android.vending", 17, 10141) == (
            app.version_name,
            app.version_code,
            app.installer,
            app.target_sdk,
            app.app_id,
        )
        assert (True, True, True, None) == (
            install[P + "RECORD_AUDIO"],
            install[P + "CAMERA"],
            install[P + "ACCESS_FINE_LOCATION"],
            install.get(P + "READ_CONTACTS"),
        )
        assert ((0,), {}) == (app.installed_for(), runtime(app))


@pytest.mark.needs_fixtures
class TestTekartikAndroid11:
    """tekartik-wearos-android11: single-package dumps from a Wear OS (Android 11) watch."""

    def test_updated_system_app(self, capture: Capture) -> None:
        """package1 is 1.0.16 (20), not the hidden 1.0.11 factory copy, and is listed once."""
        packages = parse_dumpsys_package(decode(capture(TEKARTIK_1)))
        app = packages[0]

        assert (["com.tekartik.package1"], "1.0.16", 20, 36, 10057) == (
            [p.name for p in packages],
            app.version_name,
            app.version_code,
            app.target_sdk,
            app.app_id,
        )
        assert (
            frozenset(
                {
                    "SYSTEM",
                    "HAS_CODE",
                    "ALLOW_CLEAR_USER_DATA",
                    "UPDATED_SYSTEM_APP",
                    "ALLOW_BACKUP",
                }
            )
            == app.flags
        )

    def test_installer_and_placeholder_time(self, capture: Capture) -> None:
        """The 2009-01-01 01:00:00 system-image time is a placeholder, lastUpdateTime is real."""
        app = parse_capture(capture, TEKARTIK_1)["com.tekartik.package1"]

        assert ("com.android.vending", None, datetime(2025, 7, 4, 1, 16, 34)) == (
            app.installer,
            app.first_install,
            app.last_update,
        )

    def test_pipe_style_flags(self, capture: Capture) -> None:
        """A row with the Android 10+ "flags=[ GRANTED_BY_DEFAULT]" is read as granted."""
        app = parse_capture(capture, TEKARTIK_1)["com.tekartik.package1"]

        assert {
            "com.google.android.wearable.permission.RECEIVE_COMPLICATION_DATA": True
        } == runtime(app)

    def test_queries_entry_is_not_an_install(self, capture: Capture) -> None:
        """com.whatsapp, named only under Queries:/Package Changes:, is not a package."""
        for name in (TEKARTIK_1, TEKARTIK_2):
            assert "com.whatsapp" not in parse_capture(capture, name)

    def test_user_lines_outside_blocks_ignored(self, capture: Capture) -> None:
        """The User 0: lines under Queries: and Package Changes: leave package1 with one user."""
        app = parse_capture(capture, TEKARTIK_1)["com.tekartik.package1"]

        assert (0,) == tuple(u.user_id for u in app.users)

    def test_store_app(self, capture: Capture) -> None:
        """package2 is 1.4.73 (248) from the Play Store, first installed 2025-06-18 08:27:04."""
        app = parse_capture(capture, TEKARTIK_2)["com.tekartik.package2"]

        assert ("1.4.73", 248, "com.android.vending", datetime(2025, 6, 18, 8, 27, 4)) == (
            app.version_name,
            app.version_code,
            app.installer,
            app.first_install,
        )
        assert frozenset({"HAS_CODE", "ALLOW_CLEAR_USER_DATA", "ALLOW_BACKUP"}) == app.flags

    def test_empty_runtime_section_and_no_entry(self, capture: Capture) -> None:
        """An empty runtime permissions: header gives {}; POST_NOTIFICATIONS has no entry."""
        app = parse_capture(capture, TEKARTIK_2)["com.tekartik.package2"]

        assert ({}, None) == (runtime(app), app.install_permissions.get(P + "POST_NOTIFICATIONS"))
        assert (0,) == app.installed_for()


@pytest.mark.needs_fixtures
class TestAppiumAndroid7:
    """appium-android7: a pm dump cut mid-block, and a minimal dumpsys package block."""

    def test_tail_without_header_needs_a_name(self, capture: Capture) -> None:
        """A fragment without its Package [ line gives nothing unless the caller names it."""
        assert () == parse_dumpsys_package(decode(capture(APPIUM_TAIL)))

    def test_tail_denied_and_granted(self, capture: Capture) -> None:
        """For user 0, READ_CONTACTS and CAMERA are denied and RECORD_AUDIO is granted."""
        app = parse_capture(capture, APPIUM_TAIL, package="com.xxx")["com.xxx"]
        grants = runtime(app)

        assert (False, False, True) == (
            grants[P + "READ_CONTACTS"],
            grants[P + "CAMERA"],
            grants[P + "RECORD_AUDIO"],
        )
        assert (0,) == app.installed_for()

    def test_tail_matches_source_project_expectations(self, capture: Capture) -> None:
        """Granted android.permission.* (install and runtime) are appium-adb's expected list."""
        app = parse_capture(capture, APPIUM_TAIL, package="com.xxx")["com.xxx"]
        states = {**app.install_permissions, **runtime(app)}
        granted = {n[len(P) :] for n, ok in states.items() if ok and n.startswith(P)}
        denied = {n[len(P) :] for n, ok in states.items() if not ok and n.startswith(P)}

        assert {
            "MODIFY_AUDIO_SETTINGS",
            "RECEIVE_BOOT_COMPLETED",
            "BLUETOOTH",
            "INTERNET",
            "FLASHLIGHT",
            "ACCESS_NETWORK_STATE",
            "VIBRATE",
            "WAKE_LOCK",
            "ACCESS_FINE_LOCATION",
            "READ_EXTERNAL_STORAGE",
            "READ_PHONE_STATE",
            "WRITE_EXTERNAL_STORAGE",
            "RECORD_AUDIO",
        } == granted
        assert {"READ_CONTACTS", "CAMERA"} == denied

    def test_testapp_first(self, capture: Capture) -> None:
        """testapp.first: 1.0 (1), installed for user 0, no installer, no runtime rows."""
        app = parse_capture(capture, APPIUM_FIRST)["com.example.testapp.first"]

        assert ("1.0", 1, 10225, None, (0,), {}) == (
            app.version_name,
            app.version_code,
            app.app_id,
            app.installer,
            app.installed_for(),
            runtime(app),
        )
        assert datetime(2016, 11, 3, 1, 12, 9) == app.first_install


@pytest.mark.needs_fixtures
class TestFixtureChecksums:
    """The captures are byte-for-byte what PROVENANCE.md lists (no CRLF or encoding conversion)."""

    def test_checksums(self, fixtures_dir: Path) -> None:
        """Every file in PROVENANCE.md's SHA-256 block hashes to the listed value."""
        provenance = (fixtures_dir / "PROVENANCE.md").read_text(encoding="utf-8")
        block = provenance.split("## Checksums (SHA-256)", 1)[1]
        rows = re.findall(r"^([0-9a-f]{64})  (\S+)$", block, re.MULTILINE)
        listed = {name: digest for digest, name in rows}
        actual = {
            name: hashlib.sha256((fixtures_dir / name).read_bytes()).hexdigest() for name in listed
        }

        assert set(DUMPS) <= set(listed)
        assert listed == actual


# -- synthetic text in the documented formats of newer releases --------------------------------

ANDROID_14 = dedent(
    """\
    Packages:
      Package [com.whatsapp.w4b] (c0ffee1):
        appId=10312
        pkg=Package{5d6e7f8 com.whatsapp.w4b}
        codePath=/data/app/~~Zm9vYmFy==/com.whatsapp.w4b-YmF6cXV4==
        versionCode=241213004 minSdk=21 targetSdk=34
        minExtensionVersions=[]
        versionName=2.24.12.13
        usesNonSdkApi=false
        splits=[base]
        apkSigningVersion=3
        flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ]
        privateFlags=[ PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE_VIA_SDK_VERSION ]
        forceQueryable=false
        dataDir=/data/user/0/com.whatsapp.w4b
        supportsScreens=[small, medium, large, xlarge, resizeable, anyDensity]
        timeStamp=2024-06-12 14:03:20
        lastUpdateTime=2024-06-12 14:03:22.517
        installerPackageName=com.android.vending
        installerPackageUid=10141
        initiatingPackageName=com.android.vending
        originatingPackageName=null
        packageSource=2
        appMetadataFilePath=null
        signatures=PackageSignatures{1a2b3c4 version:3, signatures:[0f1e2d3c], past signatures:[]}
        installPermissionsFixed=true
        pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]
        privatePkgFlags=[ PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE_VIA_SDK_VERSION ]
        apexModuleName=null
        install permissions:
          android.permission.INTERNET: granted=true
        User 0: ceDataInode=0 installed=false hidden=false suspended=false distractionFlags=0 stopped=true notLaunched=true enabled=0 instant=false virtual=false
          installReason=0
          firstInstallTime=1970-01-01 01:00:00
          uninstallReason=0
          runtime permissions:
            android.permission.READ_CONTACTS: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
        User 10: ceDataInode=0 installed=false hidden=false suspended=false distractionFlags=0 stopped=true notLaunched=true enabled=0 instant=false virtual=false
          installReason=0
          firstInstallTime=1970-01-01 01:00:00
          uninstallReason=0
        User 11: ceDataInode=48213 installed=true hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false virtual=false
          installReason=4
          firstInstallTime=2024-06-12 14:03:22
          uninstallReason=0
          legacy overlay paths:
            /product/overlay/NavigationBarModeGestural/NavigationBarModeGesturalOverlay.apk
          gids=[3003]
          runtime permissions:
            android.permission.READ_CONTACTS: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
            android.permission.CAMERA: granted=false, flags=[ USER_SET|USER_FIXED]
        User 13: ceDataInode=0 installed=false hidden=false suspended=false distractionFlags=0 stopped=true notLaunched=true enabled=0 instant=false virtual=false
          installReason=0
          firstInstallTime=1970-01-01 01:00:00
        User 17: ceDataInode=0 installed=false hidden=false suspended=false distractionFlags=0 stopped=true notLaunched=true enabled=0 instant=false virtual=false
          installReason=0
          firstInstallTime=1970-01-01 01:00:00
      Package [org.example.sideloaded] (abc1234):
        appId=10400
        versionCode=7 minSdk=26 targetSdk=34
        versionName=0.7 (beta build)
        flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA DEBUGGABLE ]
        lastUpdateTime=2024-07-01 09:00:00
        installerPackageName=null
        installerPackageUid=-1
        initiatingPackageName=com.android.shell
        originatingPackageName=null
        packageSource=1
        pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA DEBUGGABLE ]
        User 0: ceDataInode=991 installed=true hidden=false suspended=true distractionFlags=0 stopped=false notLaunched=false enabled=3 instant=false virtual=false
          installReason=0
          firstInstallTime=2024-07-01 08:59:58
          Suspend params:
            suspendingPackage=com.google.android.apps.wellbeing dialogInfo=null
          runtime permissions:

    Queries:
      system apps queryable: false
      queries via package name:
        com.whatsapp.w4b:
          com.whatsapp
    Package Changes:
      Sequence number=12
      User 0:
        seq=3, package=com.whatsapp
    """
)

ANDROID_16 = dedent(
    """\
    Packages:
      Package [org.thoughtcrime.securesms] (9f8e7d6):
        appId=10290
        pkg=Package{1234abc org.thoughtcrime.securesms}
        codePath=/data/app/~~cXdlcnR5==/org.thoughtcrime.securesms-YXNkZg==
        versionCode=161301 minSdk=21 targetSdk=35
        minExtensionVersions=[]
        versionName=7.40.2
        hiddenApiEnforcementPolicy=2
        usesNonSdkApi=false
        splits=[base]
        apkSigningVersion=3
        flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ]
        forceQueryable=false
        pageSizeCompat=0
        scannedAsStoppedSystemApp=false
        supportsScreens=[small, medium, large, xlarge, resizeable, anyDensity]
        timeStamp=2025-09-30 18:20:11
        lastUpdateTime=2025-09-30 18:20:14
        installerPackageName=com.android.vending
        installerPackageUid=10160
        initiatingPackageName=com.android.vending
        originatingPackageName=null
        packageSource=2
        appMetadataFilePath=null
        appMetadataSource=0
        signatures=PackageSignatures{5a5a5a5 version:3, signatures:[29a4f3d1], past signatures:[]}
        installPermissionsFixed=true
        pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ]
        privatePkgFlags=[ PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE_VIA_SDK_VERSION ]
        apexModuleName=null
        install permissions:
          android.permission.INTERNET: granted=true
          android.permission.USE_FULL_SCREEN_INTENT: granted=true, flags=[ USER_SET]
          android.permission.USE_FULL_SCREEN_INTENT: granted=false, flags=[ USER_SET], userId=10
        User 0: ceDataInode=5521 deDataInode=5522 installed=true hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false virtual=false quarantined=false
          installReason=4
          dataDir=/data/user/0/org.thoughtcrime.securesms
          firstInstallTime=2023-01-15 20:05:00.250
          uninstallReason=0
          gids=[3003]
          runtime permissions:
            android.permission.READ_CONTACTS: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
            android.permission.RECORD_AUDIO: granted=false, flags=[ USER_SET|USER_FIXED]
        User 10: ceDataInode=6110 deDataInode=6111 installed=true hidden=true suspended=false distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false virtual=false quarantined=false
          installReason=4
          dataDir=/data/user/10/org.thoughtcrime.securesms
          firstInstallTime=2024-02-01 12:00:00
          runtime permissions:
            android.permission.READ_CONTACTS: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
      Package [com.android.providers.contacts] (4d4d4d4):
        appId=10011
        sharedUser=SharedUserSetting{7e7e7e7 android.uid.shared/10011}
        versionCode=36 minSdk=36 targetSdk=36
        versionName=16
        flags=[ SYSTEM HAS_CODE PERSISTENT ALLOW_CLEAR_USER_DATA ]
        pkgFlags=[ SYSTEM HAS_CODE PERSISTENT ALLOW_CLEAR_USER_DATA ]
        User 0: ceDataInode=200 deDataInode=201 installed=true hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false virtual=false quarantined=false
          installReason=0
          firstInstallTime=2009-01-01 00:00:00
        User 10: ceDataInode=300 deDataInode=301 installed=true hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false virtual=false quarantined=false
          installReason=0
          firstInstallTime=2008-12-31 16:00:00

    Hidden system packages:
      Package [org.thoughtcrime.securesms] (1b1b1b1):
        appId=10290
        versionCode=1 minSdk=21 targetSdk=30
        versionName=stub (1.0)
        flags=[ SYSTEM HAS_CODE ]
      Package [com.vendor.factoryonly] (2c2c2c2):
        appId=10500
        versionName=1.0

    Shared users:
      SharedUser [android.uid.shared] (7e7e7e7):
        appId=10011
        install permissions:
          android.permission.INTERNET: granted=true
        User 0: 
          gids=[3003]
          runtime permissions:
            android.permission.READ_CONTACTS: granted=true, flags=[ SYSTEM_FIXED|GRANTED_BY_DEFAULT]
        User 10: 
          runtime permissions:
            android.permission.READ_CONTACTS: granted=false, flags=[ SYSTEM_FIXED]

    Queries:
      system apps queryable: false
    """
)


def shifted_like_pm_dump(text: str) -> str:
    """The same dump as ``pm dump`` prints it: 2 more spaces, and a service after it.

    AOSP writes ``installReason=`` with a literal indent, so it stays (reference, section 2).
    """
    lines = [
        line if line.lstrip().startswith("installReason=") or not line else "  " + line
        for line in text.split("\n")
    ]
    return (
        "DUMP OF SERVICE package:\n"
        + "\n".join(lines)
        + "\nDUMP OF SERVICE activity:\n  Packages:\n    Package [com.not.here] (1):\n"
    )


class TestAndroid14Format:
    """Android 14 layout: appId=, per-user install times, a user line for every user."""

    def test_app_only_in_one_profile(self) -> None:
        """Users 0, 10, 13 and 17 have installed=false; only user 11 has the app."""
        app = by_name(parse_dumpsys_package(ANDROID_14))["com.whatsapp.w4b"]

        assert ((0, 10, 11, 13, 17), (11,)) == (
            tuple(u.user_id for u in app.users),
            app.installed_for(),
        )

    def test_fields(self) -> None:
        """appId=, versionCode line, installer and initiating package are read by key."""
        app = by_name(parse_dumpsys_package(ANDROID_14))["com.whatsapp.w4b"]

        assert (
            10312,
            241213004,
            34,
            "2.24.12.13",
            "com.android.vending",
            "com.android.vending",
        ) == (
            app.app_id,
            app.version_code,
            app.target_sdk,
            app.version_name,
            app.installer,
            app.initiating_installer,
        )
        assert frozenset({"HAS_CODE", "ALLOW_CLEAR_USER_DATA", "ALLOW_BACKUP"}) == app.flags

    def test_per_user_times(self) -> None:
        """1970 placeholders of absent users are None; the package time is the installed user's."""
        app = by_name(parse_dumpsys_package(ANDROID_14))["com.whatsapp.w4b"]

        assert (
            [None, None, datetime(2024, 6, 12, 14, 3, 22), None, None],
            datetime(2024, 6, 12, 14, 3, 22),
            datetime(2024, 6, 12, 14, 3, 22, 517000),
        ) == (
            [u.first_install for u in app.users],
            app.first_install,
            app.last_update,
        )

    def test_per_user_runtime_permissions(self) -> None:
        """Pipe-joined flags parse; each user keeps its own grants and absent rows stay absent."""
        app = by_name(parse_dumpsys_package(ANDROID_14))["com.whatsapp.w4b"]

        assert (
            {P + "READ_CONTACTS": False},
            {},
            {P + "READ_CONTACTS": True, P + "CAMERA": False},
        ) == (runtime(app, 0), runtime(app, 10), runtime(app, 11))

    def test_null_installer_and_shell_initiator(self) -> None:
        """installerPackageName=null is None; an adb install's initiator is com.android.shell."""
        app = by_name(parse_dumpsys_package(ANDROID_14))["org.example.sideloaded"]

        assert (None, "com.android.shell", "0.7 (beta build)") == (
            app.installer,
            app.initiating_installer,
            app.version_name,
        )

    def test_suspended_and_disabled_user(self) -> None:
        """suspended=true and enabled=3 (disabled by the user) are read from the User 0: tokens."""
        user = by_name(parse_dumpsys_package(ANDROID_14))["org.example.sideloaded"].user(0)
        assert user is not None

        assert (True, 3, {}) == (user.suspended, user.enabled, dict(user.runtime_permissions))

    def test_queries_and_changes_are_not_packages(self) -> None:
        """Only the two Package [ blocks are packages; Queries:/Package Changes: names are not."""
        assert ["com.whatsapp.w4b", "org.example.sideloaded"] == [
            p.name for p in parse_dumpsys_package(ANDROID_14)
        ]

    def test_pm_dump_shift(self) -> None:
        """Shifted by 2 as pm dump prints it, the same packages result; later services do not."""
        assert parse_dumpsys_package(ANDROID_14) == parse_dumpsys_package(
            shifted_like_pm_dump(ANDROID_14)
        )


class TestAndroid16Format:
    """Android 16 layout: deDataInode/quarantined, per-user dataDir, userId= install overrides."""

    def test_install_permission_override_rows_are_dropped(self) -> None:
        """The ", userId=10" row does not replace the package-wide (user 0) install grant."""
        app = by_name(parse_dumpsys_package(ANDROID_16))["org.thoughtcrime.securesms"]

        assert {P + "INTERNET": True, P + "USE_FULL_SCREEN_INTENT": True} == dict(
            app.install_permissions
        )

    def test_users(self) -> None:
        """Two users with the app; user 10 has it hidden and READ_CONTACTS denied."""
        app = by_name(parse_dumpsys_package(ANDROID_16))["org.thoughtcrime.securesms"]
        user10 = app.user(10)
        assert user10 is not None

        assert ((0, 10), True, datetime(2023, 1, 15, 20, 5, 0, 250000)) == (
            app.installed_for(),
            user10.hidden,
            app.first_install,
        )
        assert (
            {P + "READ_CONTACTS": True, P + "RECORD_AUDIO": False},
            {P + "READ_CONTACTS": False},
        ) == (runtime(app, 0), runtime(app, 10))

    def test_hidden_stub_and_hidden_only_package(self) -> None:
        """7.40.2 stays active; a package only under Hidden system packages: is dropped."""
        packages = by_name(parse_dumpsys_package(ANDROID_16))

        assert (["org.thoughtcrime.securesms", "com.android.providers.contacts"], "7.40.2") == (
            list(packages),
            packages["org.thoughtcrime.securesms"].version_name,
        )

    def test_shared_user_grants_per_user(self) -> None:
        """Shared-uid grants are merged per user: granted for user 0, denied for user 10."""
        app = by_name(parse_dumpsys_package(ANDROID_16))["com.android.providers.contacts"]

        assert (
            "android.uid.shared",
            {P + "READ_CONTACTS": True},
            {P + "READ_CONTACTS": False},
        ) == (
            app.shared_user,
            runtime(app, 0),
            runtime(app, 10),
        )
        assert {P + "INTERNET": True} == dict(app.install_permissions)

    def test_system_image_time_in_any_zone(self) -> None:
        """2009-01-01 00:00 UTC, at UTC and in US Pacific (2008-12-31 16:00), is a placeholder."""
        app = by_name(parse_dumpsys_package(ANDROID_16))["com.android.providers.contacts"]

        assert ([None, None], None) == ([u.first_install for u in app.users], app.first_install)

    def test_pm_dump_shift_with_literal_install_reason(self) -> None:
        """Under pm dump, installReason= stays at the User line's depth and closes nothing."""
        assert parse_dumpsys_package(ANDROID_16) == parse_dumpsys_package(
            shifted_like_pm_dump(ANDROID_16)
        )


class TestHeadersAndBoundaries:
    """Service headers, footers and other text around the package section."""

    def test_unable_to_find_package(self) -> None:
        """Android 13+ answers a missing package with one line; that is no package and no error."""
        assert () == parse_dumpsys_package("Unable to find package: com.whatsapp\n")

    def test_unable_to_find_under_dexopt(self) -> None:
        """Before Android 13 the line sits under Dexopt state: / Compiler stats:; still nothing."""
        text = (
            "Package Changes:\n  Sequence number=4\n\n"
            "Dexopt state:\n  Unable to find package: com.whatsapp\n"
        )

        assert () == parse_dumpsys_package(text)

    def test_bugreport_footer_ends_the_section(self) -> None:
        """After the "was the duration of dumpsys package" footer, Package [ lines are not read."""
        text = dedent(
            """\
            -------------------------------------------------------------------------------
            DUMP OF SERVICE package:
            Packages:
              Package [com.whatsapp] (1):
                versionName=2.25.1.1
            --------- 2.929s was the duration of dumpsys package, ending at: 2025-01-01 10:00:00
            Packages:
              Package [com.not.here] (2):
                versionName=9
            """
        )

        assert ["com.whatsapp"] == [p.name for p in parse_dumpsys_package(text)]

    def test_isdi_header_without_colon(self) -> None:
        """ISDI's "DUMP OF SERVICE package" (no colon) opens the section; the next one closes it."""
        text = (
            "DUMP OF SERVICE package\nPackages:\n  Package [a.b] (1):\n    versionName=1\n"
            "DUMP OF SERVICE appops\n  Package [c.d] (2):\n"
        )

        assert ["a.b"] == [p.name for p in parse_dumpsys_package(text)]

    def test_library_overlay_line_does_not_end_the_section(self) -> None:
        """AOSP prints "<library> overlay paths:" at column 0 inside a block; the packages go on."""
        text = dedent(
            """\
            Packages:
              Package [a.b] (1):
                User 0: installed=true enabled=0
                  overlay paths:
                    /product/overlay/x.apk

            android.ext.shared overlay paths:
                    /product/overlay/y.apk
                  runtime permissions:
                    android.permission.CAMERA: granted=true
              Package [c.d] (2):
                versionName=2
            """
        )
        packages = by_name(parse_dumpsys_package(text))

        assert (["a.b", "c.d"], {P + "CAMERA": True}) == (list(packages), runtime(packages["a.b"]))

    def test_vendor_and_legacy_user_keys(self) -> None:
        """Hisense's restricted=/alive= keys are skipped; Android 5's blocked= means hidden."""
        text = dedent(
            """\
            Packages:
              Package [a.b] (1):
                User 0: ceDataInode=1 installed=true hidden=false suspended=false distractionFlags=0 stopped=false restricted=false alive=true notLaunched=false enabled=2 instant=false virtual=false
                User 10:  installed=true blocked=true stopped=false notLaunched=false enabled=0
            """
        )
        app = parse_dumpsys_package(text)[0]

        assert [(0, True, False, 2), (10, True, True, 0)] == [
            (u.user_id, u.installed, u.hidden, u.enabled) for u in app.users
        ]


# -- decoding and robustness -------------------------------------------------------------------


class TestDecode:
    """scanner.parse.text.decode: BOMs, line ends and control characters."""

    def test_utf16le_bom_crlf_dump(self) -> None:
        """A PowerShell-redirected dump (UTF-16LE, BOM, CRLF) parses like the original text."""
        data = b"\xff\xfe" + ANDROID_16.replace("\n", "\r\n").encode("utf-16-le")

        assert parse_dumpsys_package(ANDROID_16) == parse_dumpsys_package(decode(data))

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (b"\xef\xbb\xbfa=1\r\nb=2\r\n", "a=1\nb=2\n"),
            (b"\xfe\xff\x00a\x00\r\x00\n", "a\n"),
            (b"\xff\xfea\x00\r\x00\n\x00", "a\n"),
            (b"a\r\r\nb", "a\nb"),
            (b"caf\xc3\xa9 \xe2\x80\x93 ok", "café – ok"),
            (b"bad \xff byte", "bad \ufffd byte"),
            (b"nul\x00in\x1bside\tkept\n", "nul\ufffdin\ufffdside\tkept\n"),
            (b"form\x0cfeed\x0bvt\x1csep", "form\ufffdfeed\ufffdvt\ufffdsep"),
            ("\ufeffstr\r\ninput\x00", "str\ninput\ufffd"),
        ],
    )
    def test_decode(self, data: bytes | str, expected: str) -> None:
        """decode() sniffs the BOM, drops \\r and replaces control characters except \\t and \\n."""
        assert expected == decode(data)


class TestRobustness:
    """The parser never raises and never invents packages, whatever it is given."""

    def test_binary_junk_between_blocks(self) -> None:
        """NUL-laden binary bytes between packages leave both packages intact."""
        junk = bytes(range(256)) * 4
        data = (
            b"Packages:\n  Package [a.b] (1):\n    versionName=1\n    User 0: installed=true\n"
            b"    keystore=" + junk + b"\n  Package [c.d] (2):\n    versionName=2\n"
        )

        assert [("a.b", "1"), ("c.d", "2")] == [
            (p.name, p.version_name) for p in parse_dumpsys_package(decode(data))
        ]

    @pytest.mark.parametrize("seed", range(20))
    def test_random_garbage(self, seed: int) -> None:
        """Random bytes and dump-like tokens never raise and name only what the text names."""
        rng = random.Random(seed)
        tokens = [
            "Packages:", "Hidden system packages:", "Shared users:", "Queries:", "  Package [",
            "] (", "):", "  SharedUser [", "User ", "0", "99999999999999999999", ":", "=",
            "installed=", "true", "versionCode=", "x", "sharedUser=SharedUserSetting{", "}",
            "firstInstallTime=", "2009-01-01 00:00:00", "9999-99-99 99:99:99", " granted=",
            "runtime permissions:", "install permissions:", "\n", "\n", "    ", "  ", "\t",
            "DUMP OF SERVICE package", "\x00", "\u2028", "flags=[", "|", "]",
        ]  # fmt: skip
        for _ in range(20):
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(400)))
            text = "".join(rng.choice(tokens) for _ in range(rng.randrange(300)))
            for candidate in (decode(raw), text):
                packages = parse_dumpsys_package(candidate)
                json.dumps(to_json_shape(packages))
                assert all(p.name and p.name in candidate for p in packages)

    @pytest.mark.needs_fixtures
    def test_truncated_everywhere(self, capture: Capture) -> None:
        """Every cut of a real dump (each line end and mid-line) parses to a subset of the whole."""
        text = decode(capture(TEKARTIK_1))
        whole = {p.name for p in parse_dumpsys_package(text)}
        for cut in range(0, len(text), 37):
            assert {p.name for p in parse_dumpsys_package(text[:cut])} <= whole

    @pytest.mark.needs_fixtures
    def test_shuffled_and_reindented_lines(self, capture: Capture) -> None:
        """Lines shuffled, dropped, duplicated or re-indented never make the parser raise."""
        lines = decode(capture(APPIUM_FIRST) + capture(TEKARTIK_2)).split("\n")
        rng = random.Random(7)
        for _ in range(200):
            mutated = [
                " " * rng.randrange(12) + line.lstrip() if rng.random() < 0.2 else line
                for line in rng.sample(lines, rng.randrange(len(lines)))
            ]
            mutated += rng.choices(lines, k=10)
            parse_dumpsys_package("\n".join(mutated))

    def test_empty(self) -> None:
        """Empty or whitespace-only input is no packages."""
        assert ((), ()) == (parse_dumpsys_package(""), parse_dumpsys_package(" \n\n\t\n"))


class TestJsonShape:
    """to_json_shape: the stable shape ``msgscan parse dumpsys-package`` prints."""

    def test_shape(self) -> None:
        """Names, versions, installer, sorted flags and per-user grants, nothing else."""
        shape = to_json_shape(parse_dumpsys_package(ANDROID_14))

        assert {
            "packages": [
                {
                    "name": "com.whatsapp.w4b",
                    "version_name": "2.24.12.13",
                    "version_code": 241213004,
                    "installer": "com.android.vending",
                    "flags": ["ALLOW_BACKUP", "ALLOW_CLEAR_USER_DATA", "HAS_CODE"],
                    "users": [
                        {
                            "id": 0,
                            "installed": False,
                            "runtime_permissions": {P + "READ_CONTACTS": False},
                        },
                        {"id": 10, "installed": False, "runtime_permissions": {}},
                        {
                            "id": 11,
                            "installed": True,
                            "runtime_permissions": {P + "CAMERA": False, P + "READ_CONTACTS": True},
                        },
                        {"id": 13, "installed": False, "runtime_permissions": {}},
                        {"id": 17, "installed": False, "runtime_permissions": {}},
                    ],
                },
                {
                    "name": "org.example.sideloaded",
                    "version_name": "0.7 (beta build)",
                    "version_code": 7,
                    "installer": None,
                    "flags": ["ALLOW_CLEAR_USER_DATA", "DEBUGGABLE", "HAS_CODE"],
                    "users": [{"id": 0, "installed": True, "runtime_permissions": {}}],
                },
            ]
        } == shape

    @pytest.mark.needs_fixtures
    def test_real_dump_is_json(self, huawei: dict[str, Package]) -> None:
        """The Huawei dump's shape serialises to JSON and round-trips unchanged."""
        shape = to_json_shape(tuple(huawei.values()))

        assert shape == json.loads(json.dumps(shape))
        assert 252 == len(shape["packages"])

"""``dumpsys device_policy``: no capture exists, so the examples follow AOSP.

Sources (services/devicepolicy/java/com/android/server/devicepolicy/): DeviceOwner.java
(Android 6), Owners.java (7-12), OwnersData.java (13-16), DevicePolicyData.dump (12-16),
DevicePolicyManagerService.dump (top level, two-space sections), ActiveAdmin.dump (fields).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checks.facts import DevicePolicy
from scanner.parse.device_policy import parse_device_policy
from scanner.parse.text import decode
from tests.scanner.parse.garbage import garbage


def _dump(text: str) -> str:
    """The sample with ``~`` turned into the trailing space AOSP prints after owner headers."""
    return text.replace("~\n", " \n")


ANDROID_14_PROFILE_OWNER = _dump("""\
Current Device Policy Manager state:
  Immutable state:
    mHasFeature=true
    mIsWatch=false
    mIsAutomotive=false
    mHasTelephonyFeature=true
    mSafetyChecker=null
  Profile Owner (User 10):~
    admin=ComponentInfo{com.google.android.apps.work.clouddpc/com.google.android.apps.work.clouddpc.receivers.CloudDeviceAdminReceiver}
    package=com.google.android.apps.work.clouddpc
    isOrganizationOwnedDevice=false


  Enabled Device Admins (User 0, provisioningState: 0):

    mPasswordOwner=-1

  Enabled Device Admins (User 10, provisioningState: 3):
    com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver:
      uid=1010234
      testOnlyAdmin=false
      policies:
        limit-password
        watch-login
        reset-password
        force-lock
        wipe-data
      passwordQuality=0x0

    mPasswordOwner=-1
""")
"""Android 14: OwnersData.OwnerInfo.dump prints admin=, package=, isOrganizationOwnedDevice=."""

ANDROID_16_DEVICE_OWNER = _dump("""\
Current Device Policy Manager state:
  Immutable state:
    mHasFeature=true
  Device Owner:~
    admin=ComponentInfo{com.example.mdm/com.example.mdm.AdminReceiver}
    package=com.example.mdm
    isOrganizationOwnedDevice=true
    User ID: 0


  Enabled Device Admins (User 0, provisioningState: 3):
    com.example.mdm/.AdminReceiver:
      uid=10123
      testOnlyAdmin=false
      policies:
        limit-password
    com.stalker.app/.Admin$Receiver:
      uid=10145
      testOnlyAdmin=false
      policies:
        wipe-data

    mPasswordOwner=-1
""")

ANDROID_9_BOTH = _dump("""\
Current Device Policy Manager state:
  Device Owner:~
    admin=ComponentInfo{com.example.mdm/com.example.mdm.AdminReceiver}
    name=Example MDM: corp/{x}
    package=com.example.mdm
    User ID: 0

  Profile Owner (User 10):~
    admin=ComponentInfo{com.example.work/com.example.work.Receiver}
    name=Work
    package=com.example.work

  Enabled Device Admins (User 0, provisioningState: 3):
    com.example.mdm/.AdminReceiver:
      uid=10123
      testOnlyAdmin=false
      policies:
        limit-password
""")
"""Android 7-12 Owners.dump("  ", pw): OwnerInfo prints admin=, name=, package=."""

ANDROID_6_DEVICE_OWNER = _dump("""\
Current Device Policy Manager state:
  Device Owner:~
    admin=ComponentInfo{com.example.mdm/}
    name=Example MDM

  Enabled Device Admins (User 0):
    com.example.mdm/.AdminReceiver:
      uid=10123
      policies:
        wipe-data
""")
"""Android 6 DeviceOwner.OwnerInfo.dump: admin= and name= only; an owner set by package name
has an empty class."""


class TestParseDevicePolicy:
    def test_android_14_profile_owner(self) -> None:
        """Android 14: a work profile's owner and admin on user 10, no device owner."""
        expected = DevicePolicy(
            device_owner=None,
            profile_owners={10: "com.google.android.apps.work.clouddpc"},
            admins={10: ("com.google.android.apps.work.clouddpc",)},
        )

        assert expected == parse_device_policy(ANDROID_14_PROFILE_OWNER)

    def test_android_16_device_owner(self) -> None:
        """Android 16: a device owner and a second (stalkerware-like) admin on user 0."""
        expected = DevicePolicy(
            device_owner="com.example.mdm",
            profile_owners={},
            admins={0: ("com.example.mdm", "com.stalker.app")},
        )

        assert expected == parse_device_policy(ANDROID_16_DEVICE_OWNER)

    def test_android_9_owner_names_are_ignored(self) -> None:
        """Android 9: name= lines (free text) do not disturb the packages."""
        expected = DevicePolicy(
            device_owner="com.example.mdm",
            profile_owners={10: "com.example.work"},
            admins={0: ("com.example.mdm",)},
        )

        assert expected == parse_device_policy(ANDROID_9_BOTH)

    def test_android_6_package_from_admin(self) -> None:
        """Android 6: without package= the owner's package comes from admin=ComponentInfo."""
        expected = DevicePolicy(
            device_owner="com.example.mdm", profile_owners={}, admins={0: ("com.example.mdm",)}
        )

        assert expected == parse_device_policy(ANDROID_6_DEVICE_OWNER)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "Can't find service: device_policy\n",
            "Current Device Policy Manager state:\n  Immutable state:\n    mHasFeature=false\n",
        ],
    )
    def test_no_owner(self, text: str) -> None:
        """Empty output, a missing service or a dump without owners has no device owner."""
        assert DevicePolicy(device_owner=None) == parse_device_policy(text)

    def test_crlf(self) -> None:
        """CRLF line ends (legacy adb shell PTY) do not change the result."""
        assert parse_device_policy(ANDROID_9_BOTH) == parse_device_policy(
            ANDROID_9_BOTH.replace("\n", "\r\n")
        )

    def test_section_ends_at_shallower_line(self) -> None:
        """Component-like lines after the admin section are not admins."""
        text = ANDROID_6_DEVICE_OWNER + "  Other section:\n    com.foo/.Bar:\n"

        assert {0: ("com.example.mdm",)} == parse_device_policy(text).admins

    @pytest.mark.parametrize("text", garbage())
    def test_never_raises(self, text: str) -> None:
        """Garbage gives a DevicePolicy, never an exception."""
        assert isinstance(parse_device_policy(text), DevicePolicy)

    def test_huawei_capture(self, capture: Callable[[str], bytes]) -> None:
        """The Huawei Android 7 dumpsys has no device_policy section, so it yields no owner."""
        text = decode(capture("isdi-huawei-frd-android7/dumpsys-all.txt"))

        assert DevicePolicy(device_owner=None) == parse_device_policy(text)


SAMSUNG_SECURE_FOLDER = (
    "DUMP OF SERVICE device_policy:\n"
    "Current Device Policy Manager state:\n"
    "  Profile Owner (User 150): \n"
    "    admin=ComponentInfo{com.samsung.knox.securefolder/com.samsung.knox.securefolder.containeragent"
    ".detector.KnoxDeviceAdminReceiver}\n"
    "    package=com.samsung.knox.securefolder\n"
    "    isOrganizationOwnedDevice=false\n"
    "  Enabled Device Admins (User 0, provisioningState: 0):\n"
    "    com.samsung.android.kgclient/.agent.KGDeviceAdminReceiver:\n"
    "      uid=10094\n"
    "  Enabled Device Admins (User 150, provisioningState: 0):\n"
    "    com.samsung.knox.securefolder/.containeragent.detector.KnoxDeviceAdminReceiver:\n"
    "      uid=15010144\n"
    "--------- 0.213s was the duration of dumpsys device_policy, ending at: 2026-01-21 11:08:39\n"
)
"""A Samsung phone with Secure Folder, in the layout a public Android bug-report parser's tests
quote from a 2026 dump (Android 14+ ``OwnersData.OwnerInfo.dump``: no ``name=``)."""


def test_samsung_secure_folder_owner() -> None:
    """Secure Folder's profile owner is read like any other: Samsung's own app, for user 150."""
    from checks.facts import DevicePolicy

    assert DevicePolicy(
        None,
        {150: "com.samsung.knox.securefolder"},
        {0: ("com.samsung.android.kgclient",), 150: ("com.samsung.knox.securefolder",)},
    ) == parse_device_policy(SAMSUNG_SECURE_FOLDER)

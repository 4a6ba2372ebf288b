"""Pins for mutants of ``scanner/parse/device_policy.py`` that its own tests let live.

No capture shows ``dumpsys device_policy``; the sample follows AOSP ``OwnersData.OwnerInfo.dump``
(Android 14-16: ``admin=``, ``package=``, ``isOrganizationOwnedDevice=``) as the module's own
tests do. Package names are Java-style names whose segments may end in any letter, upper case
included (``PackageParser.validateName``: ``[a-zA-Z][a-zA-Z0-9_]*`` per segment).
"""

from __future__ import annotations

import pytest

from scanner.parse.device_policy import parse_device_policy

_OWNER = """\
Current Device Policy Manager state:
  Device Owner:~
    admin=ComponentInfo{de.example.mdmX/de.example.mdmX.AdminReceiver}
    package=de.example.mdmX
    isOrganizationOwnedDevice=true
    User ID: 0

  Profile Owner (User 10):~
    admin=ComponentInfo{com.example.workMAX/com.example.workMAX.Receiver}
    package=com.example.workMAX
    isOrganizationOwnedDevice=false
""".replace("~", " ")  # the trailing space AOSP prints after an owner header


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_an_owner_package_is_kept_to_its_last_letter(newline: str) -> None:
    """The owner is named exactly as ``package=`` prints it, in LF and in CRLF output (a legacy
    PTY ``adb shell``): only the CR is dropped, never a letter the name ends with."""
    policy = parse_device_policy(_OWNER.replace("\n", newline))
    assert policy.device_owner == "de.example.mdmX"
    assert policy.profile_owners == {10: "com.example.workMAX"}

"""Pins (session 21) for ``scanner/parse/device_policy.py``: only admin lines are admins.

DevicePolicyData.dump (Android 12-16; DevicePolicyManagerService.dump before) prints each active
admin as ``<component.flattenToShortString()>:`` right under the ``Enabled Device Admins``
header, then ``ActiveAdmin.dump`` one level deeper: uid, policies, and texts the admin app sets
itself (``shortSupportMessage=``, ``longSupportMessage=``, ``organizationName=``), printed as
given. IndentingPrintWriter indents every line it writes, so a line break inside such a text
puts the rest at the admin's detail depth: text the app chose, never another admin.
"""

from __future__ import annotations

from scanner.parse.device_policy import parse_device_policy

FORGED = """\
Current Device Policy Manager state:
  Enabled Device Admins (User 0, provisioningState: 3):
    com.example.mdm/.AdminReceiver:
      uid=10123
      testOnlyAdmin=false
      policies:
        limit-password
        force-lock
      passwordQuality=0x0
      shortSupportMessage=Contact IT
      com.example.other/.FakeReceiver:
      organizationName=Example
    com.example.vpn/.VpnAdmin:
      uid=10140
      testOnlyAdmin=false
      policies:
        force-lock

    mPasswordOwner=-1
"""


def test_a_line_deeper_than_the_admin_lines_is_no_admin() -> None:
    policy = parse_device_policy(FORGED)
    assert policy.admins == {0: ("com.example.mdm", "com.example.vpn")}

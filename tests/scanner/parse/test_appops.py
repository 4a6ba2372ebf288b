from __future__ import annotations

from collections.abc import Callable

import pytest

from checks.facts import AppOps, OpMode
from scanner.parse.appops import (
    parse_dumpsys_appops,
    parse_dumpsys_appops_uid_modes,
)
from scanner.parse.text import decode
from tests.scanner.parse.garbage import garbage

HUAWEI = "isdi-huawei-frd-android7/dumpsys-all.txt"
STORAGE_AND_CONTACTS = {
    "READ_CONTACTS": OpMode.ALLOW,
    "WRITE_CONTACTS": OpMode.ALLOW,
    "READ_EXTERNAL_STORAGE": OpMode.ALLOW,
    "WRITE_EXTERNAL_STORAGE": OpMode.ALLOW,
}

ANDROID_10 = """\
Current AppOps Service state:
  Settings:
    top_state_settle_time=+30s0ms
  Op mode watchers:
    Op COARSE_LOCATION:
      #0: ModeCallback{a3b1c2 watchinguid=-1 flags=0x1 from uid=1000 pid=1520}
  Package mode watchers:
    Pkg com.whatsapp:
      #0: ModeCallback{77d0e1 watchinguid=-1 flags=0x0 from uid=u0a232 pid=8801}

  Uid u0a232:
    state=cch
      LEGACY_STORAGE: mode=allow
    Package com.whatsapp:
      READ_CONTACTS (allow):
      READ_EXTERNAL_STORAGE (allow):
      WRITE_EXTERNAL_STORAGE (allow):
      MONITOR_LOCATION (allow / switch COARSE_LOCATION=allow):
  Uid u10a232:
    state=cch
    Package com.whatsapp:
      READ_CONTACTS (ignore):
      READ_EXTERNAL_STORAGE (deny):

  User restrictions for token android.os.Binder@9f1e2d3:
      Restricted ops:
        user: 0 restricted ops: [READ_CONTACTS]
"""
"""Android 10 (appop/AppOpsService.dump; op lines as in the verified 9 and 11 sources): uid
modes before the Package line, package ops as ``OP (mode):``; time lines omitted."""

ANDROID_14_16 = """\
Current AppOps Service state:

  Uid u0a232:
    state=cch
    capability=LCMN
    appWidgetVisible=false
      MANAGE_EXTERNAL_STORAGE: mode=allow
    Package com.whatsapp:
      READ_EXTERNAL_STORAGE (allow):
        null=[
          Access: [top-s] 2026-05-01 10:00:00.000 (-2h3m4s5ms)
        ]
      MANAGE_EXTERNAL_STORAGE (default):
        null=[
          Access: [fg-s] 2026-05-01 09:00:00.000 (-3h3m4s5ms)
        ]
      READ_MEDIA_VISUAL_USER_SELECTED (allow):
  Uid u0a240:
    state=cch
      MANAGE_EXTERNAL_STORAGE: mode=ignore
  Uid 1000:
    state=pers
    Package android:
      READ_CONTACTS (allow):

  AppOps policy not set.
"""
"""Android 14-16 (appop/AppOpsService.dump; uid modes from AppOpsCheckingService), with the
attribution-tag blocks of ``dumpStatesLocked``."""


@pytest.fixture(scope="module")
def huawei(capture: Callable[[str], bytes]) -> str:
    return decode(capture(HUAWEI))


class TestParseDumpsysAppopsOnCapture:
    """Huawei FRD-L04, Android 7, appops section after ``DUMP OF SERVICE appops``."""

    def test_whatsapp(self, huawei: str) -> None:
        """WhatsApp (Uid u0a232) has READ_CONTACTS mode=0 and the storage ops, all allowed."""
        assert STORAGE_AND_CONTACTS == parse_dumpsys_appops(huawei).modes[(0, "com.whatsapp")]

    def test_signal(self, huawei: str) -> None:
        """Signal (Uid u0a123) has READ_CONTACTS mode=0 and the storage ops, all allowed."""
        actual = parse_dumpsys_appops(huawei).modes[(0, "org.thoughtcrime.securesms")]

        assert STORAGE_AND_CONTACTS == actual

    def test_mode_lookup(self, huawei: str) -> None:
        """AppOps.mode answers for (user, package, op)."""
        assert OpMode.ALLOW == parse_dumpsys_appops(huawei).mode(0, "com.whatsapp", "READ_CONTACTS")

    def test_only_kept_ops(self, huawei: str) -> None:
        """Ops unrelated to storage and contacts (Skype's SYSTEM_ALERT_WINDOW) are dropped."""
        assert None is parse_dumpsys_appops(huawei).mode(
            0, "com.skype.raider", "SYSTEM_ALERT_WINDOW"
        )

    def test_split_package_header(self, huawei: str) -> None:
        """Huawei's three-line package headers give package names without suffixes."""
        names = {package for _, package in parse_dumpsys_appops(huawei).modes}

        assert [] == sorted(n for n in names if " " in n or n.endswith(":"))

    def test_package_count(self, huawei: str) -> None:
        """199 of the 222 package blocks have a storage or contacts op (counted with awk)."""
        assert 199 == len(parse_dumpsys_appops(huawei).modes)

    def test_section_equals_service_dump(self, huawei: str) -> None:
        """Parsing the whole dumpsys equals parsing the appops section alone."""
        lines = huawei.split("\n")
        start = lines.index("DUMP OF SERVICE appops")
        end = lines.index("DUMP OF SERVICE net_stats")
        section = "\n".join(lines[start + 1 : end])

        assert parse_dumpsys_appops(section) == parse_dumpsys_appops(huawei)


class TestParseDumpsysAppopsSynthetic:
    def test_android_10(self) -> None:
        """Android 10: per-user keys, named modes and the uid-level LEGACY_STORAGE."""
        expected = {
            (0, "com.whatsapp"): {
                "READ_CONTACTS": OpMode.ALLOW,
                "READ_EXTERNAL_STORAGE": OpMode.ALLOW,
                "WRITE_EXTERNAL_STORAGE": OpMode.ALLOW,
                "LEGACY_STORAGE": OpMode.ALLOW,
            },
            (10, "com.whatsapp"): {
                "READ_CONTACTS": OpMode.IGNORE,
                "READ_EXTERNAL_STORAGE": OpMode.DENY,
            },
        }

        assert expected == parse_dumpsys_appops(ANDROID_10).modes

    def test_android_14_uid_mode_overrides(self) -> None:
        """Android 14-16: the uid-level MANAGE_EXTERNAL_STORAGE=allow wins over the package's."""
        expected = {
            "READ_EXTERNAL_STORAGE": OpMode.ALLOW,
            "MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW,
            "READ_MEDIA_VISUAL_USER_SELECTED": OpMode.ALLOW,
        }

        assert expected == parse_dumpsys_appops(ANDROID_14_16).modes[(0, "com.whatsapp")]

    def test_system_uid(self) -> None:
        """A plain numeric uid (below 10000) belongs to user 0."""
        assert OpMode.ALLOW == parse_dumpsys_appops(ANDROID_14_16).mode(
            0, "android", "READ_CONTACTS"
        )

    def test_uid_modes(self) -> None:
        """Uid-level modes are also available by numeric uid, even without a Package line."""
        expected = {
            10232: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW},
            10240: {"MANAGE_EXTERNAL_STORAGE": OpMode.IGNORE},
        }

        assert expected == parse_dumpsys_appops_uid_modes(ANDROID_14_16)

    def test_android_7_numeric_modes(self) -> None:
        """Android 7: numeric modes 0-4 map to allow, ignore, deny, default, foreground."""
        text = (
            "  Uid u0a5:\n    Package p:\n"
            "      READ_CONTACTS: mode=0\n      WRITE_CONTACTS: mode=1\n"
            "      READ_EXTERNAL_STORAGE: mode=2; time=+1s ago\n"
            "      WRITE_EXTERNAL_STORAGE: mode=3 (running)\n"
            "      ACCESS_MEDIA_LOCATION: mode=4\n      READ_MEDIA_IMAGES: mode=5\n"
        )
        expected = {
            "READ_CONTACTS": OpMode.ALLOW,
            "WRITE_CONTACTS": OpMode.IGNORE,
            "READ_EXTERNAL_STORAGE": OpMode.DENY,
            "WRITE_EXTERNAL_STORAGE": OpMode.DEFAULT,
            "ACCESS_MEDIA_LOCATION": OpMode.FOREGROUND,
        }

        assert expected == parse_dumpsys_appops(text).modes[(0, "p")]

    def test_empty(self) -> None:
        """Output without Uid blocks gives no modes."""
        assert AppOps(modes={}) == parse_dumpsys_appops("Current AppOps Service state:\n")

    @pytest.mark.parametrize("text", garbage())
    def test_never_raises(self, text: str) -> None:
        """Garbage gives AppOps and uid modes, never an exception."""
        assert (AppOps, dict) == (
            type(parse_dumpsys_appops(text)),
            type(parse_dumpsys_appops_uid_modes(text)),
        )

"""``dumpsys package`` behaviours that mutation testing (``python -m bench.mutation
scanner/parse``) found unpinned: each test fails for a mutant that survived the other tests.

Synthetic text in the line formats of shared/reference/dumpsys-package-format.md (sections 2, 3).
"""

from __future__ import annotations

from datetime import datetime
from textwrap import dedent

import pytest

from scanner.parse.dumpsys_package import parse_dumpsys_package

P = "android.permission."


def one(text: str):  # type: ignore[no-untyped-def]
    [package] = parse_dumpsys_package(dedent(text))
    return package


class TestBlocksEnd:
    def test_package_after_a_shared_user_keeps_its_own_grants(self) -> None:
        """Two dumps in one text (a bugreport holds more than one): the second dump's package
        gets its install permissions, not the shared user of the first dump."""
        text = dedent(
            f"""\
            DUMP OF SERVICE package:
            Shared users:
              SharedUser [android.media] (1a2b3c):
                userId=10009
                install permissions:
                  {P}INTERNET: granted=true
            DUMP OF SERVICE package:
            Packages:
              Package [com.example.files] (4d5e6f):
                appId=10300
                versionCode=5 minSdk=21 targetSdk=22
                install permissions:
                  {P}READ_EXTERNAL_STORAGE: granted=true
                User 0: ceDataInode=1 installed=true hidden=false
            """
        )
        [package] = parse_dumpsys_package(text)

        assert {f"{P}READ_EXTERNAL_STORAGE": True} == package.install_permissions

    def test_rows_after_a_field_are_not_the_previous_users(self) -> None:
        """A ``runtime permissions:`` list that follows a package field (not a ``User N:``
        line) belongs to no user: the grant is not given to user 0."""
        package = one(
            f"""\
            Packages:
              Package [com.example.app] (1):
                appId=10300
                User 0: ceDataInode=1 installed=true hidden=false
                  runtime permissions:
                    {P}CAMERA: granted=true
                pkgFlags=[ HAS_CODE ]
                  runtime permissions:
                    {P}READ_CONTACTS: granted=true
            """
        )

        assert {f"{P}CAMERA": True} == package.user(0).runtime_permissions

    def test_rows_under_another_user_list_are_not_user_fields(self) -> None:
        """Lines under a per-user list other than ``runtime permissions:`` are its rows, never
        the user's fields (here a ``firstInstallTime=`` row)."""
        package = one(
            """\
            Packages:
              Package [com.example.app] (1):
                appId=10300
                User 0: ceDataInode=1 installed=true hidden=false
                  firstInstallTime=2023-01-02 03:04:05
                  disabledComponents:
                    firstInstallTime=2024-07-01 08:59:58
            """
        )

        assert datetime(2023, 1, 2, 3, 4, 5) == package.user(0).first_install


class TestFields:
    def test_version_name_ending_in_a_colon(self) -> None:
        """``versionName`` is free text: one ending in ``:`` is a value, not a list header."""
        package = one(
            """\
            Packages:
              Package [com.example.app] (1):
                appId=10300
                versionName=2.1 beta:
                User 0: ceDataInode=1 installed=true hidden=false
            """
        )

        assert "2.1 beta:" == package.version_name

    @pytest.mark.parametrize(
        ("stamp", "expected"),
        [
            ("2008-10-22 12:00:00", datetime(2008, 10, 22, 12)),  # the first Android phone
            ("2007-12-31 23:59:59", None),
            ("1970-01-01 01:00:00", None),  # the epoch in UTC+1: "never"
            ("2009-01-01 05:45:00", None),  # the system image's fixed time in Nepal (UTC+5:45)
            ("2009-01-01 05:46:00", datetime(2009, 1, 1, 5, 46)),
        ],
    )
    def test_install_times_from_2008_on(self, stamp: str, expected: datetime | None) -> None:
        package = one(
            f"""\
            Packages:
              Package [com.example.app] (1):
                appId=10300
                firstInstallTime={stamp}
                User 0: ceDataInode=1 installed=true hidden=false
            """
        )

        assert expected == package.first_install


class TestSections:
    def test_package_block_under_another_section_is_no_package(self) -> None:
        """Only entries under ``Packages:`` are packages: a ``Package [`` block after another
        heading (``Dexopt state:``, ``Queries:`` …) is not one, whatever it says."""
        text = dedent(
            """\
            Packages:
              Package [com.example.app] (1):
                appId=10300
                User 0: ceDataInode=1 installed=true hidden=false
            Dexopt state:
              Package [com.whatsapp] (2):
                appId=10301
                User 0: ceDataInode=2 installed=true hidden=false
            """
        )

        assert ["com.example.app"] == [p.name for p in parse_dumpsys_package(text)]

    @pytest.mark.parametrize(
        "first",
        ["versionCode=12 minSdk=21 targetSdk=30", "appId=10300", "install permissions:",
         "User 0: ceDataInode=1 installed=true hidden=false"],
    )
    def test_fragment_cut_inside_a_block(self, first: str) -> None:
        """Output that starts inside the block of the package asked about (``pm dump <pkg>``
        cut at its head) is that package, recognised by its first field line."""
        text = f"    {first}\n    versionName=3.2\n    User 0: ceDataInode=1 installed=true\n"

        [package] = parse_dumpsys_package(text, package="com.example.asked")

        assert ("com.example.asked", "3.2") == (package.name, package.version_name)

    def test_fragment_not_recognised_from_an_unknown_line(self) -> None:
        text = "    someVendorKey=1\n    versionName=3.2\n    User 0: installed=true\n"

        assert () == parse_dumpsys_package(text, package="com.example.asked")


def test_a_name_with_a_space_is_no_package() -> None:
    """A package name never holds a space (PackageParser rules): ``Package [a b]`` is not one.
    (How the rest of such a dump is read is the damaged-input work of issue 12, item 1.)"""
    text = dedent(
        """\
        Packages:
          Package [com.example bad] (1):
            appId=10300
            User 0: ceDataInode=1 installed=true hidden=false
        """
    )

    assert "com.example bad" not in [p.name for p in parse_dumpsys_package(text)]


class TestAppOps:
    def test_only_the_appops_service_is_read(self) -> None:
        """In a bugreport-style text, Uid blocks of other services are not app ops."""
        from checks.facts import OpMode
        from scanner.parse.appops import parse_dumpsys_appops

        text = dedent(
            """\
            DUMP OF SERVICE activity:
              Uid u0a77:
                Package com.example.before:
                  READ_EXTERNAL_STORAGE (allow):
            DUMP OF SERVICE appops:
            Current AppOps Service state:
              Uid u0a50:
                Package com.whatsapp:
                  READ_EXTERNAL_STORAGE (ignore):
            DUMP OF SERVICE audio:
              Uid u0a88:
                Package com.example.after:
                  READ_EXTERNAL_STORAGE (allow):
            """
        )

        assert {(0, "com.whatsapp"): {"READ_EXTERNAL_STORAGE": OpMode.IGNORE}} == {
            k: dict(v) for k, v in parse_dumpsys_appops(text).modes.items()}

    def test_a_two_space_section_ends_the_uid_block(self) -> None:
        """After ``  User restrictions …`` (two spaces), mode lines belong to no Uid; a
        two-space line that looks like a mode line ends the block too (and never raises)."""
        from checks.facts import OpMode
        from scanner.parse.appops import parse_dumpsys_appops_uid_modes

        text = dedent(
            """\
            Current AppOps Service state:
              Uid u0a50:
                MANAGE_EXTERNAL_STORAGE: mode=allow
              User restrictions for token 1:
                MANAGE_EXTERNAL_STORAGE: mode=ignore
                READ_EXTERNAL_STORAGE: mode=ignore
              Uid u0a51:
                MANAGE_EXTERNAL_STORAGE: mode=allow
              MANAGE_EXTERNAL_STORAGE: mode=ignore
            """
        )

        assert {10050: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW},
                10051: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}} == {
            k: dict(v) for k, v in parse_dumpsys_appops_uid_modes(text).items()}

    @pytest.mark.parametrize(
        ("token", "expected"),
        [
            ("1000", (1000, 0)),  # a system uid of user 0, printed as a number
            ("u0a123", (10123, 0)),
            ("u10a5", (1010005, 10)),
            ("u10s1000", (1001000, 10)),  # a system uid in a secondary user
            ("u10i5", (1099005, 10)),  # isolated
            ("u0ai7", (-1, 0)),  # an app zygote: no packages
            ("u" + "1" * 30 + "a1", (-1, -1)),
        ],
    )
    def test_uids(self, token: str, expected: tuple[int, int]) -> None:
        """UserHandle.formatUid read back: user * 100000 + app id."""
        from scanner.parse.appops import _uid_and_user

        assert expected == _uid_and_user(f"  Uid {token}:")


def test_user_line_without_installed_counts_as_installed() -> None:
    """Module doc: a ``User N:`` line without ``installed=`` counts as installed, so a messenger
    is never hidden from the checks by a line we could not read."""
    package = one(
        """\
        Packages:
          Package [com.whatsapp] (1):
            appId=10300
            User 0: ceDataInode=1 hidden=false
        """
    )

    assert (0,) == tuple(package.installed_for())


def test_device_owner_from_its_package_line() -> None:
    """``package=`` names the owner (Android 7+), even where ``admin=`` names another."""
    from scanner.parse.device_policy import _owner_package

    assert "com.example.mdm" == _owner_package(
        ["  admin=ComponentInfo{com.example.other/.Receiver}", "  package=com.example.mdm"])


def test_unreadable_permission_rows_grant_nothing() -> None:
    package = one(
        f"""\
        Packages:
          Package [com.example.app] (1):
            appId=10300
            install permissions:
              {P}INTERNET granted=true
              bad name: granted=true
              : granted=true
              {P}CAMERA: granted=true
            installerPackageName=
            User 0: ceDataInode=1 installed=true hidden=false
        """
    )

    assert ({f"{P}CAMERA": True}, None) == (package.install_permissions, package.installer)


def test_fragment_first_line_is_read_and_flags_line() -> None:
    """The first line of a fragment is a field like any other; ``flags=`` (newer releases)
    gives the flags as ``pkgFlags=`` does."""
    text = "    versionCode=12 minSdk=21 targetSdk=30\n    flags=[ SYSTEM HAS_CODE ]\n"

    [package] = parse_dumpsys_package(text, package="com.example.asked")

    assert (12, 30, True) == (package.version_code, package.target_sdk, package.is_system)


@pytest.mark.parametrize(("value", "sdk"), [("123456789", 123456789), ("1234567890", None)])
def test_sdk_level_digits(value: str, sdk: int | None) -> None:
    """At most 9 digits are read as a number; longer values are not an API level."""
    from scanner.parse.getprop import identity_from_props

    assert sdk == identity_from_props({"ro.build.version.sdk": value}).sdk


class TestFindStat:
    """scanner.parse.storage.parse_find_stat: ``<mtime> <size>`` lines and toybox errors."""

    ROOT = "/storage/emulated/0/WhatsApp/Media"

    def parse(self, text: str, exit_code: int | None = 0):  # type: ignore[no-untyped-def]
        from scanner.parse.storage import parse_find_stat

        return parse_find_stat(text, self.ROOT, exit_code)

    def test_files(self) -> None:
        from datetime import UTC

        s = self.parse("1700000000 100\n\n1700000500 23\n0 7\n"
                       f"find: {self.ROOT}/Private: Permission denied\n")

        assert (True, 3, 130, datetime.fromtimestamp(1700000500, UTC), 1) == (
            s.exists, s.files, s.total_bytes, s.newest, s.unreadable)

    def test_only_an_epoch_file(self) -> None:
        from datetime import UTC

        assert datetime.fromtimestamp(0, UTC) == self.parse("0 7\n").newest

    def test_empty_folder(self) -> None:
        """No lines, or blank ones only: the folder is there and holds nothing."""
        assert [(True, 0, None), (True, 0, None)] == [
            (s.exists, s.files, s.newest) for s in (self.parse(""), self.parse("\n \n"))]

    def test_absent(self) -> None:
        assert False is self.parse(f"find: {self.ROOT}/: No such file or directory\n", 1).exists

    def test_unreadable(self) -> None:
        from checks.facts import Unseen

        assert Unseen(f"permission denied: {self.ROOT}") == self.parse(
            f"find: {self.ROOT}: Permission denied\n", 1)

    def test_not_find_output(self) -> None:
        from checks.facts import Unseen

        assert Unseen(f"find could not list {self.ROOT} (exit 127, 1 unexpected lines)") == (
            self.parse("/system/bin/sh: find: inaccessible or not found\n", 127))

    @pytest.mark.parametrize(("code", "exists"), [(0, True), (1, False), (2, None), (None, None)])
    def test_exists(self, code: int | None, exists: bool | None) -> None:
        from scanner.parse.storage import parse_test_exists

        assert exists is parse_test_exists(code)


def test_multi_line_property_then_the_next() -> None:
    """A value spread over lines ends at its ``]``; the next property is read on its own."""
    from scanner.parse.getprop import parse_getprop

    text = "[ro.build.description]: [line one\nline two]\n[ro.build.version.sdk]: [36]\n"

    assert {"ro.build.description": "line one\nline two", "ro.build.version.sdk": "36"} == (
        parse_getprop(text))


def test_users_with_crlf_line_ends() -> None:
    """``adb shell`` through a pty ends lines with CR LF: the users are the same."""
    from scanner.parse.users import parse_pm_list_users

    text = "Users:\n\tUserInfo{0:Owner:4c13} running\n\tUserInfo{10:Work profile:1030} running\n"

    assert parse_pm_list_users(text) == parse_pm_list_users(text.replace("\n", "\r\n"))
    assert [0, 10] == [u.id for u in parse_pm_list_users(text.replace("\n", "\r\n"))]


def test_line_after_a_closed_multi_line_value_is_not_part_of_it() -> None:
    from scanner.parse.getprop import parse_getprop

    assert {"a": "x\ny", "b": "1"} == parse_getprop("[a]: [x\ny]\ngarbage]\n[b]: [1]\n")


def test_scrub_keeps_an_error_line_after_an_unfinished_user() -> None:
    """Error lines carry no names and are kept, also inside an entry that never closed."""
    from scanner.parse.users import scrub_pm_list_users

    text = "Users:\n\tUserInfo{0:Owner\nError: boom\n\tUserInfo{10:Work:1030} running\n"

    assert "Users:\nError: boom\n\tUserInfo{10:user:1030} running\n" == scrub_pm_list_users(text)


def test_other_dump_sections_are_not_packages() -> None:
    """After ``DUMP OF SETTINGS …`` (an ISDI wrapper), nothing is package output."""
    text = dedent(
        """\
        DUMP OF SERVICE package:
        Packages:
          Package [com.example.app] (1):
            appId=10300
            User 0: ceDataInode=1 installed=true hidden=false
        DUMP OF SETTINGS secure
        Packages:
          Package [com.whatsapp] (2):
            appId=10301
            User 0: ceDataInode=2 installed=true hidden=false
        """
    )

    assert ["com.example.app"] == [p.name for p in parse_dumpsys_package(text)]


def test_a_fragment_then_the_next_package() -> None:
    """A ``pm dump`` fragment (fields at column 4) ends at the next ``Package [`` (column 2)."""
    text = ("    versionName=3.2\n    User 0: ceDataInode=1 installed=true\n"
            "  Package [com.example.next] (2):\n    appId=10301\n"
            "    User 0: ceDataInode=2 installed=true\n")

    assert ["com.example.asked", "com.example.next"] == [
        p.name for p in parse_dumpsys_package(text, package="com.example.asked")]


@pytest.mark.parametrize(("stamp", "kept"), [("2009-01-01 14:00:00", False),
                                             ("2009-01-01 14:15:00", True)])
def test_system_image_time_up_to_utc_plus_14(stamp: str, kept: bool) -> None:
    """2009-01-01 00:00 UTC shown in any zone up to UTC+14 (Kiribati) is the image's time."""
    package = one(
        f"""\
        Packages:
          Package [com.example.app] (1):
            appId=10300
            firstInstallTime={stamp}
            User 0: ceDataInode=1 installed=true hidden=false
        """
    )

    assert kept == (package.first_install is not None)


def test_a_user_listed_twice_is_one_user() -> None:
    from scanner.parse.users import parse_pm_list_users

    text = "Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{0:Owner:c13} running\n"

    assert [0] == [u.id for u in parse_pm_list_users(text)]


def test_settings_values_are_kept_whole_across_crlf() -> None:
    """Only the CR of a CR LF line end goes: a value keeps its last letters and blanks."""
    from scanner.parse.settings import parse_settings_list

    text = "backup_transport=com.example/.TX\r\nname=Max \r\nempty=\r\n"

    assert {"backup_transport": "com.example/.TX", "name": "Max ", "empty": ""} == (
        parse_settings_list(text))

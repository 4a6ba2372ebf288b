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

"""``pm list users``: no capture exists, so the examples follow AOSP.

Line format: ``UserInfo.toString`` (core/java/android/content/pm/UserInfo.java, unchanged 4.2-16)
printed by Pm.java ``runListUsers`` (Android 6-7) and ``UserManagerServiceShellCommand.runList``
(Android 13-16, non-verbose). Flags: user 0 is FLAG_PRIMARY|ADMIN|INITIALIZED|FULL|SYSTEM
(0xc13), plus FLAG_MAIN (0x4000) from Android 14; a work profile is MANAGED_PROFILE|INITIALIZED
(0x30) up to Android 10 and gains FLAG_PROFILE (0x1000) from Android 11 (UserTypeFactory).
"""

from __future__ import annotations

import pytest

from checks.facts import User, UserKind
from scanner.parse.users import (
    NAME_PLACEHOLDER,
    describe_failure,
    parse_pm_list_users,
    scrub_pm_list_users,
)
from tests.scanner.parse.garbage import garbage

ANDROID_10_WORK = (
    "Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{10:Work profile:30} running\n"
)
ANDROID_14_WORK = (
    "Users:\n\tUserInfo{0:Owner:4c13} running\n\tUserInfo{10:Work profile:1030} running\n"
)
ANDROID_16_WORK_PAUSED = (
    "Users:\n\tUserInfo{0:Owner:4c13} running\n\tUserInfo{10:Work profile:10b0}\n"
)
"""A paused work profile: FLAG_QUIET_MODE (0x80) set and the user not running."""


class TestParsePmListUsers:
    def test_android_10_work_profile(self) -> None:
        """Android 10: user 0 and a work profile flagged 0x30."""
        expected = (
            User(0, UserKind.SYSTEM, 0xC13, True),
            User(10, UserKind.MANAGED_PROFILE, 0x30, True),
        )

        assert expected == parse_pm_list_users(ANDROID_10_WORK)

    def test_android_14_work_profile(self) -> None:
        """Android 14: FLAG_MAIN on user 0 and FLAG_PROFILE on the work profile."""
        expected = (
            User(0, UserKind.SYSTEM, 0x4C13, True),
            User(10, UserKind.MANAGED_PROFILE, 0x1030, True),
        )

        assert expected == parse_pm_list_users(ANDROID_14_WORK)

    def test_android_16_paused_work_profile(self) -> None:
        """A stopped user has no `` running`` suffix."""
        expected = (
            User(0, UserKind.SYSTEM, 0x4C13, True),
            User(10, UserKind.MANAGED_PROFILE, 0x10B0, False),
        )

        assert expected == parse_pm_list_users(ANDROID_16_WORK_PAUSED)

    @pytest.mark.parametrize(
        ("line", "expected"),
        [
            ("UserInfo{11:Private space:1090}", UserKind.OTHER_PROFILE),  # Android 15 (reference)
            ("UserInfo{12:Clone:1010}", UserKind.OTHER_PROFILE),
            ("UserInfo{13:Guest:414}", UserKind.GUEST),
            ("UserInfo{14:Kid:418}", UserKind.RESTRICTED),
            ("UserInfo{15:Second:410}", UserKind.SECONDARY),
            ("UserInfo{10:Work profile:b0}", UserKind.MANAGED_PROFILE),  # paused, Android 10
        ],
    )
    def test_kinds(self, line: str, expected: UserKind) -> None:
        """UserInfo flags map to the user kinds."""
        assert [expected] == [u.kind for u in parse_pm_list_users(f"Users:\n\t{line}\n")]

    @pytest.mark.parametrize(
        "name", ["Ann: the {boss}", "a:b:c", "x}y", "}:1f}", "Zoë ❤", "line\nbreak"]
    )
    def test_awkward_names(self, name: str) -> None:
        """Names with ``:``, ``}``, hex-looking parts or a line break do not shift the fields."""
        text = f"Users:\n\tUserInfo{{0:{name}:c13}} running\n\tUserInfo{{10:w:30}}\n"
        expected = (
            User(0, UserKind.SYSTEM, 0xC13, True),
            User(10, UserKind.MANAGED_PROFILE, 0x30, False),
        )

        assert expected == parse_pm_list_users(text)

    def test_never_keeps_the_name(self) -> None:
        """No field of a parsed user holds the name."""
        users = parse_pm_list_users("Users:\n\tUserInfo{0:Alice Example:c13} running\n")

        assert "Alice" not in repr(users)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "Error: couldn't get users\n",
            (
                "Exception occurred while executing 'list':\n"
                "java.lang.SecurityException: Shell does not have permission to access user 10\n"
            ),
        ],
    )
    def test_errors_give_no_users(self, text: str) -> None:
        """Error output gives an empty tuple, which the collector turns into Unseen."""
        assert () == parse_pm_list_users(text)

    @pytest.mark.parametrize("text", garbage())
    def test_never_raises(self, text: str) -> None:
        """Garbage gives a tuple of users and a scrubbed string, never an exception."""
        assert (tuple, str, str) == (
            type(parse_pm_list_users(text)),
            type(scrub_pm_list_users(text)),
            type(describe_failure(text)),
        )


class TestDescribeFailure:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", "pm list users printed nothing"),
            ("Error: couldn't get users\n", "pm list users printed an error"),
            (
                "java.lang.SecurityException: Permission Denial\n",
                "pm list users was refused (SecurityException)",
            ),
            ("Users:\n\tUserInfo{0:Secret Name\n", "pm list users printed no user lines"),
        ],
    )
    def test_reasons(self, text: str, expected: str) -> None:
        """The reason names the failure and never repeats the output."""
        assert expected == describe_failure(text)


class TestScrubPmListUsers:
    def test_replaces_names(self) -> None:
        """Names become the placeholder; ids, flags and running stay."""
        text = "Users:\n\tUserInfo{0:Alice Example:4c13} running\n\tUserInfo{10:Work: A}:1030}\n"
        expected = (
            f"Users:\n\tUserInfo{{0:{NAME_PLACEHOLDER}:4c13}} running\n"
            f"\tUserInfo{{10:{NAME_PLACEHOLDER}:1030}}\n"
        )

        assert expected == scrub_pm_list_users(text)

    def test_round_trip(self) -> None:
        """The scrubbed output parses to the same users."""
        assert parse_pm_list_users(ANDROID_14_WORK) == parse_pm_list_users(
            scrub_pm_list_users(ANDROID_14_WORK)
        )

    def test_drops_unparsable_fragments(self) -> None:
        """A broken user line (maybe part of a name) is dropped, an error line kept."""
        text = "Users:\n\tUserInfo{0:Alice\nError: couldn't get users\n"

        assert "Users:\nError: couldn't get users\n" == scrub_pm_list_users(text)

    def test_multi_line_name(self) -> None:
        """A name with a line break leaves no trace."""
        text = "Users:\n\tUserInfo{0:Alice\nExample:c13} running\n"

        assert f"Users:\n\tUserInfo{{0:{NAME_PLACEHOLDER}:c13}} running\n" == scrub_pm_list_users(
            text
        )


# ``cmd user list -v`` (Android 11+): UserManagerServiceShellCommand.runList, verbose branch.
VERBOSE_15 = (
    "4 users:\n\n"
    "0: id=0, name=Max Muster, type=full.SYSTEM, flags=ADMIN|FULL|INITIALIZED|MAIN|PRIMARY|SYSTEM"
    " (running) (current) (visible)\n"
    "1: id=10, name=Work profile, type=profile.MANAGED, flags=INITIALIZED|MANAGED_PROFILE|PROFILE"
    " (parentId=0) (running) (profile-owner) (visible)\n"
    "2: id=11, name=Clone, type=profile.CLONE, flags=INITIALIZED|PROFILE (parentId=0) (running)\n"
    "3: id=12, name=Private, type=profile.PRIVATE, flags=INITIALIZED|PROFILE|QUIET_MODE (parentId=0)\n"
)


class TestUserTypes:
    def test_types_and_parents(self) -> None:
        """Each user's type (prefix already removed by AOSP) and its parent."""
        from scanner.parse.users import parse_user_types

        assert {
            0: ("full.SYSTEM", None),
            10: ("profile.MANAGED", 0),
            11: ("profile.CLONE", 0),
            12: ("profile.PRIVATE", 0),
        } == parse_user_types(VERBOSE_15)

    def test_a_name_cannot_forge_a_type(self) -> None:
        """A name holding ", type=..., flags=..." does not change the user's real type."""
        from scanner.parse.users import parse_user_types

        line = (
            "0: id=10, name=x, type=profile.MANAGED, flags=PROFILE (running), "
            "type=profile.CLONE, flags=INITIALIZED|PROFILE (parentId=0)\n"
        )
        assert {10: ("profile.CLONE", 0)} == parse_user_types(line)

    def test_older_releases_print_no_type(self) -> None:
        """Without ``type=`` the type is unknown (None), never guessed."""
        from scanner.parse.users import parse_user_types

        assert {10: (None, None)} == parse_user_types(
            "1: id=10, name=Work, flags=INITIALIZED|MANAGED_PROFILE (running)\n"
        )

    @pytest.mark.parametrize("text", ["", "Error: unknown command\n", "Users:\n\tUserInfo{0:Owner:c13} running\n"])
    def test_no_verbose_lines(self, text: str) -> None:
        """Errors and the non-verbose format give no types."""
        from scanner.parse.users import parse_user_types

        assert {} == parse_user_types(text)

    def test_scrub_keeps_types_drops_names(self) -> None:
        """A recording keeps ids, types, flags and suffixes, never the names."""
        from scanner.parse.users import parse_user_types, scrub_user_list_verbose

        scrubbed = scrub_user_list_verbose(VERBOSE_15 + "stray line with Max Muster\n")
        assert ("Max" not in scrubbed, "Private," not in scrubbed) == (True, True)
        assert parse_user_types(VERBOSE_15) == parse_user_types(scrubbed)
        assert scrubbed.startswith("4 users:\n\n0: id=0, name=" + NAME_PLACEHOLDER + ", type=full.SYSTEM")

    def test_garbage_never_raises(self) -> None:
        """Damaged output gives some (possibly empty) mapping, never an exception."""
        from scanner.parse.users import parse_user_types, scrub_user_list_verbose

        for blob in garbage():
            parse_user_types(blob)
            scrub_user_list_verbose(blob)


def test_samsung_vendor_users() -> None:
    """Samsung's users as public captures show them (bayton.org FAQ; a developer's notes):
    Secure Folder carries the managed-profile flag, Dual Messenger only FLAG_PROFILE."""
    text = (
        "Users:\n\tUserInfo{0:Owner:4c13} running\n\tUserInfo{95:DUAL_APP:20001010} running\n"
        "\tUserInfo{150:Secure Folder:10061030} running\n"
    )
    assert [(0, UserKind.SYSTEM), (95, UserKind.OTHER_PROFILE), (150, UserKind.MANAGED_PROFILE)] == [
        (u.id, u.kind) for u in parse_pm_list_users(text)
    ]

"""Pins (session 21) for mutants of ``scanner/parse/users.py`` that its tests let live.

``scrub_pm_list_users`` writes what a recording keeps of ``pm list users``: the phone's output
with every user name replaced, every other line that holds no name kept as printed
(PackageManagerShellCommand.runListUsers / Pm.java: ``Users:``, then ``\\t`` + ``UserInfo``
+ `` running`` per user). Scrubbing what was scrubbed changes nothing.
"""

from __future__ import annotations

from scanner.parse.users import NAME_PLACEHOLDER, parse_pm_list_users, scrub_pm_list_users

SCRUBBED = (
    "Users:\n"
    f"\tUserInfo{{0:{NAME_PLACEHOLDER}:c13}} running\n"
    "\n"
    f"\tUserInfo{{10:{NAME_PLACEHOLDER}:1030}} running\n"
    "Error: couldn't get users\n"
)


def test_a_scrubbed_user_list_is_scrubbed_again_unchanged() -> None:
    """Lines that hold no name stay where they were, an empty line too: the stored text is the
    phone's output but for the names, and parses to the same users."""
    assert scrub_pm_list_users(SCRUBBED) == SCRUBBED
    assert scrub_pm_list_users(SCRUBBED.replace("\n", "\r\n")) == SCRUBBED
    assert [u.id for u in parse_pm_list_users(SCRUBBED)] == [0, 10]


def test_a_name_spans_at_most_four_lines() -> None:
    """UserInfo.toString prints the name as set (``UserInfo{id:name:flags}``), so a name with
    line breaks spans lines; past four physical lines (``_MAX_NAME_LINES``) the entry is taken
    for garbage, never a user, and the next entry is read on its own."""
    four = "Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{10:a\nb\nc\nd:1030}\n"
    assert [u.id for u in parse_pm_list_users(four)] == [0, 10]
    five = "Users:\n\tUserInfo{10:a\nb\nc\nd\ne:1030}\n\tUserInfo{11:Work:1030}\n"
    assert [u.id for u in parse_pm_list_users(five)] == [11]
    assert scrub_pm_list_users(five) == f"Users:\n\tUserInfo{{11:{NAME_PLACEHOLDER}:1030}}\n"

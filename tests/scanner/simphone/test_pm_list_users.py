"""The simulated phone's ``pm list packages --user N`` (session 25): each user's list from its
model as Android prints it (AOSP ``runListPackages``; docs/sources.md's pm entry)."""

from __future__ import annotations

from checks.facts import Package, PackageUser
from scanner import probes
from scanner.simphone.pm_list import list_packages

W4B = Package(
    "com.whatsapp.w4b", 10245, "2", 9, "com.android.vending", frozenset(),
    users=(PackageUser(0, False), PackageUser(10, True)),
)  # fmt: skip
HIDDEN = Package(
    "com.example.hidden", 10246, "1", 1, None, frozenset(),
    users=(PackageUser(0, True), PackageUser(10, True, hidden=True)),
)  # fmt: skip
USERS = [0, 10]


def said(args: list[str], sdk: int = 34) -> tuple[int | None, bytes]:
    answer = list_packages((W4B, HIDDEN), USERS, sdk, args)
    return answer.exit_code, answer.stdout + answer.stderr


def test_each_users_list_names_its_own_uid() -> None:
    probe = probes.pm_user_list_probe(34, 10)
    assert said(list(probe.argv[3:])) == (
        0,
        b"package:com.whatsapp.w4b versionCode:9  installer=com.android.vending uid:1010245\n",
    )


def test_without_u_a_hidden_or_uninstalled_package_is_not_listed() -> None:
    """``isAvailable``: installed and not hidden; ``-u`` lists every entry of the user."""
    assert said(["-3", "--user", "10"]) == (0, b"package:com.whatsapp.w4b\n")
    assert said(["-3", "--user", "0"]) == (0, b"package:com.example.hidden\n")
    assert b"com.example.hidden" in said(["-3", "-u", "--user", "10"])[1]
    assert b"com.whatsapp.w4b" in said(["-3", "-u", "--user", "0"])[1]


def test_a_user_that_does_not_exist_lists_nothing_and_succeeds() -> None:
    """getInstalledPackages answers an empty list for a missing user; no error on any version."""
    for sdk in (23, 29, 34, 36):
        assert said(["-3", "-i", "--user", "11"], sdk) == (0, b"")


def test_android_6_knows_user_but_not_uid() -> None:
    probe = probes.pm_user_list_probe(23, 10)
    assert "-U" not in probe.argv and probe.argv[-2:] == ("--user", "10")
    assert said(list(probe.argv[3:]), 23) == (
        0,
        b"package:com.whatsapp.w4b  installer=com.android.vending\n",
    )

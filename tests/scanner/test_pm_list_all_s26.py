"""Android 14+'s one ``pm list packages`` of every user instead of one list per user (session 26).

``parse.package_list.parse_pm_list_all`` (joined uids split per user, Android 16's ``Error:``
lines, what no pm prints), ``package_check.follow`` (the list in user 0's stream; the fall-back
to the users' own lists when the list fails whole, never the refused user's) and
``package_check.check`` (a refused user, a user with no uid, user 0's states), the simulated
phone's answer per version, and a phone whose work profile forbids debugging features.
Text derived from AOSP ``PackageManagerShellCommand.runListPackages`` (docs/sources.md).
"""

from __future__ import annotations

from dataclasses import replace as dc_replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from checks.facts import Package, PackageUser
from scanner import probes
from scanner.batch import BatchResult, Output
from scanner.collect import collect
from scanner.package_check import check, follow
from scanner.parse.package_list import parse_pm_list_all, parse_pm_list_packages
from scanner.recordings.build import large_phone
from scanner.recordings.construct import build
from scanner.replay import ReplayTransport
from scanner.simphone.pm_list import list_packages, refusal
from tests.faults.test_damaged_output import findings
from tests.scanner.test_package_check_users import SETTINGS, USERS, W4B, phone

ALL = probes.PM_LIST_ALL
REFUSED_10 = f"Error: {refusal(10)}\n"


def every(apps: list[Package], sdk: int = 34, refused: frozenset[int] = frozenset()) -> str:
    said = list_packages(apps, USERS, sdk, list(ALL.argv[3:]), None, refused)
    return (said.stdout + said.stderr).decode()


def own(apps: list[Package], user: int) -> str:
    argv = probes.pm_user_list_probe(34, user).argv
    return list_packages(apps, USERS, 34, list(argv[3:])).stdout.decode()


# --- the parse ----------------------------------------------------------------------------------


def test_joined_uids_are_split_per_user() -> None:
    text = (
        "package:com.whatsapp.w4b versionCode:262641074  installer=com.android.vending "
        "uid:10245,1010245\npackage:com.android.settings versionCode:36  installer=null "
        "uid:1000,1001000\n"
    )
    got = parse_pm_list_all(text)
    assert got.unusable is None and not got.refused
    assert sorted(got.lists) == [0, 10]
    assert got.lists[10].packages["com.whatsapp.w4b"].uid == 1010245
    assert got.lists[0].packages["com.whatsapp.w4b"].uid == 10245
    assert got.lists[10].packages["com.whatsapp.w4b"].version_code == 262641074


@settings(max_examples=150, deadline=None)
@given(phone, st.sampled_from((34, 35, 36)))
def test_each_users_part_is_that_users_own_list(apps: list[Package], sdk: int) -> None:
    """The property the replacement rests on: split by uid, the list of every user is, user by
    user, what ``--user N`` lists (the simulated phone's model; AOSP builds both from the same
    ``getInstalledPackages(flags, N)``)."""
    got = parse_pm_list_all(every(apps, sdk))
    assert got.unusable is None
    for user in USERS:
        alone = parse_pm_list_packages(own(apps, user)).packages
        assert dict(got.lists[user].packages) == dict(alone) if alone else user not in got.lists


@settings(max_examples=100, deadline=None)
@given(phone, st.permutations(range(13)), st.sampled_from(USERS[1:]))
def test_any_line_order_and_a_refused_user_on_16(
    apps: list[Package], order: list[int], user: int
) -> None:
    """Java's HashMap prints in any order; Android 16 names a refused user after the list."""
    text = every(apps, 36, frozenset({user}))
    lines = text.splitlines(keepends=True)
    listed = [line for line in lines if line.startswith("package:")]
    rest = lines[len(listed) :]
    shuffled = [listed[i] for i in order if i < len(listed)] + listed[13:] + rest
    got = parse_pm_list_all("".join(shuffled))
    assert got.unusable is None and set(got.refused) == {user} and user not in got.lists
    assert got.lists[0] == parse_pm_list_all(every(apps, 36)).lists[0]


@pytest.mark.parametrize(
    "text",
    [
        "package:a.b uid:10100,10101\n",  # two uids of user 0 on one line
        "package:a.b uid:10100\npackage:a.b uid:1010100\n",  # a package on two lines
        "package:a.b uid:10100\nsomething else\n",
        "package:a.b uid:1010100\n" + REFUSED_10,  # refused and listed
        "package:a.b uid:10100",  # cut
        "package:a..b uid:10100\n",  # a name Android refuses
    ],
)
def test_what_no_pm_prints_is_garbled(text: str) -> None:
    got = parse_pm_list_all(text)
    assert got.garbled and got.unusable and not got.lists


def test_an_error_line_and_its_callers_line_are_read_as_one() -> None:
    got = parse_pm_list_all("package:a.b uid:10100\n" + REFUSED_10 + "Error: java.lang.X: y\n")
    assert got.unusable is None and list(got.refused) == [10]
    assert got.errors and "java.lang.X" in got.errors[0]
    assert not parse_pm_list_all("package:a.b uid:10100\n com.x:1\n").lists  # no error before


def test_a_line_without_uid_or_an_exception_is_unusable_not_damage() -> None:
    for text in ("package:a.b\n", "java.lang.RuntimeException: x\n"):
        got = parse_pm_list_all(text)
        assert got.unusable and not got.garbled


# --- where the list is asked, and the fall-back -------------------------------------------------

LIST = (
    b"Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{10:Work profile:1030} running\n"
    b"\tUserInfo{11:Clone:1010} running\n"
)


def started(sdk: int) -> tuple[object, list[tuple[probes.Probe, ...]]]:
    props = f"[ro.build.version.sdk]: [{sdk}]\n".encode()
    more = follow(None)
    result = BatchResult({"getprop": Output(0, props), "users": Output(0, LIST)}, (), None, ())
    return more, [tuple(s) for s in more(1, result)]


@pytest.mark.parametrize("sdk", [34, 35, 36])
def test_android_14_on_asks_one_list_of_every_user(sdk: int) -> None:
    _, (stream,) = started(sdk)
    assert [p.name for p in stream] == ["pm-list-system", "pm-list-third", "pm-list-all"]
    assert "--user" not in stream[2].argv and "-u" not in stream[2].argv


def test_android_13_asks_each_users_own_list() -> None:
    _, (stream,) = started(33)
    assert [p.name for p in stream][2:] == ["pm-list-user:10", "pm-list-user:11"]


def fall_back(out: Output) -> list[str]:
    more, _ = started(34)
    streams = more(2, BatchResult({ALL.name: out}, (), None, ()))  # type: ignore[operator]
    return [p.name for s in streams for p in s]


FAILED_10 = f"\nException occurred while executing 'list':\n{refusal(10)}\n\tat x\n".encode()


def test_a_list_that_fails_for_a_refused_profile_falls_back_for_the_others_only() -> None:
    assert fall_back(Output(255, FAILED_10)) == ["pm-list-user:11"]
    assert fall_back(Output(255, b"Killed\n")) == ["pm-list-user:10", "pm-list-user:11"]
    assert fall_back(Output(0, b"java.lang.IllegalStateException: x\n")) == [
        "pm-list-user:10",
        "pm-list-user:11",
    ]


@pytest.mark.parametrize(
    "out",
    [
        Output(0, b"package:a.b uid:10100\n"),  # answered: users without uid are not made
        Output(0, b"package:a.b uid:10100\n" + REFUSED_10.encode()),
        Output(0, b"package:a.b uid:10100,10100\n"),  # garbled: damage
        Output(255, FAILED_10, damaged="checksum"),
    ],
)
def test_no_fall_back_after_an_answer_damage_or_transit_damage(out: Output) -> None:
    assert fall_back(out) == []


# --- the check ----------------------------------------------------------------------------------

APPS = (W4B, SETTINGS)
SETTINGS_0 = b"package:com.android.settings versionCode:36  installer=null uid:1000\n"
USER_0 = {
    "users": Output(0, LIST),
    "pm-list-system": Output(0, SETTINGS_0),
    "pm-list-third": Output(0, b""),
}
ASKED = {p.name: p for p in (*probes.pm_list_probes(34), ALL)}
W4B_10 = "package:com.whatsapp.w4b versionCode:262641074  installer=com.android.vending uid:"


def checked(text: bytes, status: int = 0) -> tuple[list[str], dict[str, str]]:
    damaged: dict[str, str] = {}
    notes = check({**USER_0, ALL.name: Output(status, text)}, ASKED, APPS, (), damaged)
    return notes, damaged


def test_a_profile_listed_in_the_all_users_list_is_checked() -> None:
    notes, damaged = checked(f"{W4B_10}1010245\npackage:com.android.settings uid:1000\n".encode())
    assert damaged == {} and [n for n in notes if "user 10" in n or "user 11" in n] == [
        n for n in notes if "user 11" in n
    ]
    assert len(notes) == 1 and "showed no uid of user 11" in notes[0]  # 11 has no package


def test_a_profile_hidden_by_the_dump_is_damage_in_the_all_users_list() -> None:
    hidden = replace(W4B, users=(PackageUser(0, False), PackageUser(10, False)))
    damaged: dict[str, str] = {}
    text = f"{W4B_10}1010245\n".encode()
    check({**USER_0, ALL.name: Output(0, text)}, ASKED, (hidden, SETTINGS), (), damaged)
    assert "disagrees with pm list packages (every user) for user 10" in damaged["packages"]
    assert "listed by pm for user 10, not installed for it by dumpsys" in damaged["packages"]


def test_user_0s_installed_state_is_checked_too() -> None:
    """What user 0's -u lists cannot show: an app they list whose User 0: state the dump forged
    to installed=false (-u lists it either way)."""
    forged = replace(SETTINGS, flags=frozenset(), users=(PackageUser(0, False),))
    damaged: dict[str, str] = {}
    text = b"package:com.android.settings versionCode:36  installer=null uid:1000\n"
    check({**USER_0, ALL.name: Output(0, text)}, ASKED, (forged,), (), damaged)
    assert (
        "for user 0: listed by pm for user 0, not installed for it by dumpsys"
        in (damaged["packages"])
    )


def test_a_refused_profile_on_16_is_not_made_and_said() -> None:
    notes, damaged = checked(f"package:com.android.settings uid:1000\n{REFUSED_10}".encode())
    assert damaged == {}
    (ten,) = [n for n in notes if "for user 10" in n]
    assert "the shell may not access user 10" in ten and "dumpsys package alone" in ten


def test_a_whole_failure_names_the_refused_user_and_leaves_the_others_to_their_lists() -> None:
    asked = {**ASKED, "pm-list-user:11": probes.pm_user_list_probe(34, 11)}
    damaged: dict[str, str] = {}
    outputs = {**USER_0, ALL.name: Output(255, FAILED_10), "pm-list-user:11": Output(0, b"")}
    notes = check(outputs, asked, APPS, (), damaged)
    assert damaged == {}
    assert any("for user 10 (the shell may not access user 10" in n for n in notes)
    assert any("for user 11 (pm list packages --user 11 listed no package" in n for n in notes)


def test_a_garbled_all_users_list_is_damage() -> None:
    notes, damaged = checked(b"package:a.b uid:10100,10100\n")
    assert "could not be checked against pm list packages (every user)" in damaged["packages"]


# --- the simulated phone, per version -----------------------------------------------------------

APPS_3 = [replace(SETTINGS, users=tuple(PackageUser(u, True) for u in USERS))]


@pytest.mark.parametrize("sdk", [34, 35])
def test_android_14_and_15_fail_the_whole_list_for_a_refused_profile(sdk: int) -> None:
    said = list_packages(APPS_3, USERS, sdk, ["-U"], None, frozenset({11}))
    assert (said.exit_code, said.stdout) == (255, b"")
    assert b"Shell does not have permission to access user 11\n" in said.stderr


def test_android_16_names_the_refused_profile_and_lists_the_others() -> None:
    said = list_packages(APPS_3, USERS, 36, ["-U"], None, frozenset({11}))
    assert said.exit_code == 0
    assert said.stdout == b"package:com.android.settings uid:1000,1001000,15001000\n"
    assert said.stderr.startswith(REFUSED_10.replace("10", "11").encode()[:70])


def test_a_refused_users_own_list_fails_and_android_13_lists_user_0_alone() -> None:
    assert (
        list_packages(APPS_3, USERS, 34, ["--user", "11"], None, frozenset({11})).exit_code == 255
    )
    said = list_packages(APPS_3, USERS, 33, ["-U"])
    assert said.stdout == b"package:com.android.settings uid:1000\n"


# --- a phone whose work profile forbids debugging features --------------------------------------


@pytest.mark.parametrize("sdk", [34, 36])
def test_a_locked_down_work_profile_keeps_the_verdict_and_says_what_was_not_made(sdk: int) -> None:
    spec = large_phone(40, 3)
    props = {**spec.props, "ro.build.version.sdk": str(sdk)}
    clean = build(dc_replace(spec, props=props), model="P", product="p", device="p")
    locked = build(dc_replace(spec, props=props, no_debugging=(10,)), model="P", product="p",
                   device="p")  # fmt: skip
    assert locked.meta["shell_refused_users"] == [10]
    a, b = collect(ReplayTransport(clean)), collect(ReplayTransport(locked))
    assert a.complete and b.complete and not a.damaged and not b.damaged
    assert [f.status for f in findings(a)] == [f.status for f in findings(b)]
    made = [p for p in b.problems if "was not made for user" in p and "user 0's" not in p]
    assert len(made) == 1 and "for user 10 (the shell may not access user 10" in made[0]
    # review12: 14-15's failed list leaves user 0's install states unchecked, said
    assert any("for user 0's install states" in p for p in b.problems) == (sdk < 36)
    asked = [p.name for p in b.probes if p.name.startswith("pm-list-")]
    # 14-15: the failed list's other user by its own list; 16: nothing more to ask
    assert asked[2:] == (["pm-list-all", "pm-list-user:11"] if sdk < 36 else ["pm-list-all"])


# --- pins of the mutation sample (bench/mutation.py) ---------------------------------------------


def test_a_list_longer_than_any_phone_is_not_read() -> None:
    from scanner.parse.package_list import MAX_LINES

    got = parse_pm_list_all("package:a.b uid:10100\n" + "\n" * MAX_LINES)
    assert got.garbled and got.unusable == f"more than {MAX_LINES} lines" and not got.lists
    assert parse_pm_list_all("package:a.b uid:10100\n" + "\n" * (MAX_LINES - 1)).lists


def test_pms_error_is_shown_cut_to_60_characters() -> None:
    from scanner.names import shown

    line = "java.lang.IllegalStateException: " + "x" * 80
    got = parse_pm_list_all(f"package:a.b uid:10100\n{line}\n")
    assert got.unusable == f"pm printed an error ({shown(line, 60)})"
    assert shown(line, 60) != shown(line, 61)


@pytest.mark.parametrize(
    ("sdk", "options"),
    [(b"", ()), (b"1234", ()), (b"x", ()), (b"26", ("-U", "--show-versioncode"))],
)
def test_an_sdk_getprop_does_not_give_asks_the_android_6_options(
    sdk: bytes, options: tuple[str, ...]
) -> None:
    """No SDK, or one of four digits (no Android has it), is unknown: the options of Android 6
    and one list per user, never a failed follow-up."""
    props = b"[ro.build.version.sdk]: [" + sdk + b"]\n"
    result = BatchResult({"getprop": Output(0, props), "users": Output(0, LIST)}, (), None, ())
    ((system, _, ten, eleven),) = follow(None)(1, result)
    assert system.argv[4:-2] == ("-u", "-i", *options)
    assert (ten.name, eleven.name) == ("pm-list-user:10", "pm-list-user:11")


def test_only_a_messenger_names_a_user_pm_list_users_left_out() -> None:
    """A user ``pm list users`` did not name is noted only where dumpsys shows a catalog
    messenger for it (``_messenger_users``), not for any other app."""
    other = replace(SETTINGS, users=(PackageUser(0, True), PackageUser(12, True)))
    asked = {p.name: p for p in probes.pm_list_probes(33)}
    outputs = {"pm-list-system": Output(0, SETTINGS_0), "pm-list-third": Output(0, b"")}
    assert check(outputs, asked, (other,), (), {}) == []
    messenger = replace(W4B, users=(PackageUser(0, False), PackageUser(12, True)))
    (note,) = check(outputs, asked, (messenger, SETTINGS), (), {})
    assert "for user 12 (pm list packages --user 12 was not asked)" in note


def test_a_user_with_no_uid_names_the_other_errors_pm_printed() -> None:
    notes, damaged = checked(SETTINGS_0 + b"Error: java.lang.IllegalStateException: gone\n")
    assert damaged == {}
    (ten,) = [n for n in notes if "for user 10" in n]
    assert "showed no uid of user 10: the user was not listed" in ten
    assert "java.lang.IllegalStateException: gone" in ten


def test_android_16s_refused_own_list_is_an_error_line_and_not_made() -> None:
    said = list_packages(APPS_3, USERS, 36, ["-U", "--user", "11"], None, frozenset({11}))
    assert (said.exit_code, said.stdout) == (0, b"")
    assert said.stderr.startswith(b"Error: java.lang.SecurityException: Shell does not have")
    asked = {p.name: p for p in (*probes.pm_list_probes(33), probes.pm_user_list_probe(33, 11))}
    outputs = {**USER_0, "pm-list-user:11": Output(0, said.stderr)}
    damaged: dict[str, str] = {}
    notes = check(outputs, asked, APPS, (), damaged)
    assert damaged == {}
    assert any("for user 11 (pm list packages --user 11: pm printed an error" in n for n in notes)


def test_an_unreadable_answer_falls_back_but_not_for_the_user_it_names_refused() -> None:
    text = b"package:a.b uid:10100\njava.lang.SecurityException: Shell does not have permission"
    assert fall_back(Output(None, text + b" to access user 10\n")) == ["pm-list-user:11"]


@pytest.mark.parametrize(
    "out",
    [Output(255, FAILED_10, damaged="checksum"), Output(0, b"package:a.b uid:10100\n")],
)
def test_no_fall_back_is_an_empty_list(out: Output) -> None:
    from scanner.package_check import _fallback

    assert _fallback(out, [10, 11]) == []

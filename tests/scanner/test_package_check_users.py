"""The per-user cross-check of ``dumpsys package`` with ``pm list packages --user N`` (session 25).

``parse.package_list.cross_check_user`` on hand-made states, a property over random phones
(the simulated phone's lists of its own model always agree; one flipped install state never
does), where the probes are asked (``package_check.follow``: the stream of user 0's lists, no
new wave) and what the clean multi-user recordings say (no note, no damage, the same verdict as
without the profile lists).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from checks.facts import Package, PackageUser, Unseen
from scanner import probes
from scanner.batch import BatchResult, Output
from scanner.collect import collect
from scanner.package_check import check, follow
from scanner.parse.package_list import Listed, PackageList, cross_check_user, parse_pm_list_packages
from scanner.parse.users import parse_pm_list_users
from scanner.recording import Command, Recording, load
from scanner.recordings import build
from scanner.replay import ReplayTransport
from scanner.simphone.pm_list import list_packages
from tests.faults.test_damaged_output import findings

W4B = Package(
    "com.whatsapp.w4b",
    10245,
    "2.26",
    262641074,
    "com.android.vending",
    frozenset({"HAS_CODE"}),
    users=(PackageUser(0, False), PackageUser(10, True)),
)
SETTINGS = Package(
    "com.android.settings", 1000, "16", 36, None, frozenset({"SYSTEM"}),
    users=(PackageUser(0, True), PackageUser(10, True)),
)  # fmt: skip
LISTED_W4B = Listed(uid=1010245, installer="com.android.vending", version_code=262641074)


def kinds(found: object) -> set[str]:
    return set(getattr(found, "kinds", {}))


def listing(*names: str) -> PackageList:
    return PackageList({n: LISTED_W4B if n == W4B.name else Listed() for n in names})


def test_a_list_that_agrees_finds_nothing() -> None:
    assert not cross_check_user((W4B, SETTINGS), 10, listing(W4B.name, SETTINGS.name))
    assert not cross_check_user((W4B, SETTINGS), 10, listing(W4B.name))  # a system app unlisted


def test_listed_for_the_user_but_not_installed_or_hidden_there_is_damage() -> None:
    found = cross_check_user((W4B,), 11, PackageList({W4B.name: replace(LISTED_W4B, uid=1110245)}))
    assert {"listed by pm for user 11, not installed for it by dumpsys"} == kinds(found)
    hidden = replace(W4B, users=(PackageUser(10, True, hidden=True),))
    found = cross_check_user((hidden, SETTINGS), 10, listing(W4B.name))
    assert {"listed by pm for user 10, not installed for it by dumpsys"} == kinds(found)
    assert [W4B.name] == list(found.names)
    uninstalled = replace(W4B, users=(PackageUser(10, False),))
    assert kinds(cross_check_user((uninstalled,), 10, listing(W4B.name)))


def test_installed_for_the_user_but_not_listed_is_damage() -> None:
    found = cross_check_user((W4B, SETTINGS), 10, listing())
    assert {"installed for user 10 by dumpsys package, not listed by pm"} == kinds(found)
    assert [W4B.name] == list(found.names)  # not the system app (APEX, libraries)
    library = replace(W4B, name="com.example.lib_3")
    assert not cross_check_user((library,), 10, listing())
    hidden = replace(W4B, users=(PackageUser(10, True, hidden=True),))
    assert not cross_check_user((hidden,), 10, listing())


def test_a_system_messenger_must_be_listed_too() -> None:
    """A catalog messenger is never an APEX module or a library: preinstalled, it is listed."""
    preloaded = replace(W4B, flags=frozenset({"SYSTEM"}))
    assert kinds(cross_check_user((preloaded,), 10, listing())) == {
        "installed for user 10 by dumpsys package, not listed by pm"
    }


def test_an_unreadable_state_is_not_compared() -> None:
    cut = replace(W4B, users=(PackageUser(10, Unseen("cut")),))
    assert not cross_check_user((cut,), 10, listing())
    assert not cross_check_user((cut,), 10, listing(W4B.name))


def test_values_pm_prints_must_agree() -> None:
    def one(entry: Listed) -> set[str]:
        return kinds(cross_check_user((W4B,), 10, PackageList({W4B.name: entry})))

    assert {"uid of another user than 10"} == one(replace(LISTED_W4B, uid=10245))
    assert {"uid differs"} == one(replace(LISTED_W4B, uid=1010246))
    assert {"versionCode differs"} == one(replace(LISTED_W4B, version_code=1))
    assert {"installer differs"} == one(replace(LISTED_W4B, installer="com.evil.store"))
    assert set() == one(replace(LISTED_W4B, installer="null"))
    assert set() == one(Listed())  # Android 6: no -U, no --show-versioncode


def test_a_package_dumpsys_lacks_is_damage() -> None:
    found = cross_check_user((W4B,), 10, listing(W4B.name, "org.x"))
    assert {"listed by pm list packages for user 10, not by dumpsys package"} == kinds(found)


# --- a property: the system's lists of a model always agree with the model's dump ---------------

USERS = (0, 10, 11, 150)
state = st.tuples(st.booleans(), st.booleans())  # installed, hidden
app = st.builds(
    lambda i, system, states: Package(
        f"com.example.app{i}",
        10100 + i,
        "1",
        i + 1,
        None if system else "com.android.vending",
        frozenset({"SYSTEM"} if system else set()),
        users=tuple(
            PackageUser(u, inst, hidden=hid) for u, (inst, hid) in zip(USERS, states, strict=True)
        ),
    ),
    st.integers(0, 40),
    st.booleans(),
    st.tuples(*(state for _ in USERS)),
)
phone = st.lists(app, min_size=1, max_size=12, unique_by=lambda p: p.name).map(
    lambda apps: [*apps, replace(SETTINGS, users=tuple(PackageUser(u, True) for u in USERS))]
)


def list_of(apps: list[Package], user: int, sdk: int) -> PackageList:
    argv = probes.pm_user_list_probe(sdk, user).argv
    return parse_pm_list_packages(list_packages(apps, USERS, sdk, list(argv[3:])).stdout.decode())


@settings(max_examples=150, deadline=None)
@given(phone, st.sampled_from(USERS[1:]), st.sampled_from((23, 26, 34)))
def test_the_systems_own_lists_agree(apps: list[Package], user: int, sdk: int) -> None:
    assert not cross_check_user(apps, user, list_of(apps, user, sdk))


@settings(max_examples=150, deadline=None)
@given(phone, st.sampled_from(USERS[1:]), st.data())
def test_one_flipped_install_state_of_a_third_party_app_is_found(
    apps: list[Package], user: int, data: st.DataObject
) -> None:
    third = [p for p in apps if not p.is_system]
    if not third:
        return
    victim = data.draw(st.sampled_from(third))
    at = USERS.index(user)
    before = victim.users[at]
    shown = before.installed is True and not before.hidden
    flipped = replace(before, installed=not shown, hidden=False)
    users = (*victim.users[:at], flipped, *victim.users[at + 1 :])
    forged = [replace(p, users=users) if p is victim else p for p in apps]
    found = cross_check_user(forged, user, list_of(apps, user, 34))
    assert victim.name in found.names


# --- where the probes are asked -----------------------------------------------------------------

PROPS = b"[ro.build.version.sdk]: [33]\n"  # Android 14+ ask one list of every user instead
LIST = (
    b"Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{10:Work profile:1030} running\n"
    b"\tUserInfo{99999:X:0}\n"
)


def test_follow_asks_every_named_user_in_user_0s_stream() -> None:
    result = BatchResult({"getprop": Output(0, PROPS), "users": Output(0, LIST)}, (), None, ())
    (stream,) = follow(None)(1, result)
    names = [p.name for p in stream]
    assert names == ["pm-list-system", "pm-list-third", "pm-list-user:10"]  # 99999: no user id
    assert stream[2].argv == (
        *("pm", "list", "packages", "-i", "-U", "--show-versioncode", "--user", "10"),
    )
    assert stream[0].argv[-2:] == ("--user", "0") and "-u" in stream[0].argv


@pytest.mark.parametrize("users", [Output(1, LIST), Output(0, LIST, damaged="x"), None])
def test_users_that_are_not_known_get_no_list(users: Output | None) -> None:
    outputs = {"getprop": Output(0, PROPS), **({"users": users} if users else {})}
    (stream,) = follow(None)(1, BatchResult(outputs, (), None, ()))
    assert [p.name for p in stream] == ["pm-list-system", "pm-list-third"]


def test_a_messenger_user_whose_lists_were_not_asked_is_named() -> None:
    asked = {p.name: p for p in probes.pm_list_probes(34)}
    said = b"package:com.android.settings versionCode:36 uid:1000\n"
    outputs = {
        "pm-list-system": Output(0, said),
        "pm-list-third": Output(0, b""),
    }
    damaged: dict[str, str] = {}
    notes = check(
        outputs,
        asked,
        (replace(W4B, users=(PackageUser(0, False), PackageUser(10, True))), SETTINGS),
        (),
        damaged,
    )
    assert (
        len(notes) == 1
        and "was not made for user 10 (pm list packages --user 10 was not asked)" in notes[0]
    )
    assert damaged == {}


# --- the clean multi-user recordings: no note, no damage, the same verdict ---------------------

MULTI = sorted(
    p
    for p in build.HERE.glob("*.json")
    if len(load(p).index()[("pm", "list", "users")].stdout.splitlines()) > 2
)


def refused(rec: Recording) -> Recording:
    """Every list of a user other than 0 refused, as Android 14's shell is for a profile (the
    list of every user fails naming the first other user; the others' own lists fail too)."""
    said = rec.index()[("pm", "list", "users")].stdout.decode()
    first = sorted(u.id for u in parse_pm_list_users(said) if u.id)
    failed = (
        "Exception occurred while executing 'list':\njava.lang.SecurityException: Shell does "
        f"not have permission to access user {first[0]}\n"
    ).encode()
    commands = tuple(
        Command(c.argv, b"", failed, 255, c.device_ms)
        if c.argv[:3] == ("pm", "list", "packages") and c.argv[-1] != "0"
        else c
        for c in rec.commands
    )
    return Recording(rec.device, commands, rec.meta, rec.files)


def test_there_are_multi_user_recordings() -> None:
    assert len(MULTI) >= 7


@pytest.mark.parametrize("path", MULTI, ids=lambda p: p.name)
def test_a_clean_multi_user_recording_agrees_and_keeps_its_verdict(path: Path) -> None:
    rec = load(path)
    snap = collect(ReplayTransport(rec))
    lists = [
        p
        for p in snap.probes
        if p.name.startswith("pm-list-") and (":" in p.name or p.name == probes.PM_LIST_ALL.name)
    ]
    assert lists and all(p.ok and p.wave == 1 for p in lists)
    assert snap.complete and not snap.damaged
    assert not any("cross-check" in p for p in snap.problems)
    without = collect(ReplayTransport(refused(rec)))
    assert [f.status for f in findings(snap)] == [f.status for f in findings(without)]
    assert any("was not made for user" in p for p in without.problems)

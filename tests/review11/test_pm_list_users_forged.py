"""review11: a user name that forges hundreds of users in ``pm list users`` (the 7-13 path).

A user's name is free text chosen on the phone (Settings, ``pm create-user``, a profile owner's
``setProfileName``) and a line break in it forges ``UserInfo`` lines (``scanner.parse.users``).
session 25 asked one ``pm list packages --user N`` for every user named, in the stream of user
0's lists: with the phone's own time per ``pm`` call (the simulated phone's 250 ms), 60 forged
users outlast a 10 s timeout (about 480 the default 120 s), and user 0's lists, asked first in
the same stream, were lost with them (0 bytes arrived). Every named user was asked, whatever their number. Now more other
users than ``package_check.MAX_OTHER_USERS`` get no per-user lists and the cross-check names it
as damage: the scan is incomplete at once (exit 2, nothing that reads the package list
passes), user 0's lists are answered, and no time is lost. Fixed in scanner/package_check.py
(pmall11's file: ``_other_users`` capped, one damage line in ``check``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from checks.facts import Snapshot
from checks.findings import Status
from scanner.collect import collect
from scanner.package_check import MAX_OTHER_USERS
from scanner.recording import Command, Recording, load
from scanner.recordings import build
from scanner.replay import ReplayTransport
from scanner.simphone import Faults
from scanner.simphone.phone import phone_server
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport
from tests.faults.test_damaged_output import findings

WORK = build.HERE / "android14-work-profile-business.json"


def forged(n: int) -> Recording:
    """The work-profile phone whose profile's name forges ``n`` more users (ids 11..)."""
    rec = load(WORK)
    name = "Work:1030}" + "".join(f"\n\tUserInfo{{{11 + i}:x:0}}" for i in range(n))
    name += "\n\tUserInfo{9000:y"

    def edit(c: Command) -> Command:
        if c.argv != ("pm", "list", "users"):
            return c
        out = c.stdout.decode().replace("{10:Work profile:", "{10:" + name + ":")
        assert out != c.stdout.decode()
        return Command(c.argv, out.encode(), c.stderr, c.exit_code, c.device_ms)

    return Recording(rec.device, tuple(map(edit, rec.commands)), rec.meta, rec.files)


def _user_lists(snap: Snapshot) -> list[str]:
    return [p.name for p in snap.probes if p.name.startswith("pm-list-user")]


def test_hundreds_of_forged_users_are_damage_not_hundreds_of_pm_calls() -> None:
    snap = collect(ReplayTransport(forged(300)))
    assert len(_user_lists(snap)) <= MAX_OTHER_USERS, "every forged user got a pm call"
    assert "packages" in snap.damaged and "other users" in snap.damaged["packages"]
    assert not snap.complete
    w4b = [f.status for f in findings(snap) if f.package == "com.whatsapp.w4b"]
    assert w4b and Status.PASS not in w4b


def test_a_few_users_are_each_asked_as_before() -> None:
    snap = collect(ReplayTransport(forged(MAX_OTHER_USERS - 2)))  # 1 real + n forged + 9000
    assert len(_user_lists(snap)) == MAX_OTHER_USERS
    assert "packages" not in snap.damaged


def test_user_0s_lists_survive_on_a_phone_that_takes_its_time(tmp_path: Path) -> None:
    """The simulated phone spends each command's device time (250 ms a pm list)."""
    signer = load_or_create_signer(tmp_path / "adbkey")
    with phone_server(forged(100), faults=Faults(use_device_time=True)) as server:
        started = time.monotonic()
        t = TcpTransport.connect("127.0.0.1", server.port, signer=signer)
        try:
            snap = collect(t, timeout=20)
        finally:
            t.close()
    lists = {p.name: p.ok for p in snap.probes if p.name.startswith("pm-list")}
    assert lists.get("pm-list-system") and lists.get("pm-list-third"), lists
    assert "packages" in snap.damaged and not snap.complete
    assert time.monotonic() - started < 20, "the scan waited for the forged users' lists"


@pytest.mark.parametrize("n", [0, 1])
def test_the_shipped_phone_is_unchanged(n: int) -> None:
    snap = collect(ReplayTransport(load(WORK) if n == 0 else forged(0)))
    assert snap.complete and not snap.damaged

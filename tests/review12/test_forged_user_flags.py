"""review12, on review11's finding: a user's name is free text, so user 0's name can forge a
``UserInfo{10:...}`` line before user 10's own (``pm list users`` prints users by id), and
``parse_pm_list_users`` keeps the first line of an id: user 10 silently takes the forged flags
(and ``cmd user list -v``'s type is dropped when the forged name prints an id twice there too).

Whether a verdict can change: ``checks.owners.classify`` decides by the profile owner first
(``dumpsys device_policy``, no user name in it), then the user type, then the flags; every kind
the flags alone give (work profile without owner, other profile, guest, restricted, secondary)
takes the same way in ``checks.rules.profiles`` (no profile owner: ``fail``; the personal side,
a clone or a private space, needs a type or a vendor id, never flags). So the statuses of every
finding are the same whatever flags user 10 is given; only the evidence's words name another
kind. Shown on the shipped multi-user recordings, each user other than 0 given each kind's
flags with the type dropped (what a forged ``-v`` line leaves)."""

from __future__ import annotations

from pathlib import Path

import pytest
from msgspec.structs import replace

from checks.facts import Snapshot
from scanner.collect import collect
from scanner.parse.users import parse_pm_list_users, user_kind
from scanner.recording import load
from scanner.replay import ReplayTransport
from tests.faults.test_damaged_output import findings

RECORDINGS = sorted(
    (Path(__file__).resolve().parents[2] / "scanner" / "recordings").glob("profiles-*.json")
)
FLAGS = (0x0, 0x10, 0x400, 0x4, 0x8, 0x1000, 0x1030, 0x1010, 0x30)
"""None, initialized, full, guest, restricted, a profile, a work profile, a clone's, 11-'s work
profile (the flags ``user_kind`` reads: 0x20 managed, 0x1000 profile, 0x4 guest, 0x8
restricted)."""


def statuses(snapshot: Snapshot) -> list[tuple[str, str | None, str]]:
    return [(f.check_id, f.package, f.status.value) for f in findings(snapshot)]


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_no_flags_forged_for_a_user_change_a_verdict(path: Path) -> None:
    snapshot = collect(ReplayTransport(load(path)))
    users = snapshot.users
    assert not isinstance(users, BaseException) and isinstance(users, tuple)
    others = [u for u in users if u.id != 0]
    assert others, path
    expected = statuses(
        replace(snapshot, users=tuple(replace(u, type=None) if u.id else u for u in users))
    )
    for target in others:
        for flags in FLAGS:
            forged = replace(target, flags=flags, kind=user_kind(target.id, flags), type=None)
            changed = tuple(
                forged if u.id == target.id else replace(u, type=None) if u.id else u for u in users
            )
            assert statuses(replace(snapshot, users=changed)) == expected, (target.id, flags)


def test_the_forged_line_is_the_one_kept() -> None:
    """What review11 saw, as the parser reads it (the first line of an id is kept)."""
    name = "Max\n\tUserInfo{10:x:1000} running\n\tUserInfo{0:y"
    text = f"Users:\n\tUserInfo{{0:{name}:c13}} running\n\tUserInfo{{10:Work:30}} running\n"
    users = {u.id: u for u in parse_pm_list_users(text)}
    assert users[0].flags == 0xC13 and users[10].flags == 0x1000

"""Review 7: ``cmd user list -v`` prints each user's name raw (``name=%s``), and a user's name is
chosen on the phone and may hold a line break. A name ending in a forged line
``2: id=11, name=x, type=profile.CLONE, flags=PROFILE (parentId=0)`` printed before the real line
of user 11 gave user 11 the forged type (the first line for an id won): a secondary user
became "a clone of the personal profile", and on a BYOD phone its consumer WhatsApp became the
employee's private app (MSG-02 informational) instead of a failure. A user id printed twice is
now read as no type at all, and the flags decide, as on a phone that prints no types."""

from __future__ import annotations

from checks.facts import DevicePolicy, User, UserKind
from checks.owners import ProfileKind, classify
from scanner.parse.users import parse_user_types

FORGED = (
    "3 users:\n"
    "\n"
    "0: id=0, name=Owner, type=full.SYSTEM, flags=ADMIN|FULL|INITIALIZED|MAIN|PRIMARY|SYSTEM"
    " (running) (current) (visible)\n"
    # user 10's name: "Work", a line break, the forged line, a line break, "z"
    "1: id=10, name=Work\n"
    "2: id=11, name=x, type=profile.CLONE, flags=PROFILE (parentId=0)\n"
    "z, type=profile.MANAGED, flags=INITIALIZED|MANAGED_PROFILE|PROFILE (parentId=0) (running)\n"
    "2: id=11, name=Kids, type=full.SECONDARY, flags=FULL|INITIALIZED (running)\n"
)


def test_a_user_printed_twice_has_no_type() -> None:
    types = parse_user_types(FORGED)
    assert types[11] == (None, None)
    assert types[0] == ("full.SYSTEM", None)


def test_the_secondary_user_stays_a_secondary_user() -> None:
    kind, parent = parse_user_types(FORGED)[11]
    user = User(11, UserKind.SECONDARY, 0x0410, True, kind, parent)
    assert classify(user, DevicePolicy(None)).kind is ProfileKind.SECONDARY


def test_one_line_per_user_keeps_its_type() -> None:
    text = (
        "2 users:\n\n"
        "0: id=0, name=Owner, type=full.SYSTEM, flags=ADMIN|FULL|MAIN|PRIMARY|SYSTEM (running)\n"
        "1: id=11, name=Clone, type=profile.CLONE, flags=PROFILE (parentId=0) (running)\n"
    )
    assert parse_user_types(text)[11] == ("profile.CLONE", 0)

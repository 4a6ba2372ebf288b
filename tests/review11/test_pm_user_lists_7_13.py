"""review11: the per-user ``pm list packages --user N`` on the Android 7-13 path (one list per
user), attacked on the shipped Android 10 and 13 multi-user recordings: Samsung's Dual Messenger
(user 95, WhatsApp only there), a work profile (10). What no app can write (a line twice, a cut
last line, lines lost at a line end, a uid of another user) is damage: the scan is incomplete.
What pm may answer when it cannot list (status 255 or 1, an ``Error:`` line with status 0, no
line) is a note naming the user, no damage. Windows line ends read as the list. Reviewed with no
defect found; these pin it for pmall11's rework of the lists."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.collect import collect
from scanner.recording import Command, Recording, load
from scanner.recordings import build
from scanner.replay import ReplayTransport

PHONES = [
    ("profiles-dual-messenger-unknown-dpc-android13.json", 95),
    ("profiles-dual-messenger-unknown-dpc-android13.json", 10),
    ("profiles-work-profile-locked-android10.json", 10),
]
REFUSED = b"java.lang.SecurityException: Shell does not have permission to access user %d\n"


def _lines(c: Command, n: int) -> bytes:
    return b"".join(line + b"\n" for line in c.stdout.split(b"\n")[:-1][:n])


EDITS: dict[str, tuple[str, Callable[[Command, int], Command]]] = {
    "twice": ("damage", lambda c, u: Command(c.argv, c.stdout + _lines(c, 1), b"", 0, 1.0)),
    "cut": ("damage", lambda c, u: Command(c.argv, c.stdout[:-7], b"", 0, 1.0)),
    "tail lost": (
        "damage",
        lambda c, u: Command(c.argv, _lines(c, c.stdout.count(b"\n") - 2), b"", 0, 1.0),
    ),
    "uid of user 0": (
        "damage",
        lambda c, u: Command(c.argv, c.stdout.replace(b" uid:%d" % u, b" uid:", 1), b"", 0, 1.0),
    ),
    "status 255": (
        "note",
        lambda c, u: Command(
            c.argv, b"", b"Exception occurred while executing 'list':\n" + REFUSED % u, 255, 1.0
        ),  # fmt: skip
    ),
    "status 1, listed": ("note", lambda c, u: Command(c.argv, c.stdout, b"", 1, 1.0)),
    "Error: with status 0": (
        "note",
        lambda c, u: Command(c.argv, b"Error: " + REFUSED % u, b"", 0, 1.0),
    ),  # fmt: skip
    "no line": ("note", lambda c, u: Command(c.argv, b"", b"", 0, 1.0)),
    "CR LF": ("clean", lambda c, u: Command(c.argv, c.stdout.replace(b"\n", b"\r\n"), b"", 0, 1.0)),
}


def _edited(name: str, user: int, edit: Callable[[Command, int], Command]) -> Recording:
    rec = load(build.HERE / name)
    hit = []

    def change(c: Command) -> Command:
        if c.argv[:3] == ("pm", "list", "packages") and c.argv[-2:] == ("--user", str(user)):
            hit.append(c)
            return edit(c, user)
        return c

    out = Recording(rec.device, tuple(map(change, rec.commands)), rec.meta, rec.files)
    assert len(hit) == 1, f"{name} holds no single list of user {user}"
    return out


@pytest.mark.parametrize("phone", PHONES, ids=lambda p: f"{p[0][:25]}-user{p[1]}")
@pytest.mark.parametrize("what", EDITS, ids=str)
def test_a_per_user_list(phone: tuple[str, int], what: str) -> None:
    name, user = phone
    expected, edit = EDITS[what]
    snap = collect(ReplayTransport(_edited(name, user, edit)))
    notes = [p for p in snap.problems if f"was not made for user {user} " in p]
    if expected == "damage":
        assert "packages" in snap.damaged and not snap.complete, snap.damaged
        assert f"--user {user}" in snap.damaged["packages"]
    elif expected == "note":
        assert not snap.damaged and snap.complete and len(notes) == 1, snap.problems
    else:
        assert not snap.damaged and snap.complete and not notes

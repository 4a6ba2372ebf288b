"""Whether a folder not found below a user's storage root is absent (session 23).

``find`` says "No such file or directory" for a folder below a root the shell cannot see as for
a folder that is not there. So the collector asks ``test -d /storage/emulated/N``
(``probes.root_probe``) once per user whose folders it asks, in the same wave, and a folder's
absence counts only where that answered 0, the user is running and (Android 7+, or an unknown
release) its credential-encrypted storage is unlocked (``dumpsys mount``,
``scanner.parse.unlocked``: a running user can be locked, and then the names below its root are
ciphertext on 7-10 and its storage is not mounted on 11+). Otherwise the folder is ``Unseen``
with a reason naming the root and the user (the rules then say ``unknown``). A folder found
(with or without files) is evidence whatever the root probe says.
"""

from __future__ import annotations

from collections.abc import Iterable

from checks.facts import Unseen, User
from scanner import probes
from scanner.batch import BatchResult, Output
from scanner.parse.unlocked import FBE_SDK, parse_unlocked_users

Unlocked = frozenset[int] | str
"""The users whose storage is unlocked, or why that is not known."""


def root_of(user_id: int) -> str:
    return probes.STORAGE_ROOT.format(user=user_id)


def unlocked_users(out: Output | Unseen) -> Unlocked:
    """What ``dumpsys mount`` says of the users' lock state (``probes.STORAGE_USERS``)."""
    if isinstance(out, Unseen):
        return out.reason
    users = parse_unlocked_users(out.text)
    return "dumpsys mount printed no unlocked-users lines" if users is None else users


def seen(
    targets: tuple[probes.StorageTarget, ...],
    result: BatchResult,
    users: Iterable[User],
    *,
    unlocked: Unlocked,
    sdk: int | None,
) -> dict[int, Unseen | None]:
    """Per user the targets look into: None if a folder absent there is absent, else why not.

    Absent is believed only where ``test -d`` saw the user's storage root and the user is
    running (``pm list users``): a stopped user's credential-encrypted storage is locked
    (vold evicts its key, FBE, Android 7+), so no folder name below its root can be read, and
    on Android 11+ its storage is not mounted at all. User 0, the system user, always runs
    (``UserController`` never stops it): a listing without its ``running`` leaves it to the
    root probe.

    On Android 7+ (and where the release is unknown) the user must also be named unlocked by
    ``unlocked`` (``unlocked_users``): a locked user's root is visible on 7-10 while every name
    below it is encrypted; where the lock state is unknown, so is the folder. User 0 too: after
    a reboot it stays locked until its owner first enters the credential (adb still answers)."""
    stopped = {u.id for u in users if not u.running and u.id != 0}
    lockable = sdk is None or sdk >= FBE_SDK
    reason = result.error.problem if result.error else "phone did not answer"
    by_user: dict[int, Unseen | None] = {}
    for uid, probe in probes.root_probes(targets).items():
        root = root_of(uid)
        out = result.outputs.get(probe.name)
        if uid in stopped:
            by_user[uid] = Unseen(f"storage root {root} locked: user {uid} is not running")
        elif out is None:
            by_user[uid] = Unseen(f"storage root {root} not checked (not collected: {reason})")
        elif out.damaged is not None:
            by_user[uid] = Unseen(f"storage root {root} not checked (output damaged in transit)")
        elif out.exit_code == 1:
            by_user[uid] = Unseen(f"storage root {root} not visible to the shell (user {uid})")
        elif out.exit_code != 0:
            status = "no exit status" if out.exit_code is None else f"exit {out.exit_code}"
            by_user[uid] = Unseen(f"storage root {root} not checked (test -d {status})")
        elif lockable and isinstance(unlocked, str):
            by_user[uid] = Unseen(
                f"storage root {root} not checked (lock state of user {uid} unknown: {unlocked})"
            )
        elif lockable and uid not in unlocked:
            by_user[uid] = Unseen(
                f"storage root {root} locked: user {uid} is running but its "
                "credential-encrypted storage is not unlocked"
            )
        else:
            by_user[uid] = None
    return by_user

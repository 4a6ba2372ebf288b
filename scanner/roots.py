"""Whether a folder not found below a user's storage root is absent (session 23).

``find`` says "No such file or directory" for a folder below a root the shell cannot see as for
a folder that is not there. So the collector asks ``test -d /storage/emulated/N``
(``probes.root_probe``) once per user whose folders it asks, in the same wave, and a folder's
absence counts only where that answered 0 and the user is running. Otherwise the folder is
``Unseen`` with a reason naming the root and the user (the rules then say ``unknown``). A folder
found (with or without files) is evidence whatever the root probe says.
"""

from __future__ import annotations

from collections.abc import Iterable

from checks.facts import Unseen, User
from scanner import probes
from scanner.batch import BatchResult


def seen(
    targets: tuple[probes.StorageTarget, ...], result: BatchResult, users: Iterable[User]
) -> dict[int, Unseen | None]:
    """Per user the targets look into: None if a folder absent there is absent, else why not.

    Absent is believed only where ``test -d`` saw the user's storage root and the user is
    running (``pm list users``): a stopped user's credential-encrypted storage is locked
    (vold evicts its key, FBE, Android 7+), so no folder name below its root can be read, and
    on Android 11+ its storage is not mounted at all. User 0, the system user, always runs
    (``UserController`` never stops it): a listing without its ``running`` leaves it to the
    root probe."""
    stopped = {u.id for u in users if not u.running and u.id != 0}
    reason = result.error.problem if result.error else "phone did not answer"
    by_user: dict[int, Unseen | None] = {}
    for uid, probe in probes.root_probes(targets).items():
        root = probes.STORAGE_ROOT.format(user=uid)
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
        else:
            by_user[uid] = None
    return by_user

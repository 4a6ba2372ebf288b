"""Which users' credential-encrypted (CE) storage is unlocked, from ``dumpsys mount``.

Why it matters (session 24): a user can be *running* (``pm list users`` says ``running``) and
still *locked*: a work profile with its own challenge after a reboot, a second user started but
never unlocked since boot. Its CE storage then has no key in the kernel:

* vold (``Ext4Crypt.cpp`` / ``FsCrypt.cpp`` ``prepare_user_storage``, Android 7+) puts each
  user's ``/data/media/<user>`` (what ``/storage/emulated/<user>`` shows) under the user's CE
  key, so while it is locked the folder exists but the names below it are ciphertext: on
  Android 7-10 (sdcardfs over ``/data/media``) ``test -d /storage/emulated/10`` answers 0 and a
  ``find`` of ``.../WhatsApp/Media`` says "No such file or directory" whether or not it exists.
* Android 11+: ``StorageManagerService.onUnlockUser`` -> ``vold.onUserStarted`` creates and
  mounts the user's emulated volume (MediaProvider's FUSE daemon) only once the user unlocks;
  before that its root is at best an empty mount point.

So a folder missing below a locked user's root is never evidence of absence
(``scanner.roots``). The state comes from ``StorageManagerService.dump`` (``dumpsys mount``, the
service's binder name from Android 6 to 16; the shell holds ``DUMP``), which prints, after the
volumes and records::

    Local unlocked users: [0, 10]
    System unlocked users: [0, 10]

``Local unlocked users`` (``mLocalUnlockedUsers``): users whose CE key vold has unlocked
(``unlockUserKey``; removed again by ``lockUserKey`` when a user stops). ``System unlocked
users`` (``mSystemUnlockedUsers``): users the system has finished unlocking for
(``onUnlockUser``, which on 11+ mounts their storage). Both print ``Arrays.toString`` of an
``int[]`` (Android 7's ``MountService`` and AOSP 14's ``StorageManagerService`` alike; the
real Android 7 capture named in docs/sources.md (the Huawei Honor 8's ``dumpsys``)
shows ``Local unlocked users: [0]``). Later releases renamed the field ``mCeUnlockedUsers`` and
print ``CE unlocked users: [...]`` instead of the first line; both labels are read. Android 6
has neither line (no file-based encryption, no per-user lock): its users' state stays unknown
here, and the collector does not ask for it there.

A user counts as unlocked only if both lists name it. Nothing else of the output is kept: the
volume records carry user-chosen nicknames (``VolumeRecord.dump``).
"""

from __future__ import annotations

import re

__all__ = ["FBE_SDK", "parse_unlocked_users", "scrub_dumpsys_mount"]

FBE_SDK = 24
"""Android 7: file-based encryption and Direct Boot, the first release where a running user
can be locked. Before it (full-disk encryption) a running user's storage is readable."""

_LINE = re.compile(
    r"^(?P<label>Local|CE|System) unlocked users: \[(?P<ids>(?:\d{1,10}(?:, \d{1,10})*)?)\]\s*$"
)


def _lines(text: str) -> dict[str, list[frozenset[int]]]:
    found: dict[str, list[frozenset[int]]] = {}
    for line in text.split("\n"):
        m = _LINE.match(line.rstrip("\r"))
        if m is not None:
            ids = frozenset(int(i) for i in m["ids"].split(", ") if i)
            found.setdefault("CE" if m["label"] == "Local" else m["label"], []).append(ids)
    return found


def parse_unlocked_users(text: str) -> frozenset[int] | None:
    """The users whose storage is unlocked (in both lists), or None when the output does not
    say: a line missing, or printed twice (a forged or mangled dump decides nothing)."""
    found = _lines(text)
    ce, system = found.get("CE", []), found.get("System", [])
    if len(ce) != 1 or len(system) != 1:
        return None
    return ce[0] & system[0]


def scrub_dumpsys_mount(text: str) -> str:
    """Only the two unlocked-users lines, as printed: what a recording keeps of ``dumpsys
    mount`` (the rest names volumes, their labels and nicknames)."""
    kept = [line.rstrip("\r") for line in text.split("\n") if _LINE.match(line.rstrip("\r"))]
    return "".join(f"{line}\n" for line in kept)

"""The kernel's boot id, ``cat /proc/sys/kernel/random/boot_id``, read strictly.

The kernel draws it once per boot, on its first read (drivers/char/random.c, ``proc_do_uuid``:
``generate_random_uuid``, then ``%pU``), and prints it as a sysctl string: 36 characters of
lowercase hex and dashes, version 4 (``uuid[6] = (uuid[6] & 0x0F) | 0x40``) and the RFC 4122
variant (``uuid[8] = (uuid[8] & 0x3F) | 0x80``), and a newline (which a PTY, Android before 7's
``shell:``, delivers as "\r\n": ``scanner.batch``, review13b). It is the same for every
reader until the phone reboots, and no app can write it (mode 0444). AOSP's SELinux policy lets
the shell read it on every Android msgscan supports (docs/sources.md, "The kernel's boot id").

Anything else (another shape, a second line, an upper-case or nil id, a failed or damaged read)
is not read: the reason says why, and never repeats what the phone printed.
"""

from __future__ import annotations

import re

from checks.facts import Unseen

PATH = "/proc/sys/kernel/random/boot_id"
_UUID4 = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(?:\r?\n)?"
)


def parse_boot_id(text: str) -> str | Unseen:
    """The boot id ``cat`` printed (a read that failed is ``Unseen`` before it gets here), or
    why it was not read."""
    if _UUID4.fullmatch(text) is None:
        return Unseen(
            f"boot id not read: {PATH} answered what the kernel never prints there "
            f"({len(text)} characters, not one version-4 UUID)"
        )
    return text[:36]


__all__ = ["PATH", "parse_boot_id"]

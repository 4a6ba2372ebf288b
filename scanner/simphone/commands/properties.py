"""``getprop``, ``settings`` and who the shell is (``id``, ``whoami``), from the recording.

* ``getprop KEY [DEFAULT]``: the value, or DEFAULT, or an empty line for a missing key, status
  0 (toybox toys/android/getprop.c: ``puts(value ?: default ?: "")``). ``getprop`` alone is
  the recorded listing.
* ``settings get NS KEY`` prints the value or ``null``; ``settings list NS`` prints
  ``key=value`` lines (``SettingsService`` / ``SettingsProvider`` shell command, Android 6-16:
  ``cmd settings`` is the same command). A namespace other than system/secure/global is
  ``Invalid namespace 'x'`` with status 255 (SettingsService.Shell). ``put``/``delete``/
  ``reset`` are refused as on a phone that keeps WRITE_SECURE_SETTINGS from the shell (MIUI's
  "USB debugging (Security settings)" off): SettingsProvider's SecurityException, status 255.
* ``id`` is the shell user's identity (uid 2000 and the groups AOSP's adbd gives it,
  ``system/core/adb/daemon/main.cpp`` ``drop_privileges``; SELinux context ``u:r:shell:s0``).
"""

from __future__ import annotations

from collections.abc import Callable

from scanner.simphone.commands.facts import SETTINGS_NAMESPACES, PhoneFacts
from scanner.simphone.commands.output import Answer, ok

# adbd's groups for the shell (AOSP daemon/main.cpp): input, log, adb, sdcard_rw, sdcard_r,
# net_bt_admin, net_bt, inet, net_bw_stats; readproc from 7; uhid from 8; ext_data_rw,
# ext_obb_rw from 11; readtracefs from 14.
_GROUPS = [
    (1004, "input", 0),
    (1007, "log", 0),
    (1011, "adb", 0),
    (1015, "sdcard_rw", 0),
    (1028, "sdcard_r", 0),
    (1078, "ext_data_rw", 30),
    (1079, "ext_obb_rw", 30),
    (3001, "net_bt_admin", 0),
    (3002, "net_bt", 0),
    (3003, "inet", 0),
    (3006, "net_bw_stats", 0),
    (3009, "readproc", 24),
    (3011, "uhid", 26),
    (3012, "readtracefs", 34),
]


def getprop(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer | None:
    if len(argv) == 1:
        return None  # the full listing is the recorded one, or nothing
    value = facts.props.get(argv[1])
    if value is None:
        value = argv[2] if len(argv) > 2 else ""
    return ok(f"{value}\n")


def settings(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer | None:
    args = list(argv[1:])
    if "--user" in args:
        at = args.index("--user")
        del args[at : at + 2]
    if not args:
        return None
    verb = args[0]
    if verb not in ("get", "list", "put", "delete", "reset"):
        return None
    if len(args) < 2:
        return Answer(b"", b"Invalid command: missing namespace\n", 255)
    ns = args[1]
    if ns not in SETTINGS_NAMESPACES:
        return Answer(b"", f"Invalid namespace '{ns}'\n".encode(), 255)
    values = facts.settings.get(ns, {})
    if verb == "list":
        return ok("".join(f"{k}={v}\n" for k, v in sorted(values.items())))
    if verb == "get":
        if len(args) < 3:
            return Answer(b"", b"Invalid command: missing key\n", 255)
        return ok(f"{values.get(args[2], 'null')}\n")
    permission = "WRITE_SECURE_SETTINGS" if ns != "system" else "WRITE_SETTINGS"
    return Answer(
        b"",
        (
            f"\nException occurred while executing '{verb}':\n"
            "java.lang.SecurityException: Permission "
            f"denial: writing to settings requires:android.permission.{permission}\n"
        ).encode(),
        255,
    )


def id_(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer | None:
    groups = [(2000, "shell")] + [(g, n) for g, n, since in _GROUPS if facts.sdk >= since]
    if argv[1:] == ("-u",):
        return ok("2000\n")
    if argv[1:] == ("-un",):
        return ok("shell\n")
    if len(argv) > 1:
        return None
    joined = ",".join(f"{g}({n})" for g, n in groups)
    return ok(f"uid=2000(shell) gid=2000(shell) groups={joined} context=u:r:shell:s0\n")


def whoami(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer | None:
    return ok("shell\n") if len(argv) == 1 else None


COMMANDS: dict[str, Callable[[PhoneFacts, tuple[str, ...], bytes], Answer | None]] = {
    "getprop": getprop,
    "settings": settings,
    "id": id_,
    "whoami": whoami,
}

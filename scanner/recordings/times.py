"""Device-side times of a constructed recording's commands, for the simulated phone's "device
time" fault (``msgscan simulate --device-time``): milliseconds on a mid-range phone.

docs/sources.md ("Device time of the package manager's commands") gives the source of each
figure; a figure no public source gives is marked *modelled* here and there. The package
manager's commands follow AOSP's structure: what a command starts (a native binder client, or
a Java VM through ``app_process``), how many ``PackageInfo`` it builds (one per package and per
user it lists), and how much it prints, at the package dump's own rate. The commands of other
services keep the earlier estimates (modelled).
"""

from __future__ import annotations

from collections.abc import Sequence

BINDER_CLIENT_MS = 40.0
"""A native binder client's start and call: the shell runs ``cmd``, ``dumpsys`` or ``getprop``,
no VM. Modelled; bounded above by a real phone's whole ``adb shell dumpsys package PKG`` and
``adb shell pgrep …`` round trips of 61-69 ms, host and link included (appium/appium#17257)."""

APP_PROCESS_MS = 1130.0
"""A Java command's start: ``app_process`` brings up a VM before the command runs (``pm`` on
Android 6-8, AOSP ``cmds/pm/pm`` there; ``bmgr`` on every version, ``cmds/bmgr/bmgr``). On a
real Android 7.0 phone, ``adb shell pm list packages PKG`` took 1,209 ms and ``adb shell dumpsys
package PKG`` 80 ms, a minute apart (appium/appium-adb#355): 1,129 ms more for the VM."""

PM_IS_CMD_SDK = 28
"""From Android 9 ``/system/bin/pm`` is the script ``cmd package "$@"`` (AOSP ``cmds/pm/pm``;
App Manager's ``RunnerUtils.CMD_PM`` switches to ``cmd package`` at SDK 28): no VM."""

DUMP_FIXED_MS = 200.0
"""``dumpsys package SECTION``'s fixed part (binder call, argument parsing, the section's
walk): modelled, the earlier table's figure, kept so that before and after compare as before."""

DUMP_PER_APP_MS = 6.0
"""``dumpsys package packages`` per package block (about 2.3 kB on the real Huawei Android 7
capture, 3.3 kB in the constructed dumps): modelled, the earlier table's figure. It sets the
per-byte rate at which every package-manager command here prints (``print_rate``)."""

SHARED_USERS_SHARE = 87_557 / 625_513
"""``Shared users:`` against ``Packages:`` in bytes on the real Huawei Android 7 capture (252
packages, docs/sources.md): 14 %. A real phone always has shared users (the
platform's ``android.uid.*``); the constructed dumps print none, so the model charges what a
phone of that size prints, not the recording's empty answer."""

PACKAGE_INFO_MS = 0.03
"""``getInstalledPackages`` builds one ``PackageInfo`` (with its ``ApplicationInfo``) per
package of the user asked, before ``runListPackages`` filters ``-3`` / ``-s`` (AOSP
``PackageManagerShellCommand``): modelled, 30 µs each (no public timing)."""

OTHER_MS = {"getprop": 40.0, "dumpsys": 150.0, "bmgr": 300.0}
"""Commands of other services: the earlier table's estimates, modelled, unchanged (bmgr is a
Java command like Android 7's pm, so APP_PROCESS_MS's source would put it near 1.1 s on that
phone; not changed here: RESULTS "One wave", session 27, and ``bench/scan_wave.py
--bmgr-vm``)."""

BMGR_CALL_MS = BINDER_CLIENT_MS
"""The part of a ``bmgr`` that is its binder call into the backup manager (``Bmgr.java``:
``isBackupServiceActive`` and ``isBackupEnabledForUser``, or ``listAllTransportsForUser``),
the rest of its time being its VM's start (``process_start``): modelled as a native binder
client's whole command, start included, which bounds a call alone from above."""

USER_ALL_SDK = 34
"""From Android 14 ``runListPackages`` without ``--user`` lists every user (``defaultUserId =
UserHandle.USER_ALL``, docs/sources.md); before, user 0 alone."""

SMALL_MS = 15.0
"""A toybox command (``find``, ``test``, ``stat``): modelled."""


def process_start(argv: Sequence[str], *, sdk: int, device_ms: float) -> float:
    """The part of ``argv``'s recorded ``device_ms`` that is its own process's start, run
    beside everything else on one of the phone's cores; the rest is its service's work, which
    waits for the service (``scanner/simphone/services.py``). Split only where a source says
    what the start is: a Java command's VM (``app_process``), ``APP_PROCESS_MS`` of ``pm``
    before Android 9, all but ``BMGR_CALL_MS`` of a ``bmgr`` on every version. A native
    command's start (``cmd``, ``dumpsys``, ``pm`` from 9) is not timed apart by any source and
    stays on the service's queue: never credit overlap a phone might not give."""
    name = argv[0].rsplit("/", 1)[-1] if argv else ""
    if name == "bmgr":
        return max(0.0, device_ms - BMGR_CALL_MS)
    if name == "pm" and sdk < PM_IS_CMD_SDK:
        return min(device_ms, APP_PROCESS_MS)
    return 0.0


CORES = 8
"""How many processes the simulated phone runs at once (``scanner/simphone/services.py``).
The large phone is a Pixel 8 (Tensor G3: nine CPU cores, one Cortex-X3, four A715, four A510;
docs/sources.md); the model takes eight, the common octa-core count of a mid-range phone, one
fewer than the Pixel 8 has, so that the rest of the phone (system_server, adbd) keeps one."""


def print_rate(apps: int, dump_bytes: int) -> float:
    """ms per byte printed: the package dump's per-package cost over its bytes per package."""
    return DUMP_PER_APP_MS * apps / dump_bytes if dump_bytes else 0.0


def pm_start(sdk: int) -> float:
    """What ``pm`` costs before its command runs: a binder client from 9, a VM before."""
    return BINDER_CLIENT_MS if sdk >= PM_IS_CMD_SDK else APP_PROCESS_MS


def listed_users(argv: Sequence[str], users: int) -> int:
    """How many users' ``getInstalledPackages`` a ``pm list packages`` makes: one with
    ``--user N``, every user without it on Android 14+ (``USER_ALL``; the caller passes 1 below
    14, where the default is user 0)."""
    return 1 if "--user" in argv else users


def device_ms(
    argv: Sequence[str],
    *,
    sdk: int,
    apps: int,
    users: int,
    out_bytes: int,
    dump_bytes: int,
) -> float:
    """The modelled device time of ``argv`` on a phone of ``apps`` packages and ``users`` users
    whose ``dumpsys package packages`` prints ``dump_bytes``; ``out_bytes`` is what ``argv``
    prints. Rounded to 0.1 ms, which a saved recording keeps exactly."""
    return round(_device_ms(argv, sdk, apps, users, out_bytes, print_rate(apps, dump_bytes)), 1)


def _device_ms(
    argv: Sequence[str], sdk: int, apps: int, users: int, out_bytes: int, rate: float
) -> float:
    if tuple(argv[:3]) == ("pm", "list", "packages"):
        walked = listed_users(argv, users if sdk >= USER_ALL_SDK else 1)
        return pm_start(sdk) + PACKAGE_INFO_MS * apps * walked + rate * out_bytes
    if tuple(argv[:1]) == ("pm",):
        return pm_start(sdk) + rate * out_bytes  # pm list users: the user manager's list
    if tuple(argv[:2]) == ("dumpsys", "package"):
        if tuple(argv[2:3]) == ("shared-users",):
            return DUMP_FIXED_MS + SHARED_USERS_SHARE * DUMP_PER_APP_MS * apps
        return DUMP_FIXED_MS + DUMP_PER_APP_MS * apps
    if tuple(argv[:2]) == ("dumpsys", "appops"):
        return 80.0 + 0.8 * apps  # modelled, unchanged
    if argv[:1] and argv[0] == "cmd":
        return BINDER_CLIENT_MS  # cmd user list -v: the user manager's shell command
    return OTHER_MS.get(argv[0] if argv else "", SMALL_MS)

"""What each transport failure tells the user: one function per row of adb.md §5.

Every transport builds its errors here, so USB, TCP and the adb server word the same situation
the same way. A problem names the phone (serial or host:port); a hint says what to do next.
"""

from __future__ import annotations

from checks.errors import (
    DeviceBusy,
    DeviceLost,
    DeviceNotFound,
    DevicePermission,
    DeviceUnauthorized,
    MissingBackend,
    OutputTooLarge,
    ProbeTimeout,
)

_ALLOW_HINT = (
    "Unlock the phone, tap Allow on 'Allow USB debugging?' and tick 'Always allow from this "
    "computer', then scan again. No dialog? Developer options → Revoke USB debugging "
    "authorizations, replug the phone, and scan again."
)
_WIRELESS_HINT = (
    "tcpip mode ends when the phone reboots: connect it by USB, run `adb tcpip 5555`, check the "
    "phone's IP address (Settings → About phone → Status), then scan again. Android 11+ Wireless "
    "debugging uses TLS, which msgscan reaches only through an adb server: `adb pair`, then "
    "`adb connect HOST:PORT`, then scan with --serial HOST:PORT."
)
_STEADY_HINT = (
    "Keep the phone unlocked and plugged in, don't change the USB mode when the phone asks, "
    "avoid USB hubs, then scan again."
)
_PERMISSION_HINT = (
    "Linux: install the Android udev rules (Debian/Ubuntu: `sudo apt install "
    "android-sdk-platform-tools-common`), join the plugdev group (`sudo usermod -aG plugdev "
    "$USER`, then log in again) and replug the phone. Windows: install the phone maker's USB "
    "driver."
)
_ENABLE_HINT = (
    "Enable Developer options → USB debugging on the phone, use a data cable (not a "
    "charge-only one), unlock the phone, then scan again."
)


def _short(command: str, limit: int = 60) -> str:
    return command if len(command) <= limit else command[: limit - 1] + "…"


def unauthorized(name: str, waited_s: float) -> DeviceUnauthorized:
    return DeviceUnauthorized(
        f"{name}: the phone did not accept this computer's ADB key within {waited_s:g} s",
        hint=_ALLOW_HINT,
    )


def unauthorized_at_server(name: str, state: str, server: str) -> DeviceUnauthorized:
    return DeviceUnauthorized(
        f"{name}: the phone has not authorised this computer yet (adb server at {server} "
        f"says '{state}')",
        hint=_ALLOW_HINT,
    )


def prompt_refused(name: str) -> DeviceUnauthorized:
    return DeviceUnauthorized(
        f"{name}: the phone closed the connection while asking 'Allow USB debugging?'",
        hint=_ALLOW_HINT,
    )


def timed_out(name: str, command: str, timeout_s: float, partial: bytes) -> ProbeTimeout:
    return ProbeTimeout(
        f"{name}: `{_short(command)}` did not finish within {timeout_s:g} s "
        f"({len(partial)} bytes arrived)",
        hint="Keep the phone unlocked and connected; a slow phone may need a longer --timeout.",
        partial=partial,
    )


def lost(name: str, command: str, partial: bytes, cause: str) -> DeviceLost:
    return DeviceLost(
        f"{name}: the connection broke during `{_short(command)}` after {len(partial)} bytes "
        f"({cause})",
        hint=_STEADY_HINT,
        partial=partial,
    )


def cut_short(name: str, command: str, partial: bytes) -> DeviceLost:
    """msgscan itself cut the connection (the agent stopping on SIGTERM/SIGINT): nothing is
    wrong with the phone or the cable, so none of the lost-phone advice applies."""
    return DeviceLost(
        f"{name}: msgscan cut the connection during `{_short(command)}` after {len(partial)} "
        "bytes: it was stopping (SIGTERM or SIGINT)",
        hint="nothing is wrong with the phone; the next scan or agent round scans it again",
        partial=partial,
    )


def too_much_output(name: str, command: str, limit: int, partial: bytes) -> OutputTooLarge:
    return OutputTooLarge(
        f"{name}: `{_short(command)}` sent more than {limit} bytes; msgscan stopped reading "
        "there and cut the rest",
        hint="A phone should never print this much for msgscan's commands: restart the phone "
        "and scan again; if it is expected, raise the limit (--max-output MIB).",
        partial=partial,
    )


def handshake_timeout(name: str, waited_s: float) -> ProbeTimeout:
    return ProbeTimeout(
        f"{name}: no answer to the ADB handshake within {waited_s:g} s",
        hint="Replug the phone or toggle USB debugging off and on, then scan again. Over TCP, "
        "check that HOST:PORT is the phone's adb port (`adb tcpip 5555` mode).",
    )


def handshake_lost(name: str, cause: str) -> DeviceLost:
    return DeviceLost(
        f"{name}: the connection closed during the ADB handshake ({cause})",
        hint="Replug the phone or toggle USB debugging off and on; if another computer or adb "
        "uses the phone, disconnect it, then scan again.",
    )


def nothing_listens(host: str, port: int) -> DeviceNotFound:
    return DeviceNotFound(f"nothing listens on {host}:{port}", hint=_WIRELESS_HINT)


def unreachable(host: str, port: int, cause: str) -> DeviceNotFound:
    return DeviceNotFound(f"{host}:{port} is unreachable ({cause})", hint=_WIRELESS_HINT)


def not_adb(host: str, port: int, cause: str) -> DeviceNotFound:
    return DeviceNotFound(
        f"{host}:{port} answered, but not as an ADB device ({cause})", hint=_WIRELESS_HINT
    )


def needs_tls(host: str, port: int) -> DeviceNotFound:
    return DeviceNotFound(
        f"{host}:{port} asks for TLS (Android 11+ Wireless debugging), which msgscan cannot "
        "speak directly",
        hint="Pair and connect with adb (`adb pair HOST:PAIRING_PORT`, then `adb connect "
        f"{host}:{port}`), leave that adb server running, and scan with --serial {host}:{port}.",
    )


def busy(name: str, owner: tuple[int, str] | None) -> DeviceBusy:
    """``owner`` is an adb server's ``(pid, cmdline)`` if psutil found one."""
    serial = name if " " not in name else "SERIAL"
    detach = f"release the phone with `adb -s {serial} detach` (platform-tools 36 or newer)"
    if owner:
        return DeviceBusy(
            f"{name}: the phone's USB interface is held by an adb server, pid {owner[0]}: "
            f"{owner[1]}",
            hint="msgscan goes through a running adb server by itself when it answers on "
            "ANDROID_ADB_SERVER_PORT (default 5037): scan again, or set that variable to the port "
            f"in the server's command line. Or {detach}. msgscan never stops it for you.",
        )
    return DeviceBusy(
        f"{name}: the phone's USB interface is held by another program (Android Studio, "
        "scrcpy, an adb server or a second msgscan?)",
        hint=f"Close the program that holds it, or {detach}, then scan again. msgscan never "
        "stops it for you.",
    )


def no_permission(name: str) -> DevicePermission:
    return DevicePermission(
        f"{name}: no permission to open the phone's USB device", hint=_PERMISSION_HINT
    )


def not_on_usb(serial: str | None, usb_sees: str) -> DeviceNotFound:
    what = f"no phone with serial {serial}" if serial else "no Android phone with USB debugging"
    return DeviceNotFound(f"{what} on USB ({usb_sees})", hint=_ENABLE_HINT)


def missing_libusb(cause: str) -> MissingBackend:
    return MissingBackend(
        f"libusb-1.0 is not installed, so msgscan cannot reach USB phones ({cause})",
        hint="Install libusb (Debian/Ubuntu: `sudo apt install libusb-1.0-0`; macOS: `brew "
        "install libusb`). TCP (--tcp HOST:PORT) and a running adb server still work without it.",
    )


def offline(name: str, server: str) -> DeviceLost:
    return DeviceLost(
        f"{name}: the adb server at {server} sees the phone, but it is offline",
        hint="Replug the phone or toggle USB debugging off and on; `adb reconnect offline` may "
        "help; update platform-tools if it keeps happening.",
    )


def not_at_server(serial: str, server: str) -> DeviceNotFound:
    return DeviceNotFound(
        f"the adb server at {server} does not list {serial}",
        hint="`msgscan devices` lists the serials msgscan can reach; plug the phone in, or run "
        "`adb connect HOST:PORT` for a network phone, then scan again.",
    )


def server_permission(name: str, server: str, state: str) -> DevicePermission:
    return DevicePermission(
        f"{name}: the adb server at {server} may not open the phone ({state})",
        hint=_PERMISSION_HINT,
    )


def server_gone(server: str, cause: str, partial: bytes = b"") -> DeviceLost:
    return DeviceLost(
        f"the adb server at {server} stopped answering ({cause})",
        hint="Start it again (`adb start-server`) or close it so msgscan talks to the phone "
        "directly over USB, then scan again.",
        partial=partial,
    )


def server_refused(name: str, server: str, message: str) -> DeviceLost:
    return DeviceLost(
        f"{name}: the adb server at {server} refused the request ({message})",
        hint="Check the phone with `adb devices -l`; replug it or toggle USB debugging, then scan "
        "again.",
    )


def wrong_state(name: str, server: str, state: str) -> DeviceNotFound:
    if state == "detached":
        return DeviceNotFound(
            f"{name}: the adb server at {server} lists the phone as detached",
            hint=f"Give it back to the server with `adb -s {name} attach`, or scan with --serial "
            f"{name} while the server stays detached: msgscan then opens the phone over USB.",
        )
    return DeviceNotFound(
        f"{name}: the adb server at {server} lists the phone as '{state}', not as a running phone",
        hint="Boot the phone normally into Android (not recovery, bootloader or sideload), unlock "
        "it, then scan again.",
    )

"""Parse ``getprop`` output into properties, a ``DeviceIdentity`` and a scrubbed recording.

Format: one ``[name]: [value]`` line per property. Android 9+ prints them sorted by name
(AOSP ``system/core/toolbox/getprop.cpp``, ``PrintAllProperties``); older releases print them
unsorted with the same ``printf("[%s]: [%s]\\n")`` (``toolbox/getprop.c``). Neither escapes the
value, so:

* a value containing a newline spans several physical lines, the last one ending in ``]``
  (``persist.sys.boot.reason.history`` on the Samsung S25+, Android 16 capture
  ``samsung-s25-android16/getprop.utf16le.txt`` lines 615-617);
* a value may itself contain ``]`` or ``]: [``, so a one-line property is split at its first
  ``]: [`` (names never contain ``]``) and its value runs to the last ``]`` of the line.

Pure and never raises: lines that are not part of a property are skipped, and a multi-line
value cut off by the next property line (or by the end of a truncated output) is dropped rather
than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date

from checks.facts import DeviceIdentity, Encryption

__all__ = [
    "PROPS_KEPT",
    "identity_from_props",
    "parse_getprop",
    "scrub_getprop",
    "serial_from_props",
]

_START = re.compile(r"^\[([^\[\]\s]+)\]: \[")
"""A property line: ``[name]: [``. Names are dotted identifiers without brackets or whitespace
(all 1,582 names of the Android 16 capture), so the first ``]: [`` ends the name."""

PROPS_KEPT: frozenset[str] = frozenset(
    {
        # DeviceIdentity
        "ro.product.manufacturer",
        "ro.product.brand",
        "ro.product.model",
        "ro.product.device",
        "ro.build.version.release",
        "ro.build.version.sdk",
        "ro.build.version.security_patch",
        "ro.build.fingerprint",
        "ro.crypto.state",
        "ro.crypto.type",
        # Build trust: a userdebug/eng or debuggable build, or an unlocked bootloader, lets
        # anyone with the phone read app-private chat databases.
        "ro.build.type",
        "ro.build.tags",
        "ro.debuggable",
        "ro.secure",
        "ro.adb.secure",
        "ro.boot.verifiedbootstate",
        "ro.boot.flash.locked",
        "ro.boot.vbmeta.device_state",
        # The release the phone shipped with (explains scoped-storage behaviour after upgrades).
        "ro.product.first_api_level",
        # Vendor skins: their versions decide vendor features and patch cadence.
        "ro.build.version.oneui",  # Samsung One UI, e.g. 80500 (Android 16 capture)
        "ro.build.version.emui",  # Huawei EMUI
        "ro.miui.ui.version.name",  # Xiaomi MIUI / HyperOS
        # Samsung Dual Messenger clones messengers into a hidden profile (Android 16 capture:
        # persist.sys.dualapp.prop=1, sys.dualapp.profile_id empty = no clone profile yet).
        "persist.sys.dualapp.prop",
        "sys.dualapp.profile_id",
    }
)
"""Properties msgscan needs, and the only ones ``scrub_getprop`` lets into a recording.

An allow-list on purpose: serial numbers (``ro.serialno``, ``ro.boot.serialno``,
``ro.boot.ap_serial``, ``ro.boot.em.did`` in the Android 16 capture), IMEI-like modem properties
and Wi-Fi/Bluetooth addresses have vendor-specific names that a deny-list would miss."""


def _lines(text: str) -> list[str]:
    # ``scanner.parse.text.decode`` already strips ``\r``; stripping again keeps this parser
    # correct on text that did not go through it (UTF-16LE+CRLF capture, Android 16).
    return [line.rstrip("\r") for line in text.split("\n")]


def _properties(text: str) -> Iterator[tuple[str, str, list[str]]]:
    """Yield ``(name, value, physical lines)`` for every complete property, in order."""
    name: str | None = None
    parts: list[str] = []  # value lines so far, the first one without ``[name]: [``
    raw: list[str] = []
    for line in _lines(text):
        start = _START.match(line)
        if start:
            # A property line while a multi-line value is open means that value was cut off.
            name, raw = None, []
            rest = line[start.end() :]
            if rest.endswith("]"):
                yield start.group(1), rest[:-1], [line]
            else:
                name, parts, raw = start.group(1), [rest], [line]
        elif name is not None:
            raw.append(line)
            if line.endswith("]"):
                parts.append(line[:-1])
                yield name, "\n".join(parts), raw
                name, raw = None, []
            else:
                parts.append(line)
    # A value still open at the end is truncated output: dropped, never guessed.


def parse_getprop(text: str) -> dict[str, str]:
    """All properties as name -> value; a multi-line value keeps its ``\\n``s; never raises."""
    return {name: value for name, value, _ in _properties(text)}


def scrub_getprop(text: str) -> str:
    """The ``getprop`` output with only ``PROPS_KEPT`` properties, in their original lines.

    Used before a recording is stored, so recordings never hold serial numbers or other
    identifiers. Line ends become ``\\n``; everything that is not a kept property is dropped.
    """
    kept = [line for name, _, raw in _properties(text) if name in PROPS_KEPT for line in raw]
    return "".join(f"{line}\n" for line in kept)


def _text(props: Mapping[str, str], name: str) -> str | None:
    value = props.get(name, "").strip()
    return value or None


def _int(props: Mapping[str, str], name: str) -> int | None:
    value = props.get(name, "").strip()
    # At most 9 digits: int() refuses (ValueError) numbers past 4300 digits.
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _date(props: Mapping[str, str], name: str) -> date | None:
    # ``ro.build.version.security_patch`` is ``YYYY-MM-DD`` (AOSP build/make
    # ``PLATFORM_SECURITY_PATCH``; ``2026-06-05`` in the Android 16 capture). Anything else,
    # including vendor builds that leave it empty, is "not reported".
    value = props.get(name, "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _encryption(props: Mapping[str, str]) -> Encryption:
    # ``ro.crypto.state`` is set by vold/init (AOSP system/vold, init ``do_mount_all``):
    # ``encrypted``, ``unencrypted`` or ``unsupported``; ``ro.crypto.type`` (Android 7+) says
    # ``file`` (FBE) or ``block`` (FDE). Android 16 capture: encrypted + file.
    state = props.get("ro.crypto.state", "").strip().lower()
    kind = props.get("ro.crypto.type", "").strip().lower()
    match state:
        case "encrypted":
            if kind == "file":
                return Encryption.FILE_BASED
            if kind == "block":
                return Encryption.FULL_DISK
            return Encryption.ENCRYPTED
        case "unencrypted":
            return Encryption.UNENCRYPTED
        case "unsupported":
            return Encryption.UNSUPPORTED
        case _:
            return Encryption.UNREPORTED


_SERIAL = r"[A-Za-z0-9._-]{4,64}"  # compiled when used: once a scan (start-up)
_NOT_A_SERIAL = frozenset({"unknown", "0123456789abcdef", "0000000000000000", "null"})
"""Placeholders that many phones share (cheap builds leave AOSP's ``0123456789ABCDEF``): they
name no one phone, so they never become a device id."""


def serial_from_props(props: Mapping[str, str]) -> str | None:
    """The phone's own serial (``ro.serialno``, else ``ro.boot.serialno``, set by init from the
    bootloader's ``androidboot.serialno``), or None when neither names one phone.

    Used only as the device's id (pseudonymised where the policy says); never kept in a
    recording (``PROPS_KEPT`` leaves it out) and never shown beside the id."""
    for name in ("ro.serialno", "ro.boot.serialno"):
        value = props.get(name, "").strip()
        if re.fullmatch(_SERIAL, value) and value.lower() not in _NOT_A_SERIAL:
            return value
    return None


def identity_from_props(props: Mapping[str, str]) -> DeviceIdentity:
    """The phone's identity from ``parse_getprop`` output; absent or garbled values are None."""
    return DeviceIdentity(
        manufacturer=_text(props, "ro.product.manufacturer"),
        brand=_text(props, "ro.product.brand"),
        model=_text(props, "ro.product.model"),
        device=_text(props, "ro.product.device"),
        release=_text(props, "ro.build.version.release"),
        sdk=_int(props, "ro.build.version.sdk"),
        security_patch=_date(props, "ro.build.version.security_patch"),
        encryption=_encryption(props),
        build_fingerprint=_text(props, "ro.build.fingerprint"),
    )

"""Parse ``dumpsys device_policy`` into ``checks.facts.DevicePolicy``.

No capture shows this output (the Huawei Android 7 ``dumpsys-all.txt`` has no device_policy
section, only device-admin receivers inside ``dumpsys package``), so the format is derived from
AOSP ``services/devicepolicy/java/com/android/server/devicepolicy/``:

* ``DevicePolicyManagerService.dump``: ``Current Device Policy Manager state:``, then every
  section indented by two (an ``IndentingPrintWriter`` from Android 12; a ``"  "`` prefix
  before). AOSP's own parser (cts bedstead ``AdbDevicePolicyParser27``, Android 8.1+) reads the
  owner sections as exactly these two-space sections.
* Owners: ``Device Owner: `` and ``Profile Owner (User <id>): `` (trailing space), each followed
  by indented ``admin=ComponentInfo{<pkg>/<class>}`` and, from Android 7, ``package=<pkg>``.
  Android 6 ``DeviceOwner.OwnerInfo.dump`` prints only ``admin=`` and ``name=`` (and a device
  owner set by package name has an empty class: ``ComponentInfo{<pkg>/}``); Android 7-13
  ``Owners``/``OwnersData.OwnerInfo.dump`` print ``admin=``, ``name=`` and ``package=`` (and,
  after the first Android 7 release, the device owner's ``User ID: <n>``); Android 14-16
  ``OwnersData.OwnerInfo.dump`` drop ``name=`` and add ``isOrganizationOwnedDevice=``.
* Admins: ``Enabled Device Admins (User <id>, provisioningState: <n>):`` (Android 7+; the
  ``provisioningState`` part is optional here), then one ``<pkg>/<class>:`` line per active
  admin (``ComponentName.flattenToShortString``) two deeper, its ``ActiveAdmin.dump`` fields
  (``uid=``, ``policies:``, ...) deeper still. Android 12-16 print this from
  ``DevicePolicyData.dump``.

Structure, not versions: sections are found by their header text at any indentation and end
at the next line indented no deeper than the header. Pure and never raises; empty output,
``Can't find service: device_policy`` or a dump without owners give
``DevicePolicy(device_owner=None)``.
"""

from __future__ import annotations

import re

from checks.facts import DevicePolicy

__all__ = ["parse_device_policy"]

_DEVICE_OWNER = re.compile(r"^Device Owner:\s*$")
_PROFILE_OWNER = re.compile(r"^Profile Owner \(User (\d{1,10})\):\s*$")
_ADMINS = re.compile(
    r"^Enabled Device Admins \(User (\d{1,10})(?:, provisioningState: -?\d+)?\):\s*$"
)
_COMPONENT_INFO = r"ComponentInfo\{([^/{}\s]+)/[^{}\s]*\}"  # compiled when used (start-up)
_ADMIN_LINE = r"^([A-Za-z0-9_.]+)/[A-Za-z0-9_.$]*:$"
"""``flattenToShortString`` of the admin receiver, e.g. ``com.example.mdm/.AdminReceiver:``."""
_PACKAGE = r"^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _owner_package(body: list[str]) -> str | None:
    """The owner's package: ``package=`` when printed (Android 7+), else from ``admin=``."""
    admin: str | None = None
    for line in body:
        text = line.strip()
        if text.startswith("package="):
            value = text.removeprefix("package=").strip()
            if re.match(_PACKAGE, value):
                return value
        elif text.startswith("admin=") and admin is None:
            found = re.search(_COMPONENT_INFO, text)
            if found:
                admin = found.group(1)
    return admin


def _admin_packages(body: list[str]) -> list[str]:
    """Packages of the ``<pkg>/<class>:`` lines at the first indentation below the header."""
    level: int | None = None
    packages: list[str] = []
    for line in body:
        if not line.strip():
            continue
        if level is None:
            level = _indent(line)
        if _indent(line) != level:
            continue
        found = re.match(_ADMIN_LINE, line.strip())
        if found and found.group(1) not in packages:
            packages.append(found.group(1))
    return packages


def _sections(lines: list[str]) -> list[tuple[str, int | None, list[str]]]:
    """(kind, user id, body lines) for every owner and admin section."""
    found: list[tuple[str, int | None, list[str]]] = []
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        kind: str | None = None
        user: int | None = None
        if _DEVICE_OWNER.match(text):
            kind = "device_owner"
        elif m := _PROFILE_OWNER.match(text):
            kind, user = "profile_owner", int(m.group(1))
        elif m := _ADMINS.match(text):
            kind, user = "admins", int(m.group(1))
        if kind is None:
            i += 1
            continue
        header = _indent(lines[i])
        body: list[str] = []
        i += 1
        while i < len(lines):
            line = lines[i]
            if line.strip() and _indent(line) <= header:
                break
            body.append(line)
            i += 1
        found.append((kind, user, body))
    return found


def parse_device_policy(text: str) -> DevicePolicy:
    """Device owner, profile owners and active admins per user. Never raises."""
    lines = [line.rstrip("\r").expandtabs(2) for line in text.split("\n")]
    device_owner: str | None = None
    profile_owners: dict[int, str] = {}
    admins: dict[int, list[str]] = {}
    for kind, user, body in _sections(lines):
        if kind == "device_owner":
            device_owner = device_owner or _owner_package(body)
        elif kind == "profile_owner" and user is not None:
            package = _owner_package(body)
            if package is not None:
                profile_owners.setdefault(user, package)
        elif kind == "admins" and user is not None:
            for package in _admin_packages(body):
                if package not in admins.setdefault(user, []):
                    admins[user].append(package)
    return DevicePolicy(
        device_owner=device_owner,
        profile_owners=profile_owners,
        admins={user: tuple(packages) for user, packages in admins.items() if packages},
    )

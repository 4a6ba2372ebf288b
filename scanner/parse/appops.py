"""Parse ``dumpsys appops`` into app-op modes.

``dumpsys appops`` (AOSP ``AppOpsService.dump``; ``services/core/java/com/android/server/``
``AppOpsService.java`` up to Android 9, ``.../server/appop/AppOpsService.java`` from 10) lists,
after the watcher and client sections, one block per uid::

      Uid u0a232:                         <- UserHandle.formatUid: u<user>a<appId-10000>,
        [state=... lines, Android 9+]        u<user>s<appId>, u<user>i<n>, or a plain uid < 10000
          LEGACY_STORAGE: mode=allow      <- uid-level modes (before any Package line)
        Package com.whatsapp:
          READ_CONTACTS: mode=0; time=... <- Android 6-8: numeric mode (capture, Android 7)
          READ_CONTACTS (allow):          <- Android 9-16: mode name, maybe
                                             "(allow / switch READ_EXTERNAL_STORAGE=allow)"

Numeric modes are ``AppOpsManager.MODE_*``: 0 allow, 1 ignore, 2 errored (deny), 3 default,
4 foreground; names come from ``AppOpsManager.MODE_NAMES`` (same order). MIUI adds
``ask`` (5); it has no ``OpMode`` and is skipped, like any unknown mode.

Uid-level modes: the Android 7.1-16 dump prints them as ``<OP>: mode=<mode>`` right under the
``Uid`` line, and AppOpsService lets a uid mode override the package's own mode ("Uid mode
overrides package mode", ``appops get`` in ``AppOpsService.Shell``). Settings' "All files
access" switch sets ``MANAGE_EXTERNAL_STORAGE`` this way, so ``parse_dumpsys_appops`` applies
a uid's modes to every package listed in its block, on top of the package's own modes. A uid
block without any ``Package`` line cannot be tied to a package here; those modes are only in
``parse_dumpsys_appops_uid_modes``.

Huawei EMUI (Android 7 capture ``isdi-huawei-frd-android7/dumpsys-all.txt``, lines 58547-58550)
splits the package header over three lines: ``    Package com.whatsapp isPrivileged: `` /
``false needSyncPriv:`` / ``false :``. The continuation lines start in column 0, so they are
skipped and never end a block.

The collector runs ``dumpsys appops`` alone; a full ``dumpsys`` (ISDI's ``DUMP OF SERVICE
appops`` header without colon, or bugreport's with colon) is cut to its appops section first.
Pure and never raises; lines it does not understand are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from checks.facts import AppOps, OpMode
from scanner.parse.damage import Damage

__all__ = [
    "KEPT_OPS",
    "parse_dumpsys_appops",
    "parse_dumpsys_appops_uid_modes",
]

KEPT_OPS: frozenset[str] = frozenset(
    {
        # AppOpsManager op names (sAppOpInfos / sOpNames), verified in AOSP Android 14+.
        "READ_EXTERNAL_STORAGE",
        "WRITE_EXTERNAL_STORAGE",
        "MANAGE_EXTERNAL_STORAGE",  # Android 11+
        "LEGACY_STORAGE",  # Android 10+
        "READ_MEDIA_IMAGES",  # Android 10+ op; a runtime permission from 13
        "READ_MEDIA_VIDEO",
        "READ_MEDIA_AUDIO",
        "READ_MEDIA_VISUAL_USER_SELECTED",  # Android 14+
        "ACCESS_MEDIA_LOCATION",  # Android 10+
        "READ_CONTACTS",
        "WRITE_CONTACTS",
    }
)
"""The ops kept: those that decide access to shared storage and to contacts."""

_MODES: Mapping[str, OpMode] = {
    "0": OpMode.ALLOW,
    "1": OpMode.IGNORE,
    "2": OpMode.DENY,
    "3": OpMode.DEFAULT,
    "4": OpMode.FOREGROUND,
    "allow": OpMode.ALLOW,
    "ignore": OpMode.IGNORE,
    "deny": OpMode.DENY,
    "default": OpMode.DEFAULT,
    "foreground": OpMode.FOREGROUND,
}

_SECTION = re.compile(r"^DUMP OF SERVICE appops:?\s*$")
_OTHER_SECTION = r"^DUMP OF "  # compiled when used (start-up)
_UID = re.compile(r"^  Uid (?:u\d{1,10}[a-z]+\d{1,10}|\d{1,10}):\s*$")
_PACKAGE = re.compile(r"^    Package (\S+?):?(?:\s.*)?$")
_MODE_LINE = re.compile(r"^\s+([A-Z][A-Z0-9_]*): mode=([A-Za-z0-9]+)")
"""``OP: mode=N; time=...`` (package ops up to Android 8, uid-level modes in every release)."""
_NAMED_LINE = re.compile(r"^\s+([A-Z][A-Z0-9_]*) \(([a-z]+)(?: / switch [A-Z0-9_]+=[a-z0-9=]+)?\):")
"""``OP (mode):`` or ``OP (mode / switch OTHER=mode):`` (package ops, Android 9-16)."""

_Blocks = list[tuple[int, int, dict[str, OpMode], dict[str, dict[str, OpMode]]]]


def _lines(text: str) -> list[str]:
    lines = [line.rstrip("\r") for line in text.split("\n")]
    start = next((i for i, line in enumerate(lines) if _SECTION.match(line)), None)
    if start is None:
        return lines
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(_OTHER_SECTION, lines[i])), len(lines)
    )
    return lines[start + 1 : end]


def appops_damage(text: str) -> Damage:
    """Lines of ``dumpsys appops`` that ``parse_dumpsys_appops`` needs and cannot read: a kept
    op whose mode is none of AppOpsManager's (``mode=allo``), a ``Uid`` header that is no uid
    (its ops would be dropped with it). Unknown ops and sections are not damage."""
    damage = Damage()
    for line in _lines(text):
        if line.startswith("  Uid ") and not _UID.match(line):
            damage.note("Uid header that is no uid", line.strip()[4:].rstrip(":"))
            continue
        m = _MODE_LINE.match(line) or _NAMED_LINE.match(line)
        if m is not None and m.group(1) in KEPT_OPS and m.group(2) not in _MODES:
            damage.note("unreadable mode", m.group(1))
    return damage


def _blocks(text: str) -> _Blocks:
    """(uid, user, uid-level modes, package -> modes) per ``Uid`` block, kept ops only."""
    blocks: _Blocks = []
    uid_modes: dict[str, OpMode] | None = None
    packages: dict[str, dict[str, OpMode]] = {}
    package: str | None = None
    for line in _lines(text):
        if _UID.match(line):
            uid, user = _uid_and_user(line)
            uid_modes, packages, package = {}, {}, None
            blocks.append((uid, user, uid_modes, packages))
            continue
        if uid_modes is None:
            continue  # watcher and client sections before the first Uid block
        if 1 <= len(line) - len(line.lstrip(" ")) <= 2 and line.strip():
            # A new two-space section (e.g. "  User restrictions for token ..."): block over.
            uid_modes, package = None, None
            continue
        if m := _PACKAGE.match(line):
            package = m.group(1)
            packages.setdefault(package, {})
            continue
        # "OP: mode=..." anywhere in the block; "OP (mode):" only under a Package line.
        m = _MODE_LINE.match(line) or (_NAMED_LINE.match(line) if package else None)
        if m is None:
            continue
        op, mode = m.group(1), _MODES.get(m.group(2))
        if mode is None or op not in KEPT_OPS:
            continue
        if package is None:
            uid_modes.setdefault(op, mode)
        else:
            packages[package].setdefault(op, mode)
    return blocks


def _uid_and_user(line: str) -> tuple[int, int]:
    """Uid (-1 if unknown) and user id of a ``Uid`` header (inverse of ``UserHandle.formatUid``)."""
    token = line.strip().removeprefix("Uid ").rstrip(":")
    if len(token) > 24:  # no real uid is this long; int() of a huge number is slow or raises
        return -1, -1
    if token.isdigit():  # formatUid prints uids below 10000 (user 0 system uids) as numbers
        return int(token), int(token) // 100_000
    m = re.fullmatch(r"u(\d+)([a-z]+)(\d+)", token)
    if not m:
        return -1, -1
    user, kind, n = int(m.group(1)), m.group(2), int(m.group(3))
    # UserHandle.formatUid: a = appId - 10000 (apps), s = appId (system uids in a secondary
    # user), i = appId - 99000 (isolated). Other kinds (Android 10+ "ai") have no packages.
    offset = {"a": 10_000, "s": 0, "i": 99_000}.get(kind)
    return (-1 if offset is None else user * 100_000 + offset + n), user


def parse_dumpsys_appops(text: str) -> AppOps:
    """Modes of the storage and contacts ops per (user, package); uid modes override."""
    modes: dict[tuple[int, str], dict[str, OpMode]] = {}
    for _, user, uid_modes, packages in _blocks(text):
        for package, own in packages.items():
            effective = {**own, **uid_modes}
            if effective:
                modes.setdefault((user, package), {}).update(effective)
    return AppOps(modes=modes)


def parse_dumpsys_appops_uid_modes(text: str) -> dict[int, dict[str, OpMode]]:
    """Uid-level modes of the kept ops, by numeric uid (user * 100000 + appId)."""
    result: dict[int, dict[str, OpMode]] = {}
    for uid, _, uid_modes, _ in _blocks(text):
        if uid >= 0 and uid_modes:
            result.setdefault(uid, {}).update(uid_modes)
    return result

"""What a recording knows about its phone, read back from the recording's own outputs.

The derived commands (``scanner.simphone.commands``) answer from these facts, never from the
spec a constructed recording was built from, so a real capture and a constructed recording are
served the same way. Everything is parsed with msgscan's own parsers (``scanner.parse``); where a
command needs what the facts model drops (an APK's code path), the ``dumpsys package`` block
is read directly.

The virtual tree is the recording's ``files`` plus what a shell on the phone would see:
Android's top-level folders, each package's APK (a stand-in: the recording holds no APK bytes),
and the shared-storage folders msgscan's ``find`` probes saw, with one stand-in file per file
they counted (date and size as recorded; the name is made up, since a recording never keeps
file names). Folders a probe could not read stay unreadable.

Each user's storage root (``/storage/emulated/N``) is in the tree where the recording shows the
shell saw it: user 0's always (unless its ``test -d`` failed), another user's where its
``test -d`` (``probes.root_probe``) answered 0 or a ``find`` below it got an answer other than
"No such file or directory". A root whose ``test -d`` failed is hidden: nothing at or below it
exists for the shell, as for a work profile's storage that is not mounted in the shell's view.
A root the recording says nothing of is not modelled either (a derived ``test -d`` then fails).

A user the recording shows running but locked (Android 7+: absent from the unlocked users of
its ``dumpsys mount``, ``scanner.parse.unlocked``) keeps its root where that is seen, but nothing
below it: its names are ciphertext (Android 7-10), so no path below the root resolves.
"""

from __future__ import annotations

import errno
import os
import re
import stat as st
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from checks.facts import AppOps, Package, User
from scanner import probes
from scanner.parse.appops import parse_dumpsys_appops, parse_dumpsys_appops_uid_modes
from scanner.parse.backup import parse_bmgr_enabled
from scanner.parse.dumpsys_package import parse_dumpsys_package
from scanner.parse.getprop import parse_getprop
from scanner.parse.settings import parse_settings_list
from scanner.parse.text import decode
from scanner.parse.unlocked import FBE_SDK, parse_unlocked_users
from scanner.parse.users import parse_pm_list_users
from scanner.recording import Recording
from scanner.simphone.files import DirEntry, VirtualFile, VirtualFiles, normalize

_BLOCK = re.compile(r"^  Package \[([^\]\s]+)\] \(", re.MULTILINE)
_CODE_PATH = re.compile(r"^    codePath=(\S+)", re.MULTILINE)
DIR = st.S_IFDIR

# Folders every phone has, as ``ls -l /`` shows them to the shell user (AOSP
# system/core/rootdir/init.rc and Android.mk: mode of each mount point; 6-16).
SKELETON: tuple[tuple[str, int], ...] = (
    ("/system", 0o755),
    ("/system/bin", 0o755),
    ("/system/app", 0o755),
    ("/system/priv-app", 0o755),
    ("/vendor", 0o755),
    ("/product", 0o755),
    ("/data", 0o771),
    ("/data/app", 0o771),
    ("/data/data", 0o771),
    ("/data/user", 0o711),
    ("/data/user_de", 0o711),
    ("/data/local", 0o751),
    ("/data/local/tmp", 0o771),
    ("/data/misc", 0o1771),
    ("/storage", 0o755),
    ("/storage/emulated", 0o711),
    ("/storage/emulated/0", 0o2770),
    ("/sdcard", 0o2770),
    ("/proc", 0o555),
    ("/dev", 0o755),
    ("/etc", 0o755),
    ("/mnt", 0o755),
    ("/cache", 0o770),
)
UNLISTABLE = frozenset(
    {
        "/data",
        "/data/app",
        "/data/data",
        "/data/user",
        "/data/user_de",
        "/data/local",
        "/data/misc",
        "/cache",
        "/storage/emulated",
    }
)
"""Folders the shell user may pass through (x bit) but not list: ``ls`` says Permission denied."""

SETTINGS_NAMESPACES = ("system", "secure", "global")


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    props: dict[str, str]
    users: tuple[User, ...]
    packages: tuple[Package, ...]
    code_paths: dict[str, str]
    """Package -> codePath as ``dumpsys package`` prints it."""
    blocks: dict[str, str]
    """Package -> its block of the ``Packages:`` section."""
    app_ops: AppOps
    settings: dict[str, dict[str, str]]
    tree: VirtualFiles
    denied: tuple[str, ...] = ()
    """Folders whose content the shell cannot reach at all (another user's storage)."""
    unlistable: frozenset[str] = field(default_factory=frozenset)
    locked: frozenset[int] = frozenset()
    """Running users whose credential-encrypted storage the recording shows locked."""
    modelled: bool = True  # a constructed recording: its dump renders a model (simphone.pm_list)
    shell_refused: frozenset[int] = frozenset()
    """Users the shell may not access (``DISALLOW_DEBUGGING_FEATURES``): a constructed
    recording's ``meta.shell_refused_users`` (scanner.simphone.pm_list)."""

    @property
    def sdk(self) -> int:
        return sdk_of(self.props)

    def package(self, name: str) -> Package | None:
        return next((p for p in self.packages if p.name == name), None)

    def apk(self, name: str) -> str | None:
        """The base APK path ``pm path`` prints (``ApplicationInfo.sourceDir``)."""
        code = self.code_paths.get(name)
        if code is None:
            return None
        if code.endswith(".apk"):
            return code
        if code.startswith(("/system/", "/product/", "/vendor/", "/system_ext/")):
            return f"{code}/{code.rstrip('/').rsplit('/', 1)[-1]}.apk"  # /system/priv-app/X/X.apk
        return f"{code}/base.apk"

    def resolve(self, path: str) -> str:
        """``/sdcard`` and ``/storage/self/primary`` are user 0's storage (symlinks on a phone)."""
        path = normalize(path)
        for alias in ("/sdcard", "/storage/self/primary", "/mnt/sdcard"):
            if path == alias or path.startswith(alias + "/"):
                return "/storage/emulated/0" + path[len(alias) :]
        return path

    def blocked(self, path: str) -> bool:
        """Below a folder the shell cannot enter (the folder itself can be stat'ed)."""
        return any(path.startswith(d + "/") for d in self.denied)

    def unreadable(self, path: str) -> bool:
        """A folder whose listing the shell is refused."""
        return path in self.unlistable or path in self.denied or self.blocked(path)


class PhoneTree(VirtualFiles):
    """The tree as the shell user's adbd sees it over sync: listing a folder the shell may not
    read gives nothing (adbd's opendir fails: an empty LIST), and below another user's storage
    nothing exists for it (stat fails)."""

    def __init__(
        self, files: Iterable[VirtualFile], denied: Iterable[str], unlistable: Iterable[str]
    ) -> None:
        super().__init__(files)
        self.denied = tuple(denied)
        self.unlistable = frozenset(unlistable)

    def _below_denied(self, path: str) -> bool:
        path = normalize(path)
        return any(path.startswith(d + "/") for d in self.denied)

    def stat(self, path: str) -> VirtualFile:
        if self._below_denied(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return super().stat(path)

    def list(self, dirpath: str) -> list[DirEntry]:
        path = normalize(dirpath)
        if path in self.unlistable or path in self.denied or self._below_denied(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return super().list(dirpath)


def sdk_of(props: dict[str, str]) -> int:
    """``ro.build.version.sdk``; a recording without it is taken as a current phone (34)."""
    try:
        return int(props.get("ro.build.version.sdk", "34"))
    except ValueError:
        return 34


def read_props(rec: Recording) -> dict[str, str]:
    return parse_getprop(_text(rec, probes.GETPROP.argv) or "")


def _text(rec: Recording, argv: tuple[str, ...]) -> str | None:
    c = rec.index().get(argv)
    if c is None or (c.exit_code not in (0, None)):
        return None
    return decode(c.stdout)


def apk_stand_in(package: Package) -> bytes:
    """A valid, empty ZIP (one end-of-central-directory record) whose comment names the app: what
    the phone's ``base.apk`` is here, since a recording holds no APK bytes."""
    comment = f"msgscan simulated APK stand-in: {package.name} {package.version_code}".encode()
    return b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 0, 0, 0, 0, len(comment)) + comment


def _blocks(dump: str) -> dict[str, str]:
    section = dump.split("\nHidden system packages:", 1)[0]
    starts = list(_BLOCK.finditer(section))
    out: dict[str, str] = {}
    for m, nxt in zip(starts, [*starts[1:], None], strict=False):
        out.setdefault(m.group(1), section[m.start() : nxt.start() if nxt else len(section)])
    return out


def _storage(rec: Recording) -> tuple[list[VirtualFile], list[str]]:
    """Folders and stand-in files from the recorded ``find`` probes, and the unreadable roots."""
    files: list[VirtualFile] = []
    denied: list[str] = []
    seen: set[str | None] = set()
    for c in rec.commands:
        argv = c.argv
        if argv[:1] != ("find",) or len(argv) < 2:
            continue
        root = normalize(argv[1])
        out = decode(c.stdout + c.stderr)
        if f"find: {argv[1]}: Permission denied" in out:
            denied.append(root)
            continue
        if f"find: {argv[1]}: No such file or directory" in out:
            continue
        for line in out.splitlines():
            if line.startswith("find: ") and line.endswith(": Permission denied"):
                denied.append(normalize(line[6:-19]))
        files.append(VirtualFile(root, DIR | 0o2770, 3452, 0, None))
        seen.add(_user_root(root))
        if "-type" not in argv or argv[argv.index("-type") + 1] != "f":
            continue
        wanted = [
            argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-name" and argv[i - 1] != "!"
        ]
        name = wanted[0] if wanted and "*" in wanted[0] else "f*.bin"
        for n, line in enumerate(r for r in out.splitlines() if not r.startswith("find: ")):
            mtime, _, size = line.partition(" ")
            if mtime.isdigit() and size.isdigit():
                stand_in = name.replace("*", f"{n + 1:04d}", 1).replace("*", "")
                files.append(
                    VirtualFile(f"{root}/{stand_in}", 0o100660, int(size), int(mtime), None)
                )
    # Every probe into one user's storage refused: that user's whole storage is out of reach
    # (a work profile's /storage/emulated/10 for the shell user), not just the probed folders.
    roots = {r for d in denied if (r := _user_root(d)) is not None and r not in seen}
    denied = sorted(roots) + [d for d in denied if _user_root(d) not in roots]
    return files, denied


def _roots(rec: Recording) -> tuple[set[str], set[str]]:
    """Users' storage roots the recorded ``test -d`` probes saw, and those they could not see."""
    seen: set[str] = set()
    hidden: set[str] = set()
    for c in rec.commands:
        argv = c.argv
        if len(argv) == 3 and argv[:2] == ("test", "-d") and _user_root(argv[2]) == argv[2]:
            if c.exit_code == 0:
                seen.add(argv[2])
            elif c.exit_code == 1:
                hidden.add(argv[2])
    return seen - hidden, hidden


def _user_root(path: str) -> str | None:
    m = re.match(r"^/storage/emulated/\d+", path)
    return m.group(0) if m else None


def _settings(rec: Recording, props: dict[str, str]) -> dict[str, dict[str, str]]:
    """Recorded ``settings list`` outputs where there are any; else only what the recording
    implies: USB debugging is on (adb answers), the device name (Settings.Global.DEVICE_NAME,
    set from the model), the backup switch (Settings.Secure.BACKUP_ENABLED, from ``bmgr``)."""
    out: dict[str, dict[str, str]] = {ns: {} for ns in SETTINGS_NAMESPACES}
    out["global"].update(adb_enabled="1", development_settings_enabled="1")
    if "ro.product.model" in props:
        out["global"]["device_name"] = props["ro.product.model"]
    backup = _text(rec, probes.BACKUP_ENABLED.argv)
    enabled = parse_bmgr_enabled(backup) if backup is not None else None
    if enabled is not None:
        out["secure"]["backup_enabled"] = "1" if enabled else "0"
    for ns in SETTINGS_NAMESPACES:
        for argv in (("settings", "list", ns), ("cmd", "settings", "list", ns)):
            text = _text(rec, argv)
            if text is not None:
                out[ns] = parse_settings_list(text)
    return out


def locked_users(rec: Recording, users: Iterable[User], sdk: int) -> frozenset[int]:
    """Running users the recorded ``dumpsys mount`` leaves out of its unlocked users (none
    where it was not recorded or says nothing, and before Android 7)."""
    unlocked = parse_unlocked_users(_text(rec, probes.STORAGE_USERS.argv) or "")
    if unlocked is None or sdk < FBE_SDK:
        return frozenset()
    return frozenset(u.id for u in users if (u.running or u.id == 0) and u.id not in unlocked)


def _tree(
    rec: Recording,
    packages: Iterable[Package],
    facts_apk: dict[str, str],
    denied: list[str],
    locked: Iterable[int] = (),
) -> PhoneTree:
    entries: dict[str, VirtualFile] = {}

    def add(f: VirtualFile) -> None:
        entries.setdefault(f.path, f)

    for f in rec.files:
        add(VirtualFile(f.path, f.mode, f.size, f.mtime, f.content))
        for a, b in (("/sdcard/", "/storage/emulated/0/"), ("/storage/emulated/0/", "/sdcard/")):
            if f.path.startswith(a):
                add(VirtualFile(b + f.path[len(a) :], f.mode, f.size, f.mtime, f.content))
    for path, mode in SKELETON:
        add(VirtualFile(path, DIR | mode, 4096, 1230768000, None))
    for p in packages:
        apk = facts_apk.get(p.name)
        if apk:
            data = apk_stand_in(p)
            when = int(p.last_update.timestamp()) if p.last_update else 1230768000
            add(VirtualFile(apk, 0o100644, len(data), when, data))
    for d in denied:  # another user's storage exists, the shell just cannot look inside
        add(VirtualFile(d, DIR | 0o2770, 3452, 1230768000, None))
    roots, hidden = _roots(rec)
    for root in sorted(roots):
        add(VirtualFile(root, DIR | 0o2770, 3452, 1230768000, None))
    stored, _ = _storage(rec)
    for seen in stored:
        add(seen)
        if seen.path.startswith("/storage/emulated/0/"):
            rel = seen.path[len("/storage/emulated/0/") :]
            add(VirtualFile("/sdcard/" + rel, seen.mode, seen.size, seen.mtime, None))
    # A file recorded where a folder is implied cannot be both: keep the folder.
    dirs = {e.rsplit("/", 1)[0] for e in entries}
    if "/storage/emulated/0" in hidden:
        hidden.add("/sdcard")  # user 0's storage by another name
    sealed = tuple(f"{probes.STORAGE_ROOT.format(user=u)}/" for u in locked)
    if 0 in locked:
        sealed += ("/sdcard/",)
    kept = (
        f
        for f in entries.values()
        if (f.is_dir or f.path not in dirs)
        and not any(f.path == h or f.path.startswith(h + "/") for h in hidden)
        and not f.path.startswith(sealed)
    )
    return PhoneTree(kept, denied, UNLISTABLE)


def read_facts(rec: Recording) -> PhoneFacts:
    props = read_props(rec)
    users = parse_pm_list_users(_text(rec, probes.USERS.argv) or "")
    dump = _text(rec, probes.PACKAGES.argv) or ""
    packages = parse_dumpsys_package(dump)
    blocks = _blocks(dump)
    code_paths = {name: m.group(1) for name, b in blocks.items() if (m := _CODE_PATH.search(b))}
    ops_text = _text(rec, probes.APP_OPS.argv) or ""
    app_ops = parse_dumpsys_appops(ops_text)
    app_ops = AppOps(app_ops.modes, parse_dumpsys_appops_uid_modes(ops_text))
    facts = PhoneFacts(props, users, packages, code_paths, blocks, app_ops, {}, VirtualFiles())
    apks = {p.name: a for p in packages if (a := facts.apk(p.name))}
    _, denied = _storage(rec)
    locked = locked_users(rec, users, sdk_of(props))
    return PhoneFacts(
        props,
        users,
        packages,
        code_paths,
        blocks,
        app_ops,
        _settings(rec, props),
        _tree(rec, packages, apks, denied, locked),
        tuple(denied),
        UNLISTABLE,
        locked,
        rec.meta.get("source") == "constructed",
        _refused(rec),
    )


def _refused(rec: Recording) -> frozenset[int]:
    said = rec.meta.get("shell_refused_users")
    if not isinstance(said, list):
        return frozenset()
    return frozenset(u for u in said if isinstance(u, int))

"""The simulated phone's byte-range readers: ``pm path``, ``tail -c`` and ``dd``, as toybox has
them.

What a scan runs to read an APK's signer without pulling it (``scanner.apk_reads``), answered from
the phone's file tree (``VirtualFiles``) the way the phone's programs do:

* ``pm path [--user N] PKG``: ``package:<path>`` for each APK in the package's ``codePath``
  (from the phone's own ``dumpsys package`` listing), base.apk first; status 1 and no output
  for a package the user does not have (``PackageManagerShellCommand.runPath``).
* ``tail -c N FILE`` (last N bytes, the whole file when it is shorter) and ``tail -c +N FILE``
  (from byte N, counting from 1) (toybox ``tail.c``).
* ``dd if=FILE bs=B skip=S count=C`` (toybox ``dd.c``): skipping past the end reads nothing, a
  short last block counts as a partial record, and the report goes to stderr:
  ``F+P records in``, ``F+P records out``, ``N bytes (…) copied, …``.

Errors name the file as toybox does (``dd: /x: No such file or directory``, status 1); a file
whose content the tree does not hold reads as permission denied.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable

from scanner.apk_reads import package_facts
from scanner.parse.dumpsys_package import parse_dumpsys_package
from scanner.parse.text import decode
from scanner.recording import Recording
from scanner.simphone.files import VirtualFile, VirtualFiles

Answer = tuple[bytes, bytes, int]
"""stdout, stderr, exit status."""


def _read(files: VirtualFiles, tool: str, path: str) -> bytes | Answer:
    try:
        return files.read(path)
    except OSError as e:
        return b"", f"{tool}: {path}: {os.strerror(e.errno or 5)}\n".encode(), 1


def tail(files: VirtualFiles, args: tuple[str, ...]) -> Answer | None:
    if len(args) != 3 or args[0] != "-c":
        return None
    spec, path = args[1], args[2]
    digits = spec.removeprefix("+")
    if not digits.isdigit():
        return b"", f"tail: not integer: {spec}\n".encode(), 1
    data = _read(files, "tail", path)
    if isinstance(data, tuple):
        return data
    n = int(digits)
    if spec.startswith("+"):
        return data[max(n - 1, 0) :], b"", 0
    return (data[-n:] if n else b""), b"", 0


def _human(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} K"


def dd(files: VirtualFiles, args: tuple[str, ...]) -> Answer | None:
    opts: dict[str, str] = {}
    for a in args:
        key, eq, value = a.partition("=")
        if not eq or key not in ("if", "bs", "skip", "count"):
            return None
        opts[key] = value
    if "if" not in opts:
        return None
    numbers = {}
    for key, default in (("bs", "512"), ("skip", "0"), ("count", "")):
        value = opts.get(key, default)
        if value and not value.isdigit():
            return b"", f"dd: invalid number '{value}'\n".encode(), 1
        numbers[key] = int(value) if value else None
    bs = numbers["bs"] or 512
    data = _read(files, "dd", opts["if"])
    if isinstance(data, tuple):
        return data
    start = (numbers["skip"] or 0) * bs
    count = numbers["count"]
    chunk = data[start : len(data) if count is None else start + count * bs]
    full, part = divmod(len(chunk), bs)
    records = f"{full}+{1 if part else 0}"
    report = (
        f"{records} records in\n{records} records out\n"
        f"{len(chunk)} bytes ({_human(len(chunk))}) copied, 0.000 s, 0 B/s\n"
    )
    return chunk, report.encode(), 0


def pm_path(
    files: VirtualFiles,
    args: tuple[str, ...],
    code_path: Callable[[str, int], str | None],
) -> Answer | None:
    """``code_path(package, user)`` says where the phone's package manager has the package."""
    if args[:1] != ("path",):
        return None
    rest, user = list(args[1:]), 0
    if rest[:1] == ["--user"] and len(rest) >= 2 and rest[1].isdigit():
        user, rest = int(rest[1]), rest[2:]
    if len(rest) != 1:
        return None
    where = code_path(rest[0], user)
    if where is None:
        return b"", b"", 1
    if where.endswith(".apk"):
        apks = [where]
    else:
        try:
            entries = [e.name for e in files.list(where) if e.name.endswith(".apk")]
        except OSError:
            entries = []
        names = sorted(entries, key=lambda n: n != "base.apk") or ["base.apk"]
        apks = [posixpath.join(where, n) for n in names]
    return b"".join(f"package:{p}\n".encode() for p in apks), b"", 0


class ByteRanges:
    """The three programs over a recording's file tree, with its package manager's codePaths."""

    def __init__(self, recording: Recording) -> None:
        self.files = VirtualFiles(
            VirtualFile(f.path, f.mode, f.size, f.mtime, f.content) for f in recording.files
        )
        self._recording = recording
        self._code: dict[str, str] | None = None
        self._users: dict[str, set[int]] = {}

    def _code_path(self, package: str, user: int) -> str | None:
        if self._code is None:  # parsed on the first pm path only
            listing = self._recording.index().get(("dumpsys", "package", "packages"))
            text = decode(listing.stdout) if listing else ""
            self._code = {n: c for n, (c, _) in package_facts(text).items() if c}
            self._users = {p.name: set(p.installed_for()) for p in parse_dumpsys_package(text)}
        if user not in self._users.get(package, set()):
            return None
        return self._code.get(package)

    def run(self, argv: tuple[str, ...]) -> Answer | None:
        """The answer, or None for a command line these programs do not take."""
        if argv[0] == "tail":
            return tail(self.files, argv[1:])
        if argv[0] == "dd":
            return dd(self.files, argv[1:])
        if argv[0] == "pm":
            return pm_path(self.files, argv[1:], self._code_path)
        return None

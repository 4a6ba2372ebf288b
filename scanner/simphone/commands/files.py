"""toybox's file commands over the simulated phone's tree: ls, stat, find, cat, test, digests.

Android's shell commands are toybox from Android 6 (``ls`` from 6.0, the rest by 7-8; Android 6
still had toolbox ``ls`` on some builds; the toybox format is served for every version). Formats
follow toybox's sources (toys/posix/ls.c, toys/other/stat.c, toys/posix/find.c,
toys/posix/cat.c, toys/lsb/md5sum.c): errors are ``<cmd>: <path>: <strerror>`` (toybox
``perror_msg``) with status 1; ``ls -l`` prints ``total N`` and ``mode links owner group size
YYYY-MM-DD HH:MM name``; ``stat`` without ``-c`` prints toybox's default block. Times are the
phone's local time (``persist.sys.timezone``). Owner and group names are the ones the shell
user sees on shared storage (sdcardfs ``root sdcard_rw`` up to Android 10, FUSE
``u0_a0 media_rw`` from 11; approximate) and ``root``/``system`` elsewhere.

Writes (rm, mv, cp, mkdir, touch, chmod, ln) fail as on a read-only file system: the simulated
phone never changes.
"""

from __future__ import annotations

import fnmatch
import hashlib
import posixpath
import stat as st
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timezone
from zoneinfo import ZoneInfo

from scanner.simphone.commands.facts import PhoneFacts
from scanner.simphone.commands.output import Answer, fail
from scanner.simphone.files import VirtualFile

ENOENT, EACCES, ENOTDIR, EISDIR, EROFS = (
    "No such file or directory",
    "Permission denied",
    "Not a directory",
    "Is a directory",
    "Read-only file system",
)
DIGESTS = {
    "md5sum": "md5",
    "sha1sum": "sha1",
    "sha224sum": "sha224",
    "sha256sum": "sha256",
    "sha384sum": "sha384",
    "sha512sum": "sha512",
}
WRITERS = ("rm", "rmdir", "mv", "cp", "mkdir", "touch", "chmod", "chown", "ln", "truncate")


class _Err(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


def _lookup(facts: PhoneFacts, path: str) -> VirtualFile:
    real = facts.resolve(path)
    if facts.blocked(real):
        raise _Err(path, EACCES)
    try:
        return facts.tree.stat(path if path.startswith("/sdcard") else real)
    except PermissionError:
        raise _Err(path, EACCES) from None
    except FileNotFoundError:
        try:
            return facts.tree.stat(real)
        except FileNotFoundError:
            raise _Err(path, ENOENT) from None


def _children(facts: PhoneFacts, path: str) -> list[tuple[str, VirtualFile]]:
    real = facts.resolve(path)
    if facts.unreadable(real):
        raise _Err(path, EACCES)
    base = path if path.startswith("/sdcard") and path in facts.tree else real
    return [(e.name, e.file) for e in facts.tree.list(base) if e.name not in (".", "..")]


def _tz(facts: PhoneFacts) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(facts.props.get("persist.sys.timezone") or "UTC")
    except Exception:  # noqa: BLE001 - an unknown zone name: the phone falls back to GMT
        return UTC


def _owner(facts: PhoneFacts, f: VirtualFile) -> tuple[str, str, int, int]:
    if f.path.startswith(("/storage/emulated/", "/sdcard")):
        return (
            ("root", "sdcard_rw", 0, 1015) if facts.sdk < 30 else ("u0_a0", "media_rw", 10000, 1023)
        )
    if f.path.startswith("/data") and f.is_dir:
        return "system", "system", 1000, 1000
    return "root", "root", 0, 0


def _long(facts: PhoneFacts, f: VirtualFile, name: str) -> str:
    user, group, _, _ = _owner(facts, f)
    when = datetime.fromtimestamp(f.mtime, _tz(facts)).strftime("%Y-%m-%d %H:%M")
    links = facts.tree.nlink(f.path) if f.path in facts.tree else 1
    return f"{st.filemode(f.mode)} {links} {user} {group} {f.size} {when} {name}"


def ls(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1)
    paths = [a for a in argv[1:] if not a.startswith("-") or a == "-"] or ["."]
    long_form, show_all, directory = "l" in flags or "n" in flags, "a" in flags, "d" in flags
    out: list[str] = []
    errors: list[str] = []
    for path in paths:
        target = "/" if path == "." else path
        try:
            f = _lookup(facts, target)
            if not f.is_dir or directory:
                out.append(_long(facts, f, path) if long_form else path)
                continue
            entries = sorted(_children(facts, target))
            if show_all:
                entries = [(".", f), ("..", _lookup(facts, posixpath.dirname(f.path)))] + entries
            entries = [e for e in entries if show_all or not e[0].startswith(".")]
            if len(paths) > 1:
                out.append(f"{'' if not out else chr(10)}{path}:")
            if long_form:
                blocks = sum((e.size + 4095) // 4096 * 4 for _, e in entries)
                out.append(f"total {blocks}")
                out += [_long(facts, e, n) for n, e in entries]
            else:
                out += [n for n, _ in entries]
        except _Err as e:
            errors.append(f"ls: {e}\n")
    text = "".join(f"{line}\n" for line in out)
    return Answer(text.encode(), "".join(errors).encode(), 1 if errors else 0)


_FILE_TYPES = {st.S_IFDIR: "directory", st.S_IFREG: "regular file", st.S_IFLNK: "symbolic link"}
DEFAULT_STAT = (
    "  File: %N\n  Size: %s\t Blocks: %b\t IO Blocks: %B\t%F\nDevice: %Dh/%dd\t "
    "Inode: %i\t Links: %h\nAccess: (%a/%A)\tUid: (%5u/%8U)\tGid: (%5g/%8G)\n"
    "Access: %x\nModify: %y\nChange: %z"
)
"""toybox stat's default format (toys/other/stat.c)."""


def _stat_line(facts: PhoneFacts, f: VirtualFile, name: str, fmt: str) -> str:
    user, group, uid, gid = _owner(facts, f)
    local = datetime.fromtimestamp(f.mtime, _tz(facts))
    stamp = local.strftime("%Y-%m-%d %H:%M:%S.000000000 %z")
    kind = (
        "regular empty file"
        if st.S_ISREG(f.mode) and f.size == 0
        else _FILE_TYPES.get(st.S_IFMT(f.mode), "file")
    )
    fields: dict[str, Callable[[], str]] = {
        "n": lambda: name,
        "N": lambda: f"'{name}'",
        "s": lambda: str(f.size),
        "b": lambda: str((f.size + 4095) // 4096 * 8),
        "B": lambda: "4096",
        "F": lambda: kind,
        "a": lambda: f"{st.S_IMODE(f.mode):o}",
        "A": lambda: st.filemode(f.mode),
        "f": lambda: f"{f.mode:x}",
        "u": lambda: str(uid),
        "U": lambda: user,
        "g": lambda: str(gid),
        "G": lambda: group,
        "i": lambda: str(facts.tree.inode(f.path)),
        "h": lambda: str(facts.tree.nlink(f.path) if f.path in facts.tree else 1),
        "D": lambda: "fd00",
        "d": lambda: "64768",
        "t": lambda: "0",
        "T": lambda: "0",
        "x": lambda: stamp,
        "y": lambda: stamp,
        "z": lambda: stamp,
        "X": lambda: str(f.mtime),
        "Y": lambda: str(f.mtime),
        "Z": lambda: str(f.mtime),
    }
    out, i = [], 0
    while i < len(fmt):
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            j = i + 1
            while j < len(fmt) and fmt[j].isdigit():
                j += 1
            width, key = fmt[i + 1 : j], fmt[j] if j < len(fmt) else ""
            value = "%" if key == "%" else fields[key]() if key in fields else "?"
            out.append(value.rjust(int(width)) if width else value)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def stat(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer:
    args = list(argv[1:])
    fmt = DEFAULT_STAT
    if "-c" in args:
        at = args.index("-c")
        if at + 1 >= len(args):
            return fail("stat: Needs 1 argument\n")
        fmt = args[at + 1]
        del args[at : at + 2]
    args = [a for a in args if a not in ("-L",)]
    if not args:
        return fail("stat: Needs 1 argument\n")
    lines, errors = [], []
    for path in args:
        try:
            lines.append(_stat_line(facts, _lookup(facts, path), path, fmt) + "\n")
        except _Err as e:
            errors.append(f"stat: {e}\n")
    return Answer("".join(lines).encode(), "".join(errors).encode(), 1 if errors else 0)


def _walk(
    facts: PhoneFacts, path: str, depth: int, errors: list[str]
) -> Iterator[tuple[str, VirtualFile, int]]:
    f = _lookup(facts, path)
    yield path, f, depth
    if not f.is_dir:
        return
    try:
        children = _children(facts, path)
    except _Err as e:
        errors.append(f"find: {e}\n")
        return
    for name, _ in children:
        child = f"{path.rstrip('/')}/{name}"
        try:
            yield from _walk(facts, child, depth + 1, errors)
        except _Err as e:
            errors.append(f"find: {e}\n")


def find(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer:
    """``find PATH… [-maxdepth N] [-mindepth N] [-type f|d] [[!] -name|-iname PAT] [-print]``."""
    args = list(argv[1:])
    roots = []
    while args and not args[0].startswith(("-", "!", "(")):
        roots.append(args.pop(0))
    maxdepth, mindepth, kind = None, 0, None
    tests: list[tuple[bool, str, bool]] = []  # (negated, pattern, case-insensitive)
    negate = False
    while args:
        a = args.pop(0)
        if a == "!":
            negate = True
            continue
        if a in ("-maxdepth", "-mindepth", "-type", "-name", "-iname") and not args:
            return fail(f"find: '{a}' needs 1 arg\n")
        if a == "-maxdepth":
            maxdepth = int(args.pop(0))
        elif a == "-mindepth":
            mindepth = int(args.pop(0))
        elif a == "-type":
            kind = args.pop(0)
        elif a in ("-name", "-iname"):
            tests.append((negate, args.pop(0), a == "-iname"))
        elif a != "-print":
            return Answer(b"", f"find: Unknown option '{a}'\n".encode(), 1)  # toybox find's wording
        negate = False
    lines: list[str] = []
    errors: list[str] = []
    for root in roots or ["."]:
        try:
            for path, f, depth in _walk(facts, "/" if root == "." else root, 0, errors):
                name = posixpath.basename(path) or path
                if (maxdepth is not None and depth > maxdepth) or depth < mindepth:
                    continue
                if kind == "f" and not st.S_ISREG(f.mode) or kind == "d" and not f.is_dir:
                    continue
                if all(
                    neg
                    != (
                        fnmatch.fnmatchcase(name.lower(), p.lower())
                        if ci
                        else fnmatch.fnmatchcase(name, p)
                    )
                    for neg, p, ci in tests
                ):
                    lines.append(("." + path[1:] if root == "." else path) + "\n")
        except _Err as e:
            errors.append(f"find: {e}\n")
    return Answer("".join(lines).encode(), "".join(errors).encode(), 1 if errors else 0)


def _read(facts: PhoneFacts, path: str) -> bytes:
    f = _lookup(facts, path)
    if f.is_dir:
        raise _Err(path, EISDIR)
    if f.content is None:
        raise _Err(path, EACCES)
    return f.content


def cat(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer:
    out, errors = bytearray(), []
    for path in argv[1:] or ("-",):
        if path == "-":
            out += stdin
            continue
        try:
            out += _read(facts, path)
        except _Err as e:
            errors.append(f"cat: {e}\n")
    return Answer(bytes(out), "".join(errors).encode(), 1 if errors else 0)


def digest(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer:
    """toybox md5sum/sha*sum: ``<hex>  <name>`` per file, ``-`` for stdin."""
    algo = DIGESTS[argv[0]]
    out, errors = [], []
    for path in argv[1:] or ("-",):
        try:
            data = stdin if path == "-" else _read(facts, path)
        except _Err as e:
            errors.append(f"{argv[0]}: {e}\n")
            continue
        out.append(f"{hashlib.new(algo, data).hexdigest()}  {path}\n")
    return Answer("".join(out).encode(), "".join(errors).encode(), 1 if errors else 0)


def test(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer:
    """``test``/``[`` with one file operator (-e -f -d -r -s -L) or a string test."""
    args = list(argv[1:])
    if argv[0] == "[":
        if not args or args[-1] != "]":
            return fail("[: missing ]\n", 2)  # mksh: "[: missing ]"
        args = args[:-1]
    negate = bool(args) and args[0] == "!"
    if negate:
        args = args[1:]
    if not args:
        result = False
    elif len(args) == 1:
        result = args[0] != ""
    elif len(args) == 2 and args[0] in ("-n", "-z"):
        result = (args[1] != "") == (args[0] == "-n")
    elif len(args) == 3 and args[1] in ("=", "!="):
        result = (args[0] == args[2]) == (args[1] == "=")
    elif len(args) == 2 and args[0] in ("-e", "-f", "-d", "-r", "-s", "-L", "-h"):
        try:
            f = _lookup(facts, args[1])
            result = {
                "-e": True,
                "-f": st.S_ISREG(f.mode),
                "-d": f.is_dir,
                "-s": f.size > 0,
                "-r": f.content is not None or f.is_dir,
                "-L": False,
                "-h": False,
            }[args[0]]
        except _Err:
            result = False
    else:
        return fail(f"{argv[0]}: {args[0]}: unexpected operator\n", 2)
    return Answer(b"", b"", 0 if result != negate else 1)


def refuse_write(facts: PhoneFacts, argv: tuple[str, ...], stdin: bytes) -> Answer:
    targets = [a for a in argv[1:] if not a.startswith("-")]
    if not targets:
        return fail(f"{argv[0]}: Needs 1 argument\n")
    messages = []
    for path in targets[-1:] if argv[0] in ("mv", "cp", "ln") else targets:
        real = facts.resolve(path)
        if argv[0] in ("rm", "rmdir", "chmod", "chown", "truncate") and real not in facts.tree:
            messages.append(f"{argv[0]}: {path}: {ENOENT}\n")
        else:
            messages.append(f"{argv[0]}: {path}: {EROFS}\n")
    return fail("".join(messages))


COMMANDS: dict[str, Callable[[PhoneFacts, tuple[str, ...], bytes], Answer]] = {
    "ls": ls,
    "stat": stat,
    "find": find,
    "cat": cat,
    "test": test,
    "[": test,
    **{name: digest for name in DIGESTS},
    **{name: refuse_write for name in WRITERS},
}

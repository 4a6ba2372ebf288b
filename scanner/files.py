"""Every file msgscan reads or writes goes through here: regular files of bounded size in, and
reports written atomically without ever replacing what is not a regular file.

Reading (``read_regular``, ``read_json``): the path is opened without blocking (a FIFO would
otherwise wait forever for a writer) and the opened file is checked with ``fstat``: anything but
a regular file (a device such as ``/dev/zero``, a FIFO, a directory, a socket) is refused, and so
is a file larger than the limit for its kind (a 50 MB policy or a symlink to ``/dev/zero`` would
cost minutes and gigabytes). A symlink to a regular file is read like the file.

Writing (``write_atomic``), decided by what the path is now (symlinks followed):

* missing or a regular file: a temporary file in the same folder, fsynced, then renamed over it,
  so readers see the old report or the new one, never half; a symlink keeps pointing at the
  new file (the file it points at is replaced, not the link), provided the link is this user's
  or root's (another user's link is refused, as the kernel's ``protected_symlinks`` would);
* a character device (``/dev/stdout`` on a terminal, ``/dev/null``, ``/dev/full``): written
  through; a device is never turned into a regular file;
* a FIFO: written through when a program reads from it, refused (exit 2) when none does;
* a directory, a block device (a disk), a socket: refused (exit 2), left as it was.

JSON that msgscan reads back is its own (reports, recordings, fleet summaries): nesting deeper
than ``MAX_JSON_DEPTH`` is refused, so hostile nesting never reaches a recursive consumer.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

from checks.errors import MsgscanError, UsageError

KIB = 1 << 10
MIB = 1 << 20

LIMIT_SETTINGS = 1 * MIB
"""Policy, agent config, inventory: hand-written TOML or text; the examples are a few KiB."""
LIMIT_KEY = 64 * KIB
"""ADB keys and trusted-key lists (an RSA-2048 key is under 2 KiB)."""
LIMIT_CA = 4 * MIB
"""A CA bundle for a SIEM destination (the whole Mozilla bundle is about 220 KiB)."""
LIMIT_REPORT = 64 * MIB
"""A saved JSON report or fleet summary (a 300-package phone's report is well under 1 MiB)."""
LIMIT_RECORDING = 256 * MIB
"""A recording: every raw output of a scan (the large 300-package phone is a few MiB)."""
LIMIT_CAPTURE = 256 * MIB
"""A captured ``dumpsys package`` for ``msgscan parse``."""

MAX_JSON_DEPTH = 64
"""Deepest nesting accepted in JSON msgscan reads back (its own reports nest under 12)."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words ("a regular file", "a FIFO (named pipe)")."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _size(n: int) -> str:
    return f"{n / MIB:.1f} MiB" if n >= MIB else f"{n / KIB:.0f} KiB" if n >= KIB else f"{n} bytes"


def read_regular(
    path: str | os.PathLike[str],
    *,
    what: str,
    limit: int,
    hint: str,
    error: type[MsgscanError] = UsageError,
) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``limit``), or ``error`` naming it.

    ``what`` names the file's role in messages ("the policy", "the recording").
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{p}: no such file ({what})", hint=hint) from None
    except OSError as e:
        raise error(f"{p}: cannot read {what} ({e.strerror})", hint=hint) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(
                f"{p}: {what} must be a regular file, but this is {kind_of(st.st_mode)}",
                hint=f"{hint} (msgscan reads no devices, pipes or directories)",
            )
        if st.st_size > limit:
            raise error(
                f"{p}: {what} is {_size(st.st_size)}, more than the {_size(limit)} msgscan reads",
                hint=f"{hint} (is this the right file?)",
            )
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(limit + 1 - total, MIB)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # the file grew while we read it
                raise error(f"{p}: {what} is more than the {_size(limit)} msgscan reads", hint=hint)
        return b"".join(chunks)
    except OSError as e:
        raise error(f"{p}: cannot read {what} ({e.strerror})", hint=hint) from None
    finally:
        os.close(fd)


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (iterative: no recursion limit to hit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(
    data: bytes | str, *, source: str, hint: str, error: type[MsgscanError] = UsageError
) -> Any:
    """``json.loads`` that reports bad input as ``error`` naming ``source``, never a traceback:
    invalid JSON or UTF-8, nesting deeper than ``MAX_JSON_DEPTH``, numbers Python cannot hold."""
    try:
        value = json.loads(data)
    except json.JSONDecodeError as e:
        raise error(f"{source}: not JSON (line {e.lineno}, column {e.colno}: {e.msg})",
                    hint=hint) from None
    except UnicodeDecodeError as e:
        raise error(f"{source}: not UTF-8 text (byte offset {e.start})", hint=hint) from None
    except RecursionError:
        raise error(f"{source}: JSON nested deeper than msgscan reads ({MAX_JSON_DEPTH} levels)",
                    hint=hint) from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        raise error(f"{source}: not usable JSON ({e})", hint=hint) from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise error(f"{source}: JSON nested deeper than msgscan reads ({MAX_JSON_DEPTH} levels)",
                    hint=hint)
    return value


def read_json(
    path: str | os.PathLike[str],
    *,
    what: str,
    limit: int,
    hint: str,
    error: type[MsgscanError] = UsageError,
) -> Any:
    """``read_regular`` then ``parse_json``."""
    data = read_regular(path, what=what, limit=limit, hint=hint, error=error)
    return parse_json(data, source=str(path), hint=hint, error=error)


# --- writing -------------------------------------------------------------------------------------


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path``: atomically for a regular file, through for a character device
    or a FIFO with a reader, refused (``UsageError``) for anything else. See the module doc.

    A file that cannot be written (missing folder, a directory in the way, no permission, disk
    full) raises ``UsageError`` naming it; the old file, if any, is left as it was.
    """
    target = Path(path)
    try:
        _check_link_owner(target)
        try:
            st: os.stat_result | None = os.stat(target)  # follows symlinks: what gets written
        except FileNotFoundError:
            st = None
        if st is None or stat.S_ISREG(st.st_mode):
            # the new file gets the old one's permissions, or what a plain open() would give
            mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_UMASK
            real = Path(os.path.realpath(target)) if target.is_symlink() else target
            _write_replacement(real, mode, data)
        elif stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            _write_through(target, data)
        else:
            raise UsageError(
                f"{target}: cannot write: it is {kind_of(st.st_mode)}, and msgscan writes only "
                "to regular files, character devices and pipes, and never replaces anything else",
                hint="pass the path of a file to create or replace; nothing was changed",
            )
    except OSError as e:
        raise UsageError(
            f"{target}: cannot write ({e.strerror or e})",
            hint="check that the folder exists, is writable and has space; nothing was changed",
        ) from None


def make_private_dir(directory: Path) -> None:
    """Create ``directory`` (and missing parents) as 0700 whatever the umask; an existing folder
    keeps the mode its owner gave it. (The agent's state holds device ids, findings and queued
    events.)"""
    missing = []
    d = directory
    while not d.exists():
        missing.append(d)
        d = d.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:
            continue
        d.chmod(0o700)  # mkdir's mode is masked by the umask


def _check_link_owner(target: Path) -> None:
    """Follow a symlink only when it is this user's or root's (as the kernel's
    ``protected_symlinks`` does in shared folders): a link someone else planted in a reports
    folder must not turn a root agent's report into a write onto ``/etc/passwd`` or a device."""
    try:
        link = os.lstat(target)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(link.st_mode) and link.st_uid not in (os.geteuid(), 0):
        raise UsageError(
            f"{target}: cannot write: it is a symlink of user id {link.st_uid}, and msgscan "
            "follows only its own user's or root's links",
            hint="remove the link or write the report elsewhere; nothing was changed",
        )


def _current_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


_UMASK = _current_umask()
"""Read once at import (os.umask can only be read by setting it, which threads must not race)."""


def _write_replacement(target: Path, mode: int, data: bytes) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    import tempfile  # deferred: a scan that writes no file never loads it (~4 ms of start-up)

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # mkstemp makes 0600
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _write_through(target: Path, data: bytes) -> None:
    """Write into a device or FIFO as it is. A FIFO is opened without blocking first: with no
    program reading it, open(2) fails with ENXIO instead of waiting forever."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise UsageError(
                f"{target}: cannot write: it is a FIFO (named pipe) that no program is reading",
                hint="start the reader first (e.g. `cat FIFO &`), or write to a file; "
                "nothing was changed",
            ) from None
        raise
    try:
        os.set_blocking(fd, True)  # a slow reader is waited for, as with `>` in a shell
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)

"""Compiled regular-expression programs kept between runs, beside the byte code (issue 18 item
1: a replay compiles ~40 of msgscan's patterns; building them from kept programs took its
start-up from 395.3 to 378.2 M instructions; bench/RESULTS.md, "Start-up", session 26).

``kept()`` wraps a command (``core._main``): while it runs, ``re``'s compiler step
(``re._compiler.compile``, which ``re.compile``, ``re.match`` and the rest reach on a miss of
``re``'s own cache) is this module's ``_compile``. For a constant pattern of msgscan's modules
(``_static``: never one made from data) it builds the ``re.Pattern`` from a kept program (the
code list ``re._compiler`` emitted for that exact pattern and those flags, with its group
tables) by ``_sre.compile``, the call ``re._compiler.compile`` itself ends in; on a miss it
compiles as ``re`` does and keeps the program only if a pattern built from it is equal to the
compiled one (``re.Pattern``'s equality compares flags, pattern and every code word) with the
same groups.

Soundness, the same as Python's byte-code cache:

- the programs sit in one file beside this module's byte code (``__cached__``: the
  ``__pycache__`` folder, or ``sys.pycache_prefix``'s tree), written only where Python writes
  byte code: never when ``sys.dont_write_bytecode``, never a folder created, never in a home or
  a ``--state`` path; a file that cannot be written is not written (a read-only install
  compiles every time, as before);
- the file is valid only for the build that wrote it: its header is this interpreter's version
  string (with the build's date), cache tag, ``hexversion``, ``_sre``'s ``MAGIC``,
  ``CODESIZE``, ``MAXREPEAT``, ``MAXGROUPS`` and the size and modification time of ``re``'s
  compiler sources (as a ``.pyc`` records its source's); another header, a checksum that does
  not match, a file that does not unmarshal, an entry ``_sre`` refuses: each is ignored and the
  pattern is compiled; its name carries a checksum of the header, so two builds sharing a
  ``__pycache__`` keep a file each;
- who can change the file can change the byte code beside it: it is trusted as much.

Private API: ``_sre.compile``'s arguments and ``re._parser``/``re._compiler``'s steps
(CPython 3.11 to 3.13). Any error in them falls back to compiling, and the header ties a file
to one build, so a new Python starts from an empty cache. Patterns compiled by other packages
(the standard library's, msgspec's) are left to ``re``.
"""

from __future__ import annotations

import marshal
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

OURS = ("scanner", "checks", "reports")
"""The packages whose patterns are kept (the caller's module, three frames up)."""
LIMIT = 512
"""At most this many programs kept (msgscan's source has ~90 patterns)."""
_FORMAT = 1
_sre: Any = sys.modules["_sre"]
_compiler: Any = sys.modules["re._compiler"]
_parser: Any = sys.modules["re._parser"]
_plain = _compiler.compile
"""``re``'s own compiler step, which every miss still runs."""

Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
"""What ``_sre.compile`` takes after the pattern: flags, code, groups - 1, the group tables."""
programs: dict[tuple[bool, str | bytes, int], Program] = {}
"""The kept programs, by (bytes pattern?, pattern, flags)."""
_state = {"loaded": False, "added": False, "depth": 0}
_where: list[Any] = [None, None]
"""The header of this build and its programs file, once read (``_first_use``)."""


def _crc(data: bytes) -> int:
    from binascii import crc32  # loaded at the first pattern to keep only

    return crc32(data)


def _cached() -> str | None:
    cached = globals().get("__cached__")
    return cached if isinstance(cached, str) and cached.endswith(".pyc") else None


def header() -> tuple[object, ...]:
    """What a programs file must have been written by (module docstring)."""
    sources = []
    for module in (_compiler, _parser, sys.modules["re._constants"], sys.modules["re._casefix"]):
        found = os.stat(str(module.__file__))
        sources.append((module.__name__, found.st_size, found.st_mtime_ns))
    return (
        _FORMAT,
        sys.version,
        sys.implementation.cache_tag,
        sys.hexversion,
        _sre.MAGIC,
        _sre.CODESIZE,
        _sre.MAXREPEAT,
        _sre.MAXGROUPS,
        tuple(sources),
    )


def path(head: tuple[object, ...]) -> str | None:
    """The programs file for ``head``, beside this module's byte code, or None without one."""
    cached = _cached()
    if cached is None:
        return None
    return f"{cached[:-4]}.{_crc(repr(head).encode()):08x}.re"


def load(file: str, head: tuple[object, ...]) -> dict[tuple[bool, str | bytes, int], Program]:
    """The programs in ``file`` if it was written under ``head`` and is whole, else none."""
    try:  # a regular file only, as a .pyc: a FIFO or a device never holds a command (review12)
        with open(os.open(file, os.O_RDONLY | os.O_NONBLOCK), "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return {}
            written, checksum, payload = marshal.loads(f.read())
        if written != head or _crc(payload) != checksum:
            return {}
        found = marshal.loads(payload)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def save(file: str, head: Any) -> None:
    """Writes the programs to ``file`` atomically, if its folder exists and can be written."""
    try:
        payload = marshal.dumps(programs)
    except ValueError:
        return
    temporary = f"{file}.{os.getpid()}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return
    try:
        with open(fd, "wb") as f:
            f.write(marshal.dumps((head, _crc(payload), payload)))
        os.replace(temporary, file)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def program(pattern: str | bytes, flags: int, compiled: re.Pattern[Any]) -> Program | None:
    """The program ``re._compiler.compile`` builds ``compiled`` from, found by the same steps,
    if a pattern built from it equals ``compiled``; None if not or if a step fails."""
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        found: Program = (
            int(flags | parsed.state.flags),
            [int(word) for word in code],  # plain ints (marshal): re's opcodes subclass int
            parsed.state.groups - 1,
            groupindex,
            tuple(indexgroup),
        )
        marshal.dumps(found)  # what the file cannot hold is not kept
        again = build(pattern, found)
    except Exception:  # any change in re's private steps: not kept
        return None
    same = again == compiled and again.groups == compiled.groups
    return found if same and again.groupindex == compiled.groupindex else None


def build(pattern: str | bytes, found: Program) -> re.Pattern[Any]:
    """The pattern ``_sre`` builds from a program (copies: ``_sre`` keeps the group index)."""
    flags, code, groups, groupindex, indexgroup = found
    built: re.Pattern[Any] = _sre.compile(
        pattern, flags, list(code), groups, dict(groupindex), tuple(indexgroup)
    )
    return built


def _static(depth: int, pattern: str | bytes) -> bool:
    """Whether the code ``depth`` frames above the caller is one of msgscan's and ``pattern``
    one of its constants: compiled by a module's body, a literal of the calling function, or
    a value of the module's globals. A pattern made from data (``reports.report``'s pattern of
    a phone's serial, a catalog text's) is never kept: the file holds no phone's data and stays
    as small as msgscan's source."""
    try:
        frame = sys._getframe(depth + 1)
    except ValueError:
        return False
    name = frame.f_globals.get("__name__")
    if not isinstance(name, str) or name.split(".", 1)[0] not in OURS:
        return False
    code = frame.f_code
    if code.co_name == "<module>" or pattern in code.co_consts:
        return True
    return any(value is pattern for value in frame.f_globals.values())


def _compile(pattern: Any, flags: Any = 0) -> Any:
    """``re._compiler.compile`` while ``kept()`` runs (module docstring)."""
    # Frames: this one, re._compile, re.compile (or match, sub ...), the caller.
    if type(pattern) not in (str, bytes) or flags & re.DEBUG or not _static(3, pattern):
        return _plain(pattern, flags)
    if not _state["loaded"]:
        _first_use()
    key = (type(pattern) is bytes, pattern, int(flags))
    found = programs.get(key)
    if found is not None:
        try:
            return build(pattern, found)
        except Exception:  # an entry _sre refuses: compiled below, not kept
            del programs[key]
    compiled = _plain(pattern, flags)
    made = program(pattern, int(flags), compiled)
    if made is not None and len(programs) < LIMIT and _where[1] is not None:
        programs[key] = made
        _state["added"] = True
    return compiled


def _first_use() -> None:
    """Reads the programs file of this build, once, at the first pattern to keep (a command
    that compiles none of msgscan's patterns, ``--help``, reads nothing)."""
    _state["loaded"] = True
    try:
        head: tuple[object, ...] | None = header()
    except (OSError, AttributeError, KeyError, TypeError):
        head = None
    _where[:] = [head, path(head) if head is not None else None]
    if _where[1] is not None and head is not None:
        programs.update(load(_where[1], head))


@contextmanager
def kept() -> Iterator[None]:
    """Patterns built from kept programs while the block runs; new programs saved after it."""
    if _state["depth"] or _cached() is None:
        yield
        return
    _state["depth"] = 1
    _compiler.compile = _compile
    try:
        yield
    finally:
        _state["depth"] = 0
        if _compiler.compile is _compile:
            _compiler.compile = _plain
        head, file = _where
        if _state["added"] and file is not None and not sys.dont_write_bytecode:
            _state["added"] = False
            save(file, head)

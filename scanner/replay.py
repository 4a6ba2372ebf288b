"""Answer shell commands from a recording, as a phone's shell would, without running anything.

``RecordedShell`` understands the small part of ``sh`` that msgscan and adb clients send: words
with single and double quotes and backslashes, ``;``, ``&&``, ``||``, ``$?``, pipes into a few
filters (``cat``, ``wc -l``, ``head``), the redirections ``2>&1``, ``>/dev/null``,
``2>/dev/null`` and ``>&2``, and the builtins ``echo``, ``true``, ``false`` and ``:``. Every
other simple command is looked up, argv for argv, in the recording; one the recording does not
hold is derived from the recording's facts where it can be (``scanner.simphone.commands``: getprop,
pm, ls, stat, …). Anything else answers as Android's mksh does for a missing program: a message
on stderr and status 127.
It never runs a host command.

``ReplayTransport`` puts a ``RecordedShell`` behind the ``Transport`` interface, so a replayed
scan goes through the same batching and parsing as a live one, and counts the same exchanges.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING

from msgspec import Struct, field

from scanner import batch
from scanner.parse.boot_id import PATH as BOOT_ID_PATH
from scanner.recording import Recording
from scanner.transport.interface import DEFAULT_MAX_OUTPUT, DEFAULT_TIMEOUT_S, Meter, ShellResult

if TYPE_CHECKING:  # built on the first command the recording does not hold (start-up)
    from scanner.simphone.byteranges import ByteRanges
    from scanner.simphone.commands import DerivedCommands

SH = "/system/bin/sh"
STATUS = object()
"""Placeholder for ``$?`` inside a word, expanded when the command runs."""

_BOOT_ID = ("cat", BOOT_ID_PATH)
_OPERATORS = ("&&", "||", ";", "|")
_PLAIN = re.compile(r"[^ \t\n12>'\"\\$#&|;]+")
"""Characters that cannot start a redirection (``2>``, ``1>``, ``>``), an operator, a quote,
an escape, ``$?`` or a comment: ``_tokens`` would append each to the word it is in."""


class ShellOutput(Struct, frozen=True):
    stdout: bytes
    stderr: bytes
    exit_code: int
    device_ms: float = 0.0


class ShellSyntaxError(Exception):
    pass


class _Simple(Struct):
    words: list[list[object]] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)


def _tokens(line: str) -> list[object]:
    """Split into words (lists of str parts and STATUS) and operator / redirection strings."""
    out: list[object] = []
    i, n = 0, len(line)
    word: list[object] | None = None

    def flush() -> None:
        nonlocal word
        if word is not None:
            out.append(word)
            word = None

    while i < n:
        plain = _PLAIN.match(line, i)
        if plain:  # a run of characters that only ever join the word: taken at once
            if word is None:
                word = []
            word.append(plain.group())
            i = plain.end()
            continue
        c = line[i]
        if c in " \t\n":
            flush()
            i += 1
            continue
        redirect = _redirect_at(line, i)
        if redirect and word is None:
            op, i = redirect
            out.append(("redirect", op))
            continue
        operator = next((o for o in _OPERATORS if line.startswith(o, i)), None)
        if operator:
            flush()
            out.append(operator)
            i += len(operator)
            continue
        if c == "#" and word is None:
            break
        if word is None:
            word = []
        if c == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated quoted string")
            word.append(line[i + 1 : end])
            i = end + 1
        elif c == '"':
            i += 1
            buf = ""
            while True:
                if i >= n:
                    raise ShellSyntaxError("unterminated quoted string")
                ch = line[i]
                if ch == '"':
                    i += 1
                    break
                if ch == "\\" and i + 1 < n and line[i + 1] in '"\\$`':
                    buf += line[i + 1]
                    i += 2
                elif line.startswith("$?", i):
                    word.extend([buf, STATUS])
                    buf = ""
                    i += 2
                else:
                    buf += ch
                    i += 1
            word.append(buf)
        elif c == "\\" and i + 1 < n:
            word.append(line[i + 1])
            i += 2
        elif line.startswith("$?", i):
            word.append(STATUS)
            i += 2
        else:
            word.append(c)
            i += 1
    flush()
    return out


def _redirect_at(line: str, i: int) -> tuple[str, int] | None:
    for op in ("2>&1", "1>&2", ">&2", "2>/dev/null", "1>/dev/null", ">/dev/null"):
        if line.startswith(op, i):
            return op, i + len(op)
    for prefix in ("2> ", "1> ", "> "):
        if line.startswith(prefix, i):
            rest = line[i + len(prefix) :].lstrip(" ")
            if rest.startswith("/dev/null"):
                consumed = len(line) - len(rest) + len("/dev/null")
                return prefix.strip() + "/dev/null", consumed
            raise ShellSyntaxError(
                f"can't create {rest.split()[0] if rest else ''}: Read-only file system"
            )
    return None


def _parse(line: str) -> list[tuple[str, list[_Simple]]]:
    """-> [(connector before this pipeline, pipeline)], connector "" for the first."""
    items: list[tuple[str, list[_Simple]]] = []
    connector = ""
    pipeline: list[_Simple] = [_Simple()]
    for tok in _tokens(line):
        if isinstance(tok, list):
            pipeline[-1].words.append(tok)
        elif isinstance(tok, tuple):
            pipeline[-1].redirects.append(tok[1])
        elif not pipeline[-1].words:
            raise ShellSyntaxError(f"unexpected '{tok}'")
        elif tok == "|":
            pipeline.append(_Simple())
        else:
            assert isinstance(tok, str)
            items.append((connector, pipeline))
            connector, pipeline = tok, [_Simple()]
    if pipeline[-1].words:
        items.append((connector, pipeline))
    elif len(pipeline) > 1 or connector in ("&&", "||"):
        raise ShellSyntaxError("unexpected end of file")
    return items


class RecordedShell:
    """A phone's shell whose every program answers from a recording."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self._index = recording.index()

    @cached_property
    def _ranges(self) -> ByteRanges:
        """``pm path``, ``tail -c`` and ``dd`` over the recording's files (the APK reads of a
        scan), built on the first command the recording does not hold: a recording without
        APKs never loads them, and none loads the simulated phone's server."""
        from scanner.simphone.byteranges import ByteRanges

        return ByteRanges(self.recording)

    @cached_property
    def derived(self) -> DerivedCommands:
        """Answers derived from the recording's facts, built on the first command that neither
        the recording nor ``_ranges`` answers (e.g. a client's other than msgscan's)."""
        from scanner.simphone.commands import DerivedCommands

        return DerivedCommands(self.recording)

    def run(self, command: str) -> ShellOutput:
        parts = batch.checked_parts(command)
        if parts is not None:
            return self._checked(parts)
        return self._run(command)

    def _checked(self, parts: list[str]) -> ShellOutput:
        """msgscan's checked batch (``scanner.batch.script``): each part's stdout, then the
        ``cksum`` line that ``tee`` into ``cksum`` prints for it on a phone."""
        stdout, stderr = bytearray(), bytearray()
        status, device_ms = 0, 0.0
        for part in parts:
            out = self._run(part)
            stdout += out.stdout + batch.cksum_line(out.stdout)
            stderr += out.stderr
            status, device_ms = 0, device_ms + out.device_ms  # the status of cksum
        return ShellOutput(bytes(stdout), bytes(stderr), status, device_ms)

    def _run(self, command: str) -> ShellOutput:
        try:
            items = _parse(command)
        except ShellSyntaxError as e:
            return ShellOutput(b"", f"{SH}: syntax error: {e}\n".encode(), 1)
        stdout, stderr = bytearray(), bytearray()
        status, device_ms = 0, 0.0
        for connector, pipeline in items:
            if (connector == "&&" and status != 0) or (connector == "||" and status == 0):
                continue
            data = b""
            for simple in pipeline:
                out = self._simple(simple, status, data)
                device_ms += out.device_ms
                data = out.stdout
                stderr += out.stderr
                status = out.exit_code
            stdout += data
        return ShellOutput(bytes(stdout), bytes(stderr), status, device_ms)

    def _simple(self, simple: _Simple, status: int, stdin: bytes) -> ShellOutput:
        argv = tuple(
            "".join(str(status) if part is STATUS else str(part) for part in word)
            for word in simple.words
        )
        out = self._program(argv, stdin)
        stdout, stderr = out.stdout, out.stderr
        for r in simple.redirects:
            if r == "2>&1":
                stdout, stderr = stdout + stderr, b""
            elif r in (">&2", "1>&2"):
                stdout, stderr = b"", stderr + stdout
            elif r == "2>/dev/null":
                stderr = b""
            else:  # >/dev/null, 1>/dev/null
                stdout = b""
        return ShellOutput(stdout, stderr, out.exit_code, out.device_ms)

    def _program(self, argv: tuple[str, ...], stdin: bytes) -> ShellOutput:
        name = argv[0]
        if name == "echo":
            newline = not (len(argv) > 1 and argv[1] == "-n")
            words = argv[2:] if not newline else argv[1:]
            return ShellOutput((" ".join(words) + ("\n" if newline else "")).encode(), b"", 0)
        if name in ("true", ":"):
            return ShellOutput(b"", b"", 0)
        if name == "false":
            return ShellOutput(b"", b"", 1)
        recorded = self._index.get(argv)
        if recorded is not None:
            return ShellOutput(
                recorded.stdout, recorded.stderr, recorded.exit_code or 0, recorded.device_ms
            )
        if name == "cat" and len(argv) == 1:
            return ShellOutput(stdin, b"", 0)
        if argv == _BOOT_ID:  # no recording holds it (scanner.collect): a phone without the
            # file, answered without building the derived commands (start-up)
            return ShellOutput(b"", f"cat: {argv[1]}: No such file or directory\n".encode(), 1)
        if name == "wc" and argv[1:] == ("-l",):
            return ShellOutput(b"%d\n" % stdin.count(b"\n"), b"", 0)
        if name == "head":
            count = _head_count(argv[1:])
            if count is not None:
                lines = stdin.splitlines(keepends=True)[:count]
                return ShellOutput(b"".join(lines), b"", 0)
        ranged = self._ranges.run(argv)
        if ranged is not None:
            return ShellOutput(*ranged)
        # Not recorded: a read-only command the recording's facts can answer (commands/).
        derived = self.derived.run(argv, stdin)
        if derived is not None:
            return ShellOutput(derived.stdout, derived.stderr, derived.exit_code, derived.device_ms)
        return ShellOutput(b"", f"{SH}: {name}: inaccessible or not found\n".encode(), 127)


def _head_count(args: tuple[str, ...]) -> int | None:
    if not args:
        return 10
    if len(args) == 2 and args[0] == "-n" and args[1].isdigit():
        return int(args[1])
    if len(args) == 1 and args[0].startswith("-") and args[0][1:].isdigit():
        return int(args[0][1:])
    return None


class ReplayTransport:
    """A recording behind the Transport interface: no phone, same code path as a live scan."""

    def __init__(self, recording: Recording, *, max_command: int | None = None) -> None:
        self.serial = recording.device.serial
        # A recording may say what its phone accepted in one OPEN (``meta.maxdata``); a replay
        # then batches exactly like the live scan did.
        maxdata = int(recording.meta.get("maxdata", 1 << 20))
        self.max_command = max_command or maxdata - len("shell:") - 1
        self.meter = Meter()
        self.max_output = DEFAULT_MAX_OUTPUT
        self.shell_ = RecordedShell(recording)

    def shell(self, command: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> ShellResult:
        out = self.shell_.run(command)
        # Shell v1 semantics, like adb-shell: stderr arrives interleaved with stdout, no status.
        stdout = out.stdout + out.stderr
        self.meter.count(command, min(len(stdout), self.max_output))
        if len(stdout) > self.max_output:  # the same cut a live transport makes
            from scanner.transport import failures  # only here (start-up: RESULTS, session 26)

            cut = stdout[: self.max_output]
            raise failures.too_much_output(self.serial, command, self.max_output, cut)
        return ShellResult(stdout, b"", None)

    def close(self) -> None:
        pass

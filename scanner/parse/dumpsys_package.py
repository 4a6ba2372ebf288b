"""Parse ``dumpsys package`` / ``pm dump <pkg>`` into ``checks.facts.Package`` facts.

Format reference: shared/reference/dumpsys-package-format.md (its rule numbers are cited as
"rule N"). The parser is pure and never raises: lines it does not understand are skipped, and
truncated or binary input yields whatever packages could be read.

Structure, not versions: blocks are found by indentation relative to the ``Package [`` line
(``dumpsys`` prints it at column 2, ``pm dump`` at column 4), and fields are recognised by key,
because every release and vendor adds keys (rule 11).

Choices the reference leaves open:

* Only entries under ``Packages:`` are packages. ``Hidden system packages:`` holds factory copies
  of updated system apps (rule 6); they are skipped, never merged and never reported alone.
* Extra ``install permissions:`` rows ending ``, userId=N`` (AOSP ``dumpInstallPermissionsLPr``,
  Android 12+; the reference documents them for 16) describe a user whose state differs from
  user 0. ``Package.install_permissions`` keeps the package-wide (user 0) rows only; the override
  rows are dropped because ``PackageUser`` has no field for install permissions and putting them
  into ``runtime_permissions`` would misstate their kind.
* A ``User N:`` line without ``installed=`` (not seen in any release) counts as installed, so a
  messenger is never hidden from the checks by a line we could not read.
* Apps with a ``sharedUser=`` get no permission rows in their own block (rule 1): the
  ``Shared users:`` section's install and runtime grants are merged into every member, the
  member's own rows (if any) winning.
* ``Package.first_install`` is the package-level ``firstInstallTime=`` (Android <= 12); on 13+,
  where the time is only per user, it is the earliest time among the users that have the app.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct

from checks.facts import Package
from scanner.parse.damage import Damage
from scanner.parse.package_facts import built, freeze, whole_block
from scanner.parse.package_fields import (
    READ_KEYS,
    Draft,
    Row,
    UserDraft,
    line_starts,
    new_user,
    package_field,
    permission_row,
    timestamp,
    to_json_shape,
    user_fields,
    user_id,
)
from scanner.parse.package_sections import (
    BOUNDARIES,
    HEADER,
    INSTALL,
    RUNTIME,
    SKIP,
    Blocks,
    block_end,
)
from scanner.parse.text import REPLACEMENT

__all__ = ["Listing", "parse_dumpsys_package", "read_dumpsys_package", "to_json_shape"]

# What the lines deeper than the innermost open level are (see ``_innermost``):
_NONE, _FIELD, _USER, _ROWS, _PASSED = 0, 1, 2, 3, 4
_UNREAD: Row = ("", None, False)  # a line ``_Reader.read_rows`` has not seen


class Listing(Struct, frozen=True):
    packages: tuple[Package, ...]
    damage: Damage
    """Lines of the package sections that could not be read (see ``read_dumpsys_package``)."""
    hidden: tuple[str, ...] = ()  # the names under ``Hidden system packages:`` (factory copies)


def parse_dumpsys_package(text: str, *, package: str | None = None) -> tuple[Package, ...]:
    """Active packages in ``text``, in dump order; ``package`` names a block whose header was cut.

    ``text`` is decoded output (see ``scanner.parse.text.decode``). ``package`` is the package a
    ``pm dump <pkg>`` / ``dumpsys package <pkg>`` was asked about; it is only used when the text
    starts in the middle of a package block, so that block has no ``Package [`` line.
    """
    return read_dumpsys_package(text, package=package).packages


def read_dumpsys_package(
    text: str, *, package: str | None = None, then: str | None = None
) -> Listing:
    """The packages and what could not be read.

    Damage, counted per line and named per block: a ``Package [`` header whose name is not a
    package name Android allows (``x;reboot``, ``a b``, a line cut before ``]``): the block is
    read past, never taken as a package, and the packages after it still count; a value the
    parser needs that is neither of its forms (``installed=t``, ``versionCode=12a``,
    ``granted=tru``): the value is unknown (``installed`` becomes ``Unseen``), never false; a
    user id no phone can have; any line of a package block or section holding U+FFFD (bytes
    that were not text, see ``scanner.parse.text``); a last line without its newline (the output
    was cut inside it: ``versionCode=2626`` may be the start of ``262641074``), which is not read.
    ``then`` is a second output read after ``text`` by the same reader (``shared-users``), with
    its own last line checked the same way.
    """
    reader = _Reader(package)
    for part in (text,) if then is None else (text, then):
        cut = part.rfind("\n")
        if cut >= 0:
            reader.read(part, cut)
        last = part[cut + 1 :]
        if last.strip():
            reader.cut(last)
    reader.orphans()
    return Listing(reader.result(), reader.damage, tuple(reader.hidden))


class _Reader(Blocks):
    """Line-by-line state machine over one dump: the lines inside a block are read here, the
    block and section headers and boundaries in ``Blocks``."""

    def read(self, text: str, end: int) -> None:
        """Feed each line of ``text[:end]`` (the lines of an output, joined by newlines). Only a
        line that starts another service's output (``BOUNDARIES``) can bring the reader back
        into the package service, so the lines after one that left it are counted, not read
        (most of a bugreport or an ISDI dump)."""
        at = 0
        for start in [*line_starts(text, BOUNDARIES, end), end + 1]:
            end = start - 1  # text[at:end]: a stretch of lines, the first one a boundary
            nl = text.find("\n", at, end)
            self.feed(text[at:end] if nl < 0 else text[at:nl])
            if nl >= 0 and self.in_service:
                self._stretch(text, nl + 1, end)
            elif nl >= 0:
                self.outside(text, nl, end)
                self.line += text.count("\n", nl + 1, end) + 1
            at = start

    def _stretch(self, text: str, at: int, end: int) -> None:
        """Feed the lines of ``text[at:end]``. Before the first section, outside a block, a line
        changes nothing unless it holds one of ``_LOUD``: the resolver tables that fill the first
        part of a full dump are counted, not read."""
        while self.section is None and self.block_at < 0:
            start = at
            if self.started:  # else the next line may be a fragment's first field
                found = [i for i in (text.find(loud, at, end) for loud in _LOUD) if i >= 0]
                if not found:
                    self.line += text.count("\n", at, end) + 1
                    return
                nl = text.rfind("\n", at, min(found))
                start = at if nl < 0 else nl + 1
                self.line += text.count("\n", at, start)
            nl = text.find("\n", start, end)
            self.feed(text[start:end] if nl < 0 else text[start:nl])
            if nl < 0:
                return
            at = nl + 1
        self._blocks(text, at, end)

    def _blocks(self, text: str, at: int, end: int) -> None:
        """Feed the lines of ``text[at:end]`` (``at`` starts a line, ``text[end]`` is a
        newline); a ``Package [`` block at column 2 whose lines all fit its common layout is
        read whole by ``_whole_block``, every other line goes through ``lines``."""
        while at <= end:
            nl = text.find(HEADER, at - 1, end)
            if nl < 0:
                self.lines(text[at:end].split("\n"))
                return
            if nl >= at:
                self.lines(text[at:nl].split("\n"))
            header_end = text.find("\n", nl + 1, end + 1)
            if 0 <= self.block_at < 2:  # the header is a line of that block
                self.feed(text[nl + 1 : header_end])
            else:  # as ``lines`` reads a line at indent 2 outside a block
                self.line += 1
                self._line(text[nl + 3 : header_end].rstrip(), 2)
            at = header_end + 1
            draft = self.draft
            if (
                _FAST
                and draft is not None
                and draft.keep
                and self.block_at == 2
                and self.field_at < 0
                and at + 4 < end  # the first line holds at least the indent
                and not text[at + 4].isspace()  # the first line sets the fields' indent
            ):
                stop, lines_in = block_end(text, at, end)
                if stop > at and self._whole_block(text, at, stop, lines_in, draft):
                    at = stop + 1

    def _whole_block(self, text: str, at: int, stop: int, lines_in: int, draft: Draft) -> bool:
        """Read the lines of ``text[at:stop]`` (a block of the common layout, see
        ``package_sections.block_end``; its header read, ``lines_in`` lines) into ``draft``, or
        straight into its ``Package`` when it has no shared user (``package_facts.whole_block``);
        False when a line holds U+FFFD or a value the functions ``lines`` uses note as
        unreadable: then nothing is kept, and the lines are read one by one and the damage
        noted there."""
        block = whole_block(text, at, stop)
        if block is None:
            return False
        attrs, flags, install, users = block
        self.line += lines_in
        self.field_at = 4
        name = draft.name or ""
        if attrs.get("shared_user") is None:  # the package is complete: no grants to merge
            self.built[name] = built(name, attrs, flags, install, users)
            return True
        for attr, value in attrs.items():
            setattr(draft, attr, value)
        draft.flags, draft.install = flags, install
        for number, ((installed, hidden, suspended, enabled), (times, runtime)) in users.items():
            draft.users[number] = UserDraft(
                number, installed, hidden, suspended, enabled, times[-1] if times else None,
                dict(runtime),
            )  # fmt: skip
        return True

    def feed(self, raw: str) -> None:
        self.lines((raw,))

    def lines(self, lines: Iterable[str]) -> None:
        """Feed each line. The lines inside an open block (nearly all of a dump) are read here,
        with the block's state in locals; any other line goes through ``_line``. The lines
        deeper than the innermost open level (``inner``: a list's rows, a user's lines, the
        continuation lines of a field) and the field lines with nothing open are read first,
        as the chain after them would read them; every other line goes through that chain."""
        n, block_at, field_at = self.line, self.block_at, self.field_at
        rows, rows_at, user, user_at = self.rows, self.rows_at, self.user, self.user_at
        draft, damaged, read_rows = self._kept(), self._damaged, self.read_rows
        inner, mode = _innermost(field_at, rows, rows_at, user_at)
        for raw in lines:
            n += 1
            line = raw.rstrip()  # trailing blanks: "User 0: " (Huawei 7), stray "\r"
            body = line.lstrip(" ")
            at = len(line) - len(body)
            if at > inner:  # in a block (inner > field_at > block_at >= 0)
                if REPLACEMENT in body:  # in a block: the block is damaged
                    self.line = n
                    damaged(self.garbled)
                if mode == _ROWS:
                    row = read_rows.get(body, _UNREAD)
                    if row is _UNREAD:
                        row = read_rows[body] = permission_row(body)
                    if row is not None:
                        self.line = n
                        self._permission_row(row, rows, user)
                elif mode == _USER:
                    if body.endswith(":") and "=" not in body:
                        # "runtime permissions:"; "disabledComponents:", "overlay paths:" …
                        rows = RUNTIME if body == "runtime permissions:" else SKIP
                        inner, mode, rows_at = at, _ROWS if rows else _PASSED, at
                    elif user is not None and body.startswith("firstInstallTime="):
                        self.line = n
                        user.first_install = timestamp(body[17:], damaged)  # 13+
                continue  # _FIELD, _PASSED: a continuation line of something we do not read
            if at == inner and mode == _FIELD and REPLACEMENT not in body:  # nothing open
                key, sep, _ = body.partition("=")
                if sep:
                    if key in READ_KEYS:
                        if draft is not None:
                            self.line = n
                            package_field(draft, body, damaged)
                        continue
                    if not key.startswith("User "):
                        continue
                elif not body.endswith(":") and not body.startswith("User "):
                    continue
            while True:  # one pass; "break" ends the line
                if not line:
                    break  # blank lines never end a block (rule 6)
                if not at > block_at >= 0:  # a block is only open inside the package service
                    self.line, self.field_at, self.rows, self.rows_at = n, field_at, rows, rows_at
                    self.user, self.user_at = user, user_at
                    fragment = self._line(body, at)
                    block_at, field_at, rows, rows_at = (
                        self.block_at, self.field_at, self.rows, self.rows_at
                    )  # fmt: skip
                    user, user_at, draft = self.user, self.user_at, self._kept()
                    if not fragment:
                        break
                elif REPLACEMENT in body:  # in a block: the block is damaged
                    self.line = n
                    damaged(self.garbled)
                if rows_at >= 0:
                    rows, rows_at = SKIP, -1  # at <= inner = rows_at: the list ends here
                if user_at >= 0:
                    if at > user_at:
                        if body == "runtime permissions:":
                            rows, rows_at = RUNTIME, at
                        elif body.endswith(":") and "=" not in body:
                            rows, rows_at = SKIP, at  # "disabledComponents:" …
                        elif user is not None and body.startswith("firstInstallTime="):
                            self.line = n
                            user.first_install = timestamp(body[17:], damaged)  # 13+
                        break
                    if body.startswith("installReason="):
                        break  # Android 13+: AOSP prints it with a literal indent (section 2)
                    user, user_at = None, -1
                if field_at < 0:
                    field_at = at
                if body.startswith("User "):
                    uid = user_id(body)
                    if uid is not None:
                        self.line = n
                        user, user_at = self._open_user(uid, body), at
                        break
                key, sep, _ = body.partition("=")
                if sep:
                    if draft is not None and key in READ_KEYS:
                        self.line = n
                        package_field(draft, body, damaged)
                elif body.endswith(":"):
                    rows = INSTALL if body == "install permissions:" else SKIP
                    rows_at = at
                break
            inner, mode = _innermost(field_at, rows, rows_at, user_at)
        self.line, self.field_at, self.rows, self.rows_at = n, field_at, rows, rows_at
        self.user, self.user_at = user, user_at

    def cut(self, raw: str) -> None:
        """The output ended inside this line: its last value is unreadable (a U+FFFD stands for
        what is missing, so ``installed=t`` is unknown and ``versionCode=2626`` no number)."""
        self.garbled = "line cut short"
        self.feed(raw + REPLACEMENT)
        self.garbled = "garbled line (bytes that are not text)"

    def _open_user(self, user_id: int, body: str) -> UserDraft | None:
        if self.shared_user is not None:
            return UserDraft(user_id, runtime=self.shared_user.runtime.setdefault(user_id, {}))
        if self.draft is not None and self.draft.keep:
            rest = body.partition(":")[2]
            user = self.draft.users.get(user_id)
            if user is None:
                user = self.draft.users[user_id] = new_user(user_id, rest, self._damaged)
            else:
                user_fields(user, rest, self._damaged)
            return user
        return None

    def _permission_row(self, row: Row, rows: int, user: UserDraft | None) -> None:
        name, granted, override = row  # see ``package_fields.permission_row``
        if granted is None:
            self._damaged("unreadable granted= value")
        elif rows == RUNTIME:
            if user is not None:
                user.runtime[name] = granted
        elif override:
            return  # Android 12+ per-user override of an install permission: see module doc
        elif self.shared_user is not None:
            self.shared_user.install[name] = granted
        elif self.draft is not None and self.draft.keep:
            self.draft.install[name] = granted

    def result(self) -> tuple[Package, ...]:
        built = self.built
        return tuple(
            built.get(d.name) or freeze(d, self.shared.get(d.shared_user or ""))
            for d in self.drafts.values()
            if d.name
        )


def _innermost(field_at: int, rows: int, rows_at: int, user_at: int) -> tuple[int, int]:
    """The innermost open level of a block: its indent (lines deeper than it are its own) and
    what those lines are; no level (an indent no line has) outside a block or before its
    first line."""
    if rows_at >= 0:
        return rows_at, _ROWS if rows != SKIP else _PASSED
    if user_at >= 0:
        return user_at, _USER
    if field_at >= 0:
        return field_at, _FIELD
    return _NO_LEVEL, _NONE


_NO_LEVEL = 1 << 62

_FAST = True  # False: every line through ``_Reader.lines`` (the tests compare both)
_LOUD = ("Packages:", "Hidden system packages:", "Shared users:", "Package [", REPLACEMENT)
"""What a line before the first section must hold to change anything (``_Reader._stretch``)."""

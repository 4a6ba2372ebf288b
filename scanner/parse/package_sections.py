"""Which block of a ``dumpsys package`` dump is open: sections, block headers, boundaries.

Split from ``scanner.parse.dumpsys_package``, which reads the lines inside a block (the same
format reference, docs/sources.md ``dumpsys package``, and rule numbers apply). ``Blocks`` holds
the reader's state and reads every line outside an open block (``Blocks._line``).
"""

from __future__ import annotations

import re

from checks.facts import Package
from scanner.names import is_package_name
from scanner.parse.damage import Damage
from scanner.parse.package_facts import SharedUser
from scanner.parse.package_fields import (
    FIELD_HEADERS,
    FIELD_KEYS,
    Draft,
    Row,
    UserDraft,
    bracketed,
    header_name,
    user_id,
)
from scanner.parse.text import REPLACEMENT

__all__ = ["BOUNDARIES", "HEADER", "INSTALL", "RUNTIME", "SKIP", "Blocks", "block_end"]

SKIP, INSTALL, RUNTIME = 0, 1, 2  # what the rows under a list header are

_PACKAGES, _HIDDEN, _SHARED, _OTHER = "packages", "hidden", "shared", "other"
_SECTIONS = {
    "Packages:": _PACKAGES,
    "Hidden system packages:": _HIDDEN,
    "Shared users:": _SHARED,
}

BOUNDARIES = ("\nDUMP OF ", "\n---------")
"""How a line that may start another service's output begins (see ``Blocks._boundary``)."""
HEADER = "\n  Package ["
"""How a ``dumpsys package`` block header begins (at column 2, with the newline before it)."""
_FIELDS = "\n    "
_OUTDENT = re.compile(r"\n(?!    )")
"""The end of a block's common layout: a line not indented by 4 or more."""


def block_end(text: str, at: int, end: int) -> tuple[int, int]:
    """Where the block whose first line starts at ``at`` ends (the newline of its last line,
    at most ``end``) when all its lines start with 4 blanks (or are blank) and the line after
    it closes the block (indented by at most 2, not blank, not ``… overlay paths:``; or a
    boundary), and how many lines it has; else (-1, 0)."""
    stop = text.find(HEADER, at - 1, end)  # most blocks end at the next one
    lines_in = text.count("\n", at - 1, stop) if stop >= at else -1
    if lines_in >= 0 and lines_in == text.count(_FIELDS, at - 1, stop):
        line = text[stop + 1 : text.find("\n", stop + 1, end + 1)]
    else:
        found = _OUTDENT.search(text, at - 1, end + 1)  # text[end] is "\n": always found
        stop = end if found is None else found.start()
        if stop == end:
            # the block may go on in the cut line or in ``then``
            ends = text.startswith(BOUNDARIES, end)
            return (stop, text.count("\n", at - 1, stop)) if ends else (-1, 0)
        line = text[stop + 1 : text.find("\n", stop + 1, end + 1)]
        lines_in = text.count("\n", at - 1, stop)
    line = line.rstrip()
    body = line.lstrip(" ")
    if not body or len(line) - len(body) > 2 or body.endswith("overlay paths:"):
        return -1, 0
    return stop, lines_in


class Blocks:
    """The state of the reader of one dump, and its reading of the lines outside a block."""

    def __init__(self, package: str | None) -> None:
        self.assumed = package
        self.in_service = True  # inside the package service's output (or no header seen)
        self.section: str | None = None  # None: no section header seen yet
        self.started = False  # any content line seen (a headless block must come first)
        self.drafts: dict[str, Draft] = {}
        self.built: dict[str, Package] = {}  # a draft's package, built when its block was read
        self.shared: dict[str, SharedUser] = {}
        # The open block (a package draft or a shared user) and its indents; -1 = none.
        self.draft: Draft | None = None
        self.shared_user: SharedUser | None = None
        self.block_at = -1
        self.field_at = -1  # indent of the block's fields, from its first line
        self.user: UserDraft | None = None
        self.user_at = -1
        self.rows = SKIP
        self.rows_at = -1  # indent of the open list header; deeper lines are its rows
        self.damage = Damage()
        self.label: str | None = None  # the open block as damage names it; None: not counted
        self.garbled = "garbled line (bytes that are not text)"  # how a U+FFFD line is counted
        self.line = 0  # lines fed so far: several notes about one line count it once
        self.read_rows: dict[str, Row | None] = {}  # each distinct row is taken apart once
        self.sections_seen: set[str] = set()
        self.hidden: dict[str, int] = {}  # a factory copy's name -> the line of its header

    def _kept(self) -> Draft | None:
        return self.draft if self.draft is not None and self.draft.keep else None

    def _line(self, body: str, at: int) -> bool:
        """A line outside any open block; True when it opened a headless block it belongs to."""
        if REPLACEMENT in body and self.in_service:
            # A line that ends a block (its indent is damaged): the block is damaged.
            if self.label is not None:
                self._damaged(self.garbled)
            elif self.block_at < 0 and self._counted():
                self.damage.note(self.garbled, "the listing", self.line)
        if at == 0 and body.startswith(("DUMP OF ", "---------")):
            self._boundary(body)
        elif not self.in_service:
            return False
        elif self.block_at >= 0 and body.endswith("overlay paths:"):
            # AOSP 12+ Settings.dumpPackageLPr prints a shared library's per-user overlay
            # paths as prefix+newline, then "<library> overlay paths:" at column 0: not a
            # section header, and the package block goes on after it.
            return False
        elif not self.started and at >= 4 and self._is_field(body):
            self.started = True  # a fragment cut inside a block (appium Android 7 tail)
            self._open(Draft(self.assumed, keep=self.assumed is not None), at - 2)
            self.label = self.assumed
            return True
        else:
            self.started = True
            self._close()
            self._top_line(body, at)
        return False

    def _counted(self) -> bool:
        return self.section in (None, _PACKAGES, _SHARED)

    def _boundary(self, body: str) -> None:
        # "DUMP OF SERVICE package:" (bugreport, ``pm dump``), "DUMP OF SERVICE package" without
        # colon (ISDI wrapper, Huawei 7 capture line 1), "DUMP OF SETTINGS secure" (ISDI),
        # "--------- 2.9s was the duration of dumpsys package" (bugreport footer).
        self._close()
        if body.startswith("DUMP OF SERVICE "):
            self.in_service = body.split()[-1].rstrip(":") == "package"
            self.section = None
        elif body.startswith("DUMP OF ") or "was the duration of dumpsys" in body:
            self.in_service = False

    def _top_line(self, body: str, at: int) -> None:
        section = _SECTIONS.get(body)
        if section is not None:
            self._section(body, section)
        elif body.startswith("Package ["):
            if self.section == _SHARED:
                self.stray(bracketed(body))
                return
            name = bracketed(body)
            counted = self.section in (None, _PACKAGES)
            if name is None or not is_package_name(name):
                # Read past, never taken for a package, and never a section header (the line
                # ends with ":"), so every package after it still counts.
                self._open(Draft(None, keep=False), at)
                if counted:
                    self.label = header_name(body)
                    self.damage.note("package header without a valid name", self.label, self.line)
                return
            # An updated system app is listed twice: the factory copy under "Hidden
            # system packages:" (Huawei 7 com.facebook.orca "stub (18.4)", tekartik 11
            # package1 1.0.11) never replaces the active entry nor counts on its own.
            keep = counted and name not in self.drafts
            self._open(Draft(name, keep), at)
            self.label = self._label(name, keep, counted)
        elif body.startswith("SharedUser [") and self.section == _SHARED:
            name = bracketed(body)
            if name is not None:
                self._open(self.shared.setdefault(name, SharedUser()), at)
                self.label = f"shared user {name}"
        elif self.section is not None and body.endswith(":"):
            # "Queries:", "Package Changes:", "Dexopt state:" …: their "User 0:" lines and
            # package names say nothing about installed packages (rule 6, tekartik 11 dump).
            self.section = _OTHER

    def _open(self, block: Draft | SharedUser, at: int) -> None:
        if isinstance(block, Draft):
            self.draft = block
            if block.keep and block.name is not None:
                self.drafts[block.name] = block
        else:
            self.shared_user = block
        self.block_at = at

    def _damaged(self, kind: str) -> None:
        if self.label is not None:
            self.damage.note(kind, self.label, self.line)

    def _close(self) -> None:
        self.draft = self.shared_user = self.user = None
        self.label = None
        self.block_at = self.field_at = self.user_at = self.rows_at = -1
        self.rows = SKIP

    @staticmethod
    def _is_field(body: str) -> bool:
        return (
            body in FIELD_HEADERS
            or body.partition("=")[0] in FIELD_KEYS
            or user_id(body) is not None
        )

    def _label(self, name: str, keep: bool, counted: bool) -> str | None:
        """How damage names the block of ``name`` just opened (None: not counted). A second
        block of ``name`` where packages count is damage: AOSP lists each package once there
        (``Settings.mPackages`` is a map; the factory copy of an updated system app is under
        ``Hidden system packages:``), so it is text forged into a value printed raw (an app's
        ``versionName`` with a newline) and which block is the phone's cannot be told. The
        first block's facts stay, as before, but never pass unchecked (review 6)."""
        if keep:
            return name
        if counted:
            self.damage.note("package listed twice", name, self.line)
        elif self.section == _HIDDEN:
            self.hidden.setdefault(name, self.line)
        else:
            self.stray(name)
        return None

    # A forged line can also end ``Packages:`` early: a section header or a service boundary
    # printed inside an app's versionName (review 6) puts every later block in the wrong part
    # of the dump, where the reader would skip it without a word. AOSP prints package blocks
    # only under ``Packages:`` and ``Hidden system packages:``, each section once, and a
    # hidden entry only beside its active one (``Settings.mDisabledSysPackages`` holds the
    # factory copies of updated system apps), so each of these is damage: a real boundary a
    # forged one displaced (``read_dumpsys_package``'s listing is then damaged, and a rule
    # that concludes from absence says unknown). Checked on every capture: none of them has
    # a block elsewhere, a section twice or a hidden entry alone.

    def stray(self, name: str | None, line: int | None = None) -> None:
        """A ``Package [`` block of a valid name where no package block belongs."""
        if name is not None and is_package_name(name):
            at = self.line if line is None else line
            self.damage.note("package block outside the package sections", name, at)

    def _section(self, body: str, section: str) -> None:
        if section in self.sections_seen:
            self.damage.note("section listed twice", body.rstrip(":"), self.line)
        self.sections_seen.add(section)
        self.section = section

    def outside(self, text: str, at: int, end: int) -> None:
        """The lines ``text[at:end]`` after the package service's output ended: a block header
        among them (at column 2, as in ``Packages:``) is a block a forged boundary displaced."""
        if not self.sections_seen:
            return
        found = text.find(HEADER, at, end)
        while found >= 0:
            close = text.find("\n", found + 1, end)
            line = self.line + text.count("\n", at, found) + 1
            self.stray(bracketed(text[found + 3 : end if close < 0 else close]), line)
            found = text.find(HEADER, found + 1, end)

    def orphans(self) -> None:
        """Note every hidden system package whose active entry the dump does not hold."""
        for name, line in self.hidden.items():
            if name not in self.drafts:
                self.damage.note("hidden system package without its active entry", name, line)

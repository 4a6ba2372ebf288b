"""``pm list packages`` read, and cross-checked against ``dumpsys package`` (issue 12's residual).

Why: AOSP prints an app's ``versionName`` raw in ``dumpsys package``, and a version name may hold
a newline, so an app listed before a messenger can forge text inside the dump: a fake block for
the messenger, a forged ``Hidden system packages:`` header before the real block, fake blocks
for every app after it (``scanner.parse.package_sections`` names every other forgery it can see
alone). ``pm list packages`` prints one ``package:NAME`` line per package from the package
manager's own records; a package name holds no newline and the fields after it are numbers and
the installer's package name, so no app can forge a line of it.

Format (AOSP ``services/core/java/com/android/server/pm/PackageManagerShellCommand.java``
``runListPackages``, Android 7+, and ``cmds/pm/src/com/android/commands/pm/Pm.java`` on 6)::

    package:[<sourceDir>=]<name>[ versionCode:<n>][  installer=<name>|null][ uid:<n>]

``-U``, ``--uid`` and ``--show-versioncode`` exist from Android 8 (API 26; the 7.x source has
``listInstaller`` but no ``showUid``); ``versionCode:`` is the int ``versionCode`` on 8.x and
``longVersionCode`` from 9. An unknown option prints ``Error: Unknown option: X`` (exit 255 via
``cmd``, 1 from the Android 6 ``Pm``), an exception ``Error: java.lang…``. Derived from AOSP, no
real capture of it is in ``../shared``; tests use text derived from these sources, marked so.

Per user (``--user N``, every version; docs/sources.md): from Android 14 a list without it covers
every user and joins their uids (``uid:10187,1010187``), so msgscan always names the user; a
user the shell may not access fails the list (``SecurityException``, status 255 on 14-15; an
``Error:`` line with status 0 on 16); a user that does not exist lists nothing (status 0).
``cross_check_user`` compares another user's list, asked without ``-u`` (which would add
``MATCH_ANY_USER`` on a phone with a managed profile), with that user's ``User N:`` states.
``parse_pm_list_all`` reads Android 14+'s list of every user (no ``--user``) into one such list
per user whose uid it shows, and the users the shell was refused (Android 16's ``Error:``).

Which packages it lists, for user 0 with ``-u`` (``ComputerEngine.getInstalledPackagesBody`` /
``PackageManagerService.getInstalledPackages`` and ``checkUseInstalledOrHidden``): every
package installed for user 0 (hidden ones too), and system packages that are not (except
"hidden until installed" ones). Static shared libraries and SDK libraries (``name_<version>``
in ``dumpsys``) are filtered out for the shell. Factory copies of updated system apps (``Hidden
system packages:``) are never listed: their active entry is, with ``FLAG_SYSTEM``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from msgspec import Struct

from checks.catalog import VARIANTS
from checks.facts import Package
from scanner.names import is_package_name, shown

__all__ = [
    "Disagreement",
    "Listed",
    "AllUsers",
    "PackageList",
    "cross_check",
    "cross_check_user",
    "parse_pm_list_all",
    "parse_pm_list_packages",
    "refused_users",
]

MAX_LINES = 100_000
"""More lines than any phone has packages (a 100 000-package dump is the hostile tests' case):
a list longer than this is not read (the cross-check is not made)."""

_LINE = re.compile(
    r"package:([A-Za-z0-9._]{1,255})(?: versionCode:(-?\d{1,19}))?"
    r"(?:  installer=([A-Za-z0-9._]{1,255}))?(?: uid:(\d{1,10}))?\r?"
)
_LINES = re.compile(f"^{_LINE.pattern}\n", re.MULTILINE)  # over a whole list: ``_whole``
_LIBRARY = re.compile(r"_\d+$")
"""A static shared library's or SDK library's name in ``dumpsys``: ``<package>_<version>``
(``PackageManagerService.renameStaticSharedLibraryPackage``), never listed to the shell."""
NO_INSTALLER = "null"
"""What ``-i`` prints for a package without an installer (``String.valueOf(null)``)."""


def _whole(lines: re.Pattern[str], text: str) -> list[tuple[str, ...]] | None:
    """Every line's groups ("" for one not printed) when every line of ``text`` (which ends
    with a newline) is a package line, in one C-level pass; None otherwise. Each match starts
    at a line's start and ends with its newline, so as many matches as newlines is every line
    matched; a list with anything else (a blank line, an error) is read line by line."""
    found: list[tuple[str, ...]] = lines.findall(text)
    return found if len(found) == text.count("\n") else None


class Listed(Struct, frozen=True):
    """One ``package:`` line: what it printed beside the name (None: not asked or not shown)."""

    uid: int | None = None
    installer: str | None = None
    version_code: int | None = None


class PackageList(Struct, frozen=True):
    packages: Mapping[str, Listed]
    unusable: str | None = None
    """Why the list cannot be used (an error, a line that is not a ``package:`` line, a name
    listed twice); None when every line was read."""
    garbled: bool = False
    """``unusable`` because the list pm answered cannot be read (a line that is neither a
    ``package:`` line nor an error pm prints, a name listed twice or one Android refuses, a cut
    last line, too many lines): no app can write such a list, so it is damage, not a refusal."""


class Disagreement(Struct):
    """What the two lists disagree on: kind -> count, and the packages (each once, in order)."""

    kinds: dict[str, int]
    names: dict[str, None]

    def note(self, kind: str, name: str) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.names[name] = None

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def describe(self, examples: int = 3) -> str | None:
        """One sentence for the report (names escaped, at most ``examples``), or None."""
        if not self.kinds:
            return None
        kinds = ", ".join(f"{kind} ({n})" for kind, n in self.kinds.items())
        shown_names = [shown(n) for n, _ in zip(self.names, range(examples), strict=False)]
        more = len(self.names) - len(shown_names)
        named = ", ".join(shown_names) + (f" and {more} more" if more else "")
        return f"{kinds}; in {len(self.names)} package(s) ({named})"


def parse_pm_list_packages(text: str) -> PackageList:
    """Every ``package:`` line of ``text``; never raises, linear in ``text``, and bounded: more
    than ``MAX_LINES`` lines make the list unusable without reading them."""
    if text.count("\n") > MAX_LINES:
        return PackageList({}, f"more than {MAX_LINES} lines", garbled=True)
    if text.strip() and not text.endswith("\n"):  # AOSP ends each with println
        return PackageList({}, "its last line has no end (cut)", garbled=True)
    if (fast := _whole(_LINES, text)) is not None:
        packages = {}
        for name, code, installer, uid in fast:
            if name in packages or not is_package_name(name):
                break  # the line-by-line read below names it
            code_n = None if code == "" else int(code)
            packages[name] = Listed(None if uid == "" else int(uid), installer or None, code_n)
        else:
            return PackageList(packages)
    packages = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        # A package line first: a package or installer name may hold "Exception"
        # (com.Exception.x), and must not make the list read as pm's error.
        listed = line.startswith("package:")
        m = _LINE.fullmatch(line) if listed else None
        if not listed and (line.startswith("Error:") or "Exception" in line):
            return PackageList({}, f"pm printed an error ({shown(line.strip(), 60)})")
        if m is None or not is_package_name(m.group(1)):
            return PackageList({}, f"line {number} is not a package line", garbled=True)
        name, code, installer, uid = m.groups()
        if name in packages:
            return PackageList({}, f"{shown(name)} is listed twice", garbled=True)
        packages[name] = Listed(
            uid=None if uid is None else int(uid),
            installer=installer,
            version_code=None if code is None else int(code),
        )
    return PackageList(packages)


_ALL_LINE = re.compile(
    r"package:([A-Za-z0-9._]{1,255})(?: versionCode:(-?\d{1,19}))?"
    r"(?:  installer=([A-Za-z0-9._]{1,255}))?(?: uid:(\d{1,10}(?:,\d{1,10}){0,999}))?\r?"
)
_ALL_LINES = re.compile(f"^{_ALL_LINE.pattern}\n", re.MULTILINE)
_REFUSED = re.compile(
    r"(?:Error: )?java\.lang\.SecurityException: Shell does not have permission to access user "
    r"(\d{1,9})\r?"
)
"""``UserController.handleIncomingUser``'s message for the shell and a user with
``DISALLOW_DEBUGGING_FEATURES`` (its next line, a space and the callers, is part of it)."""


class AllUsers(Struct, frozen=True):
    """``pm list packages -i -U --show-versioncode`` without ``--user`` (Android 14+)."""

    lists: Mapping[int, PackageList]
    """Per user with at least one uid in the list: its packages, each with that user's uid."""
    refused: Mapping[int, str] = {}
    """Users the shell was refused (Android 16's ``Error:`` line), with the line."""
    errors: tuple[str, ...] = ()
    """Other ``Error:`` lines (a user they concern shows no uid)."""
    unusable: str | None = None
    garbled: bool = False


def refused_users(text: str) -> dict[int, str]:
    """The users ``text`` (pm's answer or failure) says the shell may not access."""
    found: dict[int, str] = {}
    for line in text.split("\n"):
        if (m := _REFUSED.fullmatch(line)) is not None:
            found.setdefault(int(m.group(1)), shown(line.strip(), 100))
    return found


def parse_pm_list_all(text: str) -> AllUsers:
    """Android 14+'s list of every user (``runListPackages`` with ``USER_ALL``): one line per
    package, the uids of the users it is listed for joined by commas; an ``Error:`` line (and
    the exception's callers line after it) for a user the shell may not access (Android 16;
    ``BasicShellCommandHandler`` flushes stdout before stderr, so they come after the list).
    Never raises, linear, bounded as ``parse_pm_list_packages``. A line that no pm prints, a
    package twice, a uid of a user twice in one line, or a refused user with a uid is garbled."""
    if text.count("\n") > MAX_LINES:
        return AllUsers({}, unusable=f"more than {MAX_LINES} lines", garbled=True)
    if text.strip() and not text.endswith("\n"):
        return AllUsers({}, unusable="its last line has no end (cut)", garbled=True)
    if (fast := _whole(_ALL_LINES, text)) is not None and (lists := _all_fast(fast)) is not None:
        return AllUsers(lists)
    by_user: dict[int, dict[str, Listed]] = {}
    refused: dict[int, str] = {}
    errors: list[str] = []
    seen: set[str] = set()
    after_error = False
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        m = _ALL_LINE.fullmatch(line) if line.startswith("package:") else None
        if m is not None and is_package_name(m.group(1)) and m.group(1) not in seen:
            after_error = False
            name, code, installer, uids = m.groups()
            seen.add(name)
            if uids is None:  # asked with -U: every line AOSP prints has a uid (no APEX here)
                return AllUsers({}, unusable=f"line {number} names no uid")
            for uid in map(int, uids.split(",")):
                listed = by_user.setdefault(uid // 100000, {})
                if name in listed:
                    why = f"{shown(name)} has two uids of user {uid // 100000}"
                    return AllUsers({}, unusable=why, garbled=True)
                code_n = None if code is None else int(code)
                listed[name] = Listed(uid=uid, installer=installer, version_code=code_n)
        elif m is not None and m.group(1) in seen:
            return AllUsers({}, unusable=f"{shown(m.group(1))} is listed twice", garbled=True)
        elif line.startswith("Error: "):
            refusal = _REFUSED.fullmatch(line)
            if refusal is not None:
                refused[int(refusal.group(1))] = shown(line.strip(), 100)
            else:
                errors.append(shown(line.strip(), 100))
            after_error = True
        elif after_error and line.startswith(" "):
            after_error = False  # the exception message's second line: the callers
        elif not line.startswith("package:") and "Exception" in line:
            return AllUsers({}, unusable=f"pm printed an error ({shown(line.strip(), 60)})")
        else:
            return AllUsers({}, unusable=f"line {number} is not a package line", garbled=True)
    if both := sorted(refused.keys() & by_user.keys()):
        return AllUsers({}, unusable=f"user {both[0]} is refused and listed", garbled=True)
    lists = {user: PackageList(listed) for user, listed in by_user.items()}
    return AllUsers(lists, refused, tuple(errors))


def _all_fast(lines: list[tuple[str, ...]]) -> dict[int, PackageList] | None:
    """``parse_pm_list_all``'s lists from ``_whole``'s lines; None where the line-by-line read
    must name a line (no uid, a package twice or a name Android refuses, a user's uid twice)."""
    by_user: dict[int, dict[str, Listed]] = {}
    seen: set[str] = set()
    for name, code, installer, uids in lines:
        if not uids or name in seen or not is_package_name(name):
            return None
        seen.add(name)
        code_n = None if code == "" else int(code)
        for uid in map(int, uids.split(",")):
            listed = by_user.get(user := uid // 100000)
            if listed is None:
                listed = by_user[user] = {}
            elif name in listed:
                return None
            listed[name] = Listed(uid, installer or None, code_n)
    return {user: PackageList(listed) for user, listed in by_user.items()}


def cross_check(
    packages: Iterable[Package],
    hidden: Iterable[str],
    system: PackageList,
    third: PackageList,
) -> Disagreement:
    """Where ``dumpsys package`` (its active ``packages`` and the factory copies ``hidden``)
    disagrees with ``pm list packages -s -u`` (``system``) and ``-3 -u`` (``third``), both of
    user 0 and both usable: one note per package and disagreement (linear in the packages)."""
    damage = Disagreement({}, {})
    listed = {**third.packages, **system.packages}
    active = {p.name: p for p in packages}
    for name in system.packages.keys() & third.packages.keys():
        damage.note("listed by pm as both system and third-party", name)
    for name in hidden:
        if name in third.packages:
            damage.note("a factory copy of an app pm lists as third-party", name)
        elif name not in system.packages:
            damage.note("a factory copy of an app pm does not list", name)
    for name in listed.keys() - active.keys():
        damage.note("listed by pm list packages, not by dumpsys package", name)
    for name, p in active.items():
        entry = listed.get(name)
        if entry is None:
            if _expected(p):
                damage.note("listed by dumpsys package, not by pm list packages", name)
            continue
        if p.is_system != (name in system.packages):
            if p.is_system:
                damage.note("a system app pm lists as third-party", name)
            else:
                damage.note("a third-party app pm lists as system", name)
        for kind in _disagreements(p, entry):
            damage.note(kind, name)
    return damage


def cross_check_user(packages: Iterable[Package], user: int, listed: PackageList) -> Disagreement:
    """Where the ``User N:`` states of ``dumpsys package`` disagree with ``pm list packages
    --user N`` (``listed``, no ``-u``) of a user other than 0. Without ``-u`` pm lists a package
    for N exactly when it is installed for N and not hidden (``PackageUserStateUtils
    .isAvailable``; ``PackageUserState.isAvailable`` before 12), so either direction is damage: a
    package pm lists that dumpsys shows not installed (or hidden) for N, and an app dumpsys
    shows installed for N that pm does not list (a system package only if it is a catalog
    messenger, as for user 0: ``_expected``). ``uid:`` is N's uid (``N * 100000`` + the app id).
    A state dumpsys could not read (``Unseen``) is already damage and is not compared. Whether
    a package is a system one is checked by user 0's lists. Linear in the packages."""
    damage = Disagreement({}, {})
    active = {p.name: p for p in packages}
    for name in listed.packages.keys() - active.keys():
        damage.note(f"listed by pm list packages for user {user}, not by dumpsys package", name)
    for name, p in active.items():
        state = p.user(user)
        entry = listed.packages.get(name)
        if state is not None and not isinstance(state.installed, bool):
            continue  # unreadable in the dump: named there already
        shown = state is not None and state.installed is True and not state.hidden
        if entry is None:
            if shown and _must_list(p):
                damage.note(f"installed for user {user} by dumpsys package, not listed by pm", name)
            continue
        if not shown:
            damage.note(f"listed by pm for user {user}, not installed for it by dumpsys", name)
        for kind in _disagreements(p, entry):
            damage.note(kind, name)
        if entry.uid is not None and entry.uid // 100000 != user:
            damage.note(f"uid of another user than {user}", name)
    return damage


def _must_list(p: Package) -> bool:
    """Whether pm must list ``p`` where dumpsys shows it installed (and not hidden): a
    third-party app or a catalog messenger (never an APEX module or a static library), and not
    a library the shell is not shown."""
    return (not p.is_system or p.name in VARIANTS) and not _LIBRARY.search(p.name)


def _expected(p: Package) -> bool:
    """Whether ``pm list packages -u`` (user 0) must list ``p``: a third-party app or a catalog
    messenger installed for user 0 (a value read as True, never a damaged one), not a library
    the shell is not shown. Other system packages are left out of this direction: APEX modules
    (Android 12+ keeps them among the package settings; ``pm`` lists them only with
    ``--apex-only``) and preinstalled static libraries would be damage on every phone; a system
    package ``pm`` lists and ``dumpsys`` lacks, and every value of one both list, are still
    checked."""
    user = p.user(0)
    return user is not None and user.installed is True and _must_list(p)


def _disagreements(p: Package, entry: Listed) -> list[str]:
    """The values both print that differ. ``uid:`` is user 0's uid, ``userId=`` the app id."""
    kinds = []
    if entry.uid is not None and p.app_id is not None and entry.uid % 100000 != p.app_id:
        kinds.append("uid differs")
    code = entry.version_code
    if code is not None and p.version_code is not None and code != p.version_code:
        kinds.append("versionCode differs")
    by = entry.installer
    if by is not None and by != NO_INSTALLER and p.installer and by != p.installer:
        kinds.append("installer differs")
    return kinds


def usable(lists: Mapping[str, PackageList | str]) -> tuple[PackageList, PackageList] | str:
    """The system and third-party lists, or why the cross-check cannot be made (a list that
    failed, is missing, or cannot be read; a system list without a package)."""
    got: list[PackageList] = []
    for kind, which in (("system", "pm list packages -s"), ("third", "pm list packages -3")):
        value = lists.get(kind)
        if value is None:
            return f"{which} was not asked"
        if isinstance(value, str):
            return value
        if value.unusable is not None:
            return f"{which}: {value.unusable}"
        got.append(value)
    system, third = got
    if not system.packages:
        return "pm list packages -s listed no package"
    return system, third

"""A work profile's messenger hidden or invented by a forged version name (session 25, users10).

AOSP prints ``versionName=`` raw, so an app's version name can end its own block and open a
block of another name: every line of the app's block after it, its ``User N:`` lines too, then
belong to that other package. In the shipped Android 14 work-profile recording WhatsApp Business
sits only in the work profile (user 10); its own version name ending in a new package header
leaves it installed for nobody, and the dump alone reads clean. The user-0 cross-check sees
nothing either (pm lists WhatsApp Business for user 0 with ``-u``, and dumpsys's installer,
versionCode and uid agree): before session 25 the report said no WhatsApp Business was installed.
``pm list packages --user 10`` (the system's list, which no app writes) now names the
disagreement: damage, exit 2, nothing that reads the package list passes, the agent closes
nothing. A ``pm`` that fails or is refused for the profile (Android 14+'s
``SecurityException``, texts from the real reports cited in docs/sources.md) is no damage: the
cross-check for that user is not made, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checks.drift import diff
from scanner import probes
from scanner.collect import collect
from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.package_list import Disagreement, cross_check, parse_pm_list_packages
from scanner.recording import Command, Recording, load
from scanner.recordings import build
from scanner.replay import ReplayTransport
from tests.faults.test_damaged_output import ABSENCE, findings, problems, scan, statuses

WORK = build.HERE / "android14-work-profile-business.json"
W4B = "  Package [com.whatsapp.w4b]"
FAKE = (
    "\n  Package [com.example.notes] (5f3e2a1):\n    appId=10246\n"
    "    pkg=Package{5f3e2a2 com.example.notes}\n    versionCode=3 minSdk=24 targetSdk=34\n"
    "    versionName=1.0"
)
"""What WhatsApp Business's version name ends with: a block of another name, which takes the
rest of its block (its ``User 0:`` and ``User 10:`` lines)."""


def _dump(rec: Recording) -> str:
    return next(c for c in rec.commands if c.argv == probes.PACKAGES.argv).stdout.decode()


def _changed(rec: Recording, change: Callable[[Command], Command | None]) -> Recording:
    commands = tuple(c2 for c in rec.commands if (c2 := change(c)) is not None)
    return Recording(rec.device, commands, rec.meta, rec.files)


def _dump_changed(rec: Recording, edit: Callable[[str], str]) -> Recording:
    def change(c: Command) -> Command:
        if c.argv != probes.PACKAGES.argv:
            return c
        return Command(c.argv, edit(c.stdout.decode()).encode(), c.stderr, c.exit_code, c.device_ms)

    return _changed(rec, change)


def hide_w4b(text: str) -> str:
    at = text.index("    versionName=", text.index(W4B))
    end = text.index("\n", at)
    return text[:end] + FAKE + text[end:]


def _profile_lists(c: Command) -> bool:
    """User 10's list: Android 14+'s list of every user (session 26), or its own list."""
    own = c.argv[:3] == ("pm", "list", "packages") and c.argv[-2:] == ("--user", "10")
    return own or c.argv == probes.PM_LIST_ALL.argv


def _with_own_list(rec: Recording, stdout: bytes, stderr: bytes, status: int) -> Recording:
    """``rec`` with user 10's own list recorded as answering so (the all-users list's
    fall-back, which the replay would otherwise derive from the model)."""
    own = Command(probes.pm_user_list_probe(34, 10).argv, stdout, stderr, status, 250.0)
    return Recording(rec.device, (*rec.commands, own), rec.meta, rec.files)


def user_0_finds(rec: Recording) -> Disagreement:
    """What the cross-check of user 0 alone (all session 24 asked) finds in ``rec``."""
    listing = read_dumpsys_package(_dump(rec))
    said = {c.argv: c.stdout.decode() for c in rec.commands}
    system, third = (parse_pm_list_packages(said[p.argv]) for p in probes.pm_list_probes(34))
    return cross_check(listing.packages, listing.hidden, system, third)


def resolved(rec: Recording) -> tuple[object, ...]:
    """What the agent would close after a clean scan of the same phone, then one of ``rec``."""
    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    before = diff({}, findings(collect(ReplayTransport(load(WORK)))), complete=True, at=at)
    rows = {row.key: row for row in before.rows}
    snap = collect(ReplayTransport(rec))
    return diff(rows, findings(snap), complete=snap.complete, at=at.replace(hour=3)).resolved


def w4b_statuses(report: dict[str, object]) -> list[str]:
    return [
        f["status"]
        for f in report["findings"]  # type: ignore[attr-defined]
        if f["check_id"].startswith("MSG-") and f.get("package") == "com.whatsapp.w4b"
    ]


def test_the_forgery_reads_clean_from_the_dump_and_user_0s_lists() -> None:
    """The residual session 25 closes: the dump alone shows nothing wrong, WhatsApp Business is
    installed for nobody, and without the profile's lists the scan is complete and clean."""
    forged = _dump_changed(load(WORK), hide_w4b)
    listing = read_dumpsys_package(_dump(forged))
    assert not listing.damage
    w4b = next(p for p in listing.packages if p.name == "com.whatsapp.w4b")
    assert w4b.installed_for() == ()

    assert not user_0_finds(forged)


def test_a_forged_version_name_hiding_the_profiles_whatsapp_is_damage(tmp_path: Path) -> None:
    (tmp_path / "clean").mkdir()
    clean_code, clean = scan(tmp_path / "clean", load(WORK))
    assert clean_code == 0
    assert clean["scan"]["complete"] and not clean["scan"]["problems"]
    assert "pass" in w4b_statuses(clean)

    forged = _dump_changed(load(WORK), hide_w4b)
    (tmp_path / "forged").mkdir()
    code, report = scan(tmp_path / "forged", forged)
    assert code == 2
    assert not report["scan"]["complete"]
    said = problems(report)
    assert "disagrees with pm list packages (every user) for user 10" in said
    assert "listed by pm for user 10, not installed for it by dumpsys" in said
    assert "'com.whatsapp.w4b'" in said
    assert "pass" not in statuses(report, "MSG-")
    assert not ABSENCE & set(statuses(report, "MSG-"))
    assert resolved(forged) == ()


def invent_whatsapp(text: str) -> str:
    """The last package's version name prints a block for WhatsApp installed in the work
    profile only: user 0's cross-check expects only apps installed for user 0 in pm's list."""
    last = text.rindex("\n  Package [")
    at = text.index("    versionName=", last)
    end = text.index("\n", at)
    fake = (
        "\n  Package [com.whatsapp] (1c2d3e4):\n    appId=10299\n"
        "    pkg=Package{1c2d3e5 com.whatsapp}\n    versionCode=252341074 minSdk=21 targetSdk=34\n"
        "    versionName=2.25.23.74\n    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n"
        "    installerPackageName=com.android.vending\n"
        "    User 0: ceDataInode=0 installed=false hidden=false suspended=false stopped=false "
        "notLaunched=false enabled=0 instant=false virtual=false\n"
        "    User 10: ceDataInode=40111 installed=true hidden=false suspended=false stopped=false "
        "notLaunched=false enabled=0 instant=false virtual=false\n"
        "  Package [com.example.tail] (2d3e4f5):\n    appId=10300\n    versionName=1.0"
    )
    return text[:end] + fake + text[end:]


def test_a_messenger_invented_in_the_profile_is_damage() -> None:
    forged = _dump_changed(load(WORK), invent_whatsapp)
    listing = read_dumpsys_package(_dump(forged))
    assert not listing.damage
    assert next(p for p in listing.packages if p.name == "com.whatsapp").installed_for() == (10,)

    assert not user_0_finds(forged)

    snap = collect(ReplayTransport(forged))
    assert not snap.complete
    assert "installed for user 10 by dumpsys package, not listed by pm" in snap.damaged["packages"]
    assert "'com.whatsapp'" in snap.damaged["packages"]


# --- pm that fails or is refused for the profile: not made, said, no damage ---------------------

SECURITY = (
    "Shell does not have permission to access user 10\n"
    " com.android.server.am.ActivityManagerService.handleIncomingUser:14983 "
    "android.app.ActivityManager.handleIncomingUser:4805 "
    "com.android.server.pm.PackageManagerShellCommand.translateUserId:3517 \n"
)
EXCEPTION = "Exception occurred while executing 'list':\njava.lang.SecurityException: "
REFUSALS = {
    # Android 14-15: translateUserId's exception leaves runListPackages (BasicShellCommandHandler
    # prints it, status -1); texts as in the reports cited in docs/sources.md.
    "android-14": (b"", f"\n{EXCEPTION}{SECURITY}".encode(), 255),
    # Android 16: runListPackages catches it per user, prints "Error: ..." and goes on (status 0).
    "android-16": (
        b"",
        b"Error: java.lang.SecurityException: Shell does not have permission to access user 10\n",
        0,
    ),
    "killed": (b"", b"Killed\n", 137),
    "no such user": (b"", b"", 0),  # getInstalledPackages of a missing user: an empty list
}


@pytest.mark.parametrize("how", sorted(REFUSALS))
def test_a_refused_profile_list_is_a_note_not_damage(how: str) -> None:
    stdout, stderr, status = REFUSALS[how]

    def refuse(c: Command) -> Command:
        return Command(c.argv, stdout, stderr, status, c.device_ms) if _profile_lists(c) else c

    clean = collect(ReplayTransport(load(WORK)))
    snap = collect(ReplayTransport(_changed(_with_own_list(load(WORK), *REFUSALS[how]), refuse)))
    assert snap.complete and not snap.damaged
    notes = [p for p in snap.problems if "was not made for user 10" in p]
    assert len(notes) == 1
    assert "the packages installed for user 10 are read from dumpsys package alone" in notes[0]
    assert not any("was not made (" in p for p in snap.problems)  # user 0's was made
    assert [f.status for f in findings(clean)] == [f.status for f in findings(snap)]


def test_the_forgery_with_a_refused_profile_list_is_not_hidden_silently() -> None:
    """The forger on a phone whose profile refuses the shell: no damage can be shown, but the
    report says that user 10's install states rest on the dump alone."""

    def refuse(c: Command) -> Command:
        if _profile_lists(c):
            return Command(c.argv, b"", REFUSALS["android-14"][1], 255, c.device_ms)
        return c

    snap = collect(ReplayTransport(_changed(_dump_changed(load(WORK), hide_w4b), refuse)))
    assert any("was not made for user 10" in p for p in snap.problems)

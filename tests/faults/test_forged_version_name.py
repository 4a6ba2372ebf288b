"""A section line forged into an app's versionName never makes a messenger vanish (review 6).

AOSP prints ``versionName=`` raw, and a manifest's version name may hold a newline: an app
listed before WhatsApp in the shipped Android 16 recording gets a version name ending in a
section header or a service boundary. Before the fix, every package after it was gone and the
report said WhatsApp was not installed, with no problem named; now the displaced blocks are
damage, the scan is incomplete (exit 2), nothing that reads the package list passes and the
agent closes nothing (the whole-dump outcome of ``test_damaged_output``'s case 1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scanner import probes
from scanner.collect import collect
from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.recording import Recording
from scanner.replay import ReplayTransport
from tests.faults.test_damaged_output import (
    ABSENCE,
    WHATSAPP,
    packages_changed,
    problems,
    resolved_by,
    scan,
    statuses,
)


def forge(suffix: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        at = text.rindex("    versionName=", 0, text.index(WHATSAPP))
        end = text.index("\n", at)
        return text[:end] + suffix + text[end:]

    return change


@pytest.mark.parametrize(
    "suffix", ["\nQueries:", "\nDUMP OF SERVICE activity:", "\nHidden system packages:"]
)
def test_a_forged_section_line_hides_no_messenger(tmp_path: Path, suffix: str) -> None:
    """(After a forged hidden header the forger's own ``install permissions:`` line ends that
    section too, so the real blocks are outside the package sections there as well.)"""
    rec = packages_changed(forge(suffix))
    code, report = scan(tmp_path, rec)

    assert 2 == code
    assert not report["scan"]["complete"]
    assert "package block outside the package sections" in problems(report)
    assert "'com.whatsapp'" in problems(report)
    assert "could not be fully read" in report["messengers"]["unseen"]  # not "none installed"
    assert set(statuses(report, "MSG-")) == {"unknown"}
    assert not ABSENCE & set(statuses(report, "MSG-"))
    assert () == resolved_by(collect(ReplayTransport(rec)))


# --- the residual (session 21): a whole forged package list, caught by pm list packages -------


def forge_list(text: str) -> str:
    """The forger (the app listed before WhatsApp) prints, inside its versionName, a fake block
    for WhatsApp and every app after it (WhatsApp's without ALLOW_BACKUP), then a ``Hidden system
    packages:`` header and a hidden block of its own name for the rest of its own lines: every
    real block after it now reads as a factory copy beside an active (forged) entry, and the
    dump alone shows nothing wrong (no section twice, no factory copy alone)."""
    at = text.rindex("    versionName=", 0, text.index(WHATSAPP))
    own = text[text.rindex("  Package [", 0, at) : text.index("\n", text.rindex("  Package [", 0, at))]
    end = text.index("\n", at)
    real = text[text.index(WHATSAPP) :].rstrip("\n")
    cut = real.index("\n  Package [", 1)  # WhatsApp's block ends here
    fake = real[:cut].replace(" ALLOW_BACKUP", "") + real[cut:]
    forged = f"\n{fake}\nHidden system packages:\n{own}\n    versionName=1.0"
    return text[:end] + forged + text[end:]


def without_pm_list(rec: Recording) -> Recording:
    kept = tuple(c for c in rec.commands if c.argv[:3] != ("pm", "list", "packages"))
    return Recording(rec.device, kept, {}, rec.files)


def test_the_residual_reads_clean_from_the_dump_alone() -> None:
    """What session 21 left open: the dump alone shows no damage, and the rules would judge the
    forged block. Without a pm list (a real capture has none) the cross-check is not made and
    the report says so; the pm list the system prints is what closes it (next test)."""
    rec = packages_changed(forge_list)
    dump = next(c for c in rec.commands if c.argv == probes.PACKAGES.argv).stdout.decode()
    listing = read_dumpsys_package(dump)
    assert not listing.damage
    assert "com.whatsapp" in listing.hidden
    whatsapp = next(p for p in listing.packages if p.name == "com.whatsapp")
    assert not whatsapp.allows_backup  # the forged facts

    snap = collect(ReplayTransport(without_pm_list(rec)))
    assert "packages" not in snap.damaged
    assert any("cross-check of dumpsys package with pm list packages was not made" in p for p in snap.problems)


def test_the_residual_is_damage_with_pm_list(tmp_path: Path) -> None:
    """The recording's pm list is the system's (the forger cannot print into it): the real
    WhatsApp block read as a factory copy of a third-party app is damage; exit 2, nothing that
    reads the package list passes, and the agent closes nothing."""
    rec = packages_changed(forge_list)
    code, report = scan(tmp_path, rec)

    assert 2 == code
    assert not report["scan"]["complete"]
    assert "disagrees with pm list packages" in problems(report)
    assert "a factory copy of an app pm lists as third-party" in problems(report)
    assert "'com.whatsapp'" in problems(report)
    assert not ABSENCE & set(statuses(report, "MSG-"))
    assert () == resolved_by(collect(ReplayTransport(rec)))

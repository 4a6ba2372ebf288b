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

from scanner.collect import collect
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

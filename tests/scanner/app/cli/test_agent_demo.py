"""`msgscan agent --demo`: three simulated phones (the shipped recordings), one round in a new
temporary folder, the fleet page and each phone's report written there, their paths printed;
the fleet page opens in headless Chromium."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest

from scanner.app.cli import main
from scanner.recordings.build import SHIPPED
from tests.reports.chromium import Chromium
from tests.reports.test_browser import chromium  # noqa: F401 - the module's browser fixture


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    code = main(["agent", "--demo", "--lang", "de"])
    out, _ = capsys.readouterr()
    return code, out


def test_one_round_over_three_phones(demo: tuple[int, str], tmp_path: Path) -> None:
    code, out = demo
    fleet = Path(re.search(r"fleet page\s+(\S+)", out)[1])  # type: ignore[index]
    pages = [Path(p) for p in re.findall(r"phone report\s+(\S+)", out)]

    assert 1 == code  # the Android 16 and Android 10 phones fail checks, as a scan of each does
    assert "one round over 3 phones, 2 with a failed check" in out
    assert fleet.is_file() and fleet.is_relative_to(tmp_path)
    assert len(SHIPPED) == len(pages) and all(p.is_file() for p in pages)
    assert all(p.with_suffix(".json").is_file() for p in pages)
    summary = json.loads((fleet.parent / "fleet-summary.json").read_text())
    assert {"scanned"} == {d["state"] for d in summary["devices"]}
    # the demo's own throw-away ADB key, in its folder (the user's ~/.android is left alone)
    assert (Path(re.search(r"state and config in (\S+)", out)[1]) / "adbkey" / "adbkey").is_file()  # type: ignore[index]


def test_fleet_page_opens_in_chromium(demo: tuple[int, str], chromium: Chromium) -> None:  # noqa: F811
    _, out = demo
    fleet = Path(re.search(r"fleet page\s+(\S+)", out)[1])  # type: ignore[index]

    visit = chromium.visit(fleet.as_uri(), text_of="#verdict .text")

    assert [fleet.as_uri()] == visit.requests
    assert [] == visit.console
    assert visit.text.startswith("NICHT KONFORM: 2 von 3 Geräten")

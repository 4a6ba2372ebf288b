"""The HTML reports in a real browser: headless Debian Chromium over the DevTools protocol.

Each shipped recording's report (and the fleet page) must load from a file with no request but
itself, no console error or warning, show its verdict, and print. A screenshot and a PDF of each
are saved under ``test-artifacts/browser/`` for a person to look at. Without Chromium the tests
skip locally and fail under ``CI=true`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checks.policy import DEFAULT
from reports.i18n import Lang
from reports.render.fleet_html import render_fleet
from reports.render.html import HtmlRenderer
from scanner import recording
from scanner.recordings.build import HERE, SHIPPED
from scanner.replay import ReplayTransport
from scanner.app.scan import scan_result
from tests.reports.chromium import Chromium, find_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

VERDICTS = {
    Lang.EN: ("NOT COMPLIANT", "COMPLIANT", "INCOMPLETE"),
    Lang.DE: ("NICHT KONFORM", "KONFORM", "UNVOLLSTÄNDIG"),
}
_EXPECTED = {"non_compliant": 0, "compliant": 1, "incomplete": 2}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    executable = find_chromium()
    if executable is None:
        reason = "Debian chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run the browser tests")
        pytest.skip(reason)
    browser = Chromium(executable)
    try:
        yield browser
    finally:
        browser.close()


def _save(name: str, page: bytes) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.html"
    path.write_bytes(page)
    return path


@pytest.mark.parametrize("lang", list(Lang), ids=lambda lang: lang.value)
@pytest.mark.parametrize("name", SHIPPED)
def test_report_in_chromium(chromium: Chromium, name: str, lang: Lang) -> None:
    """The page loads offline with no other request and no console error, and shows its verdict."""
    result = scan_result(ReplayTransport(recording.load(HERE / name)), DEFAULT, timeout=30)
    stem = f"{name.removesuffix('.json')}-{lang.value}"
    path = _save(stem, HtmlRenderer(lang).render(result))

    visit = chromium.visit(path.as_uri(), text_of="#verdict .text")
    (ARTIFACTS / f"{stem}.png").write_bytes(visit.screenshot)
    (ARTIFACTS / f"{stem}.pdf").write_bytes(visit.pdf)

    from checks.evaluate import summarize

    verdict = summarize(result.findings, complete=result.snapshot.complete).verdict
    assert [path.as_uri()] == visit.requests
    assert [] == visit.console
    assert visit.text.startswith(VERDICTS[lang][_EXPECTED[verdict]])
    assert visit.screenshot.startswith(b"\x89PNG") and visit.pdf.startswith(b"%PDF")


def test_fleet_page_in_chromium(chromium: Chromium) -> None:
    """The fleet page loads the same way and states the fleet's verdict."""
    summary = {
        "fleet_summary_version": 1,
        "generated": datetime(2026, 11, 26, 7, 0, tzinfo=UTC).isoformat().replace("+00:00", "Z"),
        "round": {"id": 4, "started": "2026-11-26T06:59:00Z", "finished": "2026-11-26T07:00:00Z",
                  "devices_seen": 2, "scanned": 1, "failed": 1, "interrupted": False},
        "checks": ["MSG-01", "MSG-02", "ORG-01"],
        "devices": [
            {"device": "R5CT<b>1</b>", "via": "usb", "state": "scanned", "error": None,
             "first_seen": None, "last_seen": None,
             "last_scan": {"id": "s", "finished": None, "complete": True, "verdict": "non_compliant",
                           "score": 40.0, "failed": 2, "report": None},
             "checks": {"MSG-01": "fail", "MSG-02": "pass", "ORG-01": "manual"},
             "drift": {"new": ["MSG-01|com.whatsapp|0"], "changed": [], "resolved": []}},
            {"device": "10.0.0.7:5555", "via": "tcp", "state": "unauthorized", "error": None,
             "first_seen": None, "last_seen": None, "last_scan": None, "checks": {},
             "drift": {"new": [], "changed": [], "resolved": []}},
        ],
        "totals": {"devices": 2, "non_compliant": 1, "not_scanned_this_round": 1, "new": 1, "resolved": 0},
    }
    path = _save("fleet-de", render_fleet(summary, Lang.DE))

    visit = chromium.visit(path.as_uri(), text_of="#verdict .text")
    (ARTIFACTS / "fleet-de.png").write_bytes(visit.screenshot)

    assert [path.as_uri()] == visit.requests
    assert [] == visit.console
    assert visit.text.startswith("NICHT KONFORM: 1 von 2 Geräten")


def test_the_harness_sees_requests_and_errors(chromium: Chromium, tmp_path: Path) -> None:
    """Control: a page that fetches something and logs an error is caught by the harness."""
    page = tmp_path / "leaky.html"
    page.write_text('<p id="v">x</p><img src="http://127.0.0.1:9/pixel.png">'
                    "<script>console.error('boom')</script>")

    visit = chromium.visit(page.as_uri(), text_of="#v")

    assert "http://127.0.0.1:9/pixel.png" in visit.requests
    assert any("boom" in line for line in visit.console)

"""The printed report and its sign-off sheet, as headless Chromium prints them to PDF.

Every printed page carries the running header (device model and serial, scan id, date) and
"Page n of m"; the sheet names the phone, the scan, the policy and its digest, the report's
digest and the signing key, and phrases each item as a statement to confirm. The PDF's text comes
from ``pdftotext`` (poppler-utils; ``.ci/run`` installs it): without it the test skips locally
and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.policy import DEFAULT
from reports.i18n import Lang, Texts
from reports.integrity import canonical, digest
from reports.render.html import HtmlRenderer
from reports.render.sheet import css_string
from reports.report import build_report
from reports.signing import generate
from scanner.app.keys import load_signing_key
from scanner import recording
from scanner.recordings.build import HERE
from scanner.replay import ReplayTransport
from scanner.app.scan import scan_result
from tests.reports.chromium import Chromium, find_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def _need(tool: str | None, what: str) -> str:
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is not installed: CI must run the PDF tests (.ci/run)")
        pytest.skip(f"{what} is not installed")
    return tool


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    browser = Chromium(_need(find_chromium(), "Debian chromium"))
    try:
        yield browser
    finally:
        try:
            browser.close()
        except OSError:  # Chromium's helpers may still write into the profile as it is removed
            import time

            time.sleep(1.0)
            shutil.rmtree(browser.profile.name, ignore_errors=True)


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    tool = _need(shutil.which("pdftotext"), "pdftotext (poppler-utils)")
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run([tool, "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                          check=True, text=True).stdout
    return [p for p in text.split("\f") if p.strip()]


@pytest.mark.parametrize("lang", list(Lang), ids=lambda lang: lang.value)
def test_every_printed_page_names_the_phone_the_scan_and_its_number(
        chromium: Chromium, tmp_path: Path, lang: Lang) -> None:
    name = "android16-personal-whatsapp-telegram.json"
    result = scan_result(ReplayTransport(recording.load(HERE / name)), DEFAULT, timeout=30)
    key_path = tmp_path / "org.key"
    generate(key_path)
    key = load_signing_key(key_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"sheet-{lang.value}.html"
    path.write_bytes(HtmlRenderer(lang, key).render(result))

    visit = chromium.visit(path.as_uri(), text_of="#sheet")
    (ARTIFACTS / f"sheet-{lang.value}.pdf").write_bytes(visit.pdf)
    pages = _pages(visit.pdf, tmp_path)

    report = build_report(result)
    model, serial = report["device"]["model"], report["device"]["serial"]
    day = result.started.strftime("%Y-%m-%d" if lang is Lang.EN else "%d.%m.%Y")
    word = {Lang.EN: "Page", Lang.DE: "Seite"}[lang]
    of = {Lang.EN: "of", Lang.DE: "von"}[lang]
    assert len(pages) >= 3
    for n, text in enumerate(pages, 1):
        flat = " ".join(text.split())
        assert model in flat and serial in flat, n
        assert result.scan_id in flat and day in flat, n
        assert f"{word} {n} {of} {len(pages)}" in flat, n

    sheet = " ".join(visit.text.split())  # the sheet's own text, from the DOM
    neutral = digest(canonical(report))
    policy = Texts(lang).policy_name(report["scan"]["policy"]["name"])
    for fact in (model, serial, result.scan_id, day, policy,
                 report["scan"]["policy"]["digest"], neutral, key.fingerprint):
        assert fact in sheet, fact
    if lang is Lang.DE:
        assert "Im Telefonbuch sind nur Kontakte gespeichert, die eingewilligt haben." in sheet
        assert all(f in sheet for f in ("Name, Funktion", "Datum", "Unterschrift"))
    else:
        assert "The phonebook holds only contacts who have consented to it." in sheet
        assert all(f in sheet for f in ("Name, role", "Date", "Signature"))
    # The sheet starts a printed page of its own and the PDF shows its statements.
    heading = {Lang.EN: "Sign-off sheet", Lang.DE: "Bestätigungsblatt"}[lang]
    assert any(heading in p for p in pages)


def test_header_text_from_the_phone_cannot_escape_its_css_string() -> None:
    hostile = 'Pixel"}</style><script>alert(1)</script>\\'
    quoted = css_string(hostile)
    assert re.fullmatch(r'"[A-Za-z0-9 .:_\\-]*"', quoted.replace("\\", "-"))
    assert "</style" not in quoted and '"' not in quoted[1:-1]


def test_statements_say_the_same_in_both_languages() -> None:
    """Every attestable item has a statement in English and German, naming the same app."""
    from checks.policy import ATTESTABLE
    from reports.i18n.statements import LABELS, STATEMENTS, statement

    assert set(STATEMENTS[Lang.EN]) == set(STATEMENTS[Lang.DE]) == set(ATTESTABLE)
    assert set(LABELS[Lang.EN]) == set(LABELS[Lang.DE])
    for check in ATTESTABLE:
        en, de = (statement(lang, check, "Telegram", "t") for lang in Lang)
        assert ("Telegram" in en) == ("Telegram" in de) and ("WhatsApp" in en) == ("WhatsApp" in de)
        assert en[0].isupper() and de[0].isupper()

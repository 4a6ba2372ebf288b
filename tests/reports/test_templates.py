"""The HTML pages from templates: an organisation's folder (--templates DIR) replaces shipped
templates by name and falls back to the shipped ones for the rest; a bad folder is a clear
error; what a phone says is a value, never template code."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from msgspec.structs import replace

from checks.facts import DeviceIdentity, StorageEvidence
from checks.result import ScanResult
from reports.i18n import Lang
from reports.integrity import Outcome, verify
from reports.render._html import CSP, load_templates
from reports.render.fleet_html import render_fleet
from reports.render.html import SECTIONS, HtmlRenderer
from reports.signing import generate
from scanner.app.cli import main
from scanner.app.keys import load_public_key, load_signing_key
from tests.reports.chromium import Chromium, find_chromium
from tests.reports.scans import handmade, scan
from tests.test_reading import A16, run

INJECT = "{{ 7*7 }}{% include 'base.html' %}<script>alert(1)</script>"
"""Template syntax and markup, as a phone might print them."""

LOGO = (
    '<div class="brand"><svg class="logo" width="24" height="24"><title>ACME</title></svg>'
    " ACME Compliance</div>\n"
)
THEME = ":root{--ink:#0a3d62;--muted:#5b6475;--line:#d8dde6;--bg:#fafafa;--card:#fff}\n"
FOOTER = "<footer>Internal – ACME Data Protection Office · {{ footer.digest }}</footer>\n"


class _Text(HTMLParser):
    """The text a reader sees (script and style left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of(page: bytes) -> str:
    parser = _Text()
    parser.feed(page.decode())
    return "".join(parser.parts)


def hostile_result() -> ScanResult:
    """A scan whose serial, model and folder path carry template syntax and markup."""
    snapshot = handmade(serial="R5CT" + INJECT)
    assert isinstance(snapshot.identity, DeviceIdentity)
    first = snapshot.storage[0]
    assert isinstance(first, StorageEvidence)
    storage = (replace(first, path=first.path + "/" + INJECT), *snapshot.storage[1:])
    identity = replace(snapshot.identity, model="Pixel " + INJECT)
    return scan(replace(snapshot, identity=identity, storage=storage))


@pytest.fixture
def saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "saved.json"
    assert 1 == main(["scan", "--replay", A16, "--format", "json", "-o", str(path)])
    capsys.readouterr()
    return str(path)


@pytest.fixture
def org(tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    (folder / "report").mkdir(parents=True)
    (folder / "brand.html").write_text(LOGO)
    (folder / "theme.css").write_text(THEME)
    (folder / "report" / "footer.html").write_text(FOOTER)
    return folder


@pytest.mark.parametrize("lang", list(Lang))
def test_phone_strings_are_shown_literally(lang: Lang) -> None:
    """Template syntax from the phone is not run: "{{ 7*7 }}" is shown as written (not 49),
    markup is escaped text, in the model, the serial and the folder path."""
    page = HtmlRenderer(lang).render(hostile_result())
    shown = text_of(page)
    html = page.decode()

    assert shown.count("Pixel " + INJECT) == 2  # the model: device facts and sign-off sheet
    assert shown.count("R5CT" + INJECT) == 3  # the serial: title, device facts, sheet
    # the path (its last "/" parts folder and name: ".../Databases/{{ 7*7 }}...</ script>")
    assert "Databases/" + INJECT.removesuffix("/script>") + "/ script>" in shown
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "R5CT49" not in shown and "Pixel 49" not in shown
    assert html.count("<!DOCTYPE html>") == 1  # the {% include %} did not include anything


def test_fleet_page_shows_phone_strings_literally() -> None:
    summary = {
        "fleet_summary_version": 2,
        "generated": "2026-11-26T07:00:00Z",
        "round": None,
        "checks": ["MSG-01"],
        "devices": [
            {
                "device": INJECT,
                "via": "usb",
                "state": "busy",
                "error": INJECT,
                "model": INJECT,
                "first_seen": None,
                "last_seen": None,
                "last_scan": None,
                "checks": {},
                "drift": {"new": [], "changed": [], "resolved": []},
            }
        ],
        "totals": {
            "devices": 1,
            "non_compliant": 0,
            "not_scanned_this_round": 1,
            "new": 0,
            "resolved": 0,
        },
    }
    page = render_fleet(summary, Lang.EN)

    assert text_of(page).count(INJECT) == 4  # id, model, and the footnote "id: error"
    assert "<script" not in page.decode().lower()


def test_override_changes_logo_colour_and_wording(org: Path) -> None:
    """brand.html, theme.css and report/footer.html from the folder replace the shipped ones;
    every other section still comes from msgscan."""
    result = scan(handmade())
    shipped = HtmlRenderer(Lang.EN).render(result).decode()
    page = HtmlRenderer(Lang.EN, templates=load_templates(org)).render(result).decode()

    assert '<svg class="logo"' in page and "ACME Compliance" in page
    assert "--ink:#0a3d62" in page and "--ink:#1d2433" not in page
    assert "Internal – ACME Data Protection Office" in page
    assert "msgscan</div>" in shipped and "msgscan</div>" not in page
    for section in ('id="verdict"', 'class="check ', 'id="sheet"', "<h2>"):  # the shipped rest
        assert page.count(section) == shipped.count(section) > 0
    assert f'content="{CSP}"' in page


def test_override_page_is_sealed_and_signed(org: Path, tmp_path: Path) -> None:
    """The digest and signature cover the page as the organisation's templates render it."""
    _, public = generate(tmp_path / "key")
    key = load_signing_key(tmp_path / "key")
    page = HtmlRenderer(Lang.EN, key, load_templates(org)).render(scan(handmade()))

    assert b"ACME Compliance" in page
    assert verify(page, [load_public_key(public)]).outcome is Outcome.VALID
    changed = page.replace(b"ACME Compliance", b"ACME Complianc3")
    assert verify(changed, [load_public_key(public)]).outcome is Outcome.TAMPERED


def test_missing_override_falls_back_to_the_shipped_template(tmp_path: Path) -> None:
    """An empty folder gives the shipped page byte for byte; a folder with one file changes only
    what that file renders."""
    result = scan(handmade())
    shipped = HtmlRenderer(Lang.DE).render(result)
    (tmp_path / "empty").mkdir()
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "theme.css").write_text(THEME)

    assert shipped == HtmlRenderer(Lang.DE, templates=load_templates(tmp_path / "empty")).render(
        result
    )
    one = HtmlRenderer(Lang.DE, templates=load_templates(tmp_path / "one")).render(result).decode()
    assert "--ink:#0a3d62" in one and '<div class="brand">msgscan</div>' in one
    assert text_of(one.encode()) == text_of(shipped)


def test_every_section_has_its_template() -> None:
    """A section is a template report/NAME.html and its entry in SECTIONS (README recipe)."""
    shipped = Path(__file__).resolve().parents[2] / "reports" / "templates" / "report"
    assert sorted(SECTIONS) == sorted(p.stem for p in shipped.glob("*.html"))


def test_report_and_scan_take_templates(
    org: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`msgscan scan --templates` and `msgscan report --templates` write the organisation's page."""
    saved = tmp_path / "r.json"
    code, _, _ = run(
        capsys,
        "scan",
        "--replay",
        A16,
        "--templates",
        str(org),
        "-o",
        str(saved),
        "-o",
        str(tmp_path / "r.html"),
        "--lang",
        "en",
    )
    assert 1 == code and "ACME Compliance" in (tmp_path / "r.html").read_text()

    code, out, err = run(capsys, "report", str(saved), "--templates", str(org), "--lang", "de")
    assert (0, "") == (code, err) and "ACME Compliance" in out and "Internal – ACME" in out


def _folder(root: Path, name: str, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / name / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / name / rel).write_text(text)
    return root / name


def test_bad_folder_stops_a_scan_before_the_phone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing folder or a template with a syntax error: exit 2 naming it, before msgscan
    connects (nothing listens at the --tcp port: that error would come second)."""
    broken = _folder(tmp_path, "broken", {"report/overview.html": "<p>\n{% if %}\n</p>\n"})
    out = tmp_path / "out.html"
    for folder, problem in [
        (tmp_path / "nowhere", "nowhere: does not exist"),
        (broken, "the template report/overview.html, line 2 cannot be used"),
    ]:
        code, _, err = run(
            capsys,
            "scan",
            "--tcp",
            "127.0.0.1:9",
            "--timeout",
            "5",
            "--templates",
            str(folder),
            "-o",
            str(out),
        )
        assert 2 == code and "error: --templates" in err and problem in err, err
        assert "127.0.0.1:9" not in err and not out.exists()


def test_bad_templates_exit_2_naming_the_file(
    tmp_path: Path, saved: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing folder, a syntax error, an unknown variable, or a base.html that drops the CSP:
    exit 2, stderr names the folder or the file (and its line), nothing is written."""
    out = tmp_path / "out.html"
    leaky = "<html><head></head><body>{% block body %}{% endblock %}</body></html>\n"
    cases = [
        (tmp_path / "nowhere", "nowhere: does not exist"),
        (_folder(tmp_path, "broken", {"brand.html": "<p>{% for %}</p>\n"}), "brand.html, line 1"),
        (
            _folder(tmp_path, "typo", {"report/footer.html": "\n{{ footer.versoin }}\n"}),
            "report/footer.html, line 2",
        ),
        (
            _folder(tmp_path, "leaky", {"base.html": leaky}),
            "lost msgscan's Content-Security-Policy",
        ),
    ]
    for folder, problem in cases:
        code, _, err = run(capsys, "report", saved, "--templates", str(folder), "-o", str(out))
        assert 2 == code and problem in err and "error: --templates" in err, (folder, err)
        assert not out.exists()


def test_sandbox_keeps_templates_from_python(
    tmp_path: Path, saved: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An override cannot reach Python internals through the values it gets."""
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "footer.html").write_text("{{ t.__globals__ }}\n")

    code, _, err = run(capsys, "report", saved, "--templates", str(tmp_path))

    assert 2 == code and "report/footer.html" in err and "unsafe" in err


def test_override_page_in_chromium(org: Path, tmp_path: Path) -> None:
    """The organisation's page loads offline like the shipped one: no request but itself, no
    console error, and its logo in the masthead."""
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian chromium is not installed: CI must run the browser tests")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    path = tmp_path / "acme.html"
    path.write_bytes(HtmlRenderer(Lang.EN, templates=load_templates(org)).render(scan(handmade())))
    browser = Chromium(executable)
    try:
        visit = browser.visit(path.as_uri(), text_of=".masthead .brand")
    finally:
        browser.close()

    assert [path.as_uri()] == visit.requests and [] == visit.console
    assert "ACME COMPLIANCE" == visit.text.strip()  # the brand's CSS (upper case) applies

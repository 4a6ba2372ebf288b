"""What people read: scan --format html, --lang, msgscan report, the terminal and the progress bar."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reports.i18n import Lang
from reports.render.terminal import TerminalRenderer
from reports.render.text import TextRenderer
from reports.report import validate
from scanner.app.cli import OutputFormat, main
from scanner.app.show import RoundProgress, chosen_lang, text_renderer, wants_color

ROOT = Path(__file__).resolve().parents[1]
A16 = str(ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "report.json"
    run(capsys, "scan", "--replay", A16, "--format", "json", "--lang", "de", "-o", str(path))
    return path


def test_every_format_has_a_renderer() -> None:
    """Each --format choice maps to a renderer (the match is exhaustive)."""
    for fmt in OutputFormat:
        assert fmt.renderer(Lang.DE).media_type


class TestScanHtml:
    def test_one_self_contained_page(self, capsys: pytest.CaptureFixture[str]) -> None:
        """scan --format html writes one page with inline CSS, no script and nothing external."""
        code, out, _ = run(capsys, "scan", "--replay", A16, "--format", "html", "--lang", "en")

        assert 1 == code
        assert out.startswith("<!DOCTYPE html>") and "<style>" in out
        assert "<script" not in out and "http://" not in out and "https://" not in out
        assert "default-src 'none'" in out
        assert "NOT COMPLIANT: 9 failed findings" in out

    def test_german_page(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With --lang de the page speaks German, with the article's reference kept."""
        _, out, _ = run(capsys, "scan", "--replay", A16, "--format", "html", "--lang", "de")

        assert '<html lang="de">' in out
        for text in ("NICHT KONFORM", "Messenger je Profil", "Bestätigungsblatt", "Unterschrift",
                     "Messenger-Vergleich des Artikels", "Berufsgeheimnisträgern"):
            assert text in out

    def test_whole_comparison_found_marked(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The article's whole comparison (all five messengers) is on the page; WhatsApp and
        Telegram, found on this phone, are marked, Threema is not."""
        _, out, _ = run(capsys, "scan", "--replay", A16, "--format", "html", "--lang", "en")
        table = out[out.index("The article&#x27;s comparison of messengers"):]
        table = table[: table.index("</table>")]

        for name in ("Threema GmbH", "Telegram Messenger Inc.", "Wire Swiss GmbH",
                     "Signal Technology Foundation"):
            assert name in table
        assert 2 == table.count('<th class="found">')
        assert '<th class="found">Telegram <span class="mark">' in table
        assert "<th>Threema / Threema Work</th>" in table


class TestLanguage:
    @pytest.mark.parametrize(("environ", "expected"), [({"LANG": "de_DE.UTF-8"}, "Ergebnis"),
                                                       ({"LANG": "en_GB.UTF-8"}, "Verdict")])
    def test_default_from_the_locale(self, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch, environ: dict[str, str],
                                     expected: str) -> None:
        """Without --lang the locale decides."""
        for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)

        _, out, _ = run(capsys, "scan", "--replay", A16, "--format", "text")

        assert expected in out.splitlines()[4]

    def test_flag_wins(self) -> None:
        """--lang overrides the locale."""
        assert Lang.EN == chosen_lang("en", {"LANG": "de_DE.UTF-8"})

    def test_json_stays_neutral_with_texts_beside(self, saved: Path) -> None:
        """The JSON keeps ids and English titles; German texts sit in "texts", and it validates."""
        report = json.loads(saved.read_text())

        validate(report)
        [msg01] = [f for f in report["findings"] if f["check_id"] == "MSG-01"]
        assert "Consumer WhatsApp instead of WhatsApp Business" == msg01["title"]
        assert "de" == report["texts"]["lang"]
        assert "Privates WhatsApp statt WhatsApp Business" == report["texts"]["checks"]["MSG-01"]["title"]


class TestReportCommand:
    def test_html_from_a_saved_report(self, saved: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
        """msgscan report renders the saved JSON as the page, in the language asked for."""
        out = tmp_path / "out.html"
        code, _, _ = run(capsys, "report", str(saved), "--format", "html", "--lang", "en", "-o", str(out))

        assert 0 == code
        assert "NOT COMPLIANT: 9 failed findings" in out.read_text()

    def test_text_from_a_saved_report(self, saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--format text gives the same summary a scan prints."""
        _, scanned, _ = run(capsys, "scan", "--replay", A16, "--format", "text", "--lang", "en")
        _, shown, _ = run(capsys, "report", str(saved), "--format", "text", "--lang", "en")

        assert scanned.splitlines()[1:] == shown.splitlines()[1:]  # line 0 names the scan id

    def test_fleet_summary_gives_the_fleet_page(self, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
        """A fleet-summary.json renders as the fleet page, phone ids escaped."""
        summary = {
            "fleet_summary_version": 1, "generated": "2026-11-26T07:00:00Z", "round": None,
            "checks": ["MSG-01"],
            "devices": [{"device": "<b>x</b>", "via": "usb", "state": "busy", "error": None,
                         "first_seen": None, "last_seen": None, "last_scan": None, "checks": {},
                         "drift": {"new": [], "changed": [], "resolved": ["MSG-01|com.whatsapp|0"]}}],
            "totals": {"devices": 1, "non_compliant": 0, "not_scanned_this_round": 1, "new": 0,
                       "resolved": 1},
        }
        path = tmp_path / "fleet-summary.json"
        path.write_text(json.dumps(summary))

        code, out, _ = run(capsys, "report", str(path), "--lang", "en")

        assert 0 == code
        assert "&lt;b&gt;x&lt;/b&gt;" in out and "<b>x" not in out
        assert "resolved: MSG-01" in out

    @pytest.mark.parametrize(("content", "problem"), [
        (None, "no such file"),
        ("not json", "not JSON"),
        ("[]", "not a msgscan report"),
        ('{"schema_version": "1.0"}', "not a msgscan report of schema 1.x"),
    ])
    def test_bad_input(self, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       content: str | None, problem: str) -> None:
        """A missing, broken or foreign file exits 2 with the file, the problem and a hint."""
        path = tmp_path / "r.json"
        if content is not None:
            path.write_text(content)

        code, _, err = run(capsys, "report", str(path))

        assert 2 == code
        assert f"error: {path}: {problem}" in err and "hint: " in err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestTerminal:
    def test_plain_text_without_a_terminal(self) -> None:
        """Pipes and files get the plain 100-column summary."""
        assert isinstance(text_renderer(Lang.EN, terminal=False), TextRenderer)

    @pytest.mark.parametrize(("environ", "color"), [({}, True), ({"NO_COLOR": ""}, False),
                                                    ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)])
    def test_colour_unless_no_color(self, environ: dict[str, str], color: bool) -> None:
        """NO_COLOR (any value) and TERM=dumb turn colours off; the tables stay."""
        renderer = text_renderer(Lang.EN, terminal=True, environ=environ)

        assert isinstance(renderer, TerminalRenderer) and color == renderer.color
        assert color == wants_color(environ)

    def test_tables_without_colour_are_plain(self, saved: Path) -> None:
        """Without colour the terminal output has no escape codes and the same facts."""
        report = json.loads(saved.read_text())
        plain = TerminalRenderer(Lang.EN, width=100, color=False).render_report(report).decode()
        coloured = TerminalRenderer(Lang.EN, width=100, color=True).render_report(report).decode()

        assert "\x1b" not in plain and "\x1b[" in coloured
        assert "NOT COMPLIANT: 9 failed findings" in plain
        assert "Personal (user 0)" in plain and "WhatsApp 2.26.41.74, Telegram 12.1.1" in plain


class TestProgress:
    def test_silent_without_a_terminal(self) -> None:
        """The progress bar stays off when stderr is not a terminal."""
        stream = io.StringIO()
        progress = RoundProgress(stream, "Scanning phones")

        assert not progress.enabled
        progress.close()
        assert "" == stream.getvalue()

    def test_counts_phones_on_a_terminal(self) -> None:
        """On a terminal each recorded phone advances the bar; the recorder still runs first."""
        from types import SimpleNamespace

        stream, recorded = _Tty(), []
        progress = RoundProgress(stream, "Scanning phones")
        on_phone = progress.watch(2, recorded.append)
        for serial in ("A1", "B2\x1b[31m"):
            on_phone(SimpleNamespace(target=SimpleNamespace(id=serial), state="scanned"))
        progress.close()

        assert 2 == len(recorded)
        assert "2/2" in stream.getvalue() and "\x1b[31m" not in stream.getvalue()


def test_the_fix_shown_is_for_the_messenger_found(capsys: pytest.CaptureFixture[str]) -> None:
    """A Signal backup finding's first step is Signal's, not WhatsApp's (steps headed by a messenger
    name are kept for that messenger)."""
    a10 = str(ROOT / "scanner" / "recordings" / "android10-signal-threema-wire.json")
    _, out, _ = run(capsys, "scan", "--replay", a10, "--format", "text", "--lang", "en")
    block = out[out.index("MSG-03"):]

    assert block.split("Fix: ", 1)[1].startswith("Signal: ")

"""What a phone prints is data: markup and terminal escapes from it never act in any output.

The decoder already turns a raw ESC or BEL into U+FFFD; a C1 CSI (U+009B) gets through to the
facts, and the renderers must drop it. Markup must reach HTML escaped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks.policy import DEFAULT
from reports.i18n import Lang
from reports.render.terminal import TerminalRenderer
from scanner import probes, recording
from scanner.app.cli import main
from scanner.recording import Command, Recording
from scanner.replay import ReplayTransport
from scanner.app.scan import scan_result

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json"

SCRIPT = "<script>alert(1)</script>"
ANSI = "\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\x9b2J"
MODEL = f'Pixel"><img src=x onerror=alert(2)>{SCRIPT}{ANSI}'
VERSION = f"2.26.41.74{SCRIPT}{ANSI}"


def _plant(argv: tuple[str, ...], out: bytes) -> bytes:
    """A model name and a version name full of markup and escape sequences."""
    if argv == probes.GETPROP.argv:
        return re.sub(rb"\[ro\.product\.model\]: \[[^\]]*\]",
                      b"[ro.product.model]: [" + MODEL.encode() + b"]", out)
    if argv == probes.PACKAGES.argv:
        return out.replace(b"versionName=2.26.41.74", b"versionName=" + VERSION.encode())
    return out


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    base = recording.load(BASE)
    commands = tuple(Command(c.argv, _plant(c.argv, c.stdout), c.stderr, c.exit_code) for c in base.commands)
    path = tmp_path / "hostile.json"
    recording.save(Recording(base.device, commands, base.meta), path)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(list(argv))
    return capsys.readouterr().out


def test_the_plant_reaches_the_report(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The planted strings are in the facts (so the other tests test something)."""
    out = _run(capsys, "scan", "--replay", str(hostile), "--format", "json")

    assert "<script>alert(1)</script>" in out and "onerror" in out


@pytest.mark.parametrize("lang", ["en", "de"])
def test_html_escapes_markup_and_drops_escapes(hostile: Path, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    """In HTML the markup is text (escaped), and no escape sequence or control character is left."""
    page = _run(capsys, "scan", "--replay", str(hostile), "--format", "html", "--lang", lang)

    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert not any(c in page for c in "\x1b\x07\x9b")


def test_text_drops_escapes(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The plain summary keeps the text and loses every escape sequence."""
    out = _run(capsys, "scan", "--replay", str(hostile), "--format", "text")

    assert not any(c in out for c in "\x1b\x07\x9b")
    assert "2.26.41.74<script>alert(1)</script>" in out


@pytest.mark.parametrize("color", [True, False])
def test_terminal_keeps_only_its_own_escapes(hostile: Path, color: bool) -> None:
    """rich output colours its own labels, but nothing from the phone escapes or styles itself."""
    result = scan_result(ReplayTransport(recording.load(hostile)), DEFAULT, timeout=30)
    out = TerminalRenderer(Lang.EN, width=120, color=color).render(result).decode()

    assert "\x07" not in out and "\x9b" not in out and "\x1b[31mRED" not in out and "\x1b]" not in out
    assert "<script>alert(1)</script>" in re.sub(r"\x1b\[[0-9;]*m", "", out)
    if not color:
        assert "\x1b" not in out

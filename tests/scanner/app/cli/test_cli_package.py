"""The CLI package (issue 13 item 2): the parser's --help unchanged by the split, every command
dispatched to a module, exit codes one enum, the constants the parser keeps to stay light equal
to their sources."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from reports.i18n import Lang
from reports.signing import ENV_KEY
from scanner.app.cli import ExitCode, build_parser, main
from scanner.app.cli.argtypes import LANGS
from scanner.app.cli.core import COMMANDS, SILENT, command
from scanner.app.cli.definition import BUNDLED_RECORDINGS, DEMO_RECORDING
from scanner.app.cli.epilogs import EPILOG
from scanner.app.cli.options import SIGNING_KEY_ENV
from scanner.recordings import build

GOLDEN = Path(__file__).resolve().parents[3] / "golden" / "help.txt"
PACKAGE = Path(__file__).resolve().parents[4] / "scanner" / "app" / "cli"


def helps(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """Every command's --help at 100 columns, in the golden file's layout."""
    monkeypatch.setenv("COLUMNS", "100")
    out = []
    for words in (
        [],
        ["scan"],
        ["simulate"],
        ["agent"],
        ["report"],
        ["checks"],
        ["devices"],
        ["snapshot"],
        ["record"],
        ["parse"],
        ["parse", "dumpsys-package"],
        ["keygen"],
        ["verify"],
        ["attest"],
    ):
        with pytest.raises(SystemExit) as done:
            main([*words, "--help"])
        assert 0 == done.value.code
        out.append(" ".join(["==> msgscan", *words, "--help"]) + "\n" + capsys.readouterr().out)
    return "".join(out)


def test_help_is_unchanged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--help of every command is what it was before the CLI became a package (a new option
    changes tests/golden/help.txt on purpose, together with packaging/generate.py's files)."""
    assert GOLDEN.read_text(encoding="utf-8") == helps(monkeypatch, capsys)


def test_every_command_is_dispatched() -> None:
    """Each subcommand of the parser has a module and a function in the dispatch table."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)
    for name in COMMANDS:
        assert callable(command(name))
    assert SILENT < set(COMMANDS)


def test_exit_codes_are_the_documented_ones() -> None:
    """ExitCode holds the codes the top-level epilog documents, with the values it names."""
    assert (0, 1, 2, 3, 141) == tuple(ExitCode)
    assert ["OK", "FAILED", "USAGE", "INCOMPLETE", "CLOSED_PIPE"] == [c.name for c in ExitCode]
    said = " ".join(EPILOG.split())
    assert said.startswith("exit codes: 0 done")
    for phrase in (
        "1 when a check failed",
        "2 could not scan or bad input",
        "3 when the round is incomplete",
        "ends quietly with 141",
    ):
        assert phrase in said


def test_light_constants_match_their_sources() -> None:
    """What the parser spells out to avoid heavy imports equals the modules it stands for."""
    assert tuple(lang.value for lang in Lang) == LANGS
    assert tuple(name.removesuffix(".json") for name in build.SHIPPED) == BUNDLED_RECORDINGS
    assert DEMO_RECORDING in BUNDLED_RECORDINGS
    assert ENV_KEY == SIGNING_KEY_ENV


def test_modules_are_small() -> None:
    """Every module of the CLI package reads in one sitting (at most 400 lines)."""
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 400} == {}
    assert re.search(r"\bdef main\b", (PACKAGE / "core.py").read_text())

"""``habits.terminal_columns``: the width argparse's help formatter would take from ``shutil``,
without importing it (start-up), for every ``$COLUMNS`` and every kind of standard output."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
PROBE = (
    "import json, sys\nfrom scanner.app.cli.habits import terminal_columns\n"
    "mine = terminal_columns()\nloaded = 'shutil' in sys.modules\nimport shutil\n"
    "print(json.dumps([mine, shutil.get_terminal_size().columns, loaded]), file=sys.stderr)\n"
)


def _run(env: dict[str, str], stdout: int | None) -> tuple[int, int, bool]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=True,
        text=True,
        timeout=60,
    )
    mine, theirs, loaded = json.loads(out.stderr.strip().splitlines()[-1])
    return mine, theirs, loaded


COLUMNS = [None, "120", "0", "-7", "abc", "", " 90 ", "100000"]


@pytest.mark.parametrize("columns", COLUMNS)
@pytest.mark.parametrize("where", ["pipe", "null", "closed"])
def test_off_a_terminal_the_width_is_shutil_s(columns: str | None, where: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    if where == "closed":
        code = "import os; os.close(1)\n"
        out = subprocess.run(
            [sys.executable, "-c", code + PROBE],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            check=True,
            text=True,
            timeout=60,
        )
        mine, theirs, loaded = json.loads(out.stderr.strip().splitlines()[-1])
    else:
        target = subprocess.PIPE if where == "pipe" else subprocess.DEVNULL
        mine, theirs, loaded = _run(env, target)
    assert not loaded
    assert mine == theirs


@pytest.mark.parametrize("columns", COLUMNS)
@pytest.mark.parametrize("size", [(24, 132), (50, 0), (0, 0), (10, 33)])
def test_on_a_terminal_the_width_is_shutil_s(columns: str | None, size: tuple[int, int]) -> None:
    """Standard output a terminal of ``(rows, columns)`` (0 columns: a terminal that says none)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    main_fd, terminal = pty.openpty()
    try:
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        mine, theirs, loaded = _run(env, terminal)
    finally:
        os.close(terminal)
        os.close(main_fd)
    assert not loaded
    assert mine == theirs


@pytest.mark.parametrize("columns", ["60", "140", None])
def test_every_help_text_is_what_argparse_s_own_formatter_writes(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command's help and usage, formatted by ``MsgscanParser``'s formatter and by
    argparse's own ``_get_formatter`` (which imports ``shutil``), are the same text."""
    import argparse

    from scanner.app.cli.definition import build_parser

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    parsers = [build_parser()]
    for parser in parsers:  # the tree: every subcommand's, nested ones too
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    assert len(parsers) > 10
    for parser in parsers:
        mine = (parser.format_help(), parser.format_usage())
        with monkeypatch.context() as m:
            m.setattr(type(parser), "_get_formatter", argparse.ArgumentParser._get_formatter)
            theirs = (parser.format_help(), parser.format_usage())
        assert mine == theirs, parser.prog

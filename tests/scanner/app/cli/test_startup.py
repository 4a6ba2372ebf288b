"""Start-up (issue 18 item 1): what ``import scanner.app.cli`` and each command load. Times are
measured in bench/startup.py (bench/RESULTS.md, "Start-up"); here the modules behind them are
pinned: each check runs a fresh interpreter and reads its ``sys.modules``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from importlib.metadata import version
from pathlib import Path

import pytest

import scanner

ROOT = Path(__file__).resolve().parents[4]
A16 = ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json"
HEAVY = (
    "jsonschema",
    "rich",
    "pygments",
    "importlib.metadata",
    "reports.render.html",
    "reports.render.json",
    "reports.render.terminal",
    "scanner.recordings.build",
    "scanner.app.agent",
    "scanner.simphone",
    "cryptography",
    "structlog",
)
"""Modules the entry point and the parser must not load (each costs start-up time)."""


def loaded(code: str, *names: str) -> list[str]:
    """Which of ``names`` a fresh interpreter has loaded after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps([n for n in {list(names)!r} if n in sys.modules]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "MSGSCAN_SIGNING_KEY"}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def run_main(*argv: str) -> str:
    """Code that runs ``msgscan ARGV`` in-process with stdout thrown away (exit code kept)."""
    return (
        "import io, sys\nfrom scanner.app.cli import main\n"
        "sys.stdout = io.TextIOWrapper(io.BytesIO())\n"
        f"code = main({list(argv)!r})\nsys.stdout = sys.__stdout__\n"
    )


def test_version_is_the_distribution_s() -> None:
    """The version constant (no importlib.metadata at start-up) is what pyproject.toml says."""
    assert version("msgscan") == scanner.__version__


def test_the_entry_point_loads_nothing_heavy() -> None:
    """``import scanner.app.cli`` loads no renderer, schema, rich, structlog or command module."""
    assert [] == loaded(
        "import scanner.app.cli",
        *HEAVY,
        "scanner.app.cli.definition",
        "scanner.app.cli.scan",
        "scanner.app.cli.report",
    )


def test_the_entry_point_is_the_dispatch_alone() -> None:
    """Of msgscan's own modules, ``import scanner.app.cli`` loads the dispatch (``core``, its
    exit codes, habits and epilogs) and the error classes: no command module, no parser."""
    code = (
        "import json, sys, scanner.app.cli\nprint(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in ('scanner', 'checks', 'reports'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [
        "checks",
        "checks.errors",
        "scanner",
        "scanner.app",
        "scanner.app.cli",
        "scanner.app.cli.core",
        "scanner.app.cli.epilogs",
        "scanner.app.cli.exits",
        "scanner.app.cli.habits",
    ] == json.loads(out.stdout)


def test_the_parser_loads_nothing_heavy() -> None:
    """Building the parser (every command's --help) loads none of the heavy modules either."""
    assert [] == loaded("from scanner.app.cli import build_parser\nbuild_parser()", *HEAVY)


def test_help_loads_nothing_heavy() -> None:
    """``msgscan scan --help`` exits from the parser without loading a command."""
    code = (
        "import contextlib, io\nfrom scanner.app.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['scan', '--help'])\n"
    )
    assert [] == loaded(code, *HEAVY, "checks.registry", "reports.i18n")


def test_checks_loads_no_logging_or_renderers() -> None:
    """``msgscan checks`` logs nothing: structlog (and asyncio) stay unloaded, no renderer."""
    assert [] == loaded(run_main("checks"), *HEAVY, "asyncio")


def test_replay_scan_loads_only_what_it_uses(tmp_path: Path) -> None:
    """A text scan of a recording loads structlog (it logs) but not rich, jsonschema, HTML,
    JSON or the recording builder; with -v into a pipe it still needs no rich."""
    assert [] == loaded(run_main("scan", "--replay", str(A16)), "reports.signing")  # no key given
    expected = ["structlog"]
    assert expected == loaded(run_main("scan", "--replay", str(A16)), *HEAVY[:-3], "structlog")
    assert expected == loaded(
        run_main("-v", "scan", "--replay", str(A16)), *HEAVY[:-3], "structlog"
    )


def test_rendering_a_saved_report_loads_the_schema_and_its_renderer(tmp_path: Path) -> None:
    """jsonschema loads where validation is: ``msgscan report`` (and only the renderer asked)."""
    report = tmp_path / "r.json"
    loaded(run_main("scan", "--replay", str(A16), "-o", str(report)))
    names = (
        "jsonschema",
        "reports.render.csv",
        "reports.render.html",
        "reports.render.json",
        "rich",
    )
    assert ["jsonschema", "reports.render.csv"] == loaded(
        run_main("report", str(report), "--format", "csv"), *names
    )


@pytest.mark.parametrize(
    "argv", [["checks", "--json"], ["keygen", "{tmp}/k"], ["parse", "dumpsys-package", "{tmp}/x"]]
)
def test_silent_commands_leave_structlog_unloaded(argv: list[str], tmp_path: Path) -> None:
    """Commands that log nothing do not import structlog, even with -v."""
    (tmp_path / "x").write_text("Packages:\n")
    words = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert [] == loaded(run_main("-v", *words), "structlog", "rich")


def test_rich_loads_for_logs_only_on_a_terminal_when_asked() -> None:
    """With stderr on a terminal, structlog gets rich (pretty tracebacks) only with -v: a scan
    without -v shows warnings alone and leaves rich unloaded."""
    import pty

    def on_terminal(*argv: str) -> list[str]:
        probe = (
            run_main(*argv) + "import json\n"
            "print(json.dumps([n for n in ('rich', 'structlog') if n in sys.modules]))"
        )
        main_fd, terminal = pty.openpty()
        drain = threading.Thread(target=_drain, args=(main_fd,), daemon=True)  # never a full pty
        drain.start()
        try:
            out = subprocess.run(
                [sys.executable, "-c", probe],
                cwd=ROOT,
                stderr=terminal,
                stdout=subprocess.PIPE,
                check=True,
                text=True,
                timeout=120,
            )
        finally:
            os.close(terminal)
            os.close(main_fd)
        found: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
        return found

    assert ["structlog"] == on_terminal("scan", "--replay", str(A16))
    assert ["rich", "structlog"] == on_terminal("-v", "scan", "--replay", str(A16))


def _drain(fd: int) -> None:
    """Read what the child writes to its terminal until it is closed."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass

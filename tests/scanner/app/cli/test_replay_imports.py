"""What a replay scan of the shipped Android 16 recording does not import (issue 18 item 1,
session 24: bench/RESULTS.md, "Start-up"). Each check runs a fresh interpreter and reads its
``sys.modules``."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.scanner.app.cli.test_startup import A16, ROOT, run_main


def loaded(code: str, *names: str) -> list[str]:
    """Which of ``names`` a fresh interpreter has loaded after running ``code``, started as an
    installed copy starts: without ``site``'s ``.pth`` hooks (an editable install's finder
    imports ``pathlib`` itself), with the tree and this venv's libraries on ``sys.path``."""
    paths = [str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    probe = (
        f"import sys\nsys.path[:0] = {paths!r}\n{code}\nimport json\n"
        f"print(json.dumps([n for n in {list(names)!r} if n in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return found

PATHLIB = ("pathlib", "urllib", "urllib.parse", "ipaddress", "fnmatch", "ntpath", "importlib.util")
"""``pathlib`` and what it imports (16 M instructions of a replay's 454 M): the recording's
path is the text ``Path`` would make of it (``scanner.files.path_text``)."""


def test_a_replay_loads_no_pathlib() -> None:
    assert loaded("pass", *PATHLIB) == []
    assert loaded(run_main("checks"), *PATHLIB) == []
    assert loaded(run_main("scan", "--replay", str(A16)), *PATHLIB) == []
    assert loaded(run_main("scan", "--replay", str(A16), "--format", "json"), *PATHLIB) == []


def test_a_replay_loads_no_schema_check_and_a_saved_report_loads_it(tmp_path: Path) -> None:
    """``reports.report`` re-exports ``validate``, ``ReportInvalid`` and ``SCHEMA_PATH`` when
    asked: a replay's report is never validated, ``msgscan report`` validates."""
    assert loaded(run_main("scan", "--replay", str(A16)), "reports.schema_check") == []
    report = tmp_path / "r.json"
    loaded(run_main("scan", "--replay", str(A16), "-o", str(report)))
    code = run_main("report", str(report), "--format", "csv")
    assert loaded(code, "reports.schema_check") == ["reports.schema_check"]


def test_the_schema_check_s_names_are_the_report_module_s() -> None:
    import reports.report
    import reports.schema_check

    for name in ("SCHEMA_PATH", "ReportInvalid", "validate"):
        assert getattr(reports.report, name) is getattr(reports.schema_check, name)
    assert not hasattr(reports.report, "no_such_name")

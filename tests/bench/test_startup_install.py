"""bench/startup.py measures msgscan as a user installs it (README: ``pip install .``), not this
venv's editable install (bench/RESULTS.md, "Start-up", session 20)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.startup import install
from checks.registry import CHECKS

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_runs_an_installed_copy_not_the_tree(tmp_path: Path) -> None:
    """The console script it measures imports msgscan from its own venv (a copy of the tree's
    packages), without the editable install's finder, and runs: ``msgscan checks --json``."""
    script = install(ROOT, tmp_path / "copy")
    probe = (
        "import json, sys, scanner.app.cli\n"
        "print(json.dumps([scanner.app.cli.__file__, [m for m in sys.modules if 'editable' in m]]))"
    )
    python = script.with_name("python")
    out = subprocess.run(
        [str(python), "-c", probe], cwd=tmp_path, check=True, capture_output=True, text=True
    )
    where, finders = json.loads(out.stdout)
    assert Path(where).is_relative_to(tmp_path / "copy" / "venv"), where
    assert finders == []
    listing = subprocess.run(
        [str(script), "checks", "--json"], cwd=tmp_path, check=True, capture_output=True
    )
    assert len(json.loads(listing.stdout)["checks"]) == len(CHECKS)

"""bench/startup.py's baseline ``python -c pass`` is the interpreter msgscan runs in
(bench/RESULTS.md, "Start-up", session 23): an installed copy's console script and its baseline
start the same Python, and neither loads this venv's editable-install finder (a ``.pth`` hook
that ran in the baseline of sessions 19-22 but not in the msgscan measured against it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.startup import baseline, install

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import json, sys; print(json.dumps([sys.executable, sorted(sys.modules)]))"


def test_the_baseline_is_the_installed_copy_s_interpreter(tmp_path: Path) -> None:
    script = install(ROOT, tmp_path / "copy")
    shebang = script.read_text().splitlines()[0].removeprefix("#!")
    python = str(script.with_name("python"))
    assert Path(shebang).resolve() == Path(python).resolve()
    argv = baseline(python)
    assert argv == [python, "-c", "pass"]
    probe = [*argv[:-1], PROBE]
    out = subprocess.run(probe, cwd=tmp_path, check=True, capture_output=True, text=True)
    executable, modules = json.loads(out.stdout)
    assert Path(executable).is_relative_to(tmp_path / "copy" / "venv")
    assert not [m for m in modules if "editable" in m]
    assert "pathlib" not in modules  # what the editable finder imports

"""bench/startup_modules.py's attribution (bench/RESULTS.md, "Start-up", session 25): each part
between two marks goes to the module whose loading is innermost, a part outside every loading to
the import machinery; the marked program marks each of msgscan's modules once, nested as they
import each other, and loads nothing of msgscan before its marks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.startup_modules import MACHINERY, own_costs, program

ROOT = Path(__file__).resolve().parents[2]


def test_parts_go_to_the_innermost_loading_module() -> None:
    # a starts, a imports b (b starts, b ends), a ends, c starts, c ends; then the program's end
    events = ["a", "b", "", "", "c", ""]
    counts = [1000, 10, 20, 30, 40, 50, 7000]  # the start, the five parts between, the end
    assert own_costs(events, counts) == {"a": 10 + 30, "b": 20, MACHINERY: 40, "c": 50}
    with pytest.raises(ValueError, match="parts"):
        own_costs(events, counts[:-1])


def test_the_marked_program_marks_each_module_once_nested(tmp_path: Path) -> None:
    out = tmp_path / "events.json"
    ours = ["checks.errors", "checks.facts", "checks.findings"]
    code = program(["json", "enum"], ours, out)  # the rest unmarked
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    events: list[str] = json.loads(out.read_text())
    starts = [e for e in events if e]
    assert len(starts) == len(set(starts)) and set(ours) <= set(starts)
    depth = 0
    for e in events:
        depth += 1 if e else -1
        assert depth >= 0
    assert depth == 0 and len(events) == 2 * len(starts)
    assert all(s.split(".")[0] in ("checks", "scanner", "reports") for s in starts)

"""The goal msgscan controls (issue 18 item 1, session 25; bench/RESULTS.md, "Start-up",
"Session 25 (start10)"): msgscan's own share of a command's start-up, the command less its floor
less its own work, at most 2 x ``python -c pass``, printed beside the old bound in both of
``bench/startup.py``'s tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.startup_count import HEADER, count_row
from bench.startup_floor import SHARE_COLUMN, SHARE_GOAL, SHARE_RATIO, own_share, share_cell

ROOT = Path(__file__).resolve().parents[2]


def test_the_own_share_is_the_command_less_its_floor_less_its_own_work() -> None:
    assert own_share(437.0, 192.0, 119.0) == pytest.approx(126.0)
    assert own_share(0.099, 0.051, 0.017) == pytest.approx(0.031)
    assert SHARE_RATIO == 2.0


def test_the_share_cell_says_yes_only_within_two_passes() -> None:
    assert share_cell(437.0, 192.0, 119.0, 36.2, 1) == "NO (126.0 vs 72.4)"
    assert share_cell(300.0, 192.0, 50.0, 36.2, 1) == "yes (58.0 vs 72.4)"
    assert share_cell(100.0, 20.0, 8.0, 36.0, 1) == "yes (72.0 vs 72.0)"  # at the bound: met
    assert share_cell(100.0, 20.0, 7.9, 36.0, 1) == "NO (72.1 vs 72.0)"
    assert share_cell(0.099, 0.051, 0.017, 0.010, 3) == "NO (0.031 vs 0.020)"
    assert share_cell(0.099, 0.070, 0.017, 0.010, 3) == "yes (0.012 vs 0.020)"


def test_the_count_row_puts_both_goals_side_by_side() -> None:
    row = count_row("msgscan scan --replay android16", 454.1, 436.9, 119.0, 36.2, 191.8)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells == [
        "`msgscan scan --replay android16`",
        "454.1",
        "436.9",
        "0.962",
        "119.0",
        "NOT met (436.9 > 227.6)",
        "191.8",
        "NO (126.1 vs 72.4)",
    ]
    met = count_row("msgscan --help", None, 120.0, 22.7, 36.2, 80.0)
    assert [c.strip() for c in met.strip("|").split("|")][1:] == [
        "",
        "120.0",
        "",
        "22.7",
        "met (120.0 <= 131.3)",
        "80.0",
        "yes (17.3 vs 72.4)",
    ]
    assert len(HEADER.strip("|").split("|")) == len(cells)
    assert HEADER.rstrip(" |").endswith(SHARE_COLUMN)


def results_section() -> str:
    text = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    start = text.index("### Session 25 (start10)")
    end = text.find("\n## ", start)
    return text[start : end if end != -1 else len(text)]


def test_results_states_the_goal_the_bench_prints() -> None:
    section = results_section()
    assert SHARE_GOAL in section
    headers = [line for line in section.splitlines() if line.startswith("| command |")]
    assert headers and all(SHARE_COLUMN in h for h in headers[:2])
    assert HEADER in headers
    for line in section.splitlines():  # every verdict of the column follows from its figures
        for verdict, share, allowance in re.findall(r"\b(yes|NO) \(([\d.]+) vs ([\d.]+)\)", line):
            assert (verdict == "yes") == (float(share) <= float(allowance)), line

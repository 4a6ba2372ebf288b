"""bench/agent_round.py's table row names how the workers were started (fork or spawn), from the
agent's ``workers.started`` line, so that a pair of rows says which start each side paid for."""

from __future__ import annotations

import argparse

from bench.agent_round import row


def _run(start: str, processes: int = 2) -> dict[str, float | str]:
    return {
        "wall": 10.0, "cpu": 5.0, "peers_cpu": 2.0, "rss_mb": 200.0, "pss_mb": 150.0,
        "max_process_mb": 80.0, "processes": processes, "start": start, "phones": 50,
        "scanned": 50, "median_phone": 1.0, "exit": 1,
    }  # fmt: skip


ARGS = argparse.Namespace(phones=50, phone="large", latency_ms=2.0)


def test_the_row_names_the_start_method() -> None:
    assert "| 2 (fork) | 2 |" in row("this", "auto", ARGS, [_run("fork"), _run("fork")])  # type: ignore[arg-type]
    assert "| 2 (fork/spawn) |" in row("x", "auto", ARGS, [_run("fork"), _run("spawn")])  # type: ignore[arg-type]


def test_a_round_without_workers_names_none() -> None:
    assert "| 1 | 1 |" in row("one", "auto", ARGS, [_run("", 1)])  # type: ignore[arg-type]

"""What bench/agent_phone.py --pieces says it counts: each wrapped piece its own thread CPU, the
pieces it calls excluded, so the pieces add up to the outermost one's time."""

from __future__ import annotations

import sys
import time
import types

import pytest

from bench import agent_phone


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_piece_counts_its_own_time_without_its_childrens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = types.ModuleType("fake_scan")

    def inner() -> None:
        _burn(0.05)

    def outer() -> None:
        _burn(0.02)
        fake.inner()

    fake.inner, fake.outer = inner, outer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_scan", fake)
    monkeypatch.setattr(
        agent_phone,
        "PIECES",
        (
            ("fake_scan", "inner", "inner"),
            ("fake_scan", "absent", "gone"),
            ("fake_scan", "outer", "outer"),
        ),
    )
    pieces = agent_phone.Pieces()
    fake.outer()  # type: ignore[attr-defined]
    assert 0.05 <= pieces.own["inner"] < 0.065
    assert 0.02 <= pieces.own["outer"] < 0.035  # the 0.05 s of inner not counted again
    assert pieces.own["gone"] == 0.0 and not pieces.stack

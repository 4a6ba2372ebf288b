"""The agent's cap on glibc malloc arenas (scanner/malloc.py)."""

from __future__ import annotations

import sys

import pytest

from scanner.malloc import limit_arenas


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_sets_the_cap_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    """On glibc the cap is set; an operator's MALLOC_ARENA_MAX is left to win."""
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_arenas(8) is True
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_arenas(2) is False

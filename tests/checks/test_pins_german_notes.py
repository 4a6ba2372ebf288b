"""Pins for mutants of ``checks/alternatives.py``'s ``note_de`` that the rule tests let live:
the German report's comparison row carries the article's German note of that row (never
another row's, never none), and a key with no row is refused (the report falls back to the
English note it holds)."""

from __future__ import annotations

import pytest

from checks.alternatives import ALTERNATIVES, note_de


def test_each_row_has_its_own_german_note() -> None:
    assert note_de("threema").startswith("Laut Artikel am besten mit der DSGVO vereinbar")
    assert [note_de(a.key) for a in ALTERNATIVES] == [a.note_de for a in ALTERNATIVES]
    assert len({a.note_de for a in ALTERNATIVES}) == len(ALTERNATIVES)


def test_a_key_without_a_row_is_refused() -> None:
    with pytest.raises(LookupError):
        note_de("skype")

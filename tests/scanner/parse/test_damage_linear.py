"""Damage.note stays linear in its blocks: a garbled dump with 100,000 damaged headers is read in
about the time of its lines, not of their square (pmlist7 measured 95 s with a list lookup)."""

import time

from scanner.parse.damage import Damage


def test_many_blocks_are_noted_in_linear_time() -> None:
    damage = Damage()
    start = time.process_time()
    for i in range(100_000):
        damage.note("unreadable header", f"pkg{i}", line=i)
    elapsed = time.process_time() - start
    assert (damage.lines, len(damage.blocks)) == (100_000, 100_000)
    assert damage.blocks[:2] == ["'pkg0'", "'pkg1'"]
    assert elapsed < 5.0  # quadratic: about 95 s


def test_a_block_noted_twice_is_listed_once() -> None:
    damage = Damage()
    damage.note("a", "com.whatsapp", line=1)
    damage.note("b", "com.whatsapp", line=2)
    assert damage.blocks == ["'com.whatsapp'"]
    assert damage.describe("package") == (
        "2 lines could not be read: a (1), b (1); in 1 package ('com.whatsapp')"
    )

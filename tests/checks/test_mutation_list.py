"""bench/RESULTS.md's mutation scores leave out the mutants bench/mutation-equivalent.txt names:
each entry must name a mutant the mutator still makes (an edit that moves a line makes it stale,
and a stale entry would leave out nothing, or the wrong mutant), once, with a reason."""

from __future__ import annotations

from collections import Counter

from bench.mutants import ROOT, enum_members, find_mutants
from bench.mutation import EQUIVALENT, load_equivalent


def test_every_equivalent_mutant_still_exists_with_a_reason() -> None:
    listed = load_equivalent()
    enums = enum_members([ROOT / "checks", ROOT / "scanner", ROOT / "reports"])
    files = {mutant_id.split(":")[0] for mutant_id in listed}
    made = {m.id for path in files for m in find_mutants(ROOT / path, enums)}

    assert [] == sorted(set(listed) - made)
    assert all(listed.values())


def test_listed_once() -> None:
    ids = [
        line.partition("#")[0].strip()
        for line in EQUIVALENT.read_text(encoding="utf-8").splitlines()
        if line.partition("#")[0].strip()
    ]
    assert [] == [i for i, n in Counter(ids).items() if n > 1]

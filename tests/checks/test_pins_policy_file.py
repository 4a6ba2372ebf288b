"""Pins for mutants of ``checks/policy_file.py`` that its tests let live.

A refusal names the [[waive]] entry in English ordinals (1st, 2nd, 3rd, 4th ... 11th, 12th,
13th ... 21st, 22nd, 23rd ... 101st, 111th), so the entry can be found in a long file.
"""

from __future__ import annotations

import pytest

from checks.errors import PolicyError
from checks.policy_file import parse_policy
from tests.checks.test_policy_file import KNOWN, WAIVER, WAIVER_WITHOUT_UNTIL

ORDINALS = {2: "2nd", 3: "3rd", 4: "4th", 10: "10th", 11: "11th", 12: "12th", 13: "13th",
            20: "20th", 21: "21st", 22: "22nd", 23: "23rd", 101: "101st", 111: "111th",
            112: "112th"}  # fmt: skip


@pytest.mark.parametrize(("n", "ordinal"), sorted(ORDINALS.items()))
def test_the_nth_waiver_is_named_by_its_ordinal(n: int, ordinal: str) -> None:
    data = b"[[waive]]\n" + WAIVER
    data = data * (n - 1) + b"[[waive]]\n" + WAIVER_WITHOUT_UNTIL
    with pytest.raises(PolicyError) as caught:
        parse_policy(data, "policy.toml", known_checks=KNOWN)
    assert f"policy.toml: waive[{n - 1}].until (the {ordinal} [[waive]]): " in caught.value.problem

"""Pins for mutants of ``checks/toml_reader.py`` that the policy tests let live.

A refusal quotes the wrong value it found, at most 40 characters of it: a value that fits is
quoted whole (so the user sees exactly what they wrote), a longer one is cut to 37 + "...".
"""

from __future__ import annotations

import pytest

from checks.errors import PolicyError
from checks.policy_file import parse_policy
from tests.checks.test_policy_file import KNOWN


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("9" * 39, "9" * 39),
        ("9" * 40, "9" * 40),
        ("9" * 41, "9" * 37 + "..."),
        ("9" * 90, "9" * 37 + "..."),
    ],
)
def test_a_wrong_value_is_quoted_up_to_40_characters(value: str, quoted: str) -> None:
    data = f'[device]\nmin_android = "{value}"\n'.encode()
    with pytest.raises(PolicyError) as caught:
        parse_policy(data, "policy.toml", known_checks=KNOWN)
    assert f"got '{quoted}'," in caught.value.problem

"""Review 7: a policy number of the wrong type got the hint every integer gets,
``write min_android = 90``: a value the same key then refuses (6 to 20). The hint now gives the
key's own default."""

from __future__ import annotations

import pytest

from checks.errors import MsgscanError
from checks.policy_file import parse_policy
from checks.registry import INDEX


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("min_android = true", "write min_android = 14"),
        ('min_android = "14"', "remove the quotes: write min_android = 14"),
        ("min_android = 14.0", "write min_android = 14"),
        ("max_patch_age_days = 1e308", "write max_patch_age_days = 90"),
    ],
)
def test_the_hint_is_a_value_the_key_takes(line: str, hint: str) -> None:
    with pytest.raises(MsgscanError) as e:
        parse_policy(f"[device]\n{line}\n".encode(), "p.toml", known_checks=tuple(INDEX))
    assert e.value.hint == hint

"""The policy's [signers] table: pinned signing-certificate digests per package (MSG-08)."""

from __future__ import annotations

import pytest

from checks.errors import PolicyError
from checks.policy_file import parse_policy
from checks.registry import INDEX

DIGEST = "39:87:D0:43:D1:0A:EF:AF:5A:87:10:B3:67:14:18:FE:57:E0:E1:9B:65:3C:9D:F8:25:58:FE:B5:FF:CE:5D:44"
HEX = DIGEST.replace(":", "").lower()


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_policy(text.encode(), "acme.toml", known_checks=tuple(INDEX))


def test_quoted_and_dotted_package_keys() -> None:
    """Colons and case do not matter; an unquoted dotted key names the same package."""
    policy = parse(f'[signers]\n"com.whatsapp.w4b" = ["{DIGEST}"]\nch.threema.app = ["{HEX.upper()}"]\n')
    assert {"com.whatsapp.w4b": frozenset({HEX}), "ch.threema.app": frozenset({HEX})} == policy.signer_pins


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[signers]\n"com.whatsapp" = ["abc"]\n', 'signers."com.whatsapp"[0]'),
        ('[signers]\n"com.whatsapp" = []\n', "expected a list of SHA-256 digests"),
        ('[signers]\n"com.whatsapp" = "39:87"\n', "expected a list of SHA-256 digests"),
        ('[signers]\n"not a package" = ["' + HEX + '"]\n', "is not a package name"),
    ],
)
def test_bad_pins_name_the_key(text: str, problem: str) -> None:
    with pytest.raises(PolicyError) as e:
        parse(text)
    assert problem in str(e.value) + " ".join(str(a) for a in e.value.args)


def test_example_policy_still_parses() -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "policy.example.toml"
    assert {} == parse(example.read_text()).signer_pins

"""Pins for mutants of ``checks/result.py`` that the rule tests let live.

``ScanResult.pseudonymized`` is what tells the renderers to keep the real serial out of the
report: true exactly when the report names the phone by its pseudonym.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from checks.errors import UsageError
from checks.policy import DEFAULT
from checks.result import (
    KEY_VARIABLE,
    MIN_KEY_LENGTH,
    PSEUDONYM_PREFIX,
    ScanResult,
    pseudonym,
    pseudonym_key,
)
from tests.checks.factories import phone

AT = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)


def result(device_name: str) -> ScanResult:
    snapshot = phone()
    return ScanResult("b0f7", AT, AT, "0", DEFAULT, snapshot, (), device_name)


def test_a_pseudonym_marks_the_result_pseudonymized() -> None:
    serial = phone().serial
    assert serial
    named = pseudonym(serial, "k" * 32)
    assert named.startswith(PSEUDONYM_PREFIX) and serial not in named
    assert (result(named).pseudonymized, result(serial).pseudonymized) == (True, False)


def test_the_pseudonym_key_comes_from_the_policy_then_the_environment() -> None:
    policy_key, env_key = "p" * MIN_KEY_LENGTH, "e" * 24
    assert pseudonym_key(policy_key, {KEY_VARIABLE: env_key}) == policy_key
    assert pseudonym_key(None, {KEY_VARIABLE: env_key}) == env_key
    for policy, environ in ((None, {}), ("", {KEY_VARIABLE: ""}), (None, {KEY_VARIABLE: "short"})):
        with pytest.raises(UsageError):
            pseudonym_key(policy, environ)

"""Pins for mutants of ``checks/result.py`` that the rule tests let live.

``ScanResult.pseudonymized`` is what tells the renderers to keep the real serial out of the
report: true exactly when the report names the phone by its pseudonym.
"""

from __future__ import annotations

from datetime import UTC, datetime

from checks.policy import DEFAULT
from checks.result import PSEUDONYM_PREFIX, ScanResult, pseudonym
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

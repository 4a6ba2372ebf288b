"""Pins for mutants of ``checks/evaluate.py``'s ``judge`` that the rule tests let live: by
default (``strict`` not asked for) a rule that raises costs only its own item, which is an
``error`` finding naming the exception, for ``judge`` as for ``evaluate``; the next rule still
runs. Only ``strict=True`` (the tests) lets the exception through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checks.evaluate import evaluate, judge
from checks.findings import Outcome, Severity, Status
from checks.policy import DEFAULT
from checks.rule import Context, check
from checks.rules.whatsapp import consumer_whatsapp
from tests.checks.factories import TODAY, app, phone


@check(
    id="MSG-02",
    slug="t",
    title="t",
    severity=Severity.HIGH,
    article=consumer_whatsapp.info.article,
    rationale="t",
    remediation=("t",),
)
def broken(ctx: Context) -> Iterator[Outcome]:
    """A rule with a bug."""
    raise KeyError("users")
    yield  # pragma: no cover - a generator


SNAP = phone(app("com.whatsapp"))


def test_a_failing_rule_is_an_error_finding_by_default() -> None:
    for run in (judge, evaluate):
        found = run(SNAP, DEFAULT, today=TODAY, checks=[broken, consumer_whatsapp])
        assert [(f.check_id, f.status) for f in found] == [
            ("MSG-02", Status.ERROR),
            ("MSG-01", Status.FAIL),
        ]
        assert found[0].evidence[0].text == "rule failed: KeyError: 'users'"


def test_strict_lets_the_exception_through() -> None:
    with pytest.raises(KeyError):
        judge(SNAP, DEFAULT, today=TODAY, checks=[broken], strict=True)

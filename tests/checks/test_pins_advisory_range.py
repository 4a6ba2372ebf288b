"""Pins for mutants of ``checks/advisories.py``'s ``Advisory.range`` that the rule tests let
live: the range is "<first> up to (not including) <fixed>" when the record names a first
affected version, else "below <fixed>", and it is the English of the range MSG-09's evidence
prints for every advisory of the catalog."""

from __future__ import annotations

from checks.advisories import Advisory
from checks.catalog import MESSENGERS
from checks.findings import say
from checks.rules.versions import _range


def test_the_range_names_its_first_affected_version() -> None:
    issue = say("advisory.test", "a flaw")
    a = Advisory(
        "CVE-2026-23866", "2.26.7.11", issue, "https://www.cve.org/", affected_from="2.25.8.0"
    )
    assert a.range == "2.25.8.0 up to (not including) 2.26.7.11"
    b = Advisory("CVE-2024-0001", "7.1.0", issue, "https://www.cve.org/")
    assert b.range == "below 7.1.0"


def test_the_range_is_what_the_evidence_prints() -> None:
    advisories = [a for m in MESSENGERS for a in m.advisories]
    assert any(a.affected_from for a in advisories) and any(not a.affected_from for a in advisories)
    assert [a.range for a in advisories] == [_range(a).english() for a in advisories]

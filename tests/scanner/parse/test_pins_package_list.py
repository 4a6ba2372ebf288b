"""Pins of ``scanner/parse/package_list.py``'s sample (``python -m bench.mutation
scanner/parse/package_list.py --sample 40 --seed 7``). Texts DERIVED FROM AOSP, not captured."""

from __future__ import annotations

from scanner.parse.package_list import MAX_LINES, parse_pm_list_packages


def test_the_bound_counts_a_leading_newline() -> None:
    """(``count("\\n", 0, …)`` read from 1: a list of one line too many, starting with a
    newline, was read.)"""
    assert parse_pm_list_packages("\n" * (MAX_LINES + 1)).unusable == f"more than {MAX_LINES} lines"
    assert parse_pm_list_packages("\n" * MAX_LINES).unusable is None

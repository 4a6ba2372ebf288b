"""``pm list packages``' parser and the cross-check against hostile input, as every other parser
(``test_hostile``): never raises, bounded in time and memory by its input. The fragments are
DERIVED FROM AOSP ``runListPackages`` (no real capture of ``pm list packages`` is in ../shared)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.package_list import cross_check, parse_pm_list_packages
from scanner.parse.text import decode
from tests.scanner.parse.test_hostile import CAPTURES, FAST, FRAGMENTS, check_bounded, mutated

PM_FRAGMENTS = [
    "package:com.whatsapp", "package:com.whatsapp versionCode:262641074  installer=null uid:10233",
    "package:android versionCode:" + "9" * 5000, "package:a.b uid:" + "1" * 5000,
    "package:" + "a." * 3000 + "b", "Error: Unknown option: -U", "package:/data/app/x/base.apk=a.b",
    "package:com.whatsapp  installer=com.android.vending", "package:", "package:a.b\r",
]  # fmt: skip


def _both(text: str) -> Any:
    """The parser, and the cross-check of the same text as a dump and as both lists."""
    listed = parse_pm_list_packages(text)
    dump = read_dumpsys_package(text)
    return cross_check(dump.packages, dump.hidden, listed, listed)


texts = st.one_of(
    st.text(max_size=2000),
    st.binary(max_size=2000).map(decode),
    st.lists(
        st.one_of(st.sampled_from(PM_FRAGMENTS + FRAGMENTS), st.text(max_size=40)), max_size=60
    ).map("\n".join),
)


@FAST
@given(text=texts)
def test_random_input(text: str) -> None:
    check_bounded(parse_pm_list_packages, text)
    check_bounded(_both, text)


@pytest.mark.parametrize("fragment", PM_FRAGMENTS, ids=lambda f: f[:30])
def test_each_fragment_alone(fragment: str) -> None:
    check_bounded(parse_pm_list_packages, fragment + "\n")


def test_a_long_list_is_linear() -> None:
    """100 000 packages (the hostile dump's size) are read within the same budget."""
    text = "".join(f"package:p{i}.x versionCode:{i}  installer=null uid:{10000 + i}\n" for i in range(100_000))
    check_bounded(parse_pm_list_packages, text)
    assert 100_000 == len(parse_pm_list_packages(text).packages)


@pytest.mark.needs_fixtures
@pytest.mark.parametrize("name", CAPTURES)
@settings(FAST, max_examples=5)
@given(data=st.data())
def test_mutated_captures(capture: Callable[[str], bytes], name: str, data: st.DataObject) -> None:
    """A mutated window of every real capture (none is a pm list: any text may arrive)."""
    text = data.draw(mutated(capture(name)))
    check_bounded(parse_pm_list_packages, text)
    check_bounded(_both, text)

"""``pm list packages``' one-pass read (session 27, agent12): where every line is a package line,
``parse_pm_list_packages`` and ``parse_pm_list_all`` read the list with one C-level ``findall``
(``package_list._whole``) and fall back to the line-by-line read for anything else. The two
reads must agree on every list: the line-by-line one is forced by a blank line at the end (it
skips blank lines; the one pass does not match them), so ``parse(text) == parse(text + "\\n")``
for every text, and the one pass must have been taken where it can be."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.parse import package_list
from scanner.parse.package_list import (
    Listed,
    PackageList,
    parse_pm_list_all,
    parse_pm_list_packages,
)

_NAMES = st.sampled_from(
    ["a.b", "com.whatsapp", "com.whatsapp.w4b", "x", "1a.b", "a..b", "a.b.", "_a", "a_1.b2",
     "com.Exception.x", "a" * 255, "a" * 256, "org.thoughtcrime.securesms"]
)  # fmt: skip
_UIDS = st.lists(st.integers(0, 2_200_000_000), min_size=1, max_size=4)


@st.composite
def _line(draw: st.DrawFn, all_users: bool) -> str:
    line = f"package:{draw(_NAMES)}"
    if draw(st.booleans()):
        line += f" versionCode:{draw(st.integers(-(2**63), 2**63 - 1))}"
    if draw(st.booleans()):
        line += f"  installer={draw(st.sampled_from(['null', 'com.android.vending', 'a b']))}"
    if draw(st.booleans()):
        uids = draw(_UIDS) if all_users else draw(_UIDS)[:1]
        line += " uid:" + ",".join(map(str, uids))
    if draw(st.integers(0, 9)) == 0:
        line = draw(st.sampled_from(["Error: java.lang.X: y", " at com.x", line + " ", "pkg:a"]))
    return line + ("\r" if draw(st.integers(0, 9)) == 0 else "")


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


@settings(max_examples=400, deadline=None)
@given(st.lists(_line(False), max_size=8))
def test_one_user_list_reads_as_line_by_line(lines: list[str]) -> None:
    text = _text(lines)
    assert parse_pm_list_packages(text) == parse_pm_list_packages(text + "\n")


@settings(max_examples=400, deadline=None)
@given(st.lists(_line(True), max_size=8))
def test_all_users_list_reads_as_line_by_line(lines: list[str]) -> None:
    text = _text(lines)
    assert parse_pm_list_all(text) == parse_pm_list_all(text + "\n")


def test_the_one_pass_is_taken_and_reads_every_field() -> None:
    text = (
        "package:a.b versionCode:-3  installer=null uid:10100\r\n"
        "package:c.d  installer=com.android.vending\n"
        "package:e.f uid:1010101\n"
    )
    assert package_list._whole(package_list._LINES, text) is not None
    assert parse_pm_list_packages(text) == PackageList(
        {
            "a.b": Listed(uid=10100, installer="null", version_code=-3),
            "c.d": Listed(installer="com.android.vending"),
            "e.f": Listed(uid=1010101),
        }
    )
    every = "package:a.b versionCode:7  installer=x.y uid:10100,1010100\npackage:c.d uid:1010200\n"
    lines = package_list._whole(package_list._ALL_LINES, every)
    assert lines is not None and package_list._all_fast(lines) is not None
    got = parse_pm_list_all(every)
    assert got.unusable is None and not got.refused and not got.errors
    assert list(got.lists) == [0, 10]
    assert got.lists[0].packages == {"a.b": Listed(10100, "x.y", 7)}
    assert got.lists[10].packages == {"a.b": Listed(1010100, "x.y", 7), "c.d": Listed(1010200)}


def test_what_the_one_pass_leaves_is_named_as_before() -> None:
    twice = "package:a.b uid:10100\npackage:a.b uid:10100\n"
    assert parse_pm_list_packages(twice).unusable == "'a.b' is listed twice"
    assert parse_pm_list_all(twice).unusable == "'a.b' is listed twice"
    two_users = parse_pm_list_all("package:a.b uid:10100\npackage:a.b uid:1010100\n")
    assert two_users.garbled and two_users.unusable == "'a.b' is listed twice"
    assert parse_pm_list_packages("package:1a.b\n").unusable == "line 1 is not a package line"
    assert parse_pm_list_all("package:a.b\n").unusable == "line 1 names no uid"
    same_user = parse_pm_list_all("package:a.b uid:10100,10200\n")
    assert same_user.garbled and same_user.unusable == "'a.b' has two uids of user 0"
    assert package_list._whole(package_list._LINES, "package:a.b\n\n") is None
    assert package_list._whole(package_list._LINES, "package:a.b\nError: x\n") is None

"""``pm list packages`` read and cross-checked against ``dumpsys package``.

No real capture of ``pm list packages`` is in ../shared: every text here is DERIVED FROM AOSP
(``PackageManagerShellCommand.runListPackages``, the Android 8 and 10 sources: ``package:``,
`` versionCode:``, two blanks before ``installer=``, `` uid:``; ``Error: Unknown option: X``),
not captured from a phone.
"""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from checks.facts import Package, PackageUser
from scanner.parse.package_list import (
    MAX_LINES,
    Disagreement,
    Listed,
    PackageList,
    cross_check,
    parse_pm_list_packages,
    usable,
)

# DERIVED FROM AOSP (Android 10 runListPackages with -s -u -i -U --show-versioncode)
SYSTEM_10 = """\
package:android versionCode:29  installer=null uid:1000
package:com.android.vending versionCode:84391730  installer=com.android.vending uid:10111
"""
THIRD_10 = """\
package:com.whatsapp versionCode:262641074  installer=com.android.vending uid:10233
package:org.telegram.messenger versionCode:61021  installer=com.android.vending uid:1010234
"""
# DERIVED FROM AOSP (Android 6 Pm.runListPackages with -s -u -i: no -U, no --show-versioncode)
THIRD_6 = "package:com.whatsapp  installer=com.android.vending\n"


def _pkg(name: str, app_id: int, code: int, *, system: bool = False, installed: bool = True) -> Package:
    return Package(
        name=name,
        app_id=app_id,
        version_name="1",
        version_code=code,
        installer=None if system and name == "android" else "com.android.vending",
        flags=frozenset({"SYSTEM"} if system else ()),
        users=(PackageUser(0, installed),),
    )


DUMP = (
    _pkg("android", 1000, 29, system=True),
    _pkg("com.android.vending", 10111, 84391730, system=True),
    _pkg("com.whatsapp", 10233, 262641074),
    _pkg("org.telegram.messenger", 10234, 61021),
)


def test_reads_every_value_android_8_and_later_print() -> None:
    listed = parse_pm_list_packages(THIRD_10)
    assert listed.unusable is None
    assert {
        "com.whatsapp": Listed(10233, "com.android.vending", 262641074),
        "org.telegram.messenger": Listed(1010234, "com.android.vending", 61021),
    } == dict(listed.packages)


def test_reads_android_6_lines_and_crlf() -> None:
    listed = parse_pm_list_packages(THIRD_6.replace("\n", "\r\n"))
    assert {"com.whatsapp": Listed(None, "com.android.vending", None)} == dict(listed.packages)
    assert {"a.b": Listed()} == dict(parse_pm_list_packages("package:a.b\n").packages)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Error: Unknown option: -U\n", "pm printed an error"),
        ("Error: java.lang.SecurityException: Shell does not have permission\n", "error"),
        ("java.lang.SecurityException: denied\n", "error"),
        ("package:com.whatsapp\ncom.evil\n", "line 2 is not a package line"),
        ("package:com.whatsapp uid:x\n", "line 1 is not a package line"),
        ("package:com whatsapp\n", "line 1"),
        ("package:.bad\n", "line 1"),  # a name Android refuses
        ("package:a.b\npackage:a.b\n", "listed twice"),
        ("package:a.b\ufffd\n", "line 1"),
        ("package:a.b\npackage:com.whats", "its last line has no end"),  # cut: maybe com.whatsapp
    ],
)
def test_an_error_or_an_unreadable_line_makes_the_list_unusable(text: str, why: str) -> None:
    listed = parse_pm_list_packages(text)
    assert listed.unusable is not None and why in listed.unusable
    assert {} == dict(listed.packages)


def test_a_list_over_the_bound_is_not_read() -> None:
    listed = parse_pm_list_packages("package:a.b\n" + "\n" * MAX_LINES)
    assert listed.unusable == f"more than {MAX_LINES} lines"
    assert parse_pm_list_packages("package:a.b\n" + "\n" * (MAX_LINES - 1)).unusable is None


def _check(dump: tuple[Package, ...] = DUMP, hidden: tuple[str, ...] = (), **lists: str) -> Disagreement:
    system = parse_pm_list_packages(lists.get("system", SYSTEM_10))
    third = parse_pm_list_packages(lists.get("third", THIRD_10))
    return cross_check(dump, hidden, system, third)


def test_lists_that_agree_are_no_damage() -> None:
    assert not _check()
    assert not _check(third=THIRD_6 + "package:org.telegram.messenger\n")


def test_the_forged_list_a_factory_copy_of_a_third_party_app() -> None:
    """The residual: WhatsApp's real block under a forged hidden header, a forged active one."""
    found = _check(hidden=("com.whatsapp",))
    assert {"a factory copy of an app pm lists as third-party": 1} == found.kinds
    assert ["com.whatsapp"] == list(found.names)
    assert {"a factory copy of an app pm does not list": 1} == _check(hidden=("x.y",)).kinds
    assert not _check(hidden=("com.android.vending",))  # an updated system app: as AOSP has it


@pytest.mark.parametrize(
    ("dump", "kind"),
    [
        (DUMP[:3], "listed by pm list packages, not by dumpsys package"),
        ((*DUMP, _pkg("com.evil", 10300, 1)), "listed by dumpsys package, not by pm list packages"),
        (
            (*DUMP[:3], replace(DUMP[3], flags=frozenset({"SYSTEM"}))),
            "a system app pm lists as third-party",
        ),
        ((replace(DUMP[0], flags=frozenset()), *DUMP[1:]), "a third-party app pm lists as system"),
        ((*DUMP[:2], replace(DUMP[2], app_id=10299), DUMP[3]), "uid differs"),
        ((*DUMP[:2], replace(DUMP[2], version_code=1), DUMP[3]), "versionCode differs"),
        ((*DUMP[:2], replace(DUMP[2], installer="com.evil"), DUMP[3]), "installer differs"),
    ],
)
def test_each_disagreement_is_named(dump: tuple[Package, ...], kind: str) -> None:
    found = _check(dump)
    assert {kind: 1} == found.kinds and 1 == len(found.names)


def test_what_pm_does_not_show_the_shell_is_not_a_disagreement() -> None:
    """Not installed for user 0 (another profile's app), a static shared library
    (``name_<version>``), a system package (an APEX module), a value only one side prints,
    ``installer=null``."""
    others = (
        _pkg("com.whatsapp.w4b", 10240, 1, installed=False),
        _pkg("com.google.android.trichromelibrary_636717833", 10250, 636717833, system=True),
        replace(_pkg("x.unread", 10260, 1), users=(PackageUser(0, installed=None),)),  # type: ignore[arg-type]
        _pkg("com.google.android.tzdata5", 10270, 1, system=True),  # an APEX module
        _pkg("com.lib_3", 10280, 3),  # a static library from the store (not system)
    )
    assert not _check((*DUMP, *others))
    unknown = (*DUMP[:2], replace(DUMP[2], app_id=None, version_code=None, installer=None), DUMP[3])
    assert not _check(unknown)
    assert not _check(third=THIRD_10.replace("installer=com.android.vending uid:10233", "installer=null uid:10233"))


def test_a_package_in_both_lists() -> None:
    found = _check(system=SYSTEM_10 + "package:com.whatsapp\n")
    assert 1 == found.kinds["listed by pm as both system and third-party"]
    assert ["com.whatsapp"] == list(found.names)


def test_usable_says_why_not() -> None:
    good = parse_pm_list_packages(SYSTEM_10)
    assert usable({"system": good, "third": PackageList({})}) == (good, PackageList({}))
    assert "pm list packages -3 was not asked" == usable({"system": good})
    assert "failed" == usable({"system": good, "third": "failed"})
    refused = parse_pm_list_packages("Error: Unknown option: -U\n")
    assert str(usable({"system": refused, "third": good})).startswith("pm list packages -s: pm printed")
    assert "pm list packages -s listed no package" == usable({"system": PackageList({}), "third": good})


def test_the_description_names_a_few_escaped() -> None:
    found = Disagreement({}, {})
    assert found.describe() is None and not found
    for name in ("a.b", "c.d", "e\nf", "g.h"):
        found.note("uid differs", name)
    found.note("versionCode differs", "a.b")
    assert (
        "uid differs (4), versionCode differs (1); in 4 package(s) ('a.b', 'c.d', 'e\\nf' and 1 more)"
        == found.describe()
    )
    assert found.describe(1) == "uid differs (4), versionCode differs (1); in 4 package(s) ('a.b' and 3 more)"


@pytest.mark.parametrize("fast", [True, False], ids=["whole-block", "line-by-line"])
def test_both_readers_name_the_factory_copies(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Listing.hidden``: the names under ``Hidden system packages:``, which the cross-check
    compares with pm's lists (AOSP prints an updated system app's factory copy there)."""
    from scanner.parse import dumpsys_package

    monkeypatch.setattr(dumpsys_package, "_FAST", fast)
    dump = (
        "Packages:\n  Package [com.android.vending] (1):\n    userId=10111\n"
        "    User 0: ceDataInode=1 installed=true\n"
        "Hidden system packages:\n  Package [com.android.vending] (2):\n    userId=10111\n"
    )
    listing = dumpsys_package.read_dumpsys_package(dump)
    assert ("com.android.vending",) == listing.hidden
    assert ["com.android.vending"] == [p.name for p in listing.packages]

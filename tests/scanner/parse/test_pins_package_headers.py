"""A ``Package [`` header whose name Android would never print is read past with its block: its
lines never reach the package before it, and the packages after it still count (line formats:
docs/sources.md, rules 6 and 10; AOSP Settings.dumpPackageLPr prints each package's fields
under its own header)."""

from __future__ import annotations

from textwrap import dedent

from scanner.parse.dumpsys_package import read_dumpsys_package

DUMP = dedent(
    """\
    Packages:
      Package [com.good] (aaaaaaa):
        userId=10001
        versionCode=5 minSdk=21 targetSdk=34
        versionName=5.0
        User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0
      Package [bad name;reboot] (bbbbbbb):
        userId=10002
        versionCode=9 minSdk=21 targetSdk=34
        versionName=evil
        User 0: ceDataInode=2 installed=false hidden=true suspended=false enabled=0
      Package [com.after] (ccccccc):
        userId=10003
        versionName=1.0
    """
)


def test_an_invalid_headers_lines_never_reach_the_package_before_it() -> None:
    listing = read_dumpsys_package(DUMP)
    good = {p.name: p for p in listing.packages}

    assert [p.name for p in listing.packages] == ["com.good", "com.after"]
    assert (
        good["com.good"].version_name,
        good["com.good"].version_code,
        good["com.good"].app_id,
    ) == ("5.0", 5, 10001)
    user = good["com.good"].user(0)
    assert user is not None and (user.installed, user.hidden) == (True, False)
    assert listing.damage.describe("package block") is not None

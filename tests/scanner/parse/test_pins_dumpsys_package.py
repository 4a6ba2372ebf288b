"""Pins for ``scanner/parse/dumpsys_package.py`` found by mutation sampling (bench/RESULTS.md).

Module doc of ``scanner.parse.dumpsys_package``: a ``User N:`` line without ``installed=``
counts as installed, so a messenger is never hidden from the checks by a line that could not
be read. That holds also for a line with no ``key=value`` at all, after the block's fields."""

from __future__ import annotations

from textwrap import dedent

from scanner.parse.dumpsys_package import read_dumpsys_package


def test_a_user_line_without_any_value_after_the_fields_still_opens_the_user() -> None:
    listing = read_dumpsys_package(
        dedent(
            """\
            Packages:
              Package [com.whatsapp] (aaaaaaa):
                userId=10300
                versionName=2.24.1
                User 0: ceDataInode
                enabled=0
              Package [com.after] (ccccccc):
                userId=10301
            """
        )
    )
    whatsapp = {p.name: p for p in listing.packages}["com.whatsapp"]

    assert whatsapp.installed_for() == (0,)

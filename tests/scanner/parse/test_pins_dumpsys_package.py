"""Pins for ``scanner/parse/dumpsys_package.py`` found by mutation sampling (bench/RESULTS.md).

Module doc of ``scanner.parse.dumpsys_package``: a ``User N:`` line without ``installed=``
counts as installed, so a messenger is never hidden from the checks by a line that could not
be read. That holds also for a line with no ``key=value`` at all, after the block's fields."""

from __future__ import annotations

from textwrap import dedent

import pytest

from scanner.parse import dumpsys_package
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


def test_a_garbled_line_after_a_leading_boundary_is_noted_once_in_its_block() -> None:
    """``_Reader._stretch`` feeds the lines before the first section one at a time: after a
    ``DUMP OF SERVICE package:`` line, ``Packages:`` is a line of its own, and a U+FFFD further
    down is noted in its package's block only (not also in "the listing")."""
    listing = read_dumpsys_package(
        "DUMP OF SERVICE package:\n"
        "Packages:\n"
        "  Package [com.whatsapp] (aaaaaaa):\n"
        "    userId=10300\n"
        "    versionName=2.\ufffd\n"
        "  Package [com.after] (ccccccc):\n"
        "    userId=10301\n"
    )

    assert [p.name for p in listing.packages] == ["com.whatsapp", "com.after"]
    assert listing.damage.blocks == ["'com.whatsapp'"]
    assert listing.damage.lines == 1
    assert listing.damage.last_line == 5


@pytest.mark.parametrize("whole_blocks", [True, False])
def test_lines_under_a_skipped_list_after_the_grants_are_not_the_users(
    whole_blocks: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's list header at the depth of the ``runtime permissions:`` before it opens a list
    of its own (``disabledComponents:`` lists component names): what is deeper is that list's,
    never the user's install time. Read both ways: whole, and line by line (``_FAST`` off; the
    last block of an output is read line by line anyway)."""
    monkeypatch.setattr(dumpsys_package, "_FAST", whole_blocks)
    block = dedent(
        """\
          Package [com.whatsapp] (aaaaaaa):
            userId=10300
            User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0
              runtime permissions:
                android.permission.CAMERA: granted=true
              disabledComponents:
                firstInstallTime=2020-01-01 10:00:00
        """
    )
    for text in ("Packages:\n" + block, "Packages:\n" + block + "  Package [b.c] (1):\n"):
        whatsapp = read_dumpsys_package(text).packages[0]
        assert whatsapp.users[0].first_install is None
        assert whatsapp.users[0].runtime_permissions == {"android.permission.CAMERA": True}


def test_an_unreadable_user_time_after_an_unreadable_row_counts_its_own_line() -> None:
    """A ``firstInstallTime=`` line at the depth of the user's list header that came before it
    (read through the chain, not the deeper-line shortcut) notes its damage with its own line
    number: two damaged lines, not one."""
    listing = read_dumpsys_package(
        dedent(
            """\
            Packages:
              Package [com.whatsapp] (aaaaaaa):
                userId=10300
                User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0
                  runtime permissions:
                    android.permission.CAMERA: granted=tru
                  firstInstallTime=2024-13-01 10:00:00
              Package [com.after] (ccccccc):
                userId=10301
            """
        )
    )

    assert listing.damage.kinds == {"unreadable granted= value": 1, "unreadable time": 1}
    assert listing.damage.lines == 2
    assert listing.damage.last_line == 7
    [whatsapp, _] = listing.packages
    assert whatsapp.users[0].first_install is None
    assert whatsapp.users[0].runtime_permissions == {}


@pytest.mark.parametrize("whole_blocks", [True, False])
def test_granted_rows_under_a_list_that_is_not_grants_are_no_grants(
    whole_blocks: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the rows of ``install permissions:`` (and a user's ``runtime permissions:``) are
    grants: a ``…: granted=`` row under another list (here ``declared permissions:``) grants
    nothing and, unreadable, damages nothing."""
    monkeypatch.setattr(dumpsys_package, "_FAST", whole_blocks)
    block = dedent(
        """\
          Package [com.whatsapp] (aaaaaaa):
            userId=10300
            declared permissions:
              com.whatsapp.permission.BROADCAST: granted=true
              com.whatsapp.permission.VOIP_CALL: granted=tru
            install permissions:
              android.permission.INTERNET: granted=true
        """
    )
    for text in ("Packages:\n" + block, "Packages:\n" + block + "  Package [b.c] (1):\n"):
        listing = read_dumpsys_package(text)
        assert listing.packages[0].install_permissions == {"android.permission.INTERNET": True}
        assert not listing.damage


def test_a_block_under_an_invalid_header_never_hides_the_packages_after_it() -> None:
    """An invalid ``Package [`` header opens a block that is read past: its lines, a list header
    among them, are the block's, not section headers, so the messenger after it still counts."""
    listing = read_dumpsys_package(
        dedent(
            """\
            Packages:
              Package [a.b] (1):
                userId=10001
              Package [bad name] (2):
                userId=10002
                install permissions:
                  android.permission.CAMERA: granted=true
                User 0: ceDataInode=2 installed=true
              Package [com.whatsapp] (3):
                userId=10003
            """
        )
    )

    assert [p.name for p in listing.packages] == ["a.b", "com.whatsapp"]
    assert listing.damage.kinds == {"package header without a valid name": 1}
    assert listing.packages[0].install_permissions == {}

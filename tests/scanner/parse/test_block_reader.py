"""The block reader's state carries over from the lines of an output to its cut last line
(``read_dumpsys_package`` reads the last line apart, see ``_Reader.cut``): a dump cut inside a
runtime-permission row or a user's install time names the value it lost, as a whole line would.

Synthetic text in the line formats of shared/reference/dumpsys-package-format.md (sections 2, 3).
"""

from __future__ import annotations

from datetime import datetime
from textwrap import dedent

import pytest

from checks.facts import Unseen
from scanner.parse.dumpsys_package import read_dumpsys_package

HEAD = dedent(
    """\
    Packages:
      Package [com.whatsapp] (1):
        userId=10100
        versionCode=1 targetSdk=30
        User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0
          installReason=0
    """
)


@pytest.mark.parametrize(
    ("tail", "kind"),
    [
        (
            "      runtime permissions:\n"
            "        android.permission.CAMERA: granted=true\n"
            "        android.permission.READ_CONTACTS: granted=tr",
            "unreadable granted= value",
        ),
        ("      firstInstallTime=2024-03-0", "unreadable time"),
    ],
)
def test_cut_last_line_is_read_in_its_block(tail: str, kind: str) -> None:
    listing = read_dumpsys_package(HEAD + tail)
    [package] = listing.packages
    assert listing.damage.kinds == {"line cut short": 1, kind: 1}
    assert listing.damage.lines == 1
    assert listing.damage.blocks == ["'com.whatsapp'"]
    assert package.users[0].installed is True
    assert "android.permission.READ_CONTACTS" not in package.users[0].runtime_permissions
    assert package.users[0].first_install is None


def test_grant_before_the_cut_line_is_kept() -> None:
    tail = (
        "      runtime permissions:\n"
        "        android.permission.CAMERA: granted=true\n"
        "        android.permission.READ_CONTACTS: granted=tr"
    )
    [package] = read_dumpsys_package(HEAD + tail).packages
    assert package.users[0].runtime_permissions == {"android.permission.CAMERA": True}


def test_damaged_lines_in_one_block_each_count() -> None:
    """Two damaged lines of one block, a fact line between them: two lines, not one (the
    reader's line number reaches the ``User N:`` line's notes)."""
    text = dedent(
        """\
        Packages:
          Package [com.whatsapp] (1):
            userId=10100
            versionCode=12a targetSdk=30
            User 0: ceDataInode=1 installed=t hidden=false
        """
    )
    listing = read_dumpsys_package(text)
    assert listing.damage.lines == 2
    assert listing.damage.kinds == {
        "unreadable versionCode= line": 1,
        "unreadable installed= value": 1,
    }


def test_boundary_as_last_line_reads_nothing_twice() -> None:
    """An output whose last whole line is a boundary: the lines before it are read once."""
    text = dedent(
        """\
        Packages:
          Package [x;reboot] (1):
            userId=10100
          Package [com.whatsapp] (2):
            userId=10101
            versionCode=12a targetSdk=30
        DUMP OF SERVICE package:
        """
    )
    listing = read_dumpsys_package(text)
    assert listing.damage.lines == 2
    assert listing.damage.kinds == {
        "package header without a valid name": 1,
        "unreadable versionCode= line": 1,
    }
    assert [p.name for p in listing.packages] == ["com.whatsapp"]


def test_a_field_line_ends_the_user_and_the_list_before_it() -> None:
    """A line at field depth closes the open ``User N:`` block and the open list: the lines
    deeper than it are its continuation, never the user's install time or a grant."""
    text = dedent(
        """\
        Packages:
          Package [com.whatsapp] (1):
            userId=10100
            install permissions:
              android.permission.INTERNET: granted=true
            signatures=PackageSignatures{1 [a]}
              android.permission.READ_CONTACTS: granted=true
            User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0
              firstInstallTime=2024-01-01 10:00:00
            installPermissionsFixed=true
              firstInstallTime=2030-01-01 10:00:00
        """
    )
    [package] = read_dumpsys_package(text).packages
    assert package.install_permissions == {"android.permission.INTERNET": True}
    assert package.users[0].first_install == datetime(2024, 1, 1, 10, 0)
    assert package.first_install == datetime(2024, 1, 1, 10, 0)


def test_output_starting_with_a_blank_line_still_reads_its_fragment() -> None:
    """``pm dump <pkg>`` output that starts with an empty line and then mid-block (no
    ``Package [`` line): the fragment is the package asked about."""
    text = "\n    userId=10100\n    versionCode=5 targetSdk=30\n    User 0: installed=true\n"
    [package] = read_dumpsys_package(text, package="com.whatsapp").packages
    assert (package.name, package.app_id, package.version_code) == ("com.whatsapp", 10100, 5)


def test_unreadable_rows_each_count_as_a_line() -> None:
    """Two permission rows with unreadable values are two damaged lines, not one."""
    text = HEAD + (
        "      runtime permissions:\n"
        "        android.permission.CAMERA: granted=tru\n"
        "        android.permission.READ_CONTACTS: granted=fals\n"
        "        android.permission.RECORD_AUDIO: granted=true\n"
    )
    listing = read_dumpsys_package(text)
    assert listing.damage.lines == 2
    assert listing.damage.kinds == {"unreadable granted= value": 2}
    [package] = listing.packages
    assert package.users[0].runtime_permissions == {"android.permission.RECORD_AUDIO": True}


def test_a_users_second_line_is_read_over_the_first() -> None:
    """The same ``User N:`` twice in one block (output joined or repeated): the second line's
    values count, and an unreadable one is named and leaves ``installed`` unknown, never true."""
    text = HEAD + "    User 0: ceDataInode=1 installed=t hidden=true suspended=false enabled=0\n"
    listing = read_dumpsys_package(text)
    assert listing.damage.kinds == {"unreadable installed= value": 1}
    [package] = listing.packages
    [user] = package.users
    assert isinstance(user.installed, Unseen)
    assert user.hidden is True


def test_unreadable_hidden_and_suspended_values_hide_nothing() -> None:
    """``hidden=tru`` / ``suspended=fal`` (a garbled line): both named, and the app is taken as
    neither hidden nor suspended, so no check loses sight of it."""
    text = HEAD.replace("hidden=false suspended=false", "hidden=tru suspended=fal")
    listing = read_dumpsys_package(text)
    assert listing.damage.kinds == {"unreadable hidden= value": 1, "unreadable suspended= value": 1}
    [package] = listing.packages
    assert (package.users[0].hidden, package.users[0].suspended) == (False, False)


def test_an_unreadable_enabled_value_is_named_and_unknown() -> None:
    """``enabled=x``: named, and the user's enabled state is unknown (None), not a state."""
    listing = read_dumpsys_package(HEAD.replace("enabled=0", "enabled=x"))
    assert listing.damage.kinds == {"unreadable enabled= value": 1}
    assert listing.packages[0].users[0].enabled is None

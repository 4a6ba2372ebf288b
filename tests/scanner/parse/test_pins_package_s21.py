"""Pins for the ``dumpsys package`` parser found by mutation sampling in session 21
(bench/RESULTS.md, "Mutation testing", session 21): outcomes no test asserted before.

Every text here is read both ways, whole blocks (``_FAST``, the default) and line by line
(``_FAST`` off), and both readings must be equal before the outcome is checked, so a test
holds the fast block reader and the line reader alike. Line formats: shared/reference/
dumpsys-package-format.md, sections 2 and 3.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from scanner.parse import dumpsys_package, package_facts
from scanner.parse.dumpsys_package import Listing, read_dumpsys_package
from scanner.parse.text import decode

_GARBLED = "garbled line (bytes that are not text)"


def _both(text: str, **options: str | None) -> Listing:
    """``read_dumpsys_package(text)`` by whole blocks, after checking the line reader gives the
    same packages and the same damage."""
    saved = dumpsys_package._FAST
    try:
        dumpsys_package._FAST = False
        slow = read_dumpsys_package(text, **options)
        dumpsys_package._FAST = True
        fast = read_dumpsys_package(text, **options)
    finally:
        dumpsys_package._FAST = saved
    assert fast == slow
    return fast


def test_a_garbled_line_in_the_second_output_is_garbled_not_cut() -> None:
    """The first output was cut inside its last line ("line cut short"); a U+FFFD line in the
    second output read after it (``then``) is bytes that are not text, not a cut line."""
    first = "Packages:\n  Package [com.whatsapp] (1):\n    userId=10300\n    versionName=2.2"
    then = dedent(
        """\
        Shared users:
          SharedUser [a.b] (2):
            userId=1\ufffd001
        """
    )
    listing = read_dumpsys_package(first, then=then)

    assert listing.damage.kinds == {"line cut short": 1, _GARBLED: 1}
    assert listing.damage.lines == 2


def _block(*lines: str, after: bool = True) -> str:
    """A ``Packages:`` section with com.whatsapp's block holding ``lines`` (at the fields'
    indent, 4, unless they carry their own deeper indent), and a package after it, so that the
    block is closed (and may be read whole) when ``after``."""
    text = "Packages:\n  Package [com.whatsapp] (aaaaaaa):\n    userId=10300\n"
    text += "".join(f"    {line}\n" for line in lines)
    if after:
        text += "  Package [com.after] (ccccccc):\n    userId=10301\n"
    return text


def test_an_unreadable_target_sdk_is_damage_and_no_target() -> None:
    """``versionCode=5 minSdk=1 targetSdk=3x``: the version code is read, the target SDK is
    unknown (None) and the line is noted as unreadable, never taken for a target."""
    listing = _both(_block("versionCode=5 minSdk=1 targetSdk=3x"))
    whatsapp = listing.packages[0]

    assert (whatsapp.version_code, whatsapp.target_sdk) == (5, None)
    assert listing.damage.kinds == {"unreadable versionCode= line": 1}
    assert listing.damage.blocks == ["'com.whatsapp'"]


def test_a_garbled_ce_data_inode_leaves_the_installed_state_unknown() -> None:
    """A ``User N:`` line whose only token, ``ceDataInode=``, holds U+FFFD (bytes that were not
    text): what followed may have been ``installed=false``, so installed is unknown, never
    true, and the line is damage."""
    listing = _both(_block("User 0: ceDataInode=12\ufffd34"))
    [user] = listing.packages[0].users

    assert not isinstance(user.installed, bool)
    assert listing.damage.kinds == {_GARBLED: 1}


def test_facts_built_by_name_are_the_facts_built_by_position(
    fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``package_facts.built`` passes the facts' fields by position while ``checks.facts``
    orders them as it expects (``POSITIONAL``), else by name: both build the same packages
    from a real capture."""
    text = decode((fixtures_dir / "isdi-huawei-frd-android7/dumpsys-all.txt").read_bytes())
    by_position = read_dumpsys_package(text)
    monkeypatch.setattr(package_facts, "POSITIONAL", False)
    by_name = read_dumpsys_package(text)

    assert by_name == by_position
    assert len(by_name.packages) == 252

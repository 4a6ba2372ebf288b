"""Pins for the ``dumpsys package`` parser found by mutation sampling in session 21
(bench/RESULTS.md, "Mutation testing", session 21): outcomes no test asserted before.

Every text here is read both ways, whole blocks (``_FAST``, the default) and line by line
(``_FAST`` off), and both readings must be equal before the outcome is checked, so a test
holds the fast block reader and the line reader alike. Line formats: shared/reference/
dumpsys-package-format.md, sections 2 and 3.
"""

from __future__ import annotations

from datetime import datetime
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


def _whole(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Listing, int]:
    """``_both(text)`` and how many blocks the fast reading read whole."""
    count = [0]
    whole = dumpsys_package._Reader._whole_block

    def counted(self: dumpsys_package._Reader, *args: object) -> bool:
        done = whole(self, *args)  # type: ignore[arg-type]
        count[0] += done
        return done

    with monkeypatch.context() as patch:
        patch.setattr(dumpsys_package._Reader, "_whole_block", counted)
        listing = _both(text)
    return listing, count[0]


_USER_0 = "User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0"


@pytest.mark.parametrize(
    ("under", "first_install", "runtime"),
    [
        ("     firstInstallTime=2021-05-01 10:00:00", datetime(2021, 5, 1, 10), {}),
        (
            "      firstInstallTime=2021-05-01 10:00:00\n"
            "      firstInstallTime=2022-06-01 11:00:00",
            datetime(2022, 6, 1, 11),
            {},
        ),
        ("     runtime permissions:\n       a.b.C: granted=true", None, {"a.b.C": True}),
        (
            "      runtime permissions:\n        a.b.C: granted=false\n"
            "    installReason=0\n      firstInstallTime=2023-07-01 12:00:00",
            datetime(2023, 7, 1, 12),
            {"a.b.C": False},
        ),
    ],
)
def test_a_users_lines_say_the_same_read_whole_or_line_by_line(
    under: str,
    first_install: datetime | None,
    runtime: dict[str, bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the lines under a ``User N:`` line say (Android 13+: the user's own
    ``firstInstallTime=``, the last one standing; its runtime grants), also at indents AOSP
    does not print (5), and ``installReason=`` at the fields' indent keeping the user open: the
    block is read whole and the same line by line."""
    text = _block(_USER_0).replace(_USER_0 + "\n", f"{_USER_0}\n{under}\n")
    listing, whole = _whole(text, monkeypatch)
    [user] = listing.packages[0].users

    assert whole == 1
    assert user.first_install == first_install
    assert user.runtime_permissions == runtime
    assert not listing.damage


@pytest.mark.parametrize(
    "text",
    [
        "Packages:\n\ufffd\ufffd\n" + _block()[len("Packages:\n") :],
        "\ufffd\n" + _block(),
        "Activity Resolver Table:\n  Non-Data Actions:\n\ufffd\n" + _block(),
        "Activity Resolver Table:\n  Non-Data Actions:\n\ufffdx\n" + _block(),
        _block() + "Shared users:\n\ufffd\n  SharedUser [a.b] (1):\n    userId=1000\n",
    ],
)
def test_a_garbled_line_outside_any_block_damages_the_listing(text: str) -> None:
    """A line of bytes that are not text between the blocks (before the first section, also
    after resolver-table lines passed over unread; under ``Packages:`` before its first
    block; under ``Shared users:`` before its first block) may have been a
    package's header: the listing is damaged, in no package's name, and the packages around
    it still count. (A garbled line that ends a block is that block's damage.)"""
    listing = _both(text)

    assert listing.damage.blocks == ["'the listing'"]
    assert listing.damage.kinds == {_GARBLED: 1}
    assert "com.whatsapp" in [p.name for p in listing.packages]


def test_two_unreadable_field_lines_count_two_lines() -> None:
    """Each unreadable field line is a damaged line of its own (a note is counted once per
    line, so each note must carry its own line number)."""
    listing = _both(_block("versionCode=12a targetSdk=30", "lastUpdateTime=2021-13-01 00:00:00"))

    assert listing.damage.kinds == {"unreadable versionCode= line": 1, "unreadable time": 1}
    assert listing.damage.lines == 2
    assert listing.damage.last_line == 5


def test_a_user_line_without_a_value_opens_the_user_both_ways() -> None:
    """``User 0: ceDataInode`` (no ``=`` at all) is a user line: the user is opened and
    counts as installed (module doc of ``scanner.parse.dumpsys_package``), read whole or line
    by line."""
    listing = _both(_block("versionName=2.24.1", "User 0: ceDataInode", "enabled=0"))

    assert listing.packages[0].installed_for() == (0,)
    assert not listing.damage


def test_a_first_line_deeper_than_the_fields_is_still_read() -> None:
    """A block whose first line is indented 5 (its fields then at 4): the line reader reads
    every field line of the block, the first one too; the whole-block reading, which only
    reads lines at indent 4, must not be used for it."""
    text = _block("versionName=2.24.1").replace("    userId=10300", "     userId=10300")
    listing = _both(text)
    whatsapp = listing.packages[0]

    assert (whatsapp.app_id, whatsapp.version_name) == (10300, "2.24.1")


def test_a_user_line_with_only_installed_is_neither_hidden_nor_suspended() -> None:
    """``User 0: installed=true`` (older releases and vendors print fewer keys): the keys it
    lacks are at their defaults, not hidden, not suspended, no enabled state."""
    listing = _both(_block("User 0: installed=true", "User 10: installed=false"))
    [owner, work] = listing.packages[0].users

    assert (owner.user_id, owner.installed, owner.enabled) == (0, True, None)
    assert (owner.hidden, owner.suspended) == (False, False)
    assert (work.user_id, work.installed, work.enabled) == (10, False, None)
    assert (work.hidden, work.suspended) == (False, False)
    assert not listing.damage


def test_an_unreadable_user_time_after_an_unreadable_user_line_counts_its_own_line() -> None:
    """``User 0: installed=t`` and, under it, an unreadable ``firstInstallTime=`` (Android
    13+): two damaged lines, each noted with its own line number; the user's installed state
    is unknown and its install time none."""
    listing = _both(_block("User 0: ceDataInode=1 installed=t", "  firstInstallTime=2021-13-01"))
    [user] = listing.packages[0].users

    assert listing.damage.kinds == {"unreadable installed= value": 1, "unreadable time": 1}
    assert listing.damage.lines == 2
    assert not isinstance(user.installed, bool)
    assert user.first_install is None


def test_an_empty_install_time_is_no_time_and_no_damage() -> None:
    """``firstInstallTime=`` with nothing after it (package level, and a user's on Android
    13+) is a placeholder, like the epoch (rule 7): no time, and not an unreadable value."""
    listing = _both(_block("firstInstallTime=", _USER_0, "  firstInstallTime="))
    whatsapp = listing.packages[0]

    assert whatsapp.first_install is None
    assert whatsapp.users[0].first_install is None
    assert not listing.damage


@pytest.mark.parametrize(
    "boundary", ["DUMP OF SERVICE activity:", "--------- 0.2s was the duration of dumpsys package"]
)
def test_the_sections_after_the_last_block_are_not_its_lines(boundary: str) -> None:
    """The last ``Package [`` block of ``Packages:``, then ``Shared users:`` with a shared
    user's ``userId=`` and install grants, then another service's output (a bugreport or an
    ISDI dump): the block ends at the section header, so the package keeps its own app id
    and gains no grant of the shared user's."""
    text = dedent(
        """\
        Packages:
          Package [com.whatsapp] (aaaaaaa):
            userId=10300
            versionName=2.24.1
        Shared users:
          SharedUser [android.uid.system] (bbbbbbb):
            userId=1000
            install permissions:
              android.permission.CAMERA: granted=true
        """
    )
    listing = _both(text + boundary + "\n")
    [whatsapp] = listing.packages

    assert (whatsapp.app_id, whatsapp.version_name) == (10300, "2.24.1")
    assert whatsapp.install_permissions == {}
    assert not listing.damage

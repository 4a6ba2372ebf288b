"""A shared-uid app's grants are read from ``Shared users:`` or marked not read.

Real capture: isdi-huawei-frd-android7/dumpsys-all.txt (a full ``dumpsys package``, Packages:
then Shared users:). AOSP Settings.dumpPackageLPr prints no permission rows for a package with a
shared user; they are under ``SharedUser [name]``. ``dumpsys package packages`` (what msgscan
asks first) stops before that section, so the collector reads ``shared-users`` after it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.text import decode

HUAWEI = "isdi-huawei-frd-android7/dumpsys-all.txt"


@pytest.fixture(scope="module")
def halves(capture: Callable[[str], bytes]) -> tuple[str, str]:
    """The capture's package service cut into Packages: (with everything before it) and the
    Shared users: section (to the next service)."""
    text = decode(capture(HUAWEI))
    shared = text.index("\nShared users:\n") + 1
    end = text.index("\nDUMP OF SERVICE ", shared) + 1
    return text[:shared], text[shared:end]


@pytest.mark.needs_fixtures
def test_without_the_section_shared_uid_grants_are_not_read(halves: tuple[str, str]) -> None:
    packages = read_dumpsys_package(halves[0]).packages

    unread = {p.name for p in packages if not p.grants_read}
    shared = {p.name for p in packages if p.shared_user is not None}

    assert unread == shared and "com.android.providers.media" in shared
    assert len(shared) < len(packages)  # apps without a shared user keep their own rows


@pytest.mark.needs_fixtures
def test_with_the_section_every_member_is_read(halves: tuple[str, str]) -> None:
    packages = read_dumpsys_package(halves[0], then=halves[1]).packages

    assert all(p.grants_read for p in packages)
    media = next(p for p in packages if p.name == "com.android.providers.media")
    assert media.install_permissions  # SharedUser [android.media]'s grants reached it


@pytest.mark.needs_fixtures
def test_a_member_whose_shared_user_block_is_missing_is_not_read(halves: tuple[str, str]) -> None:
    """The section read, but android.media's block not in it (cut, or printed for another
    package only): its members are not read, the other shared users' members are."""
    section = halves[1]
    start = section.index("  SharedUser [android.media]")
    stop = section.index("  SharedUser [", start + 1)
    packages = read_dumpsys_package(halves[0], then=section[:start] + section[stop:]).packages

    unread = {p.name for p in packages if not p.grants_read}
    assert unread == {p.name for p in packages if p.shared_user == "android.media"}

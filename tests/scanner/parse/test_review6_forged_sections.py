"""Review 6: a line forged into a value AOSP prints raw never hides a package silently.

AOSP's ``dumpPackageLPr`` prints ``versionName=`` as the app wrote it
(``pw.println(pkg.getVersionName())``), and a manifest's ``android:versionName`` may hold a
newline (``&#10;``). An app listed before a messenger in ``Packages:`` (the order is
``Settings.mPackages``', an ArrayMap's: by the names' hash codes, which an app can choose) can
so print a section header or a service boundary of its own. Before the fix the reader then left
``Packages:``, every package after the app was gone, the messenger's checks found it not
installed, and the listing said nothing was damaged. AOSP prints package blocks only under
``Packages:`` and ``Hidden system packages:``, each section once, and a hidden entry only beside
its active one, so a displaced block is damage (``package_sections.Blocks.stray``/``orphans``).

What a parser cannot tell alone (left, and said so): an app that forges a whole block for the
messenger under ``Packages:`` AND a ``Hidden system packages:`` header before the real block, on
a phone without a real hidden section, and forges a block for every app after it too. A
cross-check against ``pm list packages`` closes that (session 22: ``scanner.package_check``,
``tests/faults/test_forged_version_name.py``); the parser alone still cannot tell.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.parse import dumpsys_package
from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.text import decode

_DUMP = """\
Packages:
  Package [com.evil.notes] (1111111):
    userId=10190
    versionName=1.0{forged}
    timeStamp=2024-01-01 10:00:00
  Package [com.whatsapp] (2222222):
    userId=10200
    User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0
"""

_OUTSIDE = "package block outside the package sections"


@pytest.fixture(params=[True, False], ids=["whole-block", "line-by-line"])
def fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(dumpsys_package, "_FAST", request.param)
    return bool(request.param)


@pytest.mark.parametrize(
    ("forged", "kind"),
    [
        ("\nDUMP OF SERVICE activity:", _OUTSIDE),
        ("\n--------- 0.1s was the duration of dumpsys package", _OUTSIDE),
        ("\nQueries:", _OUTSIDE),
        ("\nDexopt state:", _OUTSIDE),
        ("\n\nShared users:", _OUTSIDE),
        ("\nHidden system packages:", "hidden system package without its active entry"),
    ],
)
def test_a_forged_section_line_makes_the_later_blocks_damage(
    forged: str, kind: str, fast: bool
) -> None:
    listing = read_dumpsys_package(_DUMP.format(forged=forged))

    assert [p.name for p in listing.packages] == ["com.evil.notes"]
    assert listing.damage.kinds == {kind: 1}
    assert listing.damage.blocks == ["'com.whatsapp'"]
    assert listing.damage.lines == 1


def test_without_a_forged_line_nothing_is_damaged(fast: bool) -> None:
    listing = read_dumpsys_package(_DUMP.format(forged=""))

    assert [p.name for p in listing.packages] == ["com.evil.notes", "com.whatsapp"]
    assert not listing.damage


def test_every_displaced_block_is_counted_on_its_own_line() -> None:
    text = _DUMP.format(forged="\nDUMP OF SERVICE activity:") + (
        "  Package [org.thoughtcrime.securesms] (3333333):\n    userId=10201\n"
    )
    listing = read_dumpsys_package(text)

    assert listing.damage.blocks == ["'com.whatsapp'", "'org.thoughtcrime.securesms'"]
    assert listing.damage.lines == 2


def test_a_forged_hidden_header_before_the_real_one_is_a_section_listed_twice(fast: bool) -> None:
    """The forger's own block for the messenger, then a hidden header: the real block looks like
    a factory copy, but the real ``Hidden system packages:`` header comes again later."""
    forged = (
        "\n  Package [com.whatsapp] (9999999):\n    userId=10200\n"
        "    User 0: ceDataInode=1 installed=false hidden=false suspended=false enabled=0"
        "\nHidden system packages:"
    )
    text = _DUMP.format(forged=forged) + (
        "Hidden system packages:\n  Package [com.android.chrome] (4444444):\n    userId=10100\n"
    )
    listing = read_dumpsys_package(text)

    assert listing.damage.kinds["section listed twice"] == 1
    assert "'Hidden system packages'" in listing.damage.blocks


def test_a_package_header_with_an_invalid_name_outside_the_sections_is_not_counted() -> None:
    """Only what could be a package is a displaced block; the old note of an invalid header
    where packages count stays as it was (``package header without a valid name``)."""
    text = "Packages:\n  Package [com.a] (1):\n    userId=1\nQueries:\n  Package [x;reboot] (2):\n"
    assert not read_dumpsys_package(text).damage


_CAPTURES = (
    "isdi-huawei-frd-android7/dumpsys-all.txt",
    "tekartik-wearos-android11/dumpsys-package-1.txt",
    "tekartik-wearos-android11/dumpsys-package-2.txt",
    "appium-android7/dumpsys-package-com.example.testapp.first.txt",
    "appium-android7/pm-dump-tail-com.xxx.txt",
    "isdi-lg-m150-android6/pm-dump-com.trackview.txt",
    "isdi-lg-m150-android6/pm-dump-com.android.system.txt",
)


@pytest.mark.parametrize("name", _CAPTURES)
def test_no_real_capture_has_a_displaced_block(name: str, fixtures_dir: Path) -> None:
    """Real dumps (a full one with 19 factory copies and 21 sections, single-package dumps, a
    bugreport-style dump with the activity service after the package service) hold none."""
    listing = read_dumpsys_package(decode((fixtures_dir / name).read_bytes()))

    new = {_OUTSIDE, "section listed twice", "hidden system package without its active entry"}
    assert not new & set(listing.damage.kinds), name


@pytest.mark.parametrize(
    "after",
    [
        "Shared users:\n  Package [x;reboot] (2):\n  Package [com.cut",
        "DUMP OF SERVICE activity:\n  Package [x;reboot] (2):\n  Package [com.cut",
    ],
)
def test_what_cannot_be_a_package_name_is_no_displaced_block(after: str, fast: bool) -> None:
    """Outside the package sections (a shared users' section, after the service's end) only a
    header whose name Android allows is a displaced block: an invalid or cut name is not."""
    text = "Packages:\n  Package [com.a] (1):\n    userId=1\n" + after + "\n"
    listing = read_dumpsys_package(text)

    assert [p.name for p in listing.packages] == ["com.a"]
    assert not listing.damage


def test_a_section_listed_twice_is_named() -> None:
    text = "Packages:\n  Package [com.a] (1):\n    userId=1\nPackages:\n  Package [com.b] (2):\n"
    listing = read_dumpsys_package(text + "    userId=2\n")

    assert listing.damage.kinds == {"section listed twice": 1}
    assert listing.damage.blocks == ["'Packages'"]
    assert [p.name for p in listing.packages] == ["com.a", "com.b"]

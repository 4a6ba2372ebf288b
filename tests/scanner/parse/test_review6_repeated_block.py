"""Review 6: a package's block repeated in ``Packages:`` is damage, never silently dropped.

AOSP prints each package once under ``Packages:`` (``Settings.mPackages`` is a map; the factory
copy of an updated system app goes under ``Hidden system packages:``). A second block with the
same name can only come from text forged into a value the phone prints raw: an app's
``versionName`` may hold a newline (a manifest ``&#10;``), and AOSP's ``dumpPackageLPr`` prints
it as is (``pw.println(pkg.getVersionName())``), so an app listed before the messenger can
print a whole ``Package [com.whatsapp]`` block of its own making. The parser keeps the first
block of a name; before this fix it dropped the real one without a word, and every rule read
the forged facts as the phone's (a pass on a messenger whose real block says otherwise).
Which of the two blocks is the phone's cannot be told: the listing is damaged, so that
conclusions drawn from absence become ``unknown`` (``checks.damaged``).
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from scanner.parse import dumpsys_package
from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.text import decode

_FORGED = dedent(
    """\
    Packages:
      Package [com.evil.notes] (1111111):
        userId=10190
        versionName=1.0
      Package [com.whatsapp] (2222222):
        userId=10200
        versionCode=241000 minSdk=21 targetSdk=34
        User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0
          runtime permissions:
            android.permission.READ_CONTACTS: granted=false
        timeStamp=2024-01-01 10:00:00
      Package [com.whatsapp] (3333333):
        userId=10200
        versionCode=241000 minSdk=21 targetSdk=34
        User 0: ceDataInode=2 installed=true hidden=false suspended=false enabled=0
          runtime permissions:
            android.permission.READ_CONTACTS: granted=true
      Package [com.after] (4444444):
        userId=10300
    """
)


@pytest.mark.parametrize("fast", [True, False])
def test_a_second_block_of_a_package_in_packages_is_damage(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dumpsys_package, "_FAST", fast)
    listing = read_dumpsys_package(_FORGED)

    assert [p.name for p in listing.packages] == ["com.evil.notes", "com.whatsapp", "com.after"]
    assert listing.damage.kinds == {"package listed twice": 1}
    assert listing.damage.blocks == ["'com.whatsapp'"]
    assert listing.damage.describe("package block") is not None


def test_the_factory_copy_under_hidden_system_packages_is_no_damage() -> None:
    """The one way AOSP lists a package twice (an updated system app), as before."""
    second = "  Package [com.whatsapp] (3333333):"
    hidden = _FORGED[_FORGED.index(second) : _FORGED.index("  Package [com.after]")]
    text = _FORGED.replace(hidden, "") + "Hidden system packages:\n" + hidden
    listing = read_dumpsys_package(text)

    assert not listing.damage
    assert [p.name for p in listing.packages] == ["com.evil.notes", "com.whatsapp", "com.after"]


def test_no_capture_lists_a_package_twice(fixtures_dir: Path) -> None:
    for name in (
        "isdi-huawei-frd-android7/dumpsys-all.txt",
        "tekartik-wearos-android11/dumpsys-package-1.txt",
        "tekartik-wearos-android11/dumpsys-package-2.txt",
        "appium-android7/dumpsys-package-com.example.testapp.first.txt",
        "isdi-lg-m150-android6/pm-dump-com.trackview.txt",
        "isdi-lg-m150-android6/pm-dump-com.android.system.txt",
    ):
        listing = read_dumpsys_package(decode((fixtures_dir / name).read_bytes()))
        assert "package listed twice" not in listing.damage.kinds, name

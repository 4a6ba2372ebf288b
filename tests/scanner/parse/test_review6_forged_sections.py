"""Review 6, open: a line forged into a value AOSP prints raw can hide every later package.

AOSP's ``dumpPackageLPr`` prints ``versionName=`` as the app wrote it
(``pw.println(pkg.getVersionName())``), and a manifest's ``android:versionName`` may hold a
newline (``&#10;``). An app listed before a messenger in ``Packages:`` (the order is
``Settings.mPackages``', an ArrayMap's: by the names' hash codes, which an app can choose) can
so print a section header or a service boundary of its own: the line reader then leaves
``Packages:`` and every package after the app is gone, the messenger's checks find it not
installed, and the listing says nothing was damaged. The repeated-block case is closed
(test_review6_repeated_block.py); this one is not: the parser cannot tell such a line from a
real one (a bugreport holds real boundaries, vendors add sections), the fix is a
cross-check against a listing whose lines cannot be forged (``pm list packages``: a package
name holds no newline), a new probe. Strict xfail: this test fails once that is done.
"""

from __future__ import annotations

import pytest

from scanner.parse.dumpsys_package import read_dumpsys_package

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


@pytest.mark.xfail(strict=True, reason="open (review 6): forged section lines hide packages")
@pytest.mark.parametrize(
    "forged",
    ["\nDUMP OF SERVICE activity:", "\nQueries:", "\nHidden system packages:", "\n\nShared users:"],
)
def test_a_forged_section_line_never_hides_a_package_silently(forged: str) -> None:
    listing = read_dumpsys_package(_DUMP.format(forged=forged))

    assert "com.whatsapp" in [p.name for p in listing.packages] or listing.damage

"""The German of evidence from before schema 1.3 (reports/i18n/de_evidence.toml) costs nothing
until such a line is rendered: importing the report and CLI modules compiles none of it."""

from __future__ import annotations

import subprocess
import sys

from reports.i18n import de_evidence

_PROBE = """
import scanner.app.cli, reports.i18n, reports.render.text, reports.render.html
from reports.i18n import de_evidence
print(de_evidence.tables.cache_info().currsize, de_evidence._pattern.cache_info().currsize)
de_evidence.translate("versionName missing")
print(de_evidence.tables.cache_info().currsize, de_evidence._pattern.cache_info().currsize > 90)
"""


def test_nothing_is_compiled_at_import() -> None:
    """A fresh interpreter that imports the CLI and the renderers has loaded no table and
    compiled no pattern; the first translated line loads all of them once."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:2] == ["0 0", "1 True"]


def test_an_old_line_in_german() -> None:
    """A line of an older report (no message id) renders in German from the table, with the
    phone's parts (path, count) carried over and the filters applied (noun, users)."""
    assert (
        de_evidence.translate("3 files in /sdcard/WhatsApp/Media, newest unknown, no .nomedia")
    ) == "3 Dateien in /sdcard/WhatsApp/Media, neueste unbekannt, kein .nomedia"
    assert (
        de_evidence.translate("WhatsApp Business installed for user 10 (work profile)")
    ) == "WhatsApp Business installiert für Nutzer 10 (Arbeitsprofil)"
    assert de_evidence.translate("a sentence no rule ever wrote") is None

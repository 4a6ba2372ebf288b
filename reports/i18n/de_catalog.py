"""German for the app sources (``checks.installers``), keyed by the English name.

The article's messenger comparison is in the gettext catalog (locale/de/LC_MESSAGES/msgscan.po,
msgctxt ``catalog.<messenger>.<field>``), beside the rules' messages.
"""

from __future__ import annotations

SOURCES: dict[str, str] = {
    "Google Play": "Google Play",
    "F-Droid": "F-Droid",
    "Aurora Store (Google Play front end)": "Aurora Store (Oberfläche für Google Play)",
    "Huawei AppGallery": "Huawei AppGallery",
    "Samsung Galaxy Store": "Samsung Galaxy Store",
    "package installer (an APK file)": "Paketinstallationsprogramm (eine APK-Datei)",
    "adb install": "adb install",
}

"""German for the catalog's words: the article's messenger comparison and app sources.

Keyed by the English value in ``checks.catalog`` so the catalog stays the single source; the tests
check that every value there has an entry here.
"""

from __future__ import annotations

COMPARISON: dict[str, str] = {
    "WhatsApp Ireland Ltd (EU controller), Meta Platforms (USA)":
        "WhatsApp Ireland Ltd (Verantwortlicher in der EU), Meta Platforms (USA)",
    "USA (Meta); EU controller in Ireland; server locations not established":
        "USA (Meta); Verantwortlicher in der EU in Irland; Serverstandorte nicht belegt",
    "yes (Google Drive backups only with end-to-end encrypted backup on)":
        "ja (Google-Drive-Sicherungen nur mit eingeschalteter Ende-zu-Ende-verschlüsselter "
        "Sicherung)",
    "phone number": "Rufnummer",
    "closed source": "nicht offen",
    "Telegram Messenger Inc.": "Telegram Messenger Inc.",
    "Dubai (per the article); server locations not established":
        "Dubai (laut Artikel); Serverstandorte nicht belegt",
    "no: only 1:1 secret chats": "nein: nur geheime Chats (eins zu eins)",
    "clients open (GPL v2), server closed": "Apps offen (GPL v2), Server nicht offen",
    "Signal Technology Foundation / Signal Messenger LLC":
        "Signal Technology Foundation / Signal Messenger LLC",
    "USA, servers in the USA (per the article)": "USA, Server in den USA (laut Artikel)",
    "yes": "ja",
    "open source": "quelloffen",
    "Threema GmbH": "Threema GmbH",
    "Switzerland, servers in Switzerland": "Schweiz, Server in der Schweiz",
    "yes, everything": "ja, alles",
    "random Threema ID, no phone number needed": "zufällige Threema-ID, keine Rufnummer nötig",
    "apps open source since December 2020": "Apps quelloffen seit Dezember 2020",
    "Wire Swiss GmbH": "Wire Swiss GmbH",
    "Berlin (HQ), Swiss holding; servers in Germany and Ireland":
        "Berlin (Hauptsitz), Schweizer Holding; Server in Deutschland und Irland",
    "yes, cannot be switched off": "ja, nicht abschaltbar",
    "e-mail or user name, no phone number needed": "E-Mail oder Benutzername, keine Rufnummer nötig",
}

SOURCES: dict[str, str] = {
    "Google Play": "Google Play",
    "F-Droid": "F-Droid",
    "Aurora Store (Google Play front end)": "Aurora Store (Oberfläche für Google Play)",
    "Huawei AppGallery": "Huawei AppGallery",
    "Samsung Galaxy Store": "Samsung Galaxy Store",
    "package installer (an APK file)": "Paketinstallationsprogramm (eine APK-Datei)",
    "adb install": "adb install",
}

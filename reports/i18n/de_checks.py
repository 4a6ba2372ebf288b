"""German titles, rationales and remediation steps of every check, by check id.

Written for Datenschutzbeauftragte, Compliance and the phone's owner: the domain's own words
(DSGVO, Einwilligung, Auftragsverarbeitung, Berufsgeheimnisträger), Android's German menu names.
The article is paraphrased and cited by section, never quoted at length. Each entry has as many
remediation steps as its English original (``tests/reports/test_i18n.py`` checks that).
"""

from __future__ import annotations

from reports.i18n.texts import CheckText

CHECKS: dict[str, CheckText] = {
    "MSG-01": CheckText(
        "Privates WhatsApp statt WhatsApp Business",
        "Wer WhatsApp trotz der Risiken beruflich nutzt, sollte laut Artikel zu WhatsApp Business "
        "greifen. Die Business-App trennt dienstliche Chats vom privaten Konto und zeigt Kunden "
        "ein erkennbares Unternehmensprofil; das private WhatsApp vermischt beides. Keine der "
        "beiden Apps kommt mit einem Vertrag zur Auftragsverarbeitung von Meta: nur die WhatsApp "
        "Business Platform (Cloud API), ein eigener Dienst für Unternehmen. Auf einem "
        "privaten Gerät, dessen vom MDM verwaltetes Arbeitsprofil WhatsApp Business enthält "
        "(BYOD), ist das private WhatsApp auf der privaten Seite die eigene App der beschäftigten "
        "Person: nur ein Hinweis, sofern die Richtlinie es nicht untersagt.",
        (
            ("WhatsApp Business aus Google Play (oder per MDM ins Arbeitsprofil) installieren und "
            "die geschäftliche Rufnummer darin registrieren."),
            ("Das Angebot von WhatsApp Business, die Chats dieser Nummer aus WhatsApp zu "
            "übernehmen, annehmen; danach das private WhatsApp nicht mehr für Kunden verwenden."),
            ("Ist das Gerät rein dienstlich, das private WhatsApp entfernen: Einstellungen > Apps "
            "> WhatsApp > Deinstallieren (in jedem Profil, in dem es vorkommt)."),
        ),
    ),
    "MSG-02": CheckText(
        "WhatsApp nicht von anderen Apps getrennt",
        "Der Artikel rät, WhatsApp auf einem eigenen Diensthandy oder in einem MDM-Container zu "
        "betreiben. Im privaten Profil teilt WhatsApp Kontakte, Speicher und Gerät mit jeder "
        "privaten App; ein Arbeitsprofil oder ein reines Diensthandy hält das getrennt und lässt "
        "die Organisation Einstellungen durchsetzen. Nur ein Profil im Besitz des MDM der "
        "Organisation ist ein solcher Container: Samsungs Sicherer Ordner, eine Klon- oder "
        "Dual-App-Kopie und ein privater Bereich gehören dem Nutzer selbst.",
        (
            ("Das Gerät im MDM der Organisation mit Arbeitsprofil (Android Enterprise) "
            "registrieren und WhatsApp Business darin installieren (Apps mit Aktenkoffer-Symbol)."),
            ("Danach WhatsApp aus dem privaten Profil entfernen: Einstellungen > Apps > WhatsApp > "
            "Deinstallieren."),
            ("Oder WhatsApp ein eigenes, nur dienstlich genutztes Gerät geben; verwaltet das MDM "
            'es vollständig (als Geräteinhaber), in der Richtlinie device_role = "dedicated" '
            "setzen."),
        ),
    ),
    "MSG-03": CheckText(
        "Chat-Sicherungen im gemeinsamen Speicher",
        "Nachrichtenverläufe sollen laut Artikel nicht archiviert werden. Eine lokale "
        "Chat-Sicherung enthält den gesamten Verlauf in einer Datei im gemeinsamen Speicher, wo "
        "jede App mit Speicherzugriff sie kopieren kann; Cloud-Sicherungen legen ihn auf Servern "
        "Dritter ab.",
        (
            ("WhatsApp: alte lokale Sicherungen mit der App „Dateien“ löschen unter Interner "
            "Speicher > Android > media > com.whatsapp > WhatsApp > Databases (auf älteren Geräten "
            "WhatsApp > Databases); WhatsApp schreibt jede Nacht eine neue, daher zusätzlich "
            "andere Apps vom Speicher fernhalten (MSG-05)."),
            ("WhatsApp: Einstellungen > Chats > Chat-Backup > Auf Google Drive sichern: Nie, "
            "sofern die Organisation keine Ende-zu-Ende-verschlüsselten Sicherungen freigegeben "
            "hat."),
            ("Signal: Einstellungen > Chats > Chat-Backups > Deaktivieren, dann die Dateien "
            "signal-*.backup bzw. Ordner signal-backup-* mit der App „Dateien“ löschen."),
            ("Threema: Dateien threema-backup_*.zip löschen; Threema Work kann Datensicherungen "
            "per MDM verbieten (th_disable_data_backups)."),
            ("Wire: in „Download“ und „Documents“ nach aus Wire gespeicherten Sicherungsdateien "
            "suchen und sie löschen."),
        ),
    ),
    "MSG-04": CheckText(
        "Messenger-Medien im gemeinsamen Speicher sichtbar",
        "Nachrichten und vor allem Anhänge sollen laut Artikel nicht automatisch im Gerätespeicher "
        "landen. Empfangene Fotos, Videos und Dokumente in gemeinsamen Ordnern ohne .nomedia "
        "erscheinen in jeder Galerie und sind für andere Apps lesbar.",
        (
            ("WhatsApp: Einstellungen > Chats > Sichtbarkeit von Medien: aus, und je Chat: Chat "
            "öffnen > Kontaktname > Sichtbarkeit von Medien: Nein."),
            ("WhatsApp: Einstellungen > Speicher und Daten > Automatischer Medien-Download: Keine "
            "Medien für mobile Daten, WLAN und Roaming."),
            ("Telegram: Einstellungen > Daten und Speicher > In Galerie speichern: aus für private "
            "Chats, Gruppen und Kanäle."),
            ("Threema: Einstellungen > Medien > Medien in Galerie speichern: aus (Threema Work: "
            "MDM-Schlüssel th_disable_save_to_gallery)."),
            ("Danach die bereits vorhandenen Dateien mit der App „Dateien“ verschieben oder "
            "löschen (z. B. Android > media > com.whatsapp > WhatsApp > Media > WhatsApp Images, "
            "Pictures > Telegram)."),
        ),
    ),
    "MSG-05": CheckText(
        "Andere Apps können offenliegende Messenger-Daten lesen",
        "Der Artikel hebt Anhänge im Speicher von Geräten hervor, auf denen weitere Apps den "
        "Speicher lesen dürfen. Chat-Sicherungen und sichtbare Medien im gemeinsamen Speicher "
        "stehen jeder App im selben Profil offen, die eine Speicher- oder Medienberechtigung oder "
        "Zugriff auf alle Dateien hat.",
        (
            ("Den genannten Apps den Speicherzugriff entziehen: Einstellungen > Apps > (App) > "
            "Berechtigungen > Fotos und Videos / Musik und Audio / Dateien und Medien: Nicht "
            "zulassen."),
            ("Zugriff auf alle Dateien abschalten: Einstellungen > Apps > Spezieller App-Zugriff > "
            "Zugriff auf alle Dateien > (App): aus."),
            ("Nicht benötigte Apps aus der Liste deinstallieren, zuerst die nicht aus einem "
            "App-Store stammenden."),
            ("Die Messenger-Daten aus dem gemeinsamen Speicher entfernen (MSG-03, MSG-04) oder den "
            "Messenger in ein Arbeitsprofil verlegen (MSG-02)."),
        ),
    ),
    "MSG-06": CheckText(
        "Messenger darf das Telefonbuch lesen",
        "Ein Messenger mit Kontaktzugriff lädt die Nummern aller Kontakte hoch, auch von Personen, "
        "die nie eingewilligt haben. Laut Artikel dürfen bei gewährtem Zugriff nur Kundenkontakte "
        "mit Einwilligung gespeichert sein; Telegram und Signal funktionieren ohne Zugriff, Wire "
        "verlangt keinen.",
        (
            ("Behält der Messenger den Kontaktzugriff: nur Kundenkontakte mit Einwilligung "
            "speichern, in den Kontakten des Arbeitsprofils oder Diensthandys, und dies in der "
            "Richtlinie bestätigen: [[attest.MSG-06]]."),
            ("Sonst den Zugriff entziehen: Einstellungen > Apps > (App) > Berechtigungen > "
            "Kontakte > Nicht zulassen; Nummern lassen sich in der App von Hand eingeben."),
            ("Wire braucht kein Telefonbuch: Einstellungen > Apps > Wire > Berechtigungen > "
            "Kontakte > Nicht zulassen."),
        ),
    ),
    "MSG-07": CheckText(
        "Telegram-Chats für den Betreiber lesbar, sofern nicht geheim",
        "Telegram verschlüsselt normale Chats nur zwischen Gerät und Server: der Betreiber kann "
        "sie lesen. Nur geheime Chats (eins zu eins) sind Ende-zu-Ende-verschlüsselt und müssen "
        "vom Nutzer gestartet werden. Welche Chats genutzt werden, zeigt das Gerät ohne Root "
        "nicht.",
        (
            ("Dienstliche Gespräche nur in geheimen Chats führen: Kontakt öffnen, ⋮ (Mehr) > "
            "Geheimen Chat starten."),
            ("Für Kundendaten keine Telegram-Gruppen oder -Kanäle verwenden: sie sind nie "
            "Ende-zu-Ende-verschlüsselt."),
            ("Wer dieses Gerät wann und bis wann geprüft hat, festhalten: msgscan attest MSG-07 "
            "--device SERIENNUMMER (docs/attestations.md), oder in der Richtlinie: "
            "[[attest.MSG-07]]."),
        ),
    ),
    "MSG-08": CheckText(
        "Inoffizieller oder veränderter Messenger",
        "Veränderte Clients (GBWhatsApp, FMWhatsApp u. ä.) stammen von Unbekannten, sind nicht "
        "sicherheitsgeprüft, verletzen die Nutzungsbedingungen und enthielten bereits "
        "Schadsoftware (FMWhatsApp mit dem Trojaner Triada). Alles, was darin eingegeben wurde, "
        "ist als offengelegt zu behandeln.",
        (
            "Den veränderten Client deinstallieren: Einstellungen > Apps > (App) > Deinstallieren.",
            ("Die offizielle App aus Google Play installieren (WhatsApp Business, Telegram, "
            "Signal, Threema oder Wire) und neu registrieren."),
            ("Bevor das Gerät wieder dienstlich genutzt wird, es von der IT auf Schadsoftware "
            "prüfen lassen und darauf eingegebene Passwörter ändern."),
        ),
    ),
    "MSG-09": CheckText(
        "Messenger-Version mit bekannten Sicherheitslücken",
        "Messenger verarbeiten Medien und Anrufe von jedem, der die Nummer kennt; mehrere der "
        "aufgeführten Lücken erlaubten Codeausführung durch eine einzige Nachricht oder einen "
        "Anruf und wurden ausgenutzt. Eine Version unterhalb der Korrektur bleibt angreifbar, "
        "wie gut die App auch eingestellt ist.",
        (
            ("Die App aktualisieren: Google Play > Profilsymbol > Apps und Gerät verwalten > "
            "Updates verfügbar > Aktualisieren (oder das Update per MDM ins Arbeitsprofil "
            "verteilen)."),
            ("Automatische Updates einschalten: Google Play > Profilsymbol > Einstellungen > "
            "Netzwerkeinstellungen > Automatische App-Updates."),
            ("Erhält die App auf dieser Android-Version keine Updates mehr, den Messenger auf ein "
            "Gerät verlegen, das noch Updates bekommt."),
        ),
    ),
    "MSG-10": CheckText(
        "Messenger nicht aus einem App-Store oder dem MDM installiert",
        "Eine APK-Datei von einer Website oder aus einem Chat kann alles sein: ein Mod, eine alte "
        "Version oder ein Trojaner unter echtem Namen. App-Stores und das MDM der Organisation "
        "prüfen, was sie ausliefern, und halten es aktuell.",
        (
            ("Zu Bewahrendes sichern, dann die App aus Google Play oder dem Firmen-App-Store neu "
            "installieren: Einstellungen > Apps > (App) > Deinstallieren, dann Play Store > Suchen "
            "> Installieren."),
            ("Installationen aus unbekannten Quellen sperren: Einstellungen > Apps > Spezieller "
            "App-Zugriff > Unbekannte Apps installieren: für jede App aus (oder per MDM "
            "erzwingen)."),
            ("Verteilt die Organisation Apps mit einem eigenen Installer, diesen in der Richtlinie "
            "unter trusted_installers eintragen."),
        ),
    ),
    "MSG-11": CheckText(
        "Messenger von der Organisation untersagt",
        "Manche Unternehmen untersagen einen Messenger auf Diensthandys ganz, wie der Artikel am "
        "Beispiel eines Automobilzulieferers berichtet. Nennt die Richtlinie einen Messenger, ist "
        "jede Installation ein Verstoß gegen diese Regel, gleich wie sie eingestellt ist.",
        (
            ("Den untersagten Messenger deinstallieren: Einstellungen > Apps > (App) > "
            "Deinstallieren, in jedem Profil, in dem er vorkommt."),
            "Dienstliche Gespräche in einen Messenger verlegen, den die Richtlinie erlaubt.",
            ("Muss er auf dem Gerät bleiben, die Sperrliste der Richtlinie ändern oder eine "
            "Ausnahme mit Begründung und Enddatum eintragen."),
        ),
    ),
    "MSG-12": CheckText(
        "Androids eigene Sicherung kann Messenger-Daten kopieren",
        "Ergänzung zu MSG-03: Eine App, die Sicherungen erlaubt, übergibt Daten an die "
        "Android-Sicherung, die sie an den gewählten Dienst (meist Google) sendet. WhatsApp, "
        "Telegram und Signal erlauben das, übergeben aber nur Anmeldedaten; daher nur ein Hinweis.",
        (
            ("Meist nichts zu tun: bei WhatsApp, Telegram und Signal enthält die Sicherung keine "
            "Chats."),
            ("Um alle App-Daten aus der Google-Sicherung herauszuhalten: Einstellungen > Google > "
            "Sicherung > Sicherung durch Google One: aus (oder den Sicherungsdienst per MDM "
            "verbieten)."),
        ),
    ),
    "ORG-01": CheckText(
        "Kunden vor der Messenger-Nutzung informiert",
        "Wer WhatsApp trotz der Risiken beruflich einsetzt, sollte Kunden vorab informieren: "
        "Rufnummer, Profildaten und Metadaten gehen an den Betreiber, ein Unternehmen in den USA.",
        (
            ("In die Kundeninformation (Datenschutzhinweis, erste Nachricht, Vertragsanlage) "
            "aufnehmen, dass und wie der Messenger genutzt wird und welche Daten an den Betreiber "
            "gehen."),
            ("Text und Einführungsdatum aufbewahren, dann die Bestätigung in der Richtlinie "
            "eintragen: [attest.ORG-01] mit by, on, note."),
        ),
    ),
    "ORG-02": CheckText(
        "WhatsApp nicht für rein interne Kommunikation",
        "Im Artikel zitierte Fachleute raten von WhatsApp für rein interne Unternehmens"
        "kommunikation ab: Es gibt keinen Kundengrund, die Datenflüsse hinzunehmen, und interne "
        "Werkzeuge ohne sie stehen bereit. Nur Geräte mit einer App der WhatsApp-Familie: sonst "
        "entfällt der Punkt.",
        (
            ("Einen internen Kanal bereitstellen (Firmen-Chat, Threema Work oder Wire) und den "
            "Beschäftigten sagen, dass WhatsApp nur für Kunden da ist."),
            "Die Bestätigung in der Richtlinie eintragen: [attest.ORG-02] mit by, on, note.",
        ),
    ),
    "ORG-03": CheckText(
        "WhatsApp nicht mit Berufsgeheimnisträgern",
        "Im Artikel zitierte Fachleute raten von WhatsApp im Austausch mit Berufsgeheimnisträgern "
        "wie Ärzten ab: Ihre Nachrichten können besonders geschützte Daten enthalten, und schon "
        "die Metadaten des Messengers können die Beziehung offenlegen. Nur "
        "Geräte mit einer App der WhatsApp-Familie: sonst entfällt der Punkt.",
        (
            ("Mit Ärzten, Anwälten und anderen Berufsgeheimnisträgern einen anderen Kanal "
            "vereinbaren (verschlüsselte E-Mail, Portal, Threema Work) und den Beschäftigten "
            "sagen, mit ihnen kein WhatsApp zu nutzen."),
            "Die Bestätigung in der Richtlinie eintragen: [attest.ORG-03] mit by, on, note.",
        ),
    ),
    "DEV-01": CheckText(
        "Sicherheitspatch-Stand zu alt",
        "Androids monatliche Sicherheitspatches schließen Lücken, durch die Apps oder Nachrichten "
        "das Gerät und damit jeden Messenger darauf übernehmen können. Ein älterer Stand als "
        "erlaubt heißt: bekannte, oft ausgenutzte Lücken sind offen.",
        (
            ("Ausstehende Updates installieren: Einstellungen > System > Softwareupdate (Samsung: "
            "Einstellungen > Software-Update > Herunterladen und installieren), dann neu starten."),
            ("Wird kein neueres Update angeboten, unterstützt der Hersteller das Gerät nicht mehr: "
            "ersetzen."),
        ),
    ),
    "DEV-02": CheckText(
        "Android-Version unter dem Mindeststand der Richtlinie",
        "Alte Android-Versionen erhalten keine Sicherheitskorrekturen mehr, und neue "
        "Messenger-Versionen unterstützen sie nicht mehr. Die Richtlinie nennt die älteste noch "
        "zulässige Version.",
        (
            ("Android aktualisieren: Einstellungen > System > Softwareupdate (Samsung: "
            "Einstellungen > Software-Update > Herunterladen und installieren)."),
            ("Bekommt das Gerät kein neueres Android, durch eines ersetzen, das der Hersteller "
            "noch unterstützt."),
        ),
    ),
    "DEV-03": CheckText(
        "Speicher nicht verschlüsselt",
        "Ohne Speicherverschlüsselung kann jeder, der das Gerät in der Hand hat, mit Kabel und "
        "Werkzeug alle Messenger-Datenbanken und Medien lesen – mit oder ohne Displaysperre.",
        (
            ("Android 6–9: eine Displaysperre mit PIN einrichten, dann Einstellungen > Sicherheit "
            "> Verschlüsselung > Telefon verschlüsseln (dabei laden)."),
            ("Ab Android 10 verschlüsselt jedes ausgelieferte Gerät: ein unverschlüsseltes läuft "
            "mit verändertem System; die Hersteller-Firmware neu aufspielen oder das Gerät "
            "ersetzen."),
        ),
    ),
}
"""Check id -> its German text."""

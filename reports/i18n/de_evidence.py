"""German for evidence lines that carry no message id: reports written before schema 1.3.

Since 1.3 every rule's evidence is a message (``checks.findings.Message``) rendered from the
gettext catalog by ``reports.i18n.evidence``; ``Texts.evidence`` comes here only for an item
without an id — a saved report from an older msgscan, and the attestation lines
``checks.evaluate`` still writes as text. Each line is matched, whole, against the patterns below,
in order; the parts that came from the phone (paths, package names, versions, reasons) are
carried over unchanged. A line no pattern matches stays English.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_KINDS = {
    "personal profile": "privates Profil",
    "secondary user": "weiterer Nutzer",
    "work profile": "Arbeitsprofil",
    "clone or private profile": "Klon- oder privates Profil",
    "guest user": "Gast",
    "restricted profile": "eingeschränktes Profil",
}
_USER = re.compile(r"\buser (\d+)(?: \(([A-Za-z ]+)\))?")
_NOUNS = {
    "chat backup file": ("Chat-Sicherungsdatei", "Chat-Sicherungsdateien"),
    "chat backup folder": ("Chat-Sicherungsordner", "Chat-Sicherungsordner"),
    "visible media file": ("sichtbare Mediendatei", "sichtbare Mediendateien"),
    "hidden media file": ("verborgene Mediendatei", "verborgene Mediendateien"),
    "other app": ("weitere App", "weitere Apps"),
    "file": ("Datei", "Dateien"),
    "folder": ("Ordner", "Ordner"),
    "place": ("Ort", "Orten"),
    "subfolder": ("Unterordner", "Unterordner"),
    "advisory": ("Sicherheitshinweis", "Sicherheitshinweise"),
    "known advisory": ("bekannter Sicherheitshinweis", "bekannte Sicherheitshinweise"),
    "other third-party app": ("weiteren Dritt-App", "weiteren Dritt-Apps"),
    "preinstalled system app": ("vorinstallierte System-App", "vorinstallierte System-Apps"),
}
_KIND_DE = {"archive": "Sicherungen", "media": "Medien", "hidden media": "verborgene Medien"}


def users(text: str) -> str:
    """ "user 10 (work profile)" -> "Nutzer 10 (Arbeitsprofil)" wherever it occurs."""

    from reports.i18n.de_profiles import KINDS

    def one(m: re.Match[str]) -> str:
        kind = m.group(2) and _KINDS.get(m.group(2)) or KINDS.get(m.group(2) or "", m.group(2))
        kind = f" ({kind})" if kind else ""
        return f"Nutzer {m.group(1)}{kind}"

    return _USER.sub(one, text)


def noun(n: str, english: str) -> str:
    one, many = _NOUNS[english.removesuffix("s") if english not in _NOUNS else english]
    return f"{n} {one if n == '1' else many}"


def _nomedia(s: str) -> str:
    return {".nomedia present": ".nomedia vorhanden", "no .nomedia": "kein .nomedia",
            ".nomedia not checked": ".nomedia nicht geprüft"}.get(s, s)


def _newest(s: str) -> str:
    return "unbekannt" if s == "unknown" else s


_BUILD = {
    "official": "offiziell",
    "the vendor's beta build": "Beta-Version des Herstellers",
    "a third-party build of open-source code": "ein Fremd-Build von quelloffenem Code",
}
_LINEAGE = r"(?P<lin>; key rotation lineage (?P<chain>.+))?"


def _lineage(m: re.Match[str]) -> str:
    return f"; Schlüsselrotation {m['chain']}" if m["lin"] else ""

_ENCRYPTION = {
    "file-based encryption": "dateibasierte Verschlüsselung",
    "full-disk encryption": "Vollverschlüsselung",
    "encrypted (type not reported)": "verschlüsselt (Art nicht angegeben)",
}
_BACKS_UP = {
    "its backup agent saves only a token file, no chats":
        "sein Sicherungsagent sichert nur eine Token-Datei, keine Chats",
    "its backup agent saves only login tokens, no chats":
        "sein Sicherungsagent sichert nur Anmelde-Token, keine Chats",
    "its backup agent saves only account-recovery tokens, no chats":
        "sein Sicherungsagent sichert nur Token zur Kontowiederherstellung, keine Chats",
    "what its backup agent copies is not documented: assume app data":
        "was sein Sicherungsagent kopiert, ist nicht dokumentiert: App-Daten annehmen",
}
_DUTIES = {
    "customers are informed before the messenger is used with them":
        "Kunden vor der Nutzung des Messengers informiert werden",
    "WhatsApp is not used for purely internal communication":
        "WhatsApp nicht für rein interne Kommunikation genutzt wird",
    "WhatsApp is not used with doctors or other holders of professional secrecy":
        "WhatsApp nicht mit Ärzten oder anderen Berufsgeheimnisträgern genutzt wird",
}


def _r(pattern: str, build: Callable[[re.Match[str]], str]) -> Rule:
    return re.compile(pattern, re.DOTALL), build


RULES: tuple[Rule, ...] = (
    # --- storage (MSG-03, MSG-04, MSG-05)
    _r(r"(?P<n>\d+) (?P<what>chat backup files?|chat backup folders?)(?P<pat> \([^)]*\))?, (?P<size>[\d.]+ \w+), "
       r"newest (?P<new>\S+), in (?P<path>.+?)(?P<below> and below)?",
       lambda m: f"{noun(m['n'], m['what'])}{m['pat'] or ''}, {m['size']}, neueste {_newest(m['new'])}, "
                 f"in {m['path']}{' und darunter' if m['below'] else ''}"),
    _r(r"(?P<n>\d+) files? in (?P<folder>.+), newest (?P<new>\S+), (?P<nm>.+)",
       lambda m: f"{noun(m['n'], 'file')} in {m['folder']}, neueste {_newest(m['new'])}, {_nomedia(m['nm'])}"),
    _r(r"(?P<name>.+?): (?P<n>\d+) (?P<what>chat backup files?|visible media files?|hidden media files?) in shared storage",
       lambda m: f"{m['name']}: {noun(m['n'], m['what'])} im gemeinsamen Speicher"),
    _r(r"(?P<n>\d+) folders? could not be read \((?P<cause>.*)\), e\.g\. (?P<path>.+)",
       lambda m: f"{noun(m['n'], 'folder')} nicht lesbar ({_reason(m['cause'])}), z. B. {m['path']}"),
    _r(r"could not be read: (?P<reason>.+)", lambda m: f"nicht lesbar: {_reason(m['reason'])}"),
    _r(r"(?P<path>/\S.*?) could not be read: (?P<reason>.+)",
       lambda m: f"{m['path']} nicht lesbar: {_reason(m['reason'])}"),
    _r(r"(?P<label>.+?) (?P<kind>archive|media|hidden media) folders: (?P<a>\d+) of (?P<b>\d+) could not be read \((?P<r>.+)\)",
       lambda m: f"{m['label']}, Ordner für {_KIND_DE[m['kind']]}: "
                 f"{m['a']} von {m['b']} nicht lesbar ({_reason(m['r'])})"),
    _r(r"no chat backups in (?P<n>\d+) places? looked at \((?P<a>\d+) absent\)",
       lambda m: f"keine Chat-Sicherungen an {noun(m['n'], 'place')} geprüft ({m['a']} nicht vorhanden)"),
    _r(r"no visible media in (?P<n>\d+) folders? looked at: (?P<e>\d+) empty, (?P<a>\d+) absent, "
       r"(?P<h>\d+) hidden by \.nomedia",
       lambda m: f"keine sichtbaren Medien in {noun(m['n'], 'folder')}: {m['e']} leer, {m['a']} nicht "
                 f"vorhanden, {m['h']} durch .nomedia verborgen"),
    _r(r"(?P<n>\d+) preinstalled system apps? can read it too \((?P<names>.+)\); not counted: part of the "
       r"firmware",
       lambda m: f"{noun(m['n'], 'preinstalled system app')} kann ihn ebenfalls lesen ({m['names']}); "
                 "nicht gezählt: Teil der Firmware"),
    _r(r"could not tell whether messenger data lies in shared storage of (?P<w>.+)",
       lambda m: f"nicht feststellbar, ob Messenger-Daten im gemeinsamen Speicher von {users(m['w'])} liegen"),
    _r(r"no messenger data found in shared storage of (?P<w>.+)",
       lambda m: f"keine Messenger-Daten im gemeinsamen Speicher von {users(m['w'])} gefunden"),
    _r(r"no storage evidence was collected for (?P<what>.+) of (?P<w>.+)",
       lambda m: f"keine Speicherdaten erhoben für {_what(m['what'])} von {users(m['w'])}"),
    _r(r"(?P<what>.+) of (?P<w>.+) were not collected: the scan stopped early",
       lambda m: f"{_what(m['what'])} von {users(m['w'])} nicht erhoben: die Prüfung endete vorzeitig"),
    _r(r"the catalog knows no (?P<what>.+?) folder of (?P<label>.+); check the phone by hand",
       lambda m: f"der Katalog kennt keinen Ordner für {_what(m['what'])} von {m['label']}; das Gerät von Hand prüfen"),
    _r(r"(?P<name>.+) keeps no local chat archive \(cloud chats\)",
       lambda m: f"{m['name']} legt kein lokales Chat-Archiv an (Cloud-Chats)"),
    _r(r"(?P<name>.+) backups have no fixed name or folder; check the phone by hand",
       lambda m: f"Sicherungen von {m['name']} haben keinen festen Namen oder Ordner; das Gerät von Hand prüfen"),
    _r(r"(?P<name>.+) does not save received media to shared storage by itself \(copies are made by hand\)",
       lambda m: f"{m['name']} speichert empfangene Medien nicht selbst im gemeinsamen Speicher "
                 "(Kopien nur von Hand)"),
    _r(r"(?P<n>\d+) other apps? can read messenger data in shared storage of (?P<w>.+?): (?P<list>.+)",
       lambda m: f"{noun(m['n'], 'other app')} {'kann' if m['n'] == '1' else 'können'} Messenger-Daten im "
                 f"gemeinsamen Speicher von {users(m['w'])} lesen: {_labels(m['list'])}"),
    _r(r"(?P<pkg>\S+) can read (?P<what>.+) in shared storage of user (?P<u>\d+): (?P<ways>.+)",
       lambda m: f"{m['pkg']} kann {_labels(m['what'])} im gemeinsamen Speicher von Nutzer {m['u']} lesen: "
                 f"{_ways(m['ways'])}"),
    _r(r"can read none of the exposed files: (?P<list>.+)",
       lambda m: f"kann keine der offengelegten Dateien lesen: {_ways(m['list'])}"),
    _r(r"could not tell whether other apps with media access can read messenger media in shared storage "
       r"of (?P<w>.+): media folders could not be read",
       lambda m: f"nicht feststellbar, ob andere Apps mit Medienzugriff Messenger-Medien im gemeinsamen "
                 f"Speicher von {users(m['w'])} lesen können: Medienordner waren nicht lesbar"),
    _r(r"no other third-party app in (?P<w>.+) can read the messenger data found there",
       lambda m: f"keine weitere Dritt-App in {users(m['w'])} kann die dort gefundenen Messenger-Daten lesen"),
    _r(r"the catalog knows no folders of (?P<names>.+): whether its data lies open in shared storage of "
       r"(?P<w>.+) must be checked by hand",
       lambda m: f"der Katalog kennt keine Ordner von {m['names']}: ob seine Daten offen im gemeinsamen "
                 f"Speicher von {users(m['w'])} liegen, ist von Hand zu prüfen"),
    _r(r"Google Drive backup is a setting inside (?P<name>.+) that a non-root shell cannot read; check in "
       r"the app: Settings > Chats > Chat backup > Back up to Google Drive must be Never \(or end-to-end "
       r"encrypted backup on, if the organisation allows it\)",
       lambda m: f"die Google-Drive-Sicherung ist eine Einstellung in {m['name']}, die ohne Root nicht "
                 "lesbar ist; in der App prüfen: Einstellungen > Chats > Chat-Backup > Auf Google Drive "
                 "sichern muss „Nie“ sein (oder Ende-zu-Ende-verschlüsseltes Backup an, wenn die "
                 "Organisation es erlaubt)"),
    # --- Android backup (MSG-12)
    _r(r"ALLOW_BACKUP not set: Android's backup copies none of its data",
       lambda m: "ALLOW_BACKUP nicht gesetzt: die Android-Sicherung kopiert keine ihrer Daten"),
    _r(r"ALLOW_BACKUP set in the app's flags", lambda m: "ALLOW_BACKUP ist in den App-Flags gesetzt"),
    _r(r"Android backup is off", lambda m: "Android-Sicherung ist aus"),
    _r(r"Android backup is on, transport (?P<t>.+)", lambda m: f"Android-Sicherung ist an, Dienst {m['t']}"),
    _r(r"Android backup is on but no selected transport was reported",
       lambda m: "Android-Sicherung ist an, aber kein gewählter Dienst wurde gemeldet"),
    _r(r"bmgr reported neither enabled nor disabled", lambda m: "bmgr meldete weder an noch aus"),
    _r(r"(?P<name>[^:]+): (?P<what>its backup agent .+|what its backup agent .+)",
       lambda m: f"{m['name']}: {_BACKS_UP.get(m['what'], m['what'])}"),
    # --- contacts (MSG-06)
    _r(r"(?P<perms>[A-Z_, ]+) granted for user (?P<u>\d+)",
       lambda m: f"{m['perms']} erteilt für Nutzer {m['u']}"),
    _r(r"contacts permissions not granted for user (?P<u>\d+) \(no entry\)",
       lambda m: f"Kontaktberechtigungen für Nutzer {m['u']} nicht erteilt (kein Eintrag)"),
    _r(r"(?P<parts>.+) for user (?P<u>\d+)",
       lambda m: f"{_contacts(m['parts'])} für Nutzer {m['u']}"),
    _r(r"a person must attest that only customer contacts who consented are stored",
       lambda m: "eine verantwortliche Person muss bestätigen, dass nur Kundenkontakte mit Einwilligung "
                 "gespeichert sind"),
    _r(r"(?P<name>.+) works without the phonebook and asks for none",
       lambda m: f"{m['name']} funktioniert ohne Telefonbuch und verlangt keinen Zugriff"),
    # --- organisation (ORG-01..03)
    _r(r"the phone cannot show this; a person must attest that (?P<duty>.+) \(policy (?P<key>\[attest\.[\w-]+\])\)",
       lambda m: f"das Gerät kann das nicht zeigen; eine verantwortliche Person muss bestätigen, dass "
                 f"{_DUTIES.get(m['duty'], m['duty'])} (Richtlinie {m['key']})"),
    _r(r"attested by (?P<by>.+?) on (?P<on>\d{4}-\d{2}-\d{2})(?: until (?P<until>\d{4}-\d{2}-\d{2}))?(?P<note>: .*)?",
       lambda m: f"bestätigt von {m['by']} am {m['on']}"
                 f"{' bis ' + m['until'] if m['until'] else ''}{m['note'] or ''}"),
    _r(r"the attestation by (?P<by>.+?) on (?P<on>\d{4}-\d{2}-\d{2}) expired on (?P<until>\d{4}-\d{2}-\d{2}): "
       r"attest it again \((?P<key>\S+)\)",
       lambda m: f"die Bestätigung von {m['by']} am {m['on']} ist am {m['until']} abgelaufen: "
                 f"erneut bestätigen ({m['key']})"),
    _r(r"not attested for this phone: record it in the policy as (?P<key>\S+) \(device, by, on, until\)",
       lambda m: f"für dieses Gerät nicht bestätigt: in der Richtlinie als {m['key']} eintragen "
                 "(device, by, on, until)"),
    _r(r"no WhatsApp-family app installed", lambda m: "keine App der WhatsApp-Familie installiert"),
    # --- inventory (MSG-01, 07 .. 11)
    _r(r"consumer WhatsApp \((?P<pkg>\S+)\) installed for (?P<w>.+)",
       lambda m: f"privates WhatsApp ({m['pkg']}) installiert für {users(m['w'])}"),
    _r(r"WhatsApp Business is also installed \(users (?P<u>.+)\)",
       lambda m: f"WhatsApp Business ist ebenfalls installiert (Nutzer {m['u']})"),
    _r(r"(?P<name>.+) installed for (?P<w>.+): whether business chats are secret chats cannot be read "
       r"without root",
       lambda m: f"{m['name']} installiert für {users(m['w'])}: ob dienstliche Chats geheime Chats sind, "
                 "ist ohne Root nicht lesbar"),
    _r(r"(?P<pkg>\S+) is (?P<label>.+) \((?P<kind>official|the vendor's beta build|a third-party build of "
       r"open-source code)\), not a known mod or clone",
       lambda m: f"{m['pkg']} ist {m['label']} ({_BUILD.get(m['kind'], m['kind'])}), kein bekannter Mod "
                 "oder Klon"),
    _r(r"the signer of (?P<pkg>\S+) was not read",
       lambda m: f"das Signaturzertifikat von {m['pkg']} wurde nicht gelesen"),
    _r(r"the signer of (?P<pkg>\S+) could not be read: (?P<why>.+)",
       lambda m: f"das Signaturzertifikat von {m['pkg']} war nicht lesbar: {m['why']}"),
    _r(r"(?P<pkg>\S+): the APK's signer \((?P<d>\S+), hash (?P<h>\w+)\) is not the one the package manager "
       r"reports \(signatures:\[(?P<s>[^\]]*)\]\); the two views of the phone disagree",
       lambda m: f"{m['pkg']}: das Zertifikat der APK ({m['d']}, Hash {m['h']}) ist nicht das, das der "
                 f"Paketmanager meldet (signatures:[{m['s']}]); die beiden Sichten des Geräts widersprechen sich"),
    _r(r"(?P<pkg>\S+) is signed by SHA-256 (?P<d>\S+) \((?P<sch>[\w.]+)\); no published reference digest "
       r"exists for it: compare it with a known-good install and pin it in the policy's \[signers\] table",
       lambda m: f"{m['pkg']} ist mit SHA-256 {m['d']} ({m['sch']}) signiert; es gibt keinen veröffentlichten "
                 "Referenzwert: mit einer als echt bekannten Installation vergleichen und in der Richtlinie "
                 "unter [signers] festlegen"),
    _r(r"(?P<pkg>\S+) is signed by SHA-256 (?P<d>\S+) \((?P<sch>[\w.]+)\), matching the (?P<ref>.+?)" + _LINEAGE,
       lambda m: f"{m['pkg']} ist mit SHA-256 {m['d']} ({m['sch']}) signiert, passend zu: {m['ref']}"
                 f"{_lineage(m)}"),
    _r(r"(?P<pkg>\S+) is signed by SHA-256 (?P<d>\S+) \((?P<sch>[\w.]+)\), a key rotated from the "
       r"(?P<ref>.+?), each rotation signed by the key before it" + _LINEAGE,
       lambda m: f"{m['pkg']} ist mit SHA-256 {m['d']} ({m['sch']}) signiert, einem rotierten Schlüssel, "
                 f"hervorgegangen aus: {m['ref']}, jede Rotation vom vorherigen Schlüssel signiert{_lineage(m)}"),
    _r(r"(?P<pkg>\S+) is signed by SHA-256 (?P<d>\S+) \((?P<sch>[\w.]+)\), not by the expected certificate "
       r"(?P<ref>.+?): a modified or repackaged build under the official name" + _LINEAGE,
       lambda m: f"{m['pkg']} ist mit SHA-256 {m['d']} ({m['sch']}) signiert, nicht mit dem erwarteten "
                 f"Zertifikat {m['ref']}: ein veränderter oder neu verpackter Build unter dem offiziellen "
                 f"Namen{_lineage(m)}"),
    _r(r"version (?P<v>\S+) lacks the fix for (?P<a>\d+) of (?P<n>\d+) known advisor(?:y|ies)",
       lambda m: f"Version {m['v']} fehlt die Korrektur für {m['a']} von {m['n']} bekannten Sicherheitshinweisen"),
    _r(r"no security floor known: the catalog lists no advisory for (?P<name>.+)",
       lambda m: f"kein Mindeststand bekannt: der Katalog führt keinen Sicherheitshinweis für {m['name']}"),
    _r(r"no security floor known: (?P<why>.+)", lambda m: f"kein Mindeststand bekannt: {m['why']}"),
    _r(r"version (?P<v>\S+) is outside every known advisory's affected range \((?P<n>\d+) advisor(?:y|ies), "
       r"highest floor (?P<f>\S+)\)",
       lambda m: f"Version {m['v']} liegt außerhalb der betroffenen Versionen aller bekannten "
                 f"Sicherheitshinweise ({noun(m['n'], 'advisory')}, höchster Mindeststand {m['f']})"),
    _r(r"(?P<id>[^:]+): (?P<issue>.+); affected (?P<range>.+?); source (?P<src>\S+)",
       lambda m: f"{m['id']}: {m['issue']}; betroffen {_range(m['range'])}; Quelle {m['src']}"),
    _r(r"the app is recorded as its own installer: an APK installed outside an app store \(a "
       r"self-updating download or a restore tool\)",
       lambda m: "die App ist als ihr eigener Installer vermerkt: eine APK, außerhalb eines App-Stores "
                 "installiert (ein sich selbst aktualisierender Download oder ein Wiederherstellungs-Tool)"),
    _r(r"installed by the MDM agent (?P<name>.+) \((?P<pkg>\S+)\), which does not manage this phone \(not an "
       r"owner or active admin\)",
       lambda m: f"installiert über den MDM-Agenten {m['name']} ({m['pkg']}), der dieses Gerät nicht "
                 "verwaltet (weder Inhaber noch aktiver Administrator)"),
    _r(r"installed by the MDM agent (?P<name>.+) \((?P<pkg>\S+)\), an active device admin"
       r"(?P<note> \(install started by .+\))?",
       lambda m: f"installiert über den MDM-Agenten {m['name']} ({m['pkg']}), ein aktiver "
                 f"Geräteadministrator{_started(m['note'])}"),
    _r(r"installed by (?P<name>.+) \((?P<pkg>\S+)\), a system installer of the phone \(preloaded app\)"
       r"(?P<note> \(install started by .+\))?",
       lambda m: f"installiert über {m['name']} ({m['pkg']}), ein System-Installer des Geräts "
                 f"(vorinstallierte App){_started(m['note'])}"),
    _r(r"installed by (?P<pkg>\S+), a system app of the phone's firmware \(the maker's installer\)"
       r"(?P<note> \(install started by .+\))?",
       lambda m: f"installiert über {m['pkg']}, eine System-App der Firmware des Geräts (der Installer "
                 f"des Herstellers){_started(m['note'])}"),
    _r(r"installed by Google Play", lambda m: "installiert über Google Play"),
    _r(r"installed by an unknown installer \((?P<i>.+)\): not an app store, the MDM or trusted by the policy",
       lambda m: f"installiert über einen unbekannten Installer ({m['i']}): kein App-Store, nicht das MDM "
                 "und nicht in der Richtlinie als vertrauenswürdig eingetragen"),
    _r(r"installed by (?P<i>.+), which may be the MDM: the device policy could not be read",
       lambda m: f"installiert über {m['i']}, möglicherweise das MDM: die Geräterichtlinie war nicht lesbar"),
    _r(r"recorded installer is (?P<a>.+), but the install was started by (?P<b>.+): an APK file installed "
       r"under a store's name",
       lambda m: f"vermerkter Installer ist {_source(m['a'])}, gestartet wurde die Installation aber über "
                 f"{_source(m['b'])}: eine APK-Datei unter dem Namen eines Stores installiert"),
    _r(r"(?P<pkg>\S+) is (?P<label>.+), a modified (?P<name>.+) client not published by the vendor",
       lambda m: f"{m['pkg']} ist {m['label']}, ein veränderter {m['name']}-Client, nicht vom Hersteller"),
    _r(r"versionName (?P<v>.+) is not a version number",
       lambda m: f"versionName {m['v']} ist keine Versionsnummer"),
    _r(r"versionName missing", lambda m: "versionName fehlt"),
    _r(r"installed by (?P<src>[^()]+?)(?P<note> \(.*\))?",
       lambda m: f"installiert über {_source(m['src'])}{m['note'] or ''}"),
    _r(r"part of the phone's system image \(preinstalled\)",
       lambda m: "Teil des System-Images des Geräts (vorinstalliert)"),
    _r(r"no installer recorded: installed from an APK file \(by adb or a file manager\)",
       lambda m: "kein Installer vermerkt: aus einer APK-Datei installiert (per adb oder Dateimanager)"),
    _r(r"(?P<name>.+) is forbidden by policy (?P<p>.+)",
       lambda m: f"{m['name']} ist laut Richtlinie {m['p']} untersagt"),
    _r(r"(?P<name>.+) is not forbidden by policy (?P<p>.+)",
       lambda m: f"{m['name']} ist laut Richtlinie {m['p']} nicht untersagt"),
    # --- isolation (MSG-02)
    _r(r"installed in (?P<w>.+?) beside (?P<n>\d+) other third-party apps?, outside any managed work profile",
       lambda m: f"installiert in {users(m['w'])} neben {noun(m['n'], 'other third-party app')}, außerhalb "
                 "eines verwalteten Arbeitsprofils"),
    _r(r"installed only in (?P<w>.+), managed by profile owner (?P<o>.+)",
       lambda m: f"nur installiert in {users(m['w'])}, verwaltet vom Profilinhaber {m['o']}"),
    _r(r"installed in (?P<w>.+); the policy marks the phone dedicated to business but no MDM manages it: a "
       r"person must attest that it is used for nothing else",
       lambda m: f"installiert in {users(m['w'])}; die Richtlinie kennzeichnet das Gerät als reines "
                 "Diensthandy, aber kein MDM verwaltet es: eine verantwortliche Person muss bestätigen, dass "
                 "es für nichts anderes genutzt wird"),
    _r(r"fully managed phone \(device owner (?P<o>.+)\), dedicated to business by the policy",
       lambda m: f"vollständig verwaltetes Gerät (Geräteinhaber {m['o']}), laut Richtlinie reines Diensthandy"),
    _r(r"the phone is fully managed \(device owner (?P<o>.+)\) but the policy does not mark it dedicated "
       r"to business",
       lambda m: f"das Gerät ist vollständig verwaltet (Geräteinhaber {m['o']}), aber die Richtlinie "
                 "kennzeichnet es nicht als reines Diensthandy"),
    _r(r"user (?P<u>\d+) is not in the list of users, so its kind is not known",
       lambda m: f"Nutzer {m['u']} steht nicht in der Nutzerliste, seine Art ist daher unbekannt"),
    _r(r"(?P<w>.+) has no profile owner: no MDM manages it",
       lambda m: f"{users(m['w'])} hat keinen Profilinhaber: kein MDM verwaltet es"),
    # --- device (DEV-01..03)
    _r(r"security patch (?P<d>\S+), (?P<n>-?\d+) days old \(policy allows (?P<l>\d+)\)",
       lambda m: f"Sicherheitspatch {m['d']}, {m['n']} Tage alt (Richtlinie erlaubt {m['l']})"),
    _r(r"Android (?P<r>.+) \(API (?P<a>\d+)\); policy minimum Android (?P<m>.+) \(API (?P<f>\d+)\)",
       lambda m: f"Android {m['r']} (API {m['a']}); Mindeststand der Richtlinie Android {m['m']} (API {m['f']})"),
    _r(r"min_android = (?P<m>.+)", lambda m: f"min_android = {m['m']}"),
    _r(r"storage: (?P<w>.+)", lambda m: f"Speicher: {_ENCRYPTION.get(m['w'], m['w'])}"),
    _r(r"ro\.crypto\.state = (?P<s>.+)", lambda m: f"ro.crypto.state = {m['s']}"),
    _r(r"(?P<prop>ro\.[\w.]+) is not set(?P<rest> or not a number)?",
       lambda m: f"{m['prop']} ist nicht gesetzt{' oder keine Zahl' if m['rest'] else ''}"),
    # --- facts the phone withheld (any rule)
    _r(r"(?P<what>.+) could not be read: (?P<reason>.+)",
       lambda m: f"{_what(m['what'])} nicht lesbar: {_reason(m['reason'])}"),
    _r(r"(?P<label>.+?) (?P<kind>archive|media|hidden media) folders: not collected",
       lambda m: f"{m['label']}, Ordner für {_KIND_DE[m['kind']]}: "
                 "nicht erhoben"),
    _r(r"nothing on this phone to check", lambda m: "auf diesem Gerät nichts zu prüfen"),
    _r(r"rule failed: (?P<e>.+)", lambda m: f"Regel fehlgeschlagen: {m['e']}"),
)

_WHAT = {
    "the package list": "die Paketliste",
    "the list of users": "die Nutzerliste",
    "the device policy": "die Geräterichtlinie",
    "app ops": "die App-Ops",
    "Android's backup state": "der Zustand der Android-Sicherung",
    "archive": "Sicherungen",
    "media": "Medien",
    "chat backups": "Chat-Sicherungen",
    "visible media": "sichtbare Medien",
}


def _what(s: str) -> str:
    return _WHAT.get(s, s)


def _reason(s: str) -> str:
    return s.replace("permission denied", "Zugriff verweigert").replace("not collected", "nicht erhoben")


_LABELS = (
    (" chat backups", " Chat-Sicherungen"), (" hidden media", " verborgene Medien"),
    (" images", " Bilder"), (" videos", " Videos"), (" audio", " Audio"),
    (" documents", " Dokumente"), (" media", " Medien"),
)


def _labels(s: str) -> str:
    """ "WhatsApp chat backups, WhatsApp images" -> "WhatsApp Chat-Sicherungen, WhatsApp Bilder"."""
    for en, de in _LABELS:
        s = re.sub(re.escape(en) + r"(?=[,;)]|$)", de, s)
    return s


def _ways(s: str) -> str:
    s = _labels(s)
    for en, de in (
        ("(images only)", "(nur Bilder)"), ("(videos only)", "(nur Videos)"),
        ("(audio only)", "(nur Audio)"), ("(images, videos and audio)", "(Bilder, Videos und Audio)"),
        ("legacy storage", "alter Speicherzugriff"), ("Android 9 or older", "Android 9 oder älter"),
        ("target API level not reported", "Ziel-API nicht gemeldet"), ("targets API", "Ziel-API"),
        (": every file)", ": alle Dateien)"),
    ):
        s = s.replace(en, de)
    return (s.replace(" granted", " erteilt").replace("all files access", "Zugriff auf alle Dateien")
            .replace("app op", "App-Op"))


def _range(s: str) -> str:
    if s.startswith("below "):
        return f"unter {s.removeprefix('below ')}"
    return s.replace(" up to (not including) ", " bis ausschließlich ")


def _started(note: str | None) -> str:
    return f" (Installation gestartet über {note.removeprefix(' (install started by ')}" if note else ""


def _contacts(s: str) -> str:
    return (s.replace(" granted but blocked by its app op", " erteilt, aber durch die App-Op gesperrt")
            .replace(" denied", " verweigert"))


def _source(s: str) -> str:
    from reports.i18n.de_catalog import SOURCES

    return SOURCES.get(s, s)


def translate(text: str) -> str | None:
    """The German of one evidence line, or None when no pattern covers it."""
    from reports.i18n.de_profiles import RULES as PROFILE_RULES

    for pattern, build in (*PROFILE_RULES, *RULES):
        if (m := pattern.fullmatch(text)) is not None:
            return build(m)
    return None


__all__ = ["RULES", "translate", "users"]

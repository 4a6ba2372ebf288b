"""German for evidence lines that carry no message id: reports written before schema 1.3.

Since 1.3 every rule's evidence is a message (``checks.findings.Message``) rendered from the
gettext catalog by ``reports.i18n.evidence``; ``Texts.evidence`` comes here only for an item
without an id: a saved report from an older msgscan. Each line is matched, whole, against the
patterns of ``de_evidence.toml`` (beside this module), in order; the parts that came from the
phone (paths, package names, versions, reasons) are carried over unchanged, some through a filter
below (a user's label, a count with its noun). A line no pattern matches stays English.

The table is read and its patterns compiled on the first line translated, never at import: a
scan, ``msgscan checks`` and any report of schema 1.3 never pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources

from reports.i18n.de_catalog import SOURCES

Rule = tuple[re.Pattern[str], str]
Filter = Callable[[str, re.Match[str], str], str]

_KINDS = {
    "personal profile": "privates Profil",
    "secondary user": "weiterer Nutzer",
    "work profile": "Arbeitsprofil",
    "clone or private profile": "Klon- oder privates Profil",
    "guest user": "Gast",
    "restricted profile": "eingeschränktes Profil",
    "fully managed phone": "vollständig verwaltetes Gerät",
    "profile of an unknown owner": "Profil eines unbekannten Inhabers",
    "unmanaged work profile": "unverwaltetes Arbeitsprofil",
    "Secure Folder": "Sicherer Ordner",
    "clone profile": "Klonprofil",
    "private space": "privater Bereich",
    "unknown kind of profile": "Profil unbekannter Art",
    "Dual Messenger": "Dual Messenger",
    "Dual apps": "Dual Apps",
}
"""User labels (``checks.rules._common.user_label``) in German."""
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
_WORDS: Mapping[str, Mapping[str, str]] = {
    "kind": {"archive": "Sicherungen", "media": "Medien", "hidden media": "verborgene Medien"},
    "nomedia": {
        ".nomedia present": ".nomedia vorhanden",
        "no .nomedia": "kein .nomedia",
        ".nomedia not checked": ".nomedia nicht geprüft",
    },
    "newest": {"unknown": "unbekannt"},
    "build": {
        "official": "offiziell",
        "the vendor's beta build": "Beta-Version des Herstellers",
        "a third-party build of open-source code": "ein Fremd-Build von quelloffenem Code",
    },
    "encryption": {
        "file-based encryption": "dateibasierte Verschlüsselung",
        "full-disk encryption": "Vollverschlüsselung",
        "encrypted (type not reported)": "verschlüsselt (Art nicht angegeben)",
    },
    "backs_up": {
        "its backup agent saves only a token file, no chats": (
            "sein Sicherungsagent sichert nur eine Token-Datei, keine Chats"
        ),
        "its backup agent saves only login tokens, no chats": (
            "sein Sicherungsagent sichert nur Anmelde-Token, keine Chats"
        ),
        "its backup agent saves only account-recovery tokens, no chats": (
            "sein Sicherungsagent sichert nur Token zur Kontowiederherstellung, keine Chats"
        ),
        "what its backup agent copies is not documented: assume app data": (
            "was sein Sicherungsagent kopiert, ist nicht dokumentiert: App-Daten annehmen"
        ),
    },
    "duty": {
        "customers are informed before the messenger is used with them": (
            "Kunden vor der Nutzung des Messengers informiert werden"
        ),
        "WhatsApp is not used for purely internal communication": (
            "WhatsApp nicht für rein interne Kommunikation genutzt wird"
        ),
        "WhatsApp is not used with doctors or other holders of professional secrecy": (
            "WhatsApp nicht mit Ärzten oder anderen Berufsgeheimnisträgern genutzt wird"
        ),
    },
    "what": {
        "the package list": "die Paketliste",
        "the list of users": "die Nutzerliste",
        "the device policy": "die Geräterichtlinie",
        "app ops": "die App-Ops",
        "Android's backup state": "der Zustand der Android-Sicherung",
        "archive": "Sicherungen",
        "media": "Medien",
        "chat backups": "Chat-Sicherungen",
        "visible media": "sichtbare Medien",
    },
    "source": SOURCES,
}
"""Filters that look a phrase up (the phrase unchanged when it is not listed)."""
_LABELS = (
    (" chat backups", " Chat-Sicherungen"),
    (" hidden media", " verborgene Medien"),
    (" images", " Bilder"),
    (" videos", " Videos"),
    (" audio", " Audio"),
    (" documents", " Dokumente"),
    (" media", " Medien"),
)
_WAYS = (
    ("(images only)", "(nur Bilder)"),
    ("(videos only)", "(nur Videos)"),
    ("(audio only)", "(nur Audio)"),
    ("(images, videos and audio)", "(Bilder, Videos und Audio)"),
    ("legacy storage", "alter Speicherzugriff"),
    ("Android 9 or older", "Android 9 oder älter"),
    ("target API level not reported", "Ziel-API nicht gemeldet"),
    ("targets API", "Ziel-API"),
    (": every file)", ": alle Dateien)"),
    (" granted", " erteilt"),
    ("all files access", "Zugriff auf alle Dateien"),
    ("app op", "App-Op"),
)


@cache
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source, re.DOTALL)


def users(text: str) -> str:
    """ "user 10 (work profile)" -> "Nutzer 10 (Arbeitsprofil)" wherever it occurs."""

    def one(m: re.Match[str]) -> str:
        kind = _KINDS.get(m.group(2) or "", m.group(2))
        return f"Nutzer {m.group(1)}" + (f" ({kind})" if kind else "")

    return _pattern(r"\buser (\d+)(?: \(([A-Za-z ]+)\))?").sub(one, text)


def noun(n: str, english: str) -> str:
    """ "3", "file" -> "3 Dateien" (``english`` singular or plural)."""
    one, many = _NOUNS[english.removesuffix("s") if english not in _NOUNS else english]
    return f"{n} {one if n == '1' else many}"


def _labels(s: str) -> str:
    """ "WhatsApp chat backups, WhatsApp images" -> "WhatsApp Chat-Sicherungen, WhatsApp Bilder"."""
    for en, de in _LABELS:
        s = _pattern(re.escape(en) + r"(?=[,;)]|$)").sub(de, s)
    return s


def _ways(s: str) -> str:
    s = _labels(s)
    for en, de in _WAYS:
        s = s.replace(en, de)
    return s


def _reason(s: str) -> str:
    return s.replace("permission denied", "Zugriff verweigert").replace(
        "not collected", "nicht erhoben"
    )


def _range(s: str) -> str:
    if s.startswith("below "):
        return f"unter {s.removeprefix('below ')}"
    return s.replace(" up to (not including) ", " bis ausschließlich ")


def _started(note: str) -> str:
    return f" (Installation gestartet über {note.removeprefix(' (install started by ')}"


def _contacts(s: str) -> str:
    s = s.replace(" granted but blocked by its app op", " erteilt, aber durch die App-Op gesperrt")
    return s.replace(" denied", " verweigert")


def _plural(n: str, arg: str) -> str:
    one, many = arg.split("/")
    return one if n == "1" else many


FILTERS: Mapping[str, Filter] = {
    "users": lambda v, m, a: users(v),
    "noun": lambda v, m, a: noun(v, a),
    "nounof": lambda v, m, a: noun(v, m[a]),
    "plural": lambda v, m, a: _plural(v, a),
    "labels": lambda v, m, a: _labels(v),
    "ways": lambda v, m, a: _ways(v),
    "reason": lambda v, m, a: _reason(v),
    "collected": lambda v, m, a: v.replace("not collected", "nicht erhoben"),
    "range": lambda v, m, a: _range(v),
    "contacts": lambda v, m, a: _contacts(v),
    "profile": lambda v, m, a: profile(v),
    "started": lambda v, m, a: _started(v) if v else "",
    "lineage": lambda v, m, a: f"; Schlüsselrotation {m['chain']}" if v else "",
    "for": lambda v, m, a: f" für {users(v)}" if v else "",
    "if": lambda v, m, a: a if v else "",
    "pre": lambda v, m, a: a + v if v else "",
    **{name: (lambda t: lambda v, m, a: t.get(v, v))(table) for name, table in _WORDS.items()},
}
"""``{group|name:argument}`` in de_evidence.toml: (group's text, the match, argument) -> German."""
_FIELD = r"\{(\w+)(?:\|(\w+)(?::([^}]*))?)?\}"


def _german(template: str, m: re.Match[str]) -> str:
    def one(f: re.Match[str]) -> str:
        value = m[f[1]] or ""
        return FILTERS[f[2]](value, m, f[3] or "") if f[2] else value

    return _pattern(_FIELD).sub(one, template)


@cache
def tables() -> Mapping[str, tuple[Rule, ...]]:
    """de_evidence.toml, compiled: ``profile``, ``profile_rule`` and ``rule`` entries in order."""
    import tomllib  # deferred: only a pre-1.3 report shown in German needs it (start-up, #18)

    data = tomllib.loads(resources.files("reports.i18n").joinpath("de_evidence.toml").read_text())
    return {
        name: tuple((_pattern(e["en"]), e["de"]) for e in data[name])
        for name in ("profile", "profile_rule", "rule")
    }


def _first(rules: tuple[Rule, ...], text: str) -> str | None:
    for pattern, german in rules:
        if (m := pattern.fullmatch(text)) is not None:
            return _german(german, m)
    return None


def profile(text: str) -> str:
    """The German of an older ``Profile.describe()`` text; the text unchanged when no pattern
    covers it."""
    return _first(tables()["profile"], text) or text


def translate(text: str) -> str | None:
    """The German of one evidence line, or None when no pattern covers it."""
    t = tables()
    return _first((*t["profile"], *t["profile_rule"], *t["rule"]), text)


__all__ = ["FILTERS", "noun", "profile", "tables", "translate", "users"]

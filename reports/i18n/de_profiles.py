"""German for the evidence lines about profiles, their owners, BYOD and per-profile backup.

The lines come from ``checks/owners.py`` (``Profile.describe``), MSG-01 (``checks/rules/
whatsapp.py``), MSG-02 (``profiles.py``) and MSG-12 (``backup.py``). ``de_evidence.translate``
tries these patterns before its own; package names and user numbers are carried over unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reports.i18n.de_evidence import users

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

KINDS = {
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
"""User labels (``_common.user_label``) beyond the flag-based ones in de_evidence."""


def _r(pattern: str, build: Callable[[re.Match[str]], str]) -> Rule:
    return re.compile(pattern, re.DOTALL), build


def _owner(s: str) -> str:
    """ "Android Device Policy (com.google...)" or a bare package: kept as it is."""
    return s


def profile(s: str) -> str:
    """The German of ``Profile.describe()``; the text unchanged when no pattern covers it."""
    for pattern, build in PROFILES:
        if (m := pattern.fullmatch(s)) is not None:
            return build(m)
    return s


PROFILES: tuple[Rule, ...] = (
    _r(r"the phone's main user \(user (?P<u>\d+)\), fully managed by device owner (?P<o>.+)",
       lambda m: f"der Hauptnutzer des Geräts (Nutzer {m['u']}), vollständig verwaltet vom Geräteinhaber "
                 f"{_owner(m['o'])}"),
    _r(r"the personal profile \(user (?P<u>\d+)\)", lambda m: f"das private Profil (Nutzer {m['u']})"),
    _r(r"a work profile \(user (?P<u>\d+)\) managed by the MDM (?P<o>.+)",
       lambda m: f"ein Arbeitsprofil (Nutzer {m['u']}), verwaltet vom MDM {_owner(m['o'])}"),
    _r(r"a managed profile \(user (?P<u>\d+)\) whose profile owner (?P<o>\S+) is not a known MDM",
       lambda m: f"ein verwaltetes Profil (Nutzer {m['u']}), dessen Profilinhaber {m['o']} kein bekanntes "
                 "MDM ist"),
    _r(r"a work profile \(user (?P<u>\d+)\) without a profile owner: no MDM manages it",
       lambda m: f"ein Arbeitsprofil (Nutzer {m['u']}) ohne Profilinhaber: kein MDM verwaltet es"),
    _r(r"Samsung Secure Folder \(user (?P<u>\d+)\), owned by Samsung's own app (?P<o>\S+), not by an MDM",
       lambda m: f"Samsungs Sicherer Ordner (Nutzer {m['u']}), im Besitz von Samsungs eigener App {m['o']}, "
                 "nicht eines MDM"),
    _r(r"Samsung Dual Messenger \(user (?P<u>\d+)\), a second copy of personal apps",
       lambda m: f"Samsung Dual Messenger (Nutzer {m['u']}), eine zweite Kopie privater Apps"),
    _r(r"Xiaomi Dual apps \(user (?P<u>\d+)\), a second copy of personal apps",
       lambda m: f"Xiaomi Dual Apps (Nutzer {m['u']}), eine zweite Kopie privater Apps"),
    _r(r"a clone profile \(user (?P<u>\d+)\), Android's second copy of personal apps",
       lambda m: f"ein Klonprofil (Nutzer {m['u']}), Androids zweite Kopie privater Apps"),
    _r(r"the private space \(user (?P<u>\d+)\), the owner's hidden personal apps",
       lambda m: f"der private Bereich (Nutzer {m['u']}), die verborgenen privaten Apps des Besitzers"),
    _r(r"a secondary user \(user (?P<u>\d+)\)", lambda m: f"ein weiterer Nutzer (Nutzer {m['u']})"),
    _r(r"a guest user \(user (?P<u>\d+)\)", lambda m: f"ein Gast (Nutzer {m['u']})"),
    _r(r"a restricted profile \(user (?P<u>\d+)\)", lambda m: f"ein eingeschränktes Profil (Nutzer {m['u']})"),
    _r(r"a profile \(user (?P<u>\d+)\) of a kind msgscan does not know, not managed by an MDM",
       lambda m: f"ein Profil (Nutzer {m['u']}) einer Art, die msgscan nicht kennt, nicht von einem MDM "
                 "verwaltet"),
)

_WHERE = r"(?: for (?P<w>user \d+(?: \([^)]*\))?))?"


def _for(m: re.Match[str]) -> str:
    return f" für {users(m['w'])}" if m["w"] else ""


RULES: tuple[Rule, ...] = (
    *((p, b) for p, b in PROFILES),
    # --- MSG-02 and MSG-01: owners and BYOD
    _r(r"the policy marks the phone dedicated to business; its device owner (?P<o>\S+) is not a known MDM",
       lambda m: f"die Richtlinie kennzeichnet das Gerät als reines Diensthandy; sein Geräteinhaber {m['o']} "
                 "ist kein bekanntes MDM"),
    _r(r"a person must confirm that (?P<o>\S+) is the organisation's MDM",
       lambda m: f"eine verantwortliche Person muss bestätigen, dass {m['o']} das MDM der Organisation ist"),
    _r(r"consumer WhatsApp in (?P<w>.+) is the employee's private app \(BYOD\)",
       lambda m: f"privates WhatsApp in {users(m['w'])} ist die private App der beschäftigten Person (BYOD)"),
    _r(r"WhatsApp Business sits in (?P<p>.+)", lambda m: f"WhatsApp Business liegt in: {profile(m['p'])}"),
    _r(r"the policy forbids personal WhatsApp beside the work profile",
       lambda m: "die Richtlinie untersagt privates WhatsApp neben dem Arbeitsprofil"),
    _r(r"on the personal side of the phone, WhatsApp is the employee's private app \(BYOD\)",
       lambda m: "auf der privaten Seite des Geräts ist WhatsApp die private App der beschäftigten "
                 "Person (BYOD)"),
    _r(r"WhatsApp Business installed for (?P<w>user \d+(?: \([^)]*\))?)",
       lambda m: f"WhatsApp Business installiert für {users(m['w'])}"),
    # --- MSG-12 per profile
    _r(r"Android's backup service is not activated" + _WHERE,
       lambda m: f"der Android-Sicherungsdienst ist nicht aktiviert{_for(m)}"),
    _r(r"Android backup is off" + _WHERE, lambda m: f"Android-Sicherung ist aus{_for(m)}"),
    _r(r"Android backup is on" + _WHERE + r", transport (?P<t>.+)",
       lambda m: f"Android-Sicherung ist an{_for(m)}, Dienst {m['t']}"),
    _r(r"Android backup is on" + _WHERE + r" but no selected transport was reported",
       lambda m: f"Android-Sicherung ist an{_for(m)}, aber kein gewählter Dienst wurde gemeldet"),
    _r(r"bmgr reported neither enabled nor disabled" + _WHERE,
       lambda m: f"bmgr meldete weder an noch aus{_for(m)}"),
    _r(r"Android's backup state" + _WHERE + r" could not be read: (?P<r>.+)",
       lambda m: f"der Zustand der Android-Sicherung{_for(m)} nicht lesbar: "
                 f"{m['r'].replace('not collected', 'nicht erhoben')}"),
)

__all__ = ["KINDS", "RULES", "profile"]

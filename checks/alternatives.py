"""The article's whole comparison of messengers (checklist.md §B, amended), for every report.

The article compares WhatsApp with Threema (and Threema Work), Telegram, Signal and Wire; every
report shows all five rows, with those found on the phone marked, so a reader sees the
alternatives beside what is installed. The facts per row are the catalog's ``Profile``
(messengers.md §9; one place, German in ``reports/i18n/de_catalog.py``); the note is what the
article says of the messenger, paraphrased, in English and German with the same substance.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from msgspec import Struct

from checks.catalog import MESSENGERS, Profile
from checks.findings import Message


class Alternative(Struct, frozen=True):
    """One row of the article's comparison."""

    key: str
    """Stable id of the row: whatsapp, threema, telegram, signal, wire."""
    name: str
    messengers: tuple[str, ...]
    """Catalog keys whose installs mark this row as found."""
    note: str
    note_de: str

    @property
    def profile(self) -> Profile:
        for m in MESSENGERS:
            if m.key == self.messengers[0] and m.profile is not None:
                return m.profile
        raise LookupError(f"no catalog profile for {self.key}")  # pragma: no cover - catalog test


ALTERNATIVES: tuple[Alternative, ...] = (
    Alternative(
        "whatsapp",
        "WhatsApp / WhatsApp Business",
        ("whatsapp", "whatsapp_business", "whatsapp_mod"),
        "The article's subject. For business use it advises WhatsApp Business. Only the WhatsApp "
        "Business Platform (Cloud API), not the Business app, comes with Meta's data-processing "
        "terms.",
        "Gegenstand des Artikels. Für die berufliche Nutzung rät er zu WhatsApp Business. Nur die "
        "WhatsApp Business Platform (Cloud API), nicht die Business-App, kommt mit Metas "
        "Bedingungen zur Auftragsverarbeitung.",
    ),
    Alternative(
        "threema",
        "Threema / Threema Work",
        ("threema",),
        "Per the article the most compatible with the GDPR: a random Threema ID instead of a phone "
        "number, servers in Switzerland, end-to-end encrypted; Threema Work for business.",
        "Laut Artikel am besten mit der DSGVO vereinbar: zufällige Threema-ID statt Rufnummer, "
        "Server in der Schweiz, Ende-zu-Ende-verschlüsselt; Threema Work für Unternehmen.",
    ),
    Alternative(
        "telegram",
        "Telegram",
        ("telegram",),
        "An alternative per the article, but ordinary chats are open to the operator: "
        "end-to-end encryption only in secret chats, which the user must start.",
        "Laut Artikel eine Alternative, aber normale Chats sind dem Betreiber zugänglich: "
        "Ende-zu-Ende-Verschlüsselung nur in geheimen Chats, die der Nutzer starten muss.",
    ),
    Alternative(
        "signal",
        "Signal",
        ("signal",),
        "End-to-end encrypted and open source per the article; the phonebook can be refused; "
        "operator and servers are in the USA.",
        "Laut Artikel Ende-zu-Ende-verschlüsselt und quelloffen; das Telefonbuch lässt sich "
        "verweigern; Betreiber und Server sitzen in den USA.",
    ),
    Alternative(
        "wire",
        "Wire",
        ("wire",),
        "Per the article: registration by e-mail without a phone number, no access to the phone's "
        "data asked, end-to-end encrypted; seat in Berlin, holding in Switzerland.",
        "Laut Artikel: Registrierung per E-Mail ohne Rufnummer, kein Zugriff auf Gerätedaten "
        "verlangt, Ende-zu-Ende-verschlüsselt; Sitz in Berlin, Holding in der Schweiz.",
    ),
)

FIELDS = ("operator", "seat", "e2e_default", "registration", "source")
"""The comparison's facts, in order (the catalog ``Profile``'s fields)."""


def compare(found: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """The report's ``alternatives``: every row, ``found`` naming what the phone has.

    ``found`` holds (catalog key, display name) of every messenger installed in some profile."""
    seen = list(found)
    out: list[dict[str, Any]] = []
    for alt in ALTERNATIVES:
        names = sorted({name for key, name in seen if key in alt.messengers})
        out.append(
            {
                "key": alt.key,
                "name": alt.name,
                "found": bool(names),
                "found_as": names,
                **comparison(alt.profile),
                "note": alt.note,
            }
        )
    return out


def comparison(profile: Profile) -> dict[str, str]:
    """The catalog ``Profile`` as the JSON carries it: each fact's English (``FIELDS`` order);
    each language renders the fact's message (ids ``catalog.<messenger>.<field>``)."""
    facts: dict[str, Message] = {
        "operator": profile.operator,
        "seat": profile.seat,
        "e2e_default": profile.e2e_default,
        "registration": profile.registration,
        "source": profile.source,
    }
    return {f: facts[f].english() for f in FIELDS}


def note_de(key: str) -> str:
    """The German note of the row ``key`` (the JSON carries the English one)."""
    for alt in ALTERNATIVES:
        if alt.key == key:
            return alt.note_de
    raise LookupError(key)


__all__ = ["ALTERNATIVES", "FIELDS", "Alternative", "compare", "comparison", "note_de"]

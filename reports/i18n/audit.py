"""Words of the legal references, the article's comparison and attestations, in English and German.

The provisions and their rationales are data in ``checks.law`` (both languages there); the
comparison's rows in ``checks.alternatives`` and ``checks.catalog``. This module gives the labels
around them and looks a saved report's entries up in the running language: an entry msgscan does
not know (from another version) is shown as saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks import law
from checks.alternatives import note_de
from reports.i18n.texts import Lang

LABELS: dict[Lang, dict[str, str]] = {
    Lang.EN: {
        "legal": "Law",
        "legal.heading": "Legal provisions",
        "legal.intro": "The provisions each checklist item serves. A finding is a reason to look, "
        "not a statement that a breach exists: the data-protection officer judges.",
        "alt.heading": "The article's comparison of messengers",
        "alt.intro": "Every messenger the article compares; those found on this phone are marked.",
        "alt.found": "found on this phone: {names}",
        "alt.absent": "not on this phone",
        "alt.note": "Article",
        "attest.waiting": "Waiting for attestation",
        "attest.intro": "Per phone, the manual items a person can attest that are not attested in "
        "its last report (record them with `msgscan attest`).",
        "attest.none_waiting": "Nothing waits for attestation.",
        "attest.phone": "Phone",
        "attest.item": "Item",
        "attest.app": "App",
        "attest.why": "Why",
        "why.not attested": "not attested",
        "why.expired": "attestation expired",
        "why.not applied": "attestation not applied (see the phone's report)",
    },
    Lang.DE: {
        "legal": "Recht",
        "legal.heading": "Rechtsvorschriften",
        "legal.intro": "Die Vorschriften, denen jeder Prüfpunkt dient. Ein Befund ist ein Anlass "
        "zur Prüfung, keine Feststellung eines Verstoßes: das beurteilt die oder der "
        "Datenschutzbeauftragte.",
        "alt.heading": "Messenger-Vergleich des Artikels",
        "alt.intro": "Alle Messenger, die der Artikel vergleicht; die auf diesem Gerät gefundenen "
        "sind markiert.",
        "alt.found": "auf diesem Gerät gefunden: {names}",
        "alt.absent": "nicht auf diesem Gerät",
        "alt.note": "Artikel",
        "attest.waiting": "Wartet auf Bestätigung",
        "attest.intro": "Je Gerät die manuellen Punkte, die eine Person bestätigen kann und die im "
        "letzten Bericht nicht bestätigt sind (mit `msgscan attest` festhalten).",
        "attest.none_waiting": "Nichts wartet auf Bestätigung.",
        "attest.phone": "Gerät",
        "attest.item": "Punkt",
        "attest.app": "App",
        "attest.why": "Grund",
        "why.not attested": "nicht bestätigt",
        "why.expired": "Bestätigung abgelaufen",
        "why.not applied": "Bestätigung nicht angewandt (siehe Bericht des Geräts)",
    },
}


def label(lang: Lang, key: str, **params: object) -> str:
    text = LABELS[lang][key]
    return text.format(**params) if params else text


def _known(uid: str, check_id: str) -> law.Basis | None:
    for b in law.legal(check_id):
        if b.provision.uid == uid:
            return b
    return None


def cite(lang: Lang, entry: Mapping[str, Any], check_id: str) -> str:
    """A finding's ``legal`` entry as a citation in ``lang``: "Art. 5 Abs. 1 lit. f DSGVO"."""
    b = _known(str(entry.get("uid", "")), check_id)
    if b is None:
        return str(entry.get("provision", entry.get("uid", "")))
    return b.provision.cite_de if lang is Lang.DE else b.provision.cite


def title(lang: Lang, entry: Mapping[str, Any], check_id: str) -> str:
    b = _known(str(entry.get("uid", "")), check_id)
    if b is None:
        return str(entry.get("title", ""))
    return b.provision.title_de if lang is Lang.DE else b.provision.title


def rationale(lang: Lang, entry: Mapping[str, Any], check_id: str) -> str:
    b = _known(str(entry.get("uid", "")), check_id)
    if b is None:
        return str(entry.get("rationale", ""))
    return b.de if lang is Lang.DE else b.en


def cites(lang: Lang, finding: Mapping[str, Any]) -> str:
    """Every provision of a finding, comma-separated ("" for none or an older report)."""
    return ", ".join(cite(lang, e, finding["check_id"]) for e in finding.get("legal") or ())


def note(lang: Lang, row: Mapping[str, Any]) -> str:
    """The article's note on a comparison row in ``lang``."""
    if lang is Lang.DE:
        try:
            return note_de(str(row["key"]))
        except LookupError:
            pass
    return str(row.get("note", ""))


__all__ = ["LABELS", "cite", "cites", "label", "note", "rationale", "title"]

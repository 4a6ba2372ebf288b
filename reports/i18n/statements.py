"""The sign-off sheet's words: each attestable item as a statement a person confirms, and the
sheet's labels, in English and German with the same substance.

A statement says what is true when the person signs, never more than the checklist item asks
(``../shared/reference/checklist.md``). ``{messenger}`` is the app the finding is about; ORG-02
and ORG-03 are about WhatsApp whichever app the phone has, as the checklist words them.
"""

from __future__ import annotations

from reports.i18n.texts import Lang

STATEMENTS: dict[Lang, dict[str, str]] = {
    Lang.EN: {
        "MSG-03": "{messenger} on this phone does not back up chats to Google Drive "
        "(Settings › Chats › Chat backup › Back up to Google Drive: “Never”).",
        "MSG-06": "The phonebook holds only contacts who have consented to it.",
        "MSG-07": "Business conversations in {messenger} on this phone are held only in secret "
        "chats.",
        "ORG-01": "Customers are informed before {messenger} is used to communicate with them.",
        "ORG-02": "WhatsApp is not used for purely internal company communication.",
        "ORG-03": "WhatsApp is not used to communicate with holders of professional secrecy "
        "(e.g. doctors).",
    },
    Lang.DE: {
        "MSG-03": "{messenger} sichert auf diesem Telefon keine Chats in Google Drive "
        "(Einstellungen › Chats › Chat-Backup › Auf Google Drive sichern: „Nie“).",
        "MSG-06": "Im Telefonbuch sind nur Kontakte gespeichert, die eingewilligt haben.",
        "MSG-07": "Geschäftliche Unterhaltungen in {messenger} werden auf diesem Telefon nur in "
        "geheimen Chats geführt.",
        "ORG-01": "Kunden werden informiert, bevor {messenger} für die Kommunikation mit ihnen "
        "genutzt wird.",
        "ORG-02": "WhatsApp wird nicht für rein interne Firmenkommunikation genutzt.",
        "ORG-03": "WhatsApp wird nicht für die Kommunikation mit Berufsgeheimnisträgern "
        "(z. B. Ärzten) genutzt.",
    },
}

_FALLBACK = {Lang.EN: "Checked and in order: {title}.", Lang.DE: "Geprüft und in Ordnung: {title}."}
_NO_APP = {Lang.EN: "the messenger", Lang.DE: "der Messenger"}

LABELS: dict[Lang, dict[str, str]] = {
    Lang.EN: {
        "heading": "Sign-off sheet",
        "intro": "For this one phone. The phone cannot show the items below; by signing, the "
        "person responsible confirms each statement ticked “yes”. Record the attestation "
        "afterwards with `msgscan attest ID --device SERIAL` (a signed file or the agent's state) "
        "or in the policy ([[attest.ID]] per phone, [attest.ORG-01] for the organisation).",
        "device": "Device",
        "serial": "Serial / pseudonym",
        "scan": "Scan id",
        "date": "Scan date",
        "policy": "Policy",
        "policy_digest": "Policy digest",
        "report_digest": "Report digest (SHA-256)",
        "report_digest_how": "of the JSON report of this scan: jq -cSj 'del(.integrity, .texts)' "
        "REPORT.json | sha256sum",
        "key": "Signing key",
        "unsigned": "none: this page is not signed",
        "statement": "Statement",
        "yes": "yes",
        "no": "no",
        "name": "Name, role",
        "signed_on": "Date",
        "until": "Valid until",
        "signature": "Signature",
        "none": "Nothing to attest on this phone.",
        "page": "Page",
        "of": "of",
        "retention": "Evidence kept until",
    },
    Lang.DE: {
        "heading": "Bestätigungsblatt",
        "intro": "Für genau dieses Telefon. Das Telefon kann die folgenden Punkte nicht zeigen; "
        "mit der Unterschrift bestätigt die verantwortliche Person jede mit „ja“ angekreuzte "
        "Aussage. Die Bestätigung danach mit `msgscan attest ID --device SERIENNUMMER` festhalten "
        "(signierte Datei oder Zustand des Agenten) oder in der Richtlinie ([[attest.ID]] je "
        "Telefon, [attest.ORG-01] für die Organisation).",
        "device": "Gerät",
        "serial": "Seriennummer / Pseudonym",
        "scan": "Prüfungs-ID",
        "date": "Prüfdatum",
        "policy": "Richtlinie",
        "policy_digest": "Prüfsumme der Richtlinie",
        "report_digest": "Prüfsumme des Berichts (SHA-256)",
        "report_digest_how": "des JSON-Berichts dieser Prüfung: jq -cSj 'del(.integrity, .texts)' "
        "BERICHT.json | sha256sum",
        "key": "Signaturschlüssel",
        "unsigned": "keiner: diese Seite ist nicht signiert",
        "statement": "Aussage",
        "yes": "ja",
        "no": "nein",
        "name": "Name, Funktion",
        "signed_on": "Datum",
        "until": "Gültig bis",
        "signature": "Unterschrift",
        "none": "Auf diesem Telefon ist nichts zu bestätigen.",
        "page": "Seite",
        "of": "von",
        "retention": "Nachweise aufbewahrt bis",
    },
}


def statement(lang: Lang, check_id: str, messenger: str | None, title: str) -> str:
    """The statement a person confirms for ``check_id`` on ``messenger`` (None: the whole phone)."""
    template = STATEMENTS[lang].get(check_id)
    if template is None:
        return _FALLBACK[lang].format(title=title)
    name = messenger or _NO_APP[lang]
    text = template.format(messenger=name)
    return text[0].upper() + text[1:]


def label(lang: Lang, key: str) -> str:
    return LABELS[lang][key]


__all__ = ["LABELS", "STATEMENTS", "label", "statement"]

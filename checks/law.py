"""The legal provisions each rule serves: the GDPR (DSGVO) and § 203 StGB, in English and German.

Data, one place: the JSON report's ``legal`` list per finding, the text and HTML reports and the
OCSF ``compliance_references`` all read ``LEGAL``. Each entry names a provision and says, soberly,
how the rule may relate to it: a finding is a reason to look, never a statement that a breach
exists. That is for the organisation's data-protection officer to judge.

The English and the German sentence of an entry say the same: the same provisions, the same
numbers (``tests/checks/test_law.py`` compares them). Citations follow each language's custom:
"Art. 5(1)(f) GDPR" and "Art. 5 Abs. 1 lit. f DSGVO".

The WhatsApp Business app and the WhatsApp Business Platform (Cloud API) differ here: only the
Platform comes with Meta's data-processing terms for business customers (Art. 28); the consumer
app and the Business app are offered under terms for users, not as processing on the
organisation's behalf.
"""

from __future__ import annotations

from msgspec import Struct

GDPR_URL = "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
"""The regulation's official European Legislation Identifier on EUR-Lex."""
STGB_203_URL = "https://www.gesetze-im-internet.de/stgb/__203.html"


class Provision(Struct, frozen=True):
    """One provision of a law, cited the same way in every report."""

    law: str
    """"GDPR" or "StGB"."""
    number: str
    """As the English citation writes it: "5(1)(f)", "32", "203"."""
    title: str
    title_de: str
    url: str

    @property
    def uid(self) -> str:
        """Stable id, also OCSF's ``compliance_references[].uid``: "GDPR Art. 5(1)(f)"."""
        return f"StGB § {self.number}" if self.law == "StGB" else f"GDPR Art. {self.number}"

    @property
    def cite(self) -> str:
        """English citation: "Art. 5(1)(f) GDPR", "§ 203 StGB"."""
        return f"§ {self.number} StGB" if self.law == "StGB" else f"Art. {self.number} GDPR"

    @property
    def cite_de(self) -> str:
        """German citation: "Art. 5 Abs. 1 lit. f DSGVO", "§ 203 StGB"."""
        if self.law == "StGB":
            return f"§ {self.number} StGB"
        parts = self.number.replace(")", "").split("(")
        out = f"Art. {parts[0]}"
        for p in parts[1:]:
            out += f" Abs. {p}" if p.isdigit() else f" lit. {p}"
        return out + " DSGVO"


def _gdpr(number: str, title: str, title_de: str) -> Provision:
    return Provision("GDPR", number, title, title_de, GDPR_URL)


MINIMISATION = _gdpr("5(1)(c)", "Data minimisation", "Datenminimierung")
STORAGE_LIMITATION = _gdpr("5(1)(e)", "Storage limitation", "Speicherbegrenzung")
CONFIDENTIALITY = _gdpr(
    "5(1)(f)", "Integrity and confidentiality", "Integrität und Vertraulichkeit"
)
LAWFULNESS = _gdpr("6(1)", "Lawfulness of processing", "Rechtmäßigkeit der Verarbeitung")
CONSENT = _gdpr("6(1)(a)", "Lawfulness of processing: consent", "Rechtmäßigkeit: Einwilligung")
CONSENT_CONDITIONS = _gdpr("7", "Conditions for consent", "Bedingungen für die Einwilligung")
SPECIAL = _gdpr(
    "9", "Special categories of personal data", "Besondere Kategorien personenbezogener Daten"
)
INFORMATION = _gdpr("13", "Information to be provided", "Informationspflicht")
RESPONSIBILITY = _gdpr(
    "24", "Responsibility of the controller", "Verantwortung des Verantwortlichen"
)
BY_DESIGN = _gdpr(
    "25",
    "Data protection by design and by default",
    "Datenschutz durch Technikgestaltung und Voreinstellungen",
)
PROCESSOR = _gdpr("28", "Processor", "Auftragsverarbeiter")
SECURITY = _gdpr("32", "Security of processing", "Sicherheit der Verarbeitung")
BREACH = _gdpr(
    "33",
    "Notification of a personal data breach",
    "Meldung von Verletzungen des Schutzes personenbezogener Daten",
)
DPIA = _gdpr("35", "Data protection impact assessment", "Datenschutz-Folgenabschätzung")
TRANSFER = _gdpr("44", "Transfers to third countries", "Übermittlung an Drittländer")
SECRECY = Provision(
    "StGB",
    "203",
    "Violation of private secrets (professional secrecy)",
    "Verletzung von Privatgeheimnissen (Berufsgeheimnis)",
    STGB_203_URL,
)


class Basis(Struct, frozen=True):
    """Why a rule may matter under one provision, in English and German with the same substance."""

    provision: Provision
    en: str
    de: str


def _b(p: Provision, en: str, de: str) -> Basis:
    return Basis(p, en, de)


_SEC_EN = (
    "Technical and organisational measures appropriate to the risk are required; this item may "
    "be one of them."
)
_SEC_DE = (
    "Geeignete technische und organisatorische Maßnahmen sind erforderlich; dieser Punkt kann "
    "dazugehören."
)

LEGAL: dict[str, tuple[Basis, ...]] = {
    "MSG-01": (
        _b(
            LAWFULNESS,
            "Using a messenger for work processes customers' data (numbers, metadata) and needs a "
            "legal basis.",
            "Die berufliche Nutzung eines Messengers verarbeitet Kundendaten (Rufnummern, "
            "Metadaten) und braucht eine Rechtsgrundlage.",
        ),
        _b(
            PROCESSOR,
            "Only the WhatsApp Business Platform (Cloud API) comes with Meta's data-processing "
            "terms; the WhatsApp Business app and consumer WhatsApp do not, so business use of "
            "either may lack an agreement under this provision.",
            "Nur die WhatsApp Business Platform (Cloud API) kommt mit Metas Bedingungen zur "
            "Auftragsverarbeitung; die WhatsApp-Business-App und das private WhatsApp nicht, daher "
            "kann bei beruflicher Nutzung beider ein Vertrag nach dieser Vorschrift fehlen.",
        ),
        _b(
            TRANSFER,
            "The operator belongs to a group based in the USA; data may be transferred there.",
            "Der Betreiber gehört zu einem Konzern mit Sitz in den USA; Daten können dorthin "
            "übermittelt werden.",
        ),
    ),
    "MSG-02": (
        _b(
            BY_DESIGN,
            "Keeping the business messenger apart from private apps may be part of data "
            "protection by design.",
            "Den dienstlichen Messenger von privaten Apps zu trennen, kann zum Datenschutz durch "
            "Technikgestaltung gehören.",
        ),
        _b(SECURITY, _SEC_EN, _SEC_DE),
    ),
    "MSG-03": (
        _b(
            STORAGE_LIMITATION,
            "A chat archive may keep personal data longer than its purpose needs.",
            "Eine Chat-Sicherung kann personenbezogene Daten länger aufbewahren, als der Zweck "
            "erfordert.",
        ),
        _b(
            CONFIDENTIALITY,
            "An archive in shared storage may be copied by other apps.",
            "Eine Sicherung im gemeinsamen Speicher kann von anderen Apps kopiert werden.",
        ),
        _b(SECURITY, _SEC_EN, _SEC_DE),
    ),
    "MSG-04": (
        _b(
            MINIMISATION,
            "Automatic copies of attachments may hold more personal data than the work needs.",
            "Automatische Kopien von Anhängen können mehr personenbezogene Daten enthalten, als "
            "die Arbeit erfordert.",
        ),
        _b(
            CONFIDENTIALITY,
            "Visible media may be read by gallery and other apps.",
            "Sichtbare Medien können von Galerie- und anderen Apps gelesen werden.",
        ),
        _b(SECURITY, _SEC_EN, _SEC_DE),
    ),
    "MSG-05": (
        _b(
            CONFIDENTIALITY,
            "Other apps with storage access may read the messenger data named in the finding.",
            "Andere Apps mit Speicherzugriff können die im Befund genannten Messenger-Daten lesen.",
        ),
        _b(SECURITY, _SEC_EN, _SEC_DE),
    ),
    "MSG-06": (
        _b(
            MINIMISATION,
            "Phonebook access may pass on the numbers of people the work does not concern.",
            "Der Zugriff auf das Telefonbuch kann Rufnummern von Personen weitergeben, die die "
            "Arbeit nicht betrifft.",
        ),
        _b(
            CONSENT,
            "The article asks that only customers who consented are stored; consent is one "
            "possible legal basis.",
            "Der Artikel verlangt, dass nur Kunden mit Einwilligung gespeichert sind; die "
            "Einwilligung ist eine mögliche Rechtsgrundlage.",
        ),
        _b(
            CONSENT_CONDITIONS,
            "Where consent is the basis, the organisation must be able to show it.",
            "Ist die Einwilligung die Grundlage, muss die Organisation sie nachweisen können.",
        ),
    ),
    "MSG-07": (
        _b(
            CONFIDENTIALITY,
            "Ordinary Telegram chats may be read by the operator.",
            "Normale Telegram-Chats können vom Betreiber gelesen werden.",
        ),
        _b(SECURITY, _SEC_EN, _SEC_DE),
    ),
    "MSG-08": (
        _b(SECURITY, _SEC_EN, _SEC_DE),
        _b(
            BREACH,
            "Data typed into a modified client may have been disclosed; the controller has to "
            "assess whether it must be notified as a personal data breach.",
            "In einen veränderten Client eingegebene Daten können offengelegt worden sein; der "
            "Verantwortliche muss prüfen, ob das als Verletzung des Schutzes personenbezogener "
            "Daten zu melden ist.",
        ),
    ),
    "MSG-09": (_b(SECURITY, _SEC_EN, _SEC_DE),),
    "MSG-10": (_b(SECURITY, _SEC_EN, _SEC_DE),),
    "MSG-11": (
        _b(
            RESPONSIBILITY,
            "The organisation's own rules for its phones may be among its measures as controller.",
            "Die eigenen Regeln der Organisation für ihre Geräte können zu ihren Maßnahmen als "
            "Verantwortlicher gehören.",
        ),
    ),
    "MSG-12": (
        _b(
            SECURITY,
            "Android's backup may hand app data to a backup service; where it holds personal "
            "data, that belongs to the security of processing.",
            "Androids Sicherung kann App-Daten an einen Sicherungsdienst übergeben; enthalten sie "
            "personenbezogene Daten, gehört das zur Sicherheit der Verarbeitung.",
        ),
    ),
    "ORG-01": (
        _b(
            INFORMATION,
            "Customers have to be told how their data are processed, also through a messenger.",
            "Kunden sind darüber zu informieren, wie ihre Daten verarbeitet werden, auch über "
            "einen Messenger.",
        ),
        _b(
            TRANSFER,
            "The messenger's operator may transfer data to a third country (the USA for WhatsApp).",
            "Der Betreiber des Messengers kann Daten in ein Drittland übermitteln (bei WhatsApp in "
            "die USA).",
        ),
    ),
    "ORG-02": (
        _b(
            MINIMISATION,
            "Internal communication over WhatsApp may pass staff data to the operator without "
            "need.",
            "Interne Kommunikation über WhatsApp kann Daten der Beschäftigten ohne Not an den "
            "Betreiber geben.",
        ),
        _b(
            LAWFULNESS,
            "Processing staff data through the messenger needs a legal basis.",
            "Die Verarbeitung von Beschäftigtendaten über den Messenger braucht eine "
            "Rechtsgrundlage.",
        ),
    ),
    "ORG-03": (
        _b(
            SPECIAL,
            "Exchanges with doctors and other holders of professional secrecy may carry health or "
            "other special categories of data.",
            "Der Austausch mit Ärzten und anderen Berufsgeheimnisträgern kann Gesundheitsdaten "
            "oder andere besondere Kategorien von Daten enthalten.",
        ),
        _b(
            DPIA,
            "Processing such data through a messenger may call for an impact assessment.",
            "Die Verarbeitung solcher Daten über einen Messenger kann eine Folgenabschätzung "
            "erfordern.",
        ),
        _b(
            SECRECY,
            "Where the organisation or its contacts are bound by professional secrecy, passing "
            "secrets to the messenger's operator may be an unauthorised disclosure.",
            "Sind die Organisation oder ihre Kontakte an ein Berufsgeheimnis gebunden, kann die "
            "Weitergabe von Geheimnissen an den Betreiber des Messengers eine unbefugte "
            "Offenbarung sein.",
        ),
    ),
    "DEV-01": (_b(SECURITY, _SEC_EN, _SEC_DE),),
    "DEV-02": (_b(SECURITY, _SEC_EN, _SEC_DE),),
    "DEV-03": (
        _b(
            CONFIDENTIALITY,
            "Unencrypted storage may be read by anyone holding the phone.",
            "Unverschlüsselter Speicher kann von jedem gelesen werden, der das Gerät in der Hand "
            "hat.",
        ),
        _b(
            SECURITY,
            "Encryption is one of the measures the provision names.",
            "Verschlüsselung ist eine der Maßnahmen, die die Vorschrift nennt.",
        ),
    ),
}
"""Check id -> the provisions it serves. A check not listed cites none."""


def legal(check_id: str) -> tuple[Basis, ...]:
    """The provisions ``check_id`` serves, or none."""
    return LEGAL.get(check_id, ())


def as_json(check_id: str) -> list[dict[str, str]]:
    """The report's ``legal`` list of a finding (English, as every JSON field)."""
    return [
        {
            "uid": b.provision.uid,
            "law": b.provision.law,
            "provision": b.provision.cite,
            "title": b.provision.title,
            "rationale": b.en,
            "url": b.provision.url,
        }
        for b in legal(check_id)
    ]


__all__ = ["GDPR_URL", "LEGAL", "Basis", "Provision", "as_json", "legal"]

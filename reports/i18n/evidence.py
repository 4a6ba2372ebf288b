"""Evidence in each language, from the message id and values the rules wrote (gettext).

A rule's evidence carries a ``checks.findings.Message``; the JSON report keeps it as ``id`` and
``params`` beside the English ``text``. The German comes from the gettext catalog
``locale/de/LC_MESSAGES/msgscan.po`` (compiled to ``msgscan.mo``, shipped with the package): its
entries are keyed by msgctxt = the message id, the msgid being the English template. Values are
formatted with Babel (``reports.i18n.formats``); values that came from the phone (paths, package
names, versions) are carried over unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from io import BytesIO

from checks.findings import fill
from reports.i18n import formats
from reports.i18n.texts import POLICY_NAMES, Lang, MissingText

DOMAIN = "msgscan"
_PHONE_WORDS = {
    Lang.DE: (
        ("permission denied", "Zugriff verweigert"),
        ("not collected", "nicht erhoben"),
        ("No such file or directory", "Datei oder Verzeichnis nicht gefunden"),
        (" failed (exit ", " fehlgeschlagen (Exit-Code "),
        (" bytes of output)", " Byte Ausgabe)"),
        ("output damaged in transit", "Ausgabe bei der Übertragung beschädigt"),
        ("tail could not read ", "tail konnte nicht lesen: "),
        # scanner.collect._roots: a user's storage root the shell could not see or check
        ("storage root ", "Speicher-Stammordner "),
        (" not visible to the shell (user ", " für die Shell nicht sichtbar (Nutzer "),
        (" locked: user ", " gesperrt: Nutzer "),
        (" is not running", " läuft nicht"),
        # scanner.roots: a running user whose credential-encrypted storage is locked
        (
            " is running but its credential-encrypted storage is not unlocked",
            " läuft, aber sein mit den Anmeldedaten verschlüsselter Speicher ist nicht entsperrt",
        ),
        ("lock state of user ", "Sperrstatus von Nutzer "),
        (" unknown: ", " unbekannt: "),
        (
            "dumpsys mount printed no unlocked-users lines",
            "dumpsys mount nannte keine entsperrten Nutzer",
        ),
        (" not checked (", " nicht geprüft ("),
        ("phone did not answer", "Telefon antwortete nicht"),
    ),
}
"""Reasons the phone or the collector gives (``{r:reason}``): their standard words
(``scanner.collect``, ``scanner.apk_reads``)."""
_UNKNOWN = {Lang.EN: "unknown", Lang.DE: "unbekannt"}


def _mo(lang: Lang) -> bytes:
    """The compiled catalog of ``lang``, shipped with the package."""
    from importlib import resources  # deferred: an English report reads no catalog (~3 ms)

    path = resources.files("reports.i18n") / "locale" / lang.value / "LC_MESSAGES"
    return (path / f"{DOMAIN}.mo").read_bytes()


@cache
def catalog(lang: Lang) -> Mapping[str, tuple[str, ...]]:
    """Message id -> its template(s) in ``lang`` (one, or singular and plural)."""
    data = _mo(lang)
    from babel.messages.mofile import read_mo  # deferred: an English report reads no catalog

    out: dict[str, tuple[str, ...]] = {}
    for m in read_mo(BytesIO(data)):
        if m.context and m.string:
            out[m.context] = tuple(m.string) if isinstance(m.string, list | tuple) else (m.string,)
    return out


@cache
def by_english(lang: Lang, prefix: str) -> Mapping[str, str]:
    """English -> ``lang`` for the messages whose id starts with ``prefix`` (catalog values the
    JSON report keeps in English, e.g. the messenger comparison: ids ``catalog.*``)."""
    data = _mo(lang)
    from babel.messages.mofile import read_mo  # deferred, as in catalog()

    return {
        m.id: m.string
        for m in read_mo(BytesIO(data))
        if m.context
        and m.context.startswith(prefix)
        and isinstance(m.id, str)
        and isinstance(m.string, str)
        and m.string
    }


def render(item: Mapping[str, object], lang: Lang) -> str:
    """The text of one message ({"id", "params"}, as the JSON report holds it) in ``lang``."""
    mid, params = str(item["id"]), item.get("params") or {}
    assert isinstance(params, Mapping)
    forms = catalog(lang).get(mid)
    if forms is None:
        raise MissingText(f"no {lang.value} text for message {mid!r}")
    n = params.get("n")
    template = forms[0] if len(forms) == 1 or n == 1 else forms[1]
    return fill(template, params, lambda v, spec: _value(v, spec, lang))


def _value(value: object, spec: str, lang: Lang) -> str:
    if isinstance(value, Mapping) and "id" in value:
        return render(value, lang)
    if isinstance(value, list | tuple):
        if spec == "semi":
            return "; ".join(_value(v, "", lang) for v in value)
        return ", ".join(_value(v, spec, lang) for v in value)
    if spec == "size" and isinstance(value, int):
        return formats.size(value, lang)
    if spec == "date":
        return _UNKNOWN[lang] if value is None else formats.day(str(value), lang)
    if spec == "profile" and lang is Lang.DE:  # checks.owners.Profile.describe()
        from reports.i18n.de_evidence import profile

        return profile(str(value))
    if spec == "source" and lang is Lang.DE:  # an app store's or sideload tool's name
        from reports.i18n.de_catalog import SOURCES

        return SOURCES.get(str(value), str(value))
    if spec == "policy":
        return POLICY_NAMES.get(lang, {}).get(str(value), str(value))
    if spec == "reason":
        text = str(value)
        for en, local in _PHONE_WORDS.get(lang, ()):
            text = text.replace(en, local)
        return text
    return str(value)


def text(evidence: Mapping[str, object] | str, lang: Lang) -> str | None:
    """One evidence item in ``lang``; None when it carries no message (an older report)."""
    if isinstance(evidence, str) or "id" not in evidence:
        return None
    return render(evidence, lang)


__all__ = ["DOMAIN", "POLICY_NAMES", "by_english", "catalog", "render", "text"]

"""German and English for everything a person reads in a report (``Texts``).

The JSON report stays language-neutral (ids, English check texts as released); renderers look
their words up here. ``Texts(lang).t("verdict.compliant")`` for labels, ``.check(info)`` for a
check's title, rationale and remediation, ``.catalog(value)`` for the messenger comparison.
"""

from __future__ import annotations

from collections.abc import Mapping

from checks.catalog import SIDELOAD_INSTALLERS, STORES
from checks.findings import BEYOND
from checks.rule import CheckInfo
from reports.i18n import messages
from reports.i18n.texts import POLICY_NAMES, CheckText, Lang, MissingText, lang_from_env

_SOURCES = {Lang.DE: {"catalog": "Katalog", "policy": "Richtlinie"}}
_POLICY_NAMES = POLICY_NAMES


class Texts:
    """The texts of one language."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        # German's dict and the evidence catalog's code load when a German text is asked for.
        self._messages = messages.EN if lang is Lang.EN else {Lang.DE: messages.DE}[lang]

    def t(self, key: str, **params: object) -> str:
        try:
            template = self._messages[key]
        except KeyError:
            raise MissingText(f"no {self.lang.value} text for {key!r}") from None
        if self.lang is not Lang.EN:
            params = {k: _local(v, self.lang) for k, v in params.items()}
        return template.format(**params) if params else template

    def check(self, info: CheckInfo) -> CheckText:
        if self.lang is Lang.EN:
            return CheckText(info.title, info.rationale, info.remediation)
        from reports.i18n import de_checks  # German only: English start-up skips it (#18)

        try:
            return de_checks.CHECKS[info.id]
        except KeyError:
            raise MissingText(f"no {self.lang.value} text for check {info.id}") from None

    def catalog(self, value: str) -> str:
        """A value of the messenger comparison or an app source, in this language."""
        if self.lang is Lang.EN:
            return value
        from reports.i18n import de_catalog, evidence  # German only (start-up, #18)

        table = {**evidence.by_english(self.lang, "catalog."), **de_catalog.SOURCES}
        try:
            return table[value]
        except KeyError:
            raise MissingText(f"no {self.lang.value} text for catalog value {value!r}") from None

    def evidence(self, item: Mapping[str, object] | str) -> str:
        """An evidence item of the JSON report (or its text) in this language: rendered from its
        message id and values; an item without one (an older report) by its English text. A
        nested message ({"id", "params"}, no text) is rendered in every language."""
        has_id = not isinstance(item, str) and "id" in item
        if has_id and (self.lang is not Lang.EN or "text" not in item):
            assert not isinstance(item, str)
            from reports.i18n import evidence

            return evidence.render(item, self.lang)
        english = item if isinstance(item, str) else str(item["text"])
        if self.lang is Lang.EN:
            return english
        from reports.i18n import de_evidence  # German only (start-up, #18)

        return de_evidence.translate(english) or english

    def day(self, value: object) -> object:
        """A date of the report ("2026-11-20") as this language writes it; anything else as it
        is (None, an unseen fact)."""
        from reports.i18n.formats import day  # loaded at the first date (a JSON replay writes none)

        return day(value, self.lang) if isinstance(value, str) else value

    def moment(self, value: object) -> object:
        """A time of the report ("2026-11-20T09:30:00Z") as this language writes it ("20.11.2026,
        09:30:00 UTC" in German); anything else as it is."""
        from reports.i18n.formats import moment  # loaded at the first time, as ``day``

        return moment(value, self.lang) if isinstance(value, str) else value

    def source(self, source: str) -> str:
        """Where evidence came from: a probe command stays; "catalog", "policy" are words."""
        return _SOURCES.get(self.lang, {}).get(source, source)

    def policy_name(self, name: str) -> str:
        """The policy's name; msgscan's built-in one in this language."""
        return _POLICY_NAMES.get(self.lang, {}).get(name, name)

    def section(self, section: str) -> str:
        """An article section: the German headings stay as they are; "beyond" is translated."""
        return self.t("findings.beyond") if section == BEYOND else section


def _local(value: object, lang: Lang) -> object:
    """Numbers as the language writes them ("61,7"); English keeps Python's own."""
    if isinstance(value, float):
        from babel.numbers import format_decimal  # not needed for English (start-up, #18)

        return format_decimal(value, locale=lang.value)
    return value


def source_names() -> set[str]:
    """Every app-source name the catalog can show (for the catalog tests)."""
    return set(STORES.values()) | set(SIDELOAD_INSTALLERS.values())


__all__ = ["CheckText", "Lang", "MissingText", "Texts", "lang_from_env", "source_names"]

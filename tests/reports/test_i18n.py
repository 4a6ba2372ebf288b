"""Every text a person reads exists in German and English, with the same placeholders."""

from __future__ import annotations

import pytest

from checks.catalog import MESSENGERS
from checks.registry import CHECKS
from reports.i18n import Lang, MissingText, Texts, de_catalog, de_checks, lang_from_env, messages, source_names
from reports.i18n.texts import fields


class TestCatalogs:
    def test_same_keys_in_both_languages(self) -> None:
        """A label added in one language and not the other is a test failure."""
        assert sorted(set(messages.EN) ^ set(messages.DE)) == []

    @pytest.mark.parametrize("key", sorted(messages.EN))
    def test_same_placeholders(self, key: str) -> None:
        """German and English fill the same {placeholders}."""
        assert fields(messages.EN[key]) == fields(messages.DE[key])

    @pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.info.id)
    def test_every_check_in_german(self, check) -> None:  # type: ignore[no-untyped-def]
        """Every rule has a German title, rationale and as many remediation steps as in English."""
        de = Texts(Lang.DE).check(check.info)

        assert de.title and de.rationale
        assert len(check.info.remediation) == len(de.remediation)

    def test_no_german_text_for_a_check_that_does_not_exist(self) -> None:
        """The German catalog names only checks the registry has."""
        assert sorted(set(de_checks.CHECKS) - {c.info.id for c in CHECKS}) == []

    def test_comparison_and_sources_in_german(self) -> None:
        """Every value of the article's messenger comparison and every app source has German."""
        values = {
            getattr(m.profile, f)
            for m in MESSENGERS
            if m.profile is not None
            for f in ("operator", "seat", "e2e_default", "registration", "source")
        }
        tx = Texts(Lang.DE)

        assert [] == [v for v in values | source_names() if not tx.catalog(v)]
        assert set(de_catalog.COMPARISON) >= values

    def test_domain_words(self) -> None:
        """The German uses the domain's own terms."""
        german = " ".join(t.rationale + " ".join(t.remediation) for t in de_checks.CHECKS.values())

        for word in ("DSGVO", "Berufsgeheimnisträger", "Einwilligung", "Auftragsverarbeitung"):
            assert word in german

    def test_a_missing_key_raises(self) -> None:
        """Looking up a text that does not exist fails loudly, never shows the key."""
        with pytest.raises(MissingText):
            Texts(Lang.DE).t("no.such.key")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, Lang.EN),
        ({"LANG": "de_DE.UTF-8"}, Lang.DE),
        ({"LANG": "en_US.UTF-8"}, Lang.EN),
        ({"LANG": "de_AT.UTF-8", "LC_ALL": "C.UTF-8"}, Lang.EN),
        ({"LANG": "C", "LC_MESSAGES": "de_CH.UTF-8"}, Lang.DE),
        ({"LC_ALL": "", "LANG": "de"}, Lang.DE),
    ],
)
def test_language_from_the_locale(environ: dict[str, str], expected: Lang) -> None:
    """LC_ALL, then LC_MESSAGES, then LANG decide; German when it starts with "de"."""
    assert expected == lang_from_env(environ)

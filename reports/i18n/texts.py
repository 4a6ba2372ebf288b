"""The two languages and the one function that looks a text up.

Pure: no I/O. Check texts in English come from the rules themselves (``CheckInfo``); every other
text, and the German of the checks, lives in the catalogs beside this module. A key missing in
either language raises ``MissingText`` and fails the tests (``tests/reports/test_i18n.py``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from msgspec import Struct

from checks.enums import FastEnum


class Lang(FastEnum):
    EN = "en"
    DE = "de"


POLICY_NAMES = {Lang.DE: {"default (article)": "Standard (Fachartikel)"}}
"""msgscan's built-in policy (``checks.policy.DEFAULT``) by name; an organisation's stays
(here, not in ``evidence``: an English report's policy line loads no catalog code)."""


class CheckText(Struct, frozen=True):
    """What a person reads about one check, in one language."""

    title: str
    rationale: str
    remediation: tuple[str, ...]


class MissingText(KeyError):
    """A text key without an entry in a language: a bug caught by the catalog tests."""


def lang_from_env(environ: Mapping[str, str]) -> Lang:
    """German when the locale is German (LC_ALL, then LC_MESSAGES, then LANG), English otherwise.

    Follows POSIX precedence: the first of the three that is set and not empty decides.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return Lang.DE if value.lower().startswith("de") else Lang.EN
    return Lang.EN


def fields(template: str) -> set[str]:
    """The ``{name}`` placeholders of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


__all__ = ["CheckText", "Lang", "MissingText", "fields", "lang_from_env"]

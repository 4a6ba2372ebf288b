"""What the text summary says of the law and the article's comparison (called by ``text.py``).

Lines only, from the JSON report: a "Law:" line under each finding that names provisions
(``checks.law``), and the article's whole comparison (``checks.alternatives``) with the messengers
found on the phone marked. A saved report from before schema 1.3 has no ``alternatives``: the
rows are made again from its ``messengers`` so the comparison is still whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from checks.alternatives import FIELDS, compare
from reports.i18n import Lang, Texts
from reports.i18n import audit as words


def rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's comparison rows (every messenger the article compares, found ones marked)."""
    saved = report.get("alternatives")
    if isinstance(saved, list):
        return saved
    messengers = report.get("messengers")
    found = (
        []
        if not isinstance(messengers, list)
        else [
            (m["messenger"], m["name"])
            for m in messengers
            if any(i.get("installed") is not False for i in m.get("installs", ()))
        ]
    )
    return compare(found)


def value(tx: Texts, text: str) -> str:
    """A comparison fact in ``tx``'s language; a value from another msgscan stays as saved."""
    try:
        return tx.catalog(text)
    except KeyError:
        return text


def legal_line(lang: Lang, finding: Mapping[str, Any]) -> str:
    """ "Law: Art. 5(1)(f) GDPR, Art. 32 GDPR" ("" when the finding names none)."""
    cited = words.cites(lang, finding)
    return f"{words.label(lang, 'legal')}: {cited}" if cited else ""


def comparison(
    tx: Texts,
    report: Mapping[str, Any],
    section: Callable[[str], None],
    add: Callable[[str, str, str], None],
) -> None:
    """The article's comparison: one block per messenger, found ones marked with "*"."""
    lang = tx.lang
    section(words.label(lang, "alt.heading"))
    add(words.label(lang, "alt.intro"), "    ", "    ")
    for row in rows(report):
        mark = "*" if row["found"] else "-"
        where = (
            words.label(lang, "alt.found", names=", ".join(row["found_as"]))
            if row["found"]
            else words.label(lang, "alt.absent")
        )
        add(f"{mark} {row['name']} ({where})", "    ", "      ")
        for field in FIELDS:
            add(
                f"{tx.t('comparison.' + field)}: {value(tx, str(row[field]))}",
                "        ",
                "          ",
            )
        add(f"{words.label(lang, 'alt.note')}: {words.note(lang, row)}", "        ", "          ")


__all__ = ["comparison", "legal_line", "rows", "value"]

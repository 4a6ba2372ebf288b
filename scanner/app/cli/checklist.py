"""``msgscan checks``: the checklist rules msgscan applies, with their severity, the article's
section and how an item is attested.

The listing is the rules' own metadata (``checks.registry``), kept as JSON beside this module
(``checklist.json``, what ``msgscan checks --json`` prints): importing every rule module, the
facts model and the catalog cost start-up ~100 ms when they were dataclasses (less as msgspec
Structs, still more than the listing), for a listing that changes only with a rule.
``python -m scanner.app.cli.checklist`` writes it again from the registry; a test checks it is
what the registry says (tests/scanner/app/cli/test_startup.py). English comes from that
listing, as ``reports.i18n.Texts`` gives it; another language loads the registry and the
translations.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from scanner.app.cli.exits import ExitCode

LISTING = os.path.join(os.path.dirname(__file__), "checklist.json")
"""The listing as ``msgscan checks --json`` prints it, written by ``python -m`` this module (a
``str``: ``pathlib`` costs ``checks`` 16 M instructions, bench/RESULTS.md "Start-up")."""

ENGLISH_WORDS = {
    "severity.info": "info",
    "severity.low": "low",
    "severity.medium": "medium",
    "severity.high": "high",
    "severity.critical": "critical",
    "checks.article": "article",
    "checks.attest": "attest",
}
"""The words of the listing in English: ``reports.i18n.messages.EN``'s (a test checks they
agree; importing them loads every translation)."""


def english(flag: str | None, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``--lang`` (else the locale) asks for English: what ``scanner.app.show.chosen_lang``
    decides (LC_ALL, then LC_MESSAGES, then LANG), without importing the translations (a test
    checks they agree)."""
    if flag:
        return flag == "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return not value.lower().startswith("de")
    return True


def listing() -> dict[str, Any]:
    """Every status with its meaning and every check with its metadata, from the registry."""
    from checks.findings import STATUS_MEANING
    from checks.registry import CHECKS

    return {
        "statuses": [{"status": s.value, "meaning": m} for s, m in STATUS_MEANING.items()],
        "checks": [
            {
                "id": c.info.id,
                "slug": c.info.slug,
                "title": c.info.title,
                "severity": c.info.severity.value,
                "article": {"section": c.info.article.section, "ref": c.info.article.ref},
                "rationale": c.info.rationale,
                "remediation": list(c.info.remediation),
                "attestable": _attestable(c.info.id),
            }
            for c in CHECKS
        ],
    }


def listing_json(data: object) -> str:
    """The listing as ``--json`` prints it (``output.print_json``'s form)."""
    from reports.render.controls import clean_tree

    return json.dumps(clean_tree(data), indent=2, ensure_ascii=False) + "\n"


def cmd_checks(args: argparse.Namespace) -> int:
    with open(LISTING, encoding="utf-8") as f:
        text = f.read()
    if args.json:
        sys.stdout.write(text)
        return ExitCode.OK
    rows = json.loads(text)["checks"]
    title, word = _texts(args.lang, rows)
    for r in rows:
        sys.stdout.write(f"{r['id']:<7} {word('severity.' + r['severity']):<8} {title(r['id'])}\n")
        sys.stdout.write(
            f"        {word('checks.article')}: {r['article']['section']} — {r['article']['ref']}\n"
        )
        if r["attestable"]:
            sys.stdout.write(f"        {word('checks.attest')}: {r['attestable']['policy']}\n")
    return ExitCode.OK


def _texts(
    flag: str | None, rows: list[dict[str, Any]]
) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """A check's title by its id, and a word of the listing by its key, in the chosen language."""
    if english(flag):
        titles = {str(r["id"]): str(r["title"]) for r in rows}
        return titles.__getitem__, ENGLISH_WORDS.__getitem__
    from checks.registry import INDEX
    from reports.i18n import Texts
    from scanner.app.show import chosen_lang

    tx = Texts(chosen_lang(flag))
    return (lambda check_id: tx.check(INDEX[check_id].info).title), tx.t


def _attestable(check_id: str) -> dict[str, str] | None:
    """How the policy attests the item: per organisation or per device, and under which key."""
    from checks.attestable import DEVICE_ATTESTABLE, ORGANISATION_ATTESTABLE, attest_key

    if check_id in ORGANISATION_ATTESTABLE:
        return {"per": "organisation", "policy": attest_key(check_id)}
    if check_id in DEVICE_ATTESTABLE:
        return {"per": "device", "policy": attest_key(check_id)}
    return None


def main() -> int:
    """Write ``checklist.json`` from the registry (after a rule's metadata changed)."""
    with open(LISTING, "w", encoding="utf-8") as f:
        f.write(listing_json(listing()))
    print(f"wrote {LISTING}")
    return 0


__all__ = ["ENGLISH_WORDS", "LISTING", "cmd_checks", "english", "listing", "listing_json"]

if __name__ == "__main__":
    sys.exit(main())

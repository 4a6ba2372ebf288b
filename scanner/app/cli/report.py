"""``msgscan report`` (a saved report rendered again, or the fleet page) and ``msgscan checks``
(the checklist rules msgscan applies)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from checks.findings import STATUS_MEANING
from checks.policy import DEVICE_ATTESTABLE, ORGANISATION_ATTESTABLE, attest_key
from checks.registry import CHECKS, INDEX
from reports.i18n import Texts
from scanner.app.cli.exits import ExitCode
from scanner.app.cli.options import signing_key
from scanner.app.cli.output import plan, print_json, render_saved, templates_from
from scanner.app.show import chosen_lang, load_saved


def cmd_report(args: argparse.Namespace) -> int:
    outputs = plan(args.output, args.format, "html")
    key = signing_key(args.sign_key)
    templates = templates_from(args.templates)
    render_saved(
        load_saved(args.report), outputs, chosen_lang(args.lang), key=key, templates=templates
    )
    return ExitCode.OK


def cmd_checks(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = [
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
    ]
    if args.json:
        statuses = [{"status": s.value, "meaning": m} for s, m in STATUS_MEANING.items()]
        print_json({"statuses": statuses, "checks": rows})
        return ExitCode.OK
    tx = Texts(chosen_lang(args.lang))
    for r in rows:
        title = tx.check(INDEX[str(r["id"])].info).title
        sys.stdout.write(f"{r['id']:<7} {tx.t('severity.' + str(r['severity'])):<8} {title}\n")
        sys.stdout.write(
            f"        {tx.t('checks.article')}: {r['article']['section']} — {r['article']['ref']}\n"
        )
        if r["attestable"]:
            sys.stdout.write(f"        {tx.t('checks.attest')}: {r['attestable']['policy']}\n")
    return ExitCode.OK


def _attestable(check_id: str) -> dict[str, str] | None:
    """How the policy attests the item: per organisation or per device, and under which key."""
    if check_id in ORGANISATION_ATTESTABLE:
        return {"per": "organisation", "policy": attest_key(check_id)}
    if check_id in DEVICE_ATTESTABLE:
        return {"per": "device", "policy": attest_key(check_id)}
    return None


__all__ = ["cmd_checks", "cmd_report"]

"""``msgscan report``: a saved report rendered again, or the fleet page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scanner.app.cli.exits import ExitCode
from scanner.app.cli.options import signing_key
from scanner.app.cli.output import plan, render_saved, templates_from
from scanner.app.show import chosen_lang, load_saved

SIEM_FORMATS = frozenset({"ocsf", "ecs", "cef"})
"""The formats whose events carry finding uids (``reports.render.ocsf.finding_uid``)."""


def cmd_report(args: argparse.Namespace) -> int:
    outputs = plan(args.output, args.format, "html")
    key = signing_key(args.sign_key)
    templates = templates_from(args.templates)
    data = load_saved(args.report, key)
    lineage = None
    if args.config is not None and any(o.format in SIEM_FORMATS for o in outputs):
        lineage = _lineage(args.config, data)
    render_saved(
        data, outputs, chosen_lang(args.lang), key=key, templates=templates, lineage=lineage
    )
    return ExitCode.OK


def _lineage(config_path: Path, data: dict[str, Any]) -> int | None:
    """The lineage the agent's state recorded the report's scan under (the finding uids its
    events had, docs/siem.md), or None (said on stderr) when the state has no such scan."""
    from checks.errors import UsageError
    from reports.render.fleet_html import is_fleet_summary
    from scanner.app.agent import lineage
    from scanner.app.agent.service import load_config
    from scanner.app.agent.state import State

    if is_fleet_summary(data):
        return None  # no events: render_saved refuses SIEM formats of a fleet summary
    database = load_config(config_path).agent.database
    if not database.exists():  # never create a state database only to find nothing in it
        raise UsageError(
            f"{config_path}: there is no state database {database} yet",
            hint="check --config, or render without it (the events say the lineage is unknown)",
        )
    scan_id = str(data["scan"]["id"])
    with State.open(database) as state:
        found = lineage.of_scan(state, scan_id)
    if found is None:
        print(
            f"msgscan: the agent's state {database} has no scan {scan_id}: which phone behind "
            "its id it was is unknown, and every event says so",
            file=sys.stderr,
        )
    return found


__all__ = ["SIEM_FORMATS", "cmd_report"]

"""``msgscan report``: a saved report rendered again, or the fleet page."""

from __future__ import annotations

import argparse

from scanner.app.cli.exits import ExitCode
from scanner.app.cli.options import signing_key
from scanner.app.cli.output import plan, render_saved, templates_from
from scanner.app.show import chosen_lang, load_saved


def cmd_report(args: argparse.Namespace) -> int:
    outputs = plan(args.output, args.format, "html")
    key = signing_key(args.sign_key)
    templates = templates_from(args.templates)
    render_saved(
        load_saved(args.report, key), outputs, chosen_lang(args.lang), key=key, templates=templates
    )
    return ExitCode.OK


__all__ = ["cmd_report"]

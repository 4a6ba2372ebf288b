"""``msgscan scan``, ``snapshot`` and ``record``: one phone (or a ``--replay`` recording) read,
then judged and reported, printed as facts, or saved for replay."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from checks.evaluate import summarize
from checks.policy import Policy
from scanner.app.cli.exits import ExitCode
from scanner.app.cli.options import signing_key
from scanner.app.cli.output import emit, plan, print_json, templates_from
from scanner.app.cli.target import open_target
from scanner.app.scan import device_name, scan_result
from scanner.app.show import chosen_lang
from scanner.collect import collect

if TYPE_CHECKING:
    from pathlib import Path


def _policy(path: Path | None) -> Policy:
    if path is None:  # the article's: no policy file reader (tomllib) to load
        from checks.policy import DEFAULT

        return DEFAULT
    from scanner.app.policy import load_policy

    return load_policy(path, hint="check the path; policy.example.toml shows the format")


def cmd_scan(args: argparse.Namespace) -> int:
    if args.send is not None:  # a bad --send fails before the phone is touched
        from scanner.app.cli.send import destination  # only --send needs it (start-up)

        destination(args)
    policy = _policy(args.policy)
    if args.attestations:  # signed attestation files (cryptography loads only for them)
        from scanner.app.cli.attest import scan_policy

        policy = scan_policy(args, policy)
    outputs = plan(args.output, args.format, "text")  # a bad -o fails before the phone is touched
    device_name(
        "check-the-key", policy, args.pseudonymize
    )  # a missing key fails before the phone is touched
    key = signing_key(args.sign_key)  # so does an unreadable signing key
    templates = templates_from(args.templates)  # and a missing or broken template
    transport = open_target(args)
    try:
        result = scan_result(
            transport, policy, timeout=args.timeout, pseudonymize=args.pseudonymize
        )
    finally:
        transport.close()
    emit(outputs, chosen_lang(args.lang), lambda r: r.render(result), key=key, templates=templates)
    if args.send is not None:  # after the report: a SIEM outage must not cost the user the output
        from scanner.app.cli.send import send

        send(args, result)
    summary = summarize(result.findings, complete=result.snapshot.complete)
    if not result.snapshot.complete:
        from reports.render.controls import strip_controls  # here only (start-up, session 26)

        print(
            strip_controls(
                f"error: the scan of {result.device_name} is incomplete: {result.error}"
            ),
            file=sys.stderr,
        )
        return ExitCode.USAGE
    return ExitCode.FAILED if summary.failed else ExitCode.OK


def cmd_snapshot(args: argparse.Namespace) -> int:
    from reports.render.snapshot import snapshot_text, snapshot_to_json  # not for a scan

    transport = open_target(args)
    try:
        snapshot = collect(transport, timeout=args.timeout)
    finally:
        transport.close()
    if args.json:
        print_json(snapshot_to_json(snapshot))
    else:
        sys.stdout.write(snapshot_text(snapshot))
    return ExitCode.OK if snapshot.complete else ExitCode.USAGE


def cmd_record(args: argparse.Namespace) -> int:
    from scanner import recording  # the writer and the recorder: not for a scan
    from scanner.app.record import record

    transport = open_target(args)
    try:
        rec, snapshot = record(transport, timeout=args.timeout)
    finally:
        transport.close()
    recording.save(rec, args.output)
    print(
        f"wrote {args.output}: {len(rec.commands)} commands, {transport.meter.exchanges} exchanges"
        + ("" if snapshot.complete else " (INCOMPLETE: the phone stopped answering)")
    )
    return ExitCode.OK if snapshot.complete else ExitCode.USAGE


__all__ = ["cmd_record", "cmd_scan", "cmd_snapshot"]

"""``msgscan devices`` (the phones this computer can reach, and their state) and ``msgscan parse``
(what msgscan reads from captured device output)."""

from __future__ import annotations

import argparse
import sys

from checks.errors import UsageError
from scanner.app.cli.exits import ExitCode
from scanner.app.cli.output import print_json
from scanner.files import LIMIT_CAPTURE, read_regular


def cmd_devices(args: argparse.Namespace) -> int:
    from scanner.discovery import list_devices

    listing = list_devices(tcp=args.tcp)
    if args.json:
        print_json(listing.to_json())
    else:
        sys.stdout.write(listing.to_text())
    return ExitCode.OK


def _read_input(name: str) -> bytes:
    if name == "-":
        data = sys.stdin.buffer.read(LIMIT_CAPTURE + 1)
        if len(data) > LIMIT_CAPTURE:
            raise UsageError(
                f"standard input: more than the {LIMIT_CAPTURE >> 20} MiB msgscan reads",
                hint="pass the captured output of one `dumpsys package`",
            )
        return data
    return read_regular(
        name,
        what="the capture",
        limit=LIMIT_CAPTURE,
        hint="pass the path of a saved capture, or - for stdin",
    )


def cmd_parse(args: argparse.Namespace) -> int:
    from scanner.parse.dumpsys_package import read_dumpsys_package, to_json_shape
    from scanner.parse.text import decode

    listing = read_dumpsys_package(decode(_read_input(args.file)))
    print_json(to_json_shape(listing.packages))
    damage = listing.damage.describe("package block")
    if damage is None:
        return ExitCode.OK
    print(f"error: {args.file}: {damage}", file=sys.stderr)  # what was read is printed all the same
    return ExitCode.USAGE


__all__ = ["cmd_devices", "cmd_parse"]

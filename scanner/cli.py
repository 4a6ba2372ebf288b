"""msgscan's command line: the composition root, the only module that picks implementations.

Exit codes: 0 done, 2 could not do it (bad input, no phone, phone unauthorized, lost or hung);
the checklist commands (issue 3) add 1 for "a check failed".
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import structlog

from checks.errors import MsgscanError, UsageError
from checks.facts import Snapshot, Unseen
from reports.snapshot import snapshot_to_json
from scanner import __version__

EXIT_OK = 0
EXIT_ERROR = 2

EPILOG = """\
exit codes: 0 done; 2 could not scan or bad input (no phone, not authorized, busy, lost, timed out,
unreadable file). Errors go to stderr as "error: ..." and "hint: ..." lines.
"""


def _tcp(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT (e.g. 192.168.1.20:5555), got {value!r}")
    return host.strip("[]"), int(port)


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {value!r}")
    return number


def _target_options(p: argparse.ArgumentParser, *, replay: bool) -> None:
    g = p.add_argument_group("which phone (default: the only phone on USB)")
    x = g.add_mutually_exclusive_group()
    x.add_argument("--serial", "-s", metavar="S", help="the phone with this serial (USB or adb server)")
    x.add_argument("--tcp", type=_tcp, metavar="HOST:PORT", help="a phone in ADB-over-TCP mode")
    if replay:
        x.add_argument("--replay", type=Path, metavar="FILE", help="a recording instead of a phone")
    g.add_argument("--timeout", type=_positive, default=120.0, metavar="SECONDS",
                   help="limit for each exchange with the phone (default 120)")
    g.add_argument("--auth-timeout", type=_positive, default=60.0, metavar="SECONDS",
                   help="how long to wait for 'Allow USB debugging?' to be accepted (default 60)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msgscan",
        description="Check how messenger apps on Android phones are set up, over ADB.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"msgscan {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log progress to stderr as JSON lines (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("devices", help="list phones on USB, behind an adb server, and at --tcp endpoints",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tcp", type=_tcp, action="append", default=[], metavar="HOST:PORT",
                   help="also check this ADB-over-TCP endpoint (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON for machines")

    p = sub.add_parser("snapshot", help="collect the device facts and print them",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _target_options(p, replay=True)
    p.add_argument("--json", action="store_true", help="print the full snapshot as JSON")

    p = sub.add_parser("record", help="save every raw output a scan needs, for replay without the phone",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _target_options(p, replay=False)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                   help="recording to write (JSON, written atomically)")

    p = sub.add_parser("parse", help="show what msgscan reads from captured device output",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    q = what.add_parser("dumpsys-package", help="parse `dumpsys package` / `pm dump` output")
    q.add_argument("file", metavar="FILE", help="captured output, or - for standard input")
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file", hint="pass the path of a saved capture, or - for stdin") from None
    except OSError as e:
        raise UsageError(f"{name}: cannot read ({e.strerror})", hint="check the path and its permissions") from None


def cmd_parse(args: argparse.Namespace) -> int:
    from scanner.parse.dumpsys_package import parse_dumpsys_package, to_json_shape
    from scanner.parse.text import decode

    _print_json(to_json_shape(parse_dumpsys_package(decode(_read_input(args.file)))))
    return EXIT_OK


def _open(args: argparse.Namespace) -> Any:
    """The transport the arguments name; the caller closes it."""
    if getattr(args, "replay", None) is not None:
        from scanner import recording
        from scanner.replay import ReplayTransport

        return ReplayTransport(recording.load(args.replay))
    from scanner.discovery import open_transport
    from scanner.transport.keys import load_or_create_signer

    def prompt() -> None:
        print(
            "Waiting for the phone: unlock it and tap 'Allow' on 'Allow USB debugging?' "
            f"(tick 'Always allow from this computer'); giving up after {args.auth_timeout:.0f} s.",
            file=sys.stderr,
            flush=True,
        )

    return open_transport(
        serial=args.serial,
        tcp=args.tcp,
        signer=load_or_create_signer(),
        auth_timeout_s=args.auth_timeout,
        on_prompt=prompt,
    )


def _summary(snapshot: Snapshot) -> str:
    lines = [f"phone {snapshot.serial}" + ("" if snapshot.complete else "  (INCOMPLETE)")]
    ident = snapshot.identity
    if isinstance(ident, Unseen):
        lines.append(f"  identity: unknown ({ident.reason})")
    else:
        lines.append(
            f"  {ident.manufacturer} {ident.model}, Android {ident.release} (SDK {ident.sdk}), "
            f"security patch {ident.security_patch or 'unknown'}, encryption {ident.encryption.value}"
        )
    if isinstance(snapshot.users, Unseen):
        lines.append(f"  users: unknown ({snapshot.users.reason})")
    else:
        lines.append("  users: " + ", ".join(f"{u.id} ({u.kind.value})" for u in snapshot.users))
    if isinstance(snapshot.packages, Unseen):
        lines.append(f"  packages: unknown ({snapshot.packages.reason})")
    else:
        from checks.catalog import VARIANTS

        lines.append(f"  packages: {len(snapshot.packages)}")
        for p in snapshot.packages:
            if p.name in VARIANTS:
                users = ", ".join(str(u) for u in p.installed_for()) or "none"
                lines.append(f"  messenger {p.name} {p.version_name} (users: {users})")
    for e in snapshot.storage:
        s = e.summary
        if isinstance(s, Unseen):
            lines.append(f"  storage {e.package} user {e.user_id} {e.location}: unknown ({s.reason})")
        elif s.exists and s.files:
            newest = s.newest.date().isoformat() if s.newest else "-"
            lines.append(
                f"  storage {e.package} user {e.user_id} {e.location}: {s.files} files, "
                f"{s.total_bytes} bytes, newest {newest}, .nomedia {s.nomedia}"
            )
    for problem in snapshot.problems:
        lines.append(f"  problem: {problem}")
    return "\n".join(lines) + "\n"


def cmd_snapshot(args: argparse.Namespace) -> int:
    from scanner.collect import collect

    transport = _open(args)
    try:
        snapshot = collect(transport, timeout=args.timeout)
    finally:
        transport.close()
    if args.json:
        _print_json(snapshot_to_json(snapshot))
    else:
        sys.stdout.write(_summary(snapshot))
    return EXIT_OK if snapshot.complete else EXIT_ERROR


def cmd_record(args: argparse.Namespace) -> int:
    from scanner.record import record

    transport = _open(args)
    try:
        rec, snapshot = record(transport, timeout=args.timeout)
    finally:
        transport.close()
    from scanner import recording

    recording.save(rec, args.output)
    print(f"wrote {args.output}: {len(rec.commands)} commands, {transport.meter.exchanges} exchanges"
          + ("" if snapshot.complete else " (INCOMPLETE: the phone stopped answering)"))
    return EXIT_OK if snapshot.complete else EXIT_ERROR


def cmd_devices(args: argparse.Namespace) -> int:
    from scanner.discovery import list_devices

    listing = list_devices(tcp=args.tcp)
    if args.json:
        _print_json(listing.to_json())
    else:
        sys.stdout.write(listing.to_text())
    return EXIT_OK


COMMANDS = {"devices": cmd_devices, "snapshot": cmd_snapshot, "record": cmd_record, "parse": cmd_parse}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return COMMANDS[args.command](args)
    except MsgscanError as e:
        print(f"error: {e.problem}\nhint: {e.hint}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())

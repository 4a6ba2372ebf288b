"""The definition of msgscan's arguments: every command, option, help text and epilog.

Building the parser imports nothing heavy (no renderer, no recording builder, no jsonschema):
``msgscan --help`` and every command pay for it at start-up. The argument types are in
``argtypes``; what each command does is in its own module, imported when it is dispatched.
"""

from __future__ import annotations

import argparse

from scanner import __version__
from scanner.app.cli import argtypes
from scanner.app.cli.attest_args import add_attest
from scanner.app.cli.epilogs import (
    AGENT_EPILOG,
    EPILOG,
    KEYGEN_EPILOG,
    SCAN_EPILOG,
    SIM_EPILOG,
    VERIFY_EPILOG,
)
from scanner.app.cli.habits import MsgscanParser, apply_help, logging_options
from scanner.app.cli.options import lang_option, sign_key_option, target_options
from scanner.app.cli.output import FORMAT_HELP, FORMATS, OUTPUT_HELP, TEMPLATES_HELP

DEMO_RECORDING = "android16-personal-whatsapp-telegram"
"""The bundled recording ``scan --demo`` and ``simulate`` serve by default."""
BUNDLED_RECORDINGS = (
    "android14-work-profile-business",
    "android16-personal-whatsapp-telegram",
    "android10-signal-threema-wire",
)
"""The recordings shipped in scanner/recordings (``scanner.recordings.build.SHIPPED``, whose
import would cost ``--help`` ~40 ms; a test checks they agree)."""


def build_parser() -> argparse.ArgumentParser:
    parser = MsgscanParser(
        prog="msgscan",
        description="Check how messenger apps on Android phones are set up, over ADB.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"msgscan {__version__}")
    logging_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "scan",
        help="scan a phone against the checklist and report",
        epilog=SCAN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target_options(p, replay=True)
    p.add_argument(
        "--policy",
        type=argtypes.path,
        metavar="FILE",
        help="organisation policy (TOML; see policy.example.toml); default: the article's",
    )
    p.add_argument("--format", choices=FORMATS, help=FORMAT_HELP + " (default text)")
    p.add_argument("-o", "--output", action="append", metavar="FILE", help=OUTPUT_HELP)
    p.add_argument("--templates", type=argtypes.path, metavar="DIR", help=TEMPLATES_HELP)
    lang_option(p)
    p.add_argument(
        "--send",
        metavar="NAME",
        help="also deliver the findings as events to the destination [destinations.NAME] "
        "of the agent config given with --config (queued in the agent's outbox; "
        "waits up to 60 s for delivery)",
    )
    p.add_argument(
        "--config",
        type=argtypes.path,
        metavar="FILE",
        help="agent config (TOML) that defines the --send destination; default: as "
        "`msgscan agent` finds it",
    )
    p.add_argument(
        "--pseudonymize",
        action="store_true",
        help="replace the serial with a keyed hash everywhere (key: policy pseudonym_key "
        "or the MSGSCAN_PSEUDONYM_KEY environment variable)",
    )
    sign_key_option(p)

    p = sub.add_parser(
        "simulate",
        help="run simulated phones that serve a recording over ADB/TCP",
        epilog=SIM_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--recording",
        default=DEMO_RECORDING,
        metavar="FILE",
        help=f"recording to serve, or the name of a bundled one ({', '.join(BUNDLED_RECORDINGS)}); "
        f"default {DEMO_RECORDING}",
    )
    p.add_argument(
        "--port", type=argtypes.port, default=7100, help="first port (default 7100; not 5555-5585)"
    )
    p.add_argument(
        "--count", type=int, default=1, help="number of phones, on consecutive ports (default 1)"
    )
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--accept-any-key", action="store_true", help="accept every host key")
    auth.add_argument(
        "--keys",
        type=argtypes.path,
        metavar="FILE",
        help="trusted public keys, one per line (adbkey.pub format); default: this "
        "computer's ~/.android/adbkey.pub. Other keys wait like an unanswered "
        "'Allow USB debugging?' prompt",
    )
    p.add_argument("--legacy", action="store_true", help="an old phone: shell v1 and sync v1 only")
    farm = p.add_argument_group("farm (different phones instead of one recording)")
    farm_src = farm.add_mutually_exclusive_group()
    farm_src.add_argument(
        "--farm",
        type=int,
        metavar="N",
        help="serve N different phones (Android 6-16, makers, work profiles, Secure Folder, "
        "Dual Messenger, private space, messenger states; some unreachable, slow or "
        "unauthorized), drawn from --seed",
    )
    farm_src.add_argument(
        "--farm-spec",
        type=argtypes.path,
        metavar="FILE",
        help="serve the phones of a farm spec file",
    )
    farm.add_argument(
        "--seed", type=int, default=0, help="seed of --farm (default 0; same seed, same phones)"
    )
    farm.add_argument(
        "--save-farm",
        type=argtypes.path,
        metavar="FILE",
        help="also write the farm as a spec file (facts and what a scan must find)",
    )
    f = p.add_argument_group("faults")
    f.add_argument(
        "--latency-ms",
        type=argtypes.non_negative,
        default=0.0,
        help="delay before each packet the phone sends",
    )
    f.add_argument(
        "--bandwidth-kbps", type=argtypes.non_negative, help="link speed cap in kilobits per second"
    )
    f.add_argument(
        "--drop-after", type=int, metavar="BYTES", help="reset the connection after BYTES of output"
    )
    f.add_argument(
        "--hang-after", type=int, metavar="BYTES", help="go silent after BYTES of output"
    )
    f.add_argument("--refuse-auth", action="store_true", help="reject every key")
    f.add_argument("--corrupt", action="store_true", help="damage every output packet")
    f.add_argument(
        "--device-time",
        action="store_true",
        help="take as long per command as the recording says the phone took",
    )

    p = sub.add_parser(
        "agent",
        help="scan every attached and listed phone on a schedule",
        epilog=AGENT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--config",
        type=argtypes.path,
        metavar="FILE",
        help="agent config (TOML; see agent.example.toml); default: the first of "
        "$XDG_CONFIG_HOME/msgscan/agent.toml (~/.config/…) and "
        "/etc/msgscan/agent.toml, named on stderr",
    )
    p.add_argument(
        "--once",
        action="store_true",
        help="run a single round, deliver its SIEM events (up to 60 s per destination) "
        "and exit (for cron or a systemd timer)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="no phone needed: start three simulated phones (the bundled recordings), "
        "run one round with a new temporary state folder, write the fleet page "
        "and each phone's report there and print where (exit codes as --once)",
    )
    kept = p.add_mutually_exclusive_group()
    kept.add_argument(
        "--history",
        action="store_true",
        help="list the retired histories in the state (a phone swapped behind an id leaves "
        "its history as <id>~n, its failures open) and exit",
    )
    kept.add_argument(
        "--forget",
        metavar="ID",
        help="remove the retired history ID from the state (its scans and findings; its "
        "reports and the SIEM events sent stay) and exit; 2 if ID is no retired history",
    )
    kept.add_argument(
        "--adopt",
        metavar="ID",
        help="say the phone answering as ID is the one its history is of, and exit: its last "
        "twins' results leave the fleet page, and its next scan (unless another model answers) "
        "gives the id its identity though getprop names less of it, resolving nothing; "
        "2 if ID is no phone the agent scans",
    )
    lang_option(p)

    p = sub.add_parser(
        "report",
        help="render a saved JSON report in any format, or the agent's fleet summary as HTML",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "report",
        type=argtypes.path,
        metavar="REPORT.json",
        help="a report from `msgscan scan --format json`, or the agent's fleet-summary.json; "
        "one that changed since it was written, or with --sign-key one that key did not sign, "
        "is refused (exit 2)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        help=FORMAT_HELP + " (default html). A fleet summary renders as html only (the fleet page)",
    )
    p.add_argument("-o", "--output", action="append", metavar="FILE", help=OUTPUT_HELP)
    p.add_argument("--templates", type=argtypes.path, metavar="DIR", help=TEMPLATES_HELP)
    p.add_argument(
        "--config",
        type=argtypes.path,
        metavar="FILE",
        help="agent config whose state recorded the scan: its ocsf, ecs and cef events carry "
        "the finding uids the agent gave that scan (the phone's lineage behind a swapped id); "
        "without it, or when the state has no such scan, every event says the lineage is "
        "unknown",
    )
    lang_option(p)
    sign_key_option(p)

    p = sub.add_parser("checks", help="list the checklist rules msgscan applies")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    lang_option(p)

    p = sub.add_parser(
        "devices",
        help="list phones on USB, behind an adb server, and at --tcp endpoints",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--tcp",
        type=argtypes.endpoint,
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="also check this ADB-over-TCP endpoint (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print JSON for machines")

    p = sub.add_parser(
        "snapshot",
        help="collect the device facts and print them",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target_options(p, replay=True)
    p.add_argument("--json", action="store_true", help="print the full snapshot as JSON")

    p = sub.add_parser(
        "record",
        help="save every raw output a scan needs, for replay without the phone",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target_options(p, replay=False)
    p.add_argument(
        "-o",
        "--output",
        type=argtypes.path,
        required=True,
        metavar="FILE",
        help="recording to write (JSON, written atomically)",
    )

    p = sub.add_parser(
        "parse",
        help="show what msgscan reads from captured device output",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    q = what.add_parser("dumpsys-package", help="parse `dumpsys package` / `pm dump` output")
    q.add_argument("file", metavar="FILE", help="captured output, or - for standard input")
    _integrity_commands(sub)
    add_attest(sub)
    apply_help(sub)
    return parser


def _integrity_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "keygen",
        help="create a key pair for signing reports",
        epilog=KEYGEN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("key", type=argtypes.path, metavar="FILE", help="the private key file to create")
    p = sub.add_parser(
        "verify",
        help="check a report's digest and signature",
        epilog=VERIFY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "report",
        type=argtypes.path,
        metavar="REPORT",
        help="a JSON or HTML report, or a fleet summary, written by msgscan",
    )
    p.add_argument(
        "--key",
        type=argtypes.path,
        action="append",
        default=[],
        metavar="PUB",
        help="a public key you trust (FILE.pub from `msgscan keygen`; repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")


__all__ = ["BUNDLED_RECORDINGS", "DEMO_RECORDING", "build_parser"]

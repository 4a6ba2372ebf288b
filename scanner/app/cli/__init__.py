"""msgscan's command line: the composition root, the only module that picks implementations.

Exit codes: 0 done (for ``scan``: no failed check), 1 (``scan`` only) at least one failed check,
2 could not do it (bad input, no phone, phone unauthorized, lost or hung).
"""

from __future__ import annotations

import argparse
import enum
import json
import math
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, assert_never

from checks.errors import MsgscanError, UsageError
from checks.evaluate import summarize
from checks.facts import Snapshot, Unseen
from checks.findings import STATUS_MEANING
from checks.policy import DEFAULT as DEFAULT_POLICY
from checks.policy import DEVICE_ATTESTABLE, ORGANISATION_ATTESTABLE, Policy, attest_key
from checks.policy_file import parse_policy
from checks.registry import CHECKS, INDEX
from reports.i18n import Lang, Texts
from reports.render.cef import CefRenderer
from reports.render.controls import clean_tree, strip_controls
from reports.render.ecs import EcsRenderer
from reports.render.html import HtmlRenderer
from reports.render.interface import Renderer
from reports.render.json import JsonRenderer
from reports.render.ocsf import OcsfRenderer
from reports.render.text import TextRenderer
from reports.signing import chosen_key
from reports.snapshot import snapshot_to_json
from scanner import __version__
from scanner.app.cli import integrity as cli_integrity
from scanner.app.cli.habits import (
    MsgscanParser,
    apply_help,
    configure_from,
    configure_logging,
    find_agent_config,
    logging_options,
    quiet_on_closed_pipe,
)
from scanner.app.cli.output import FORMAT_HELP, FORMATS, OUTPUT_HELP, emit, plan, render_saved
from scanner.app.scan import device_name, scan_result
from scanner.app.show import RoundProgress, chosen_lang, load_saved
from scanner.files import LIMIT_CAPTURE, LIMIT_KEY, LIMIT_SETTINGS, read_regular

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2

EPILOG = """\
exit codes: 0 done (`scan` and `agent --once`: 1 when a check failed); 2 could not scan or bad
input (no phone, not authorized, busy, lost, timed out, unreadable or special file); `agent --once`:
3 when the round is incomplete. Errors go to stderr as "error: ..." and "hint: ..." lines. Output into a
closed pipe (| head) ends quietly with 141.
"""

SIM_EPILOG = """\
Each phone prints where it listens. Scan one with `msgscan scan --tcp 127.0.0.1:PORT`, or use
Google's adb: `adb connect 127.0.0.1:PORT`. Runs until Ctrl-C or SIGTERM; exit code 2 on bad input.
"""

AGENT_EPILOG = """\
Logs go to stderr: readable lines on a terminal, JSON lines otherwise (systemd, pipes;
--log-format, --log-file). Without --config the agent reads $XDG_CONFIG_HOME/msgscan/agent.toml
or /etc/msgscan/agent.toml and names the one it used. Signals: SIGTERM/SIGINT end the current round within 10 s and exit 0;
SIGHUP reloads the config and policy (a bad file keeps the old one and logs why).
exit codes: 0 stopped cleanly (--once: every phone found was scanned completely, none had a
failed check, every event was delivered); 1 (--once) at least one phone had a failed check; 2 could
not start: bad config, policy or key, another agent holds the state directory, or the state
database cannot be written (disk full); 3 (--once) the round is incomplete: a phone could not be
scanned completely (unauthorized, busy, unreachable, lost, timed out, interrupted), a line of the
TCP inventory is bad, or a destination did not take every event (paused, retrying); stderr says which.
"""

SCAN_EPILOG = """\
exit codes: 0 no failed check; 1 at least one failed check (waived failures and informational
results do not count); 2 could not scan or bad input (no phone, not authorized, busy, lost or hung
phone, bad policy or flag). A scan that lost the phone half way still writes its report, marked incomplete, and exits 2.
With --send, events the destination did not take within 60 s also exit 2 (they stay queued).
"""


class OutputFormat(enum.Enum):
    TEXT = "text"
    JSON = "json"
    HTML = "html"
    OCSF = "ocsf"
    ECS = "ecs"
    CEF = "cef"
    CSV = "csv"

    def renderer(self, lang: Lang = Lang.EN, key: Any = None) -> Renderer:
        match self:
            case OutputFormat.TEXT:
                return TextRenderer(lang)
            case OutputFormat.JSON:
                return JsonRenderer(lang, key)
            case OutputFormat.HTML:
                return HtmlRenderer(lang, key)
            case OutputFormat.OCSF:
                return OcsfRenderer()
            case OutputFormat.ECS:
                return EcsRenderer(observer=socket.gethostname())
            case OutputFormat.CEF:
                return CefRenderer(host=socket.gethostname())
            case OutputFormat.CSV:
                from reports.render.csv import CsvRenderer

                return CsvRenderer(lang)
            case _:
                assert_never(self)


DEMO_RECORDING = "android16-personal-whatsapp-telegram"


def bundled_recordings() -> list[str]:
    from scanner.recordings import build

    return [name.removesuffix(".json") for name in build.SHIPPED]


def _recording(name: str | Path) -> Any:
    """A recording by path, or by the name of a bundled one."""
    from scanner import recording
    from scanner.recordings import build

    bundled = build.HERE / f"{name}.json"
    if str(name) in bundled_recordings() and bundled.is_file():
        return recording.load(bundled)
    return recording.load(name)


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"expected a TCP port number, got {value!r}")
    if 5555 <= int(value) <= 5585:
        raise argparse.ArgumentTypeError(
            "ports 5555-5585 are where adb looks for emulators; pick another (e.g. 7100)"
        )
    return int(value)


def _tcp(value: str) -> tuple[str, int]:
    from scanner.transport.tcp import parse_endpoint

    try:
        return parse_endpoint(value)
    except UsageError:
        raise argparse.ArgumentTypeError(
            f"expected HOST:PORT (e.g. 192.168.1.20:5555 or [fe80::1]:5555), got {value!r}"
        ) from None


def _number(value: str, *, low: float, high: float, unit: str, zero_ok: bool = False) -> float:
    """A finite number in ``(low, high]`` (``[low, high]`` with ``zero_ok``): nan, inf, 0 and
    negatives are refused by argparse (exit 2) instead of hanging or crashing a scan later."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of {unit}, got {value!r}") from None
    if not math.isfinite(number) or number < low or (number == low and not zero_ok) or number > high:
        least = "0 or more" if zero_ok else "more than 0"
        raise argparse.ArgumentTypeError(
            f"expected a finite number of {unit}, {least} and at most {high:g}, got {value!r}")
    return number


def _positive(value: str) -> float:
    return _number(value, low=0.0, high=MAX_SECONDS, unit="seconds")


def _mib(value: str) -> float:
    return _number(value, low=0.0, high=4096.0, unit="MiB")


def _non_negative(value: str) -> float:
    return _number(value, low=0.0, high=1e9, unit="units", zero_ok=True)


MAX_SECONDS = 7 * 86400.0
"""The longest time limit accepted (a week): more is a typo, and the OS cannot wait for inf."""


def _target_options(p: argparse.ArgumentParser, *, replay: bool) -> None:
    g = p.add_argument_group("which phone (default: the only phone on USB)")
    x = g.add_mutually_exclusive_group()
    x.add_argument("--serial", "-s", metavar="S", help="the phone with this serial (USB or adb server)")
    x.add_argument("--tcp", type=_tcp, metavar="HOST:PORT", help="a phone in ADB-over-TCP mode")
    if replay:
        x.add_argument("--replay", type=Path, metavar="FILE", help="a recording instead of a phone")
        x.add_argument("--demo", action="store_true",
                       help="scan a simulated phone (a bundled recording served over ADB/TCP)")
    g.add_argument("--timeout", type=_positive, default=120.0, metavar="SECONDS",
                   help="limit for the ADB handshake and for each exchange with the phone "
                        "(default 120)")
    g.add_argument("--auth-timeout", type=_positive, default=60.0, metavar="SECONDS",
                   help="how long to wait for 'Allow USB debugging?' to be accepted (default 60)")
    g.add_argument("--max-output", type=_mib, default=64.0, metavar="MIB",
                   help="most output accepted from the phone per exchange; more is cut and "
                   "reported (default 64)")


def _lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=[lang.value for lang in Lang], metavar="de|en",
                   help="language of the texts people read (default: from the locale, LANG/LC_ALL/"
                        "LC_MESSAGES; German for de_*, else English); JSON keeps ids and adds texts")


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

    p = sub.add_parser("scan", help="scan a phone against the checklist and report",
                       epilog=SCAN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _target_options(p, replay=True)
    p.add_argument("--policy", type=Path, metavar="FILE",
                   help="organisation policy (TOML; see policy.example.toml); default: the article's")
    p.add_argument("--format", choices=FORMATS, help=FORMAT_HELP + " (default text)")
    p.add_argument("-o", "--output", action="append", metavar="FILE", help=OUTPUT_HELP)
    _lang_option(p)
    p.add_argument("--send", metavar="NAME",
                   help="also deliver the findings as events to the destination [destinations.NAME] "
                        "of the agent config given with --config (queued in the agent's outbox; "
                        "waits up to 60 s for delivery)")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="agent config (TOML) that defines the --send destination; default: as "
                        "`msgscan agent` finds it")
    p.add_argument("--pseudonymize", action="store_true",
                   help="replace the serial with a keyed hash everywhere (key: policy pseudonym_key "
                        "or the MSGSCAN_PSEUDONYM_KEY environment variable)")
    cli_integrity.sign_key_option(p)

    p = sub.add_parser("simulate", help="run simulated phones that serve a recording over ADB/TCP",
                       epilog=SIM_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recording", default=DEMO_RECORDING, metavar="FILE",
                   help=f"recording to serve, or the name of a bundled one ({', '.join(bundled_recordings())}); "
                        f"default {DEMO_RECORDING}")
    p.add_argument("--port", type=_port, default=7100, help="first port (default 7100; not 5555-5585)")
    p.add_argument("--count", type=int, default=1, help="number of phones, on consecutive ports (default 1)")
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--accept-any-key", action="store_true", help="accept every host key")
    auth.add_argument("--keys", type=Path, metavar="FILE",
                      help="trusted public keys, one per line (adbkey.pub format); default: this "
                           "computer's ~/.android/adbkey.pub. Other keys wait like an unanswered "
                           "'Allow USB debugging?' prompt")
    p.add_argument("--legacy", action="store_true", help="an old phone: shell v1 and sync v1 only")
    farm = p.add_argument_group("farm (different phones instead of one recording)")
    farm_src = farm.add_mutually_exclusive_group()
    farm_src.add_argument("--farm", type=int, metavar="N",
                          help="serve N different phones (Android 6-16, makers, work profiles, Secure Folder, "
                               "Dual Messenger, private space, messenger states; some unreachable, slow or "
                               "unauthorized), drawn from --seed")
    farm_src.add_argument("--farm-spec", type=Path, metavar="FILE", help="serve the phones of a farm spec file")
    farm.add_argument("--seed", type=int, default=0, help="seed of --farm (default 0; same seed, same phones)")
    farm.add_argument("--save-farm", type=Path, metavar="FILE",
                      help="also write the farm as a spec file (facts and what a scan must find)")
    f = p.add_argument_group("faults")
    f.add_argument("--latency-ms", type=_non_negative, default=0.0, help="delay before each packet the phone sends")
    f.add_argument("--bandwidth-kbps", type=_non_negative, help="link speed cap in kilobits per second")
    f.add_argument("--drop-after", type=int, metavar="BYTES", help="reset the connection after BYTES of output")
    f.add_argument("--hang-after", type=int, metavar="BYTES", help="go silent after BYTES of output")
    f.add_argument("--refuse-auth", action="store_true", help="reject every key")
    f.add_argument("--corrupt", action="store_true", help="damage every output packet")
    f.add_argument("--device-time", action="store_true",
                   help="take as long per command as the recording says the phone took")

    p = sub.add_parser("agent", help="scan every attached and listed phone on a schedule",
                       epilog=AGENT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="agent config (TOML; see agent.example.toml); default: the first of "
                        "$XDG_CONFIG_HOME/msgscan/agent.toml (~/.config/…) and "
                        "/etc/msgscan/agent.toml, named on stderr")
    p.add_argument("--once", action="store_true",
                   help="run a single round, deliver its SIEM events (up to 60 s per destination) "
                        "and exit (for cron or a systemd timer)")
    p.add_argument("--demo", action="store_true",
                   help="no phone needed: start three simulated phones (the bundled recordings), "
                        "run one round with a new temporary state folder, write the fleet page "
                        "and each phone's report there and print where (exit codes as --once)")
    _lang_option(p)

    p = sub.add_parser("report", help="render a saved JSON report in any format, or the agent's fleet summary as HTML",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("report", type=Path, metavar="REPORT.json",
                   help="a report from `msgscan scan --format json`, or the agent's fleet-summary.json")
    p.add_argument("--format", choices=FORMATS,
                   help=FORMAT_HELP + " (default html). A fleet summary renders as html only (the "
                        "fleet page)")
    p.add_argument("-o", "--output", action="append", metavar="FILE", help=OUTPUT_HELP)
    _lang_option(p)
    cli_integrity.sign_key_option(p)

    p = sub.add_parser("checks", help="list the checklist rules msgscan applies")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    _lang_option(p)

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
    apply_help(sub)
    cli_integrity.add_commands(sub)
    __import__("scanner.app.cli.attest", fromlist=["register"]).register(sub, COMMANDS)
    return parser


def _configure_logging(verbosity: int) -> None:
    configure_logging(verbosity)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(clean_tree(data), indent=2, ensure_ascii=False) + "\n")


def _read_input(name: str) -> bytes:
    if name == "-":
        data = sys.stdin.buffer.read(LIMIT_CAPTURE + 1)
        if len(data) > LIMIT_CAPTURE:
            raise UsageError(f"standard input: more than the {LIMIT_CAPTURE >> 20} MiB msgscan reads",
                             hint="pass the captured output of one `dumpsys package`")
        return data
    return read_regular(name, what="the capture", limit=LIMIT_CAPTURE,
                        hint="pass the path of a saved capture, or - for stdin")


def cmd_parse(args: argparse.Namespace) -> int:
    from scanner.parse.dumpsys_package import read_dumpsys_package, to_json_shape
    from scanner.parse.text import decode

    listing = read_dumpsys_package(decode(_read_input(args.file)))
    _print_json(to_json_shape(listing.packages))
    damage = listing.damage.describe("package block")
    if damage is None:
        return EXIT_OK
    print(f"error: {args.file}: {damage}", file=sys.stderr)  # what was read is printed all the same
    return EXIT_ERROR


def _open(args: argparse.Namespace) -> Any:
    """The transport the arguments name; the caller closes it."""
    if getattr(args, "demo", False):
        return _demo_transport(args)
    if getattr(args, "replay", None) is not None:
        from scanner import recording
        from scanner.replay import ReplayTransport

        return _limited(ReplayTransport(recording.load(args.replay)), args)
    from scanner.discovery import open_transport
    from scanner.transport.keys import load_or_create_signer

    def prompt() -> None:
        print(
            "Waiting for the phone: unlock it and tap 'Allow' on 'Allow USB debugging?' "
            f"(tick 'Always allow from this computer'); giving up after {args.auth_timeout:.0f} s.",
            file=sys.stderr,
            flush=True,
        )

    transport = open_transport(
        serial=args.serial,
        tcp=args.tcp,
        signer=load_or_create_signer(),
        connect_timeout_s=args.timeout,  # the handshake is an exchange too
        auth_timeout_s=args.auth_timeout,
        on_prompt=prompt,
    )
    return _limited(transport, args)


def _limited(transport: Any, args: argparse.Namespace) -> Any:
    """Apply --max-output (MiB) to the transport's per-exchange output cap."""
    transport.max_output = int(getattr(args, "max_output", 64.0) * (1 << 20))
    return transport


class _DemoTransport:
    """A TCP transport to an in-process simulated phone; closing it stops the phone too."""

    def __init__(self, inner: Any, server: Any, tmp: Any) -> None:
        self._inner, self._server, self._tmp = inner, server, tmp
        self.serial, self.meter, self.max_command = inner.serial, inner.meter, inner.max_command

    def shell(self, command: str, *, timeout: float = 120.0) -> Any:
        return self._inner.shell(command, timeout=timeout)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._server.stop()
            self._tmp.cleanup()


def _demo_transport(args: argparse.Namespace) -> Any:
    """Start a simulated phone on a free loopback port and connect to it the way a scan of a
    real phone over TCP does (adb-shell, AUTH with a throw-away key, shell v1)."""
    import tempfile

    from scanner.simphone.phone import phone_server
    from scanner.transport.keys import load_or_create_signer
    from scanner.transport.tcp import TcpTransport

    rec = _recording(DEMO_RECORDING)
    server = phone_server(rec).start()
    tmp = tempfile.TemporaryDirectory(prefix="msgscan-demo-")
    try:
        print(f"demo: scanning a simulated phone at {server.address} (recording {DEMO_RECORDING}: "
              f"{rec.meta.get('description', '')[:60]}…)", file=sys.stderr)
        signer = load_or_create_signer(Path(tmp.name))  # the user's own adb key stays untouched
        inner = TcpTransport.connect("127.0.0.1", server.port, signer=signer,
                                     connect_timeout_s=args.timeout, auth_timeout_s=args.auth_timeout)
    except BaseException:
        server.stop()
        tmp.cleanup()
        raise
    return _DemoTransport(inner, server, tmp)


def cmd_simulate(args: argparse.Namespace) -> int:
    import signal
    import threading

    from scanner.simphone.adbd import LEGACY_FEATURES
    from scanner.simphone.auth import AuthPolicy
    from scanner.simphone.faults import Faults
    from scanner.simphone.phone import phones
    from scanner.transport.keys import adb_key_dir

    if not 1 <= args.count <= 1000:
        raise UsageError(f"--count {args.count}: expected 1 to 1000 phones", hint="pass a smaller --count")
    if args.port + args.count - 1 > 65535:
        raise UsageError(f"--port {args.port} --count {args.count}: ports run past 65535", hint="pick a lower --port")
    if args.port <= 5585 and args.port + args.count - 1 >= 5555:
        raise UsageError(f"ports {args.port}-{args.port + args.count - 1} overlap 5555-5585, where adb looks for emulators",
                         hint="pick another --port, e.g. 7100")
    rec = _recording(args.recording)
    if args.accept_any_key:
        auth = AuthPolicy(accept_any_key=True)
    else:
        keyfile = args.keys or adb_key_dir() / "adbkey.pub"
        text = read_regular(keyfile, what="the trusted keys", limit=LIMIT_KEY,
                            hint="pass --keys FILE with adbkey.pub lines, or --accept-any-key")
        keys = tuple(line.strip() for line in text.decode("utf-8", "replace").splitlines() if line.strip())
        try:
            auth = AuthPolicy(trusted_keys=keys)
        except ValueError as e:
            raise UsageError(f"{keyfile}: {e}", hint="each line must be an adbkey.pub public key") from None
    try:
        faults = Faults(
            latency_s=args.latency_ms / 1000,
            bandwidth_bps=int(args.bandwidth_kbps * 1000) if args.bandwidth_kbps else None,
            drop_after_bytes=args.drop_after,
            hang_after_bytes=args.hang_after,
            refuse_auth=args.refuse_auth,
            corrupt=args.corrupt,
            use_device_time=args.device_time,
        )
    except ValueError as e:
        raise UsageError(str(e), hint="fault values must not be negative") from None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    features = LEGACY_FEATURES if args.legacy else None  # None: what the recording's Android has
    if args.farm is not None or args.farm_spec is not None:
        return _simulate_farm(args, auth, faults, stop)
    try:
        with phones(rec, args.count, first_port=args.port, auth=auth, faults=faults, features=features) as servers:
            for s in servers:
                print(f"phone {s.serial} listening on {s.address}", flush=True)
            print("simulating; Ctrl-C or SIGTERM stops", flush=True)
            stop.wait()
    except OSError as e:
        raise UsageError(f"cannot listen on port {args.port}…: {e.strerror}",
                         hint="another program uses the port: pick another --port") from None
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _simulate_farm(args: argparse.Namespace, auth: Any, faults: Any, stop: Any) -> int:
    from scanner.recordings import farm
    from scanner.simphone.phone import farm_servers

    if args.count != 1:
        raise UsageError("--count and --farm/--farm-spec: a farm says how many phones it has",
                         hint="drop --count, or pass --farm N")
    if args.farm is not None and not 1 <= args.farm <= 1000:
        raise UsageError(f"--farm {args.farm}: expected 1 to 1000 phones", hint="pass a smaller --farm")
    phones = farm.load_spec(args.farm_spec) if args.farm_spec else farm.farm(args.farm, args.seed)
    if args.port + len(phones) - 1 > 65535 or (args.port <= 5585 and args.port + len(phones) - 1 >= 5555):
        raise UsageError(f"ports {args.port}-{args.port + len(phones) - 1} run past 65535 or overlap 5555-5585",
                         hint="pick another --port, e.g. 7100")
    if args.save_farm:
        farm.save_spec(phones, args.save_farm)
    try:
        with farm_servers(phones, first_port=args.port, auth=auth, faults=faults) as slots:
            for s in slots:
                p = s.phone
                what = f"{p.maker} {p.model}, Android {farm.RELEASE[p.sdk]}, profiles: {', '.join(p.profiles) or 'none'}"
                state = "" if p.reach == "ok" else f" [{p.reach}]"
                verb = "not listening (unreachable) at" if s.server is None else "listening on"
                print(f"phone {p.serial} ({what}){state} {verb} {s.address}", flush=True)
            print("simulating; Ctrl-C or SIGTERM stops", flush=True)
            stop.wait()
    except OSError as e:
        raise UsageError(f"cannot listen on port {args.port}…: {e.strerror}",
                         hint="another program uses the port: pick another --port") from None
    except KeyboardInterrupt:
        pass
    return EXIT_OK


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
    return "\n".join(strip_controls(line) for line in lines) + "\n"


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
    from scanner.app.record import record

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


def _policy(path: Path | None) -> Policy:
    if path is None:
        return DEFAULT_POLICY
    data = read_regular(path, what="the policy", limit=LIMIT_SETTINGS,
                        hint="check the path; policy.example.toml shows the format")
    return parse_policy(data, str(path), known_checks=INDEX)


SEND_TIMEOUT_S = 60.0


def _destination(args: argparse.Namespace) -> Any:
    """The --send destination and the agent config it comes from (checked before any scan)."""
    if args.send is None:
        return None
    args.config = find_agent_config(args.config)
    from reports.deliver.settings import parse_destinations
    from scanner.app.agent.delivery import check_ca_files
    from scanner.app.agent.service import load_config

    config = load_config(args.config)
    found = check_ca_files(parse_destinations(config.destinations, config.source,
                                              base_dir=args.config.resolve().parent), config.source)
    if args.send not in found:
        raise UsageError(f"{args.config}: no [destinations.{args.send}]",
                         hint=f"known: {', '.join(found) or 'none'}; see docs/siem.md")
    return config, found[args.send]


def _send(args: argparse.Namespace, result: Any) -> None:
    from reports.deliver import spool
    from reports.deliver.interface import DeliveryError, Event
    from reports.render.ocsf import snapshot_events
    from scanner.app.agent.delivery import send_now
    from scanner.app.agent.state import State

    config, dest = _destination(args)
    events = [Event(e["metadata"]["uid"], e) for e in snapshot_events(result)]
    with State.open(config.agent.database) as db:
        if not send_now(dest, events, db, timeout=SEND_TIMEOUT_S):
            figures = spool.health(db, dest.name)
            raise DeliveryError(
                f"{dest.name}: {figures['queue_depth']} event(s) not delivered "
                f"({figures['state']}: {figures['last_error']})",
                hint=f"they stay queued in {config.agent.database}; a running msgscan agent "
                "delivers them, or run the scan again once the receiver is back",
            )
    print(f"sent {len(events)} event(s) to {dest.name}", file=sys.stderr)


def cmd_scan(args: argparse.Namespace) -> int:
    _destination(args)  # a bad --send fails before the phone is touched
    policy = __import__("scanner.app.cli.attest", fromlist=["x"]).scan_policy(args, _policy(args.policy))
    outputs = plan(args.output, args.format, "text")  # a bad -o fails before the phone is touched
    device_name("check-the-key", policy, args.pseudonymize)  # a missing key fails before the phone is touched
    key = chosen_key(args.sign_key, os.environ)  # so does an unreadable signing key
    transport = _open(args)
    try:
        result = scan_result(transport, policy, timeout=args.timeout, pseudonymize=args.pseudonymize)
    finally:
        transport.close()
    emit(outputs, chosen_lang(args.lang), lambda r: r.render(result), key=key)
    if args.send is not None:  # after the report: a SIEM outage must not cost the user the output
        _send(args, result)
    summary = summarize(result.findings, complete=result.snapshot.complete)
    if not result.snapshot.complete:
        print(strip_controls(f"error: the scan of {result.device_name} is incomplete: {result.error}"),
              file=sys.stderr)
        return EXIT_ERROR
    return EXIT_FAILED if summary.failed else EXIT_OK


def cmd_agent(args: argparse.Namespace) -> int:
    from scanner.app.agent.once import once_exit
    from scanner.app.agent.service import Agent, load_config
    from scanner.malloc import limit_arenas

    limit_arenas()  # before any pool thread: see scanner/malloc.py
    if args.demo:
        from scanner.app.agent_demo import run_demo

        return EXIT_FAILED if run_demo(chosen_lang(args.lang)).failed_phones else EXIT_OK
    args.config = find_agent_config(args.config)
    config = load_config(args.config)
    configure_from(args, max(args.verbose, {"debug": 2, "info": 1}.get(config.agent.log_level.value, 0)))
    agent = Agent(args.config)
    if not args.once:
        return agent.serve()
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):  # end the round in time; it exits 3, interrupted
        signal.signal(sig, lambda *_: agent.stop.set())
    try:
        progress = RoundProgress(sys.stderr, Texts(chosen_lang(args.lang)).t("term.progress"))
        try:  # a progress bar on stderr when it is a terminal; JSON logs stay as they are
            report = agent.scan_round(watch=progress.watch if progress.enabled else None)
        finally:
            progress.close()
        if not agent.stop.is_set():  # --once: deliver what the round queued, then exit
            agent.delivery.flush(SEND_TIMEOUT_S)  # (after SIGTERM the queue waits for next time)
        code, lines = once_exit(report, agent.delivery.health())
    finally:
        agent.close()
    for line in lines:
        print(strip_controls(line), file=sys.stderr)
    return code


def cmd_report(args: argparse.Namespace) -> int:
    outputs = plan(args.output, args.format, "html")
    key = chosen_key(args.sign_key, os.environ)
    render_saved(load_saved(args.report), outputs, chosen_lang(args.lang), key=key)
    return EXIT_OK


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
        _print_json({"statuses": statuses, "checks": rows})
    else:
        tx = Texts(chosen_lang(args.lang))
        for r in rows:
            title = tx.check(INDEX[str(r["id"])].info).title
            sys.stdout.write(f"{r['id']:<7} {tx.t('severity.' + str(r['severity'])):<8} {title}\n")
            sys.stdout.write(f"        {tx.t('checks.article')}: {r['article']['section']} — {r['article']['ref']}\n")
            if r["attestable"]:
                sys.stdout.write(f"        {tx.t('checks.attest')}: {r['attestable']['policy']}\n")
    return EXIT_OK


def _attestable(check_id: str) -> dict[str, str] | None:
    """How the policy attests the item: per organisation or per device, and under which key."""
    if check_id in ORGANISATION_ATTESTABLE:
        return {"per": "organisation", "policy": attest_key(check_id)}
    if check_id in DEVICE_ATTESTABLE:
        return {"per": "device", "policy": attest_key(check_id)}
    return None


COMMANDS = {"scan": cmd_scan, "agent": cmd_agent, "simulate": cmd_simulate, "checks": cmd_checks, "devices": cmd_devices, "snapshot": cmd_snapshot, "record": cmd_record, "parse": cmd_parse, "report": cmd_report}
COMMANDS.update(cli_integrity.COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    return quiet_on_closed_pipe(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        configure_from(args)
        return COMMANDS[args.command](args)
    except MsgscanError as e:
        print(f"error: {strip_controls(e.problem)}\nhint: {strip_controls(e.hint)}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())

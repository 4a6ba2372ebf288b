"""``msgscan simulate``: simulated phones that serve a recording (or a farm of different phones)
over ADB/TCP, with faults on request, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from checks.errors import UsageError
from scanner import recording
from scanner.app.cli.definition import BUNDLED_RECORDINGS
from scanner.app.cli.exits import ExitCode
from scanner.files import LIMIT_KEY, read_regular
from scanner.recording import Recording
from scanner.recordings import farm
from scanner.simphone.adbd import LEGACY_FEATURES
from scanner.simphone.auth import AuthPolicy
from scanner.simphone.demo import bundled
from scanner.simphone.faults import Faults
from scanner.simphone.phone import farm_servers, phones
from scanner.transport.keys import adb_key_dir


def _recording(name: str | Path) -> Recording:
    """A recording by path, or by the name of a bundled one."""
    found = bundled(str(name))
    if str(name) in BUNDLED_RECORDINGS and found.is_file():
        return recording.load(found)
    return recording.load(name)


def cmd_simulate(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= 1000:
        raise UsageError(
            f"--count {args.count}: expected 1 to 1000 phones", hint="pass a smaller --count"
        )
    if args.port + args.count - 1 > 65535:
        raise UsageError(
            f"--port {args.port} --count {args.count}: ports run past 65535",
            hint="pick a lower --port",
        )
    if args.port <= 5585 and args.port + args.count - 1 >= 5555:
        raise UsageError(
            f"ports {args.port}-{args.port + args.count - 1} overlap 5555-5585, "
            "where adb looks for emulators",
            hint="pick another --port, e.g. 7100",
        )
    rec = _recording(args.recording)
    if args.accept_any_key:
        auth = AuthPolicy(accept_any_key=True)
    else:
        keyfile = args.keys or adb_key_dir() / "adbkey.pub"
        text = read_regular(
            keyfile,
            what="the trusted keys",
            limit=LIMIT_KEY,
            hint="pass --keys FILE with adbkey.pub lines, or --accept-any-key",
        )
        keys = tuple(
            line.strip() for line in text.decode("utf-8", "replace").splitlines() if line.strip()
        )
        try:
            auth = AuthPolicy(trusted_keys=keys)
        except ValueError as e:
            raise UsageError(
                f"{keyfile}: {e}", hint="each line must be an adbkey.pub public key"
            ) from None
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
        with phones(
            rec, args.count, first_port=args.port, auth=auth, faults=faults, features=features
        ) as servers:
            for s in servers:
                print(f"phone {s.serial} listening on {s.address}", flush=True)
            _until_stopped(stop)
    except OSError as e:
        raise _cannot_listen(args.port, e) from None
    except KeyboardInterrupt:  # Ctrl-C ends cleanly, as SIGTERM does
        pass
    return ExitCode.OK


def _simulate_farm(
    args: argparse.Namespace, auth: AuthPolicy, faults: Faults, stop: threading.Event
) -> int:
    if args.count != 1:
        raise UsageError(
            "--count and --farm/--farm-spec: a farm says how many phones it has",
            hint="drop --count, or pass --farm N",
        )
    if args.farm is not None and not 1 <= args.farm <= 1000:
        raise UsageError(
            f"--farm {args.farm}: expected 1 to 1000 phones", hint="pass a smaller --farm"
        )
    phones = farm.load_spec(args.farm_spec) if args.farm_spec else farm.farm(args.farm, args.seed)
    if args.port + len(phones) - 1 > 65535 or (
        args.port <= 5585 and args.port + len(phones) - 1 >= 5555
    ):
        raise UsageError(
            f"ports {args.port}-{args.port + len(phones) - 1} run past 65535 or overlap 5555-5585",
            hint="pick another --port, e.g. 7100",
        )
    if args.save_farm:
        farm.save_spec(phones, args.save_farm)
    try:
        with farm_servers(phones, first_port=args.port, auth=auth, faults=faults) as slots:
            for s in slots:
                p = s.phone
                profiles = ", ".join(p.profiles) or "none"
                what = f"{p.maker} {p.model}, Android {farm.RELEASE[p.sdk]}, profiles: {profiles}"
                state = "" if p.reach == "ok" else f" [{p.reach}]"
                verb = "not listening (unreachable) at" if s.server is None else "listening on"
                print(f"phone {p.serial} ({what}){state} {verb} {s.address}", flush=True)
            _until_stopped(stop)
    except OSError as e:
        raise _cannot_listen(args.port, e) from None
    except KeyboardInterrupt:  # Ctrl-C ends cleanly, as SIGTERM does
        pass
    return ExitCode.OK


def _until_stopped(stop: threading.Event) -> None:
    """Serve until SIGTERM sets ``stop`` (or Ctrl-C interrupts the wait)."""
    print("simulating; Ctrl-C or SIGTERM stops", flush=True)
    stop.wait()


def _cannot_listen(port: int, e: OSError) -> UsageError:
    return UsageError(
        f"cannot listen on port {port}…: {e.strerror}",
        hint="another program uses the port: pick another --port",
    )


__all__ = ["cmd_simulate"]

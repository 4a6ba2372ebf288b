"""msgscan against MVT 2.7.0 ``check-adb`` on the same simulated phone over ADB/TCP.

    python -m venv bench/.venv-mvt && bench/.venv-mvt/bin/pip install mvt==2.7.0   # once
    python bench/mvt_compare.py [--phone shipped|large] [--latency-ms 20] [--bandwidth-mbps 50]

MVT 2.7.0 is the last release with live ADB scanning (``check-adb``, deprecated there in favour of
AndroidQF). It runs in its own venv (``bench/.venv-mvt``, git-ignored) so that its pins never meet
msgscan's. It is compared on the part of the checklist msgscan answers: the installed packages
with versions, installers and permissions (MVT module Packages), the device properties (Getprop)
and settings (Settings); MVT's other modules (processes, logcat, SMS, root files, full dumpsys)
answer other questions. Each MVT module is its own ``check-adb -m`` run, as MVT offers them.

The phone serves the recording as it is: MVT's commands (``pm list packages -u -i -f``, ``pm path``,
the APK digests, ``dumpsys package P``, ``cmd settings list``) are answered by the simulated
phone's derived commands (scanner/simphone/commands/), with a latency per packet, a bandwidth cap
and the recorded device-side command times (derived commands take no device time). Both tools run as separate processes
from the same start (Python start-up included); MVT runs with ``--fast`` (no VirusTotal) and
``MVT_NETWORK_ACCESS_ALLOWED=false`` (no update checks). Prints a Markdown table for
bench/RESULTS.md, the commands MVT sent that the phone could not answer (expected: none), and
whether MVT's packages.json holds every package of the recording with its version and installer.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MVT = ROOT / "bench" / ".venv-mvt" / "bin" / "mvt-android"
MODULES = ("Packages", "Getprop", "Settings")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall, CPU, exit code, stderr tail) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, done.returncode, (done.stderr + done.stdout)[-600:]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phone", choices=["shipped", "large"], default="shipped")
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--bandwidth-mbps", type=float, default=50.0)
    ap.add_argument("--no-device-time", action="store_true")
    args = ap.parse_args()
    if not MVT.exists():
        print(f"{MVT} is missing: python -m venv bench/.venv-mvt && "
              "bench/.venv-mvt/bin/pip install mvt==2.7.0", file=sys.stderr)
        return 2

    import logging

    import structlog

    from scanner.recording import load, save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build
    from scanner.replay import RecordedShell
    from scanner.simphone import Faults
    from scanner.simphone.phone import phone_server

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if args.phone == "large":
        rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    else:
        rec = load(HERE / "android16-personal-whatsapp-telegram.json")
    tmp = Path(tempfile.mkdtemp(prefix="msgscan-mvt-"))
    save(rec, tmp / "phone.json")
    env = {**os.environ, "HOME": str(tmp / "home"), "ANDROID_USER_HOME": str(tmp / "android"),
           "MVT_NETWORK_ACCESS_ALLOWED": "false", "COLUMNS": "200"}
    faults = Faults(latency_s=args.latency_ms / 1000, bandwidth_bps=int(args.bandwidth_mbps * 1e6),
                    use_device_time=not args.no_device_time)
    shell = RecordedShell(rec)
    rows = []
    with phone_server(rec, faults=faults) as phone:
        target = phone.address
        seen = 0
        for tool, argvs in (
            ("msgscan", [[sys.executable, "-m", "scanner.app.cli", "scan", "--tcp", target,
                          "--format", "json", "-o", str(tmp / "msgscan.json")]]),
            ("MVT 2.7.0", [[str(MVT), "check-adb", "-s", target, "-m", m, "-n", "--fast",
                            "-o", str(tmp / f"mvt-{m}")] for m in MODULES]),
        ):
            wall = cpu = 0.0
            notes = []
            for argv in argvs:
                w, c, code, tail = timed(argv, env)
                wall, cpu = wall + w, cpu + c
                if code not in (0, 1):
                    notes.append(f"exit {code}: {tail.strip()[-200:]}")
            services = [s for s in phone.services[seen:] if s.startswith(("shell", "exec"))]
            seen = len(phone.services)
            unanswered = sorted({s.split(":", 1)[1] for s in services
                                 if shell.run(s.split(":", 1)[1]).exit_code == 127})
            rows.append((tool, wall, cpu, len(services), unanswered, notes))
    print(f"phone: {args.phone} ({len(rec.commands)} recorded commands), {args.latency_ms:g} ms per "
          f"packet, {args.bandwidth_mbps:g} Mbit/s, device time {'off' if args.no_device_time else 'on'}")
    print("| tool | what ran | wall | CPU | exchanges | unanswered commands |")
    print("|---|---|---|---|---|---|")
    for tool, wall, cpu, exchanges, unanswered, notes in rows:
        what = "scan (2 exchanges)" if tool == "msgscan" else " + ".join(MODULES)
        print(f"| {tool} | {what} | {wall:.1f} s | {cpu:.1f} s | {exchanges} | "
              f"{len(unanswered)} |")
        for n in notes:
            print(f"  note: {n}")
        for u in unanswered[:10]:
            print(f"  unanswered: {u[:100]}")
    print(f"msgscan is {rows[1][1] / rows[0][1]:.1f}x faster (wall)")
    missing = packages_check(rec, tmp / "mvt-Packages" / "packages.json")
    print(f"MVT packages.json: {'every package with version and installer' if not missing else missing}")
    return 0


def packages_check(rec: object, path: Path) -> list[str]:
    """What MVT's packages.json lacks of the recording's packages (name, version, installer)."""
    import json

    from scanner import probes
    from scanner.parse.dumpsys_package import parse_dumpsys_package

    dump = rec.index()[probes.PACKAGES.argv].stdout.decode()  # type: ignore[attr-defined]
    try:
        found = {p["package_name"]: p for p in json.loads(path.read_text())}
    except (OSError, ValueError) as e:
        return [f"no packages.json: {e}"]
    missing = []
    for p in parse_dumpsys_package(dump):
        got = found.get(p.name)
        if got is None or got.get("version_name") != p.version_name or got.get("installer") != p.installer:
            missing.append(p.name)
    return missing


if __name__ == "__main__":
    sys.exit(main())

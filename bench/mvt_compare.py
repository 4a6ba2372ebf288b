"""msgscan against MVT 2.7.0 ``check-adb`` on the same simulated phone over ADB/TCP (issue 18.5).

    python -m venv bench/.venv-mvt && bench/.venv-mvt/bin/pip install mvt==2.7.0   # once
    python bench/mvt_compare.py [--phone shipped|large] [--latency-ms 20] [--bandwidth-mbps 50]
                                [--device-time none|recorded|modelled] [--runs 3]

MVT 2.7.0 is the last release with live ADB scanning (``check-adb``, deprecated there in favour of
AndroidQF). It runs in its own venv (``bench/.venv-mvt``, git-ignored) so that its pins never meet
msgscan's, and as its users run it: one ``check-adb`` process with every module it has, and the
modules that answer what msgscan answers (Packages: installed packages with versions, installers
and permissions; Getprop; Settings), each its own process since ``-m`` takes one module. Always
``-n --fast`` (no questions, no VirusTotal) and ``MVT_NETWORK_ACCESS_ALLOWED=false``.

The phone serves the recording as it is: MVT's commands that no msgscan recording holds (``pm list
packages -u -i -f``, ``pm path``, the APK digests, ``dumpsys package P``, ``cmd settings list``, …)
are answered by the simulated phone's derived commands (scanner/simphone/commands/).

Device time (``--device-time``):
- ``none``: the phone answers at once; the figure is the tools' own cost and the link's.
- ``recorded``: each command takes the device time the recording holds for it, and nothing else
  does: the commands only MVT sends answer at once (``DerivedCommands.modelled_device_time``
  off), so both tools' device times come from the same source, and MVT's figure is a lower bound.
- ``modelled``: derived commands take the simulator's estimates too (``pm`` 450 ms, ``pm path``
  120 ms, a digest 40 ms, ``dumpsys`` 200 ms + 0.6 ms per package, …): invented, not measured.

Each tool is a separate process timed from start to exit under GNU time (``bench/measure.py``:
its own CPU and peak RSS). Prints min / median of ``--runs`` runs, the ratio of the medians, the
commands MVT sent that the phone could not answer, and whether MVT's packages.json holds every
package of the recording with its version and installer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import measure

MVT = ROOT / "bench" / ".venv-mvt" / "bin" / "mvt-android"
MATCHING = ("Packages", "Getprop", "Settings")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phone", choices=["shipped", "large"], default="shipped")
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--bandwidth-mbps", type=float, default=50.0)
    ap.add_argument("--device-time", choices=["none", "recorded", "modelled"], default="none")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not MVT.exists():
        print(
            f"{MVT} is missing: python -m venv bench/.venv-mvt && "
            "bench/.venv-mvt/bin/pip install mvt==2.7.0",
            file=sys.stderr,
        )
        return 2

    import logging

    import structlog

    from scanner.recording import load, save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build
    from scanner.replay import RecordedShell
    from scanner.simphone import Faults
    from scanner.simphone.commands import DerivedCommands
    from scanner.simphone.phone import phone_server

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if args.phone == "large":
        rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    else:
        rec = load(HERE / "android16-personal-whatsapp-telegram.json")
    tmp = Path(tempfile.mkdtemp(prefix="msgscan-mvt-"))
    save(rec, tmp / "phone.json")
    env = {
        **os.environ,
        "HOME": str(tmp / "home"),
        "ANDROID_USER_HOME": str(tmp / "android"),
        "MVT_NETWORK_ACCESS_ALLOWED": "false",
        "COLUMNS": "200",
    }
    DerivedCommands.modelled_device_time = args.device_time == "modelled"
    faults = Faults(
        latency_s=args.latency_ms / 1000,
        bandwidth_bps=int(args.bandwidth_mbps * 1e6),
        use_device_time=args.device_time != "none",
    )
    shell = RecordedShell(rec)
    rows = []
    with phone_server(rec, faults=faults) as phone:
        target = phone.address

        def mvt(module: str | None, out: str) -> list[str]:
            return [
                str(MVT),
                "check-adb",
                "-s",
                target,
                *(["-m", module] if module else []),
                "-n",
                "--fast",
                "-o",
                str(tmp / out),
            ]

        tools = (
            (
                "msgscan `scan`",
                [
                    [
                        sys.executable,
                        "-m",
                        "scanner.app.cli",
                        "scan",
                        "--tcp",
                        target,
                        "--format",
                        "json",
                        "-o",
                        str(tmp / "msgscan.json"),
                    ]
                ],
            ),
            ("MVT `check-adb`, all modules (one process)", [mvt(None, "mvt-all")]),
            (
                "MVT `check-adb -m` Packages, Getprop, Settings (3 processes)",
                [mvt(m, f"mvt-{m}") for m in MATCHING],
            ),
        )
        for tool, argvs in tools:
            walls, cpus, rss, notes = [], [], [], []
            seen = len(phone.services)
            for _ in range(args.runs):
                wall = cpu = peak = 0.0
                for argv in argvs:
                    m = measure.run(argv, cwd=ROOT, env=env)
                    wall, cpu, peak = wall + m.wall, cpu + m.cpu, max(peak, m.peak_rss_mb)
                    if m.returncode not in (0, 1):
                        notes.append(f"exit {m.returncode}: {(m.stderr + m.stdout).strip()[-200:]}")
                walls.append(wall)
                cpus.append(cpu)
                rss.append(peak)
            services = [s for s in phone.services[seen:] if s.startswith(("shell", "exec"))]
            unanswered = sorted(
                {
                    s.split(":", 1)[1]
                    for s in services
                    if shell.run(s.split(":", 1)[1]).exit_code == 127
                }
            )
            rows.append((tool, walls, cpus, rss, len(services) // args.runs, unanswered, notes))
    print(
        f"phone: {args.phone} ({len(rec.commands)} recorded commands), {args.latency_ms:g} ms "
        f"one-way, {args.bandwidth_mbps:g} Mbit/s, device time: {args.device_time}; "
        f"{args.runs} runs each, min / median"
    )
    print("| tool | wall | CPU | peak RSS | streams per run | unanswered commands |")
    print("|---|---|---|---|---|---|")
    for tool, walls, cpus, rss, streams, unanswered, notes in rows:
        print(
            f"| {tool} | {min(walls):.1f} / {statistics.median(walls):.1f} s | "
            f"{min(cpus):.1f} / {statistics.median(cpus):.1f} s | "
            f"{min(rss):.0f} / {statistics.median(rss):.0f} MB | {streams} | {len(unanswered)} |"
        )
        for n in dict.fromkeys(notes):
            print(f"  note: {n}")
        for u in unanswered[:10]:
            print(f"  unanswered: {u[:100]}")
    ours = statistics.median(rows[0][1])
    for tool, walls, *_ in rows[1:]:
        print(f"{tool}: msgscan is {statistics.median(walls) / ours:.1f}x faster (medians)")
    missing = packages_check(rec, tmp / "mvt-Packages" / "packages.json")
    print(
        f"MVT packages.json: {'every package with version and installer' if not missing else missing}"
    )
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
        if (
            got is None
            or got.get("version_name") != p.version_name
            or got.get("installer") != p.installer
        ):
            missing.append(p.name)
    return missing


if __name__ == "__main__":
    sys.exit(main())

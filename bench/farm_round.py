"""One agent round over a farm of different phones: wall, agent CPU and peak memory, per-phone
times, and how many of the farm's expected findings the scans met.

    python bench/farm_round.py --phones 50|200 [--seed 17] [--concurrency auto|32]

The phones run in their own process (`msgscan simulate --farm N --seed S --save-farm spec.json`),
the agent in another (`msgscan agent --once`). Unreachable phones cost the connect timeout (2 s),
unauthorized ones the auth timeout (2 s), slow ones 30 ms per packet. The agent's CPU and peak
memory are its process tree's: CPU the kernel's (``/usr/bin/time``, its reaped workers included),
memory the tree's summed PSS sampled every 100 ms (``bench/agent_round.py``). Prints one Markdown
row for bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
TIME = "/usr/bin/time"
sys.path.insert(0, str(ROOT))

from bench.agent_round import SAMPLE_S, tree_memory_mb  # noqa: E402 - after the path


def met(
    phones: list[Any], addresses: dict[str, str], reports: dict[str, dict[str, Any]]
) -> tuple[int, int, int]:
    """(settled expectations met, settled expectations, pending ones met) over scanned phones."""
    ok = total = pending = 0
    for phone in phones:
        report = reports.get(addresses[phone.serial])
        if report is None:
            continue
        for e in phone.expected:
            statuses = [
                f["status"]
                for f in report["findings"]
                if f["check_id"] == e["check"]
                and f.get("package") == e["package"]
                and f.get("profile") == e["user"]
            ]
            hit = e["status"] in statuses
            if e.get("pending"):
                pending += hit
            else:
                total += 1
                ok += hit
    return ok, total, pending


def main() -> int:
    ap = ArgumentParser()
    ap.add_argument("--phones", type=int, default=50)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--concurrency", default="auto", help="a number, or auto (the agent's rule)")
    ap.add_argument("--port", type=int, default=7600)
    args = ap.parse_args()

    from scanner.recordings.farm import load_spec

    tmp = Path(tempfile.mkdtemp(prefix="msgscan-farm-"))
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp / "android")}
    msgscan = [sys.executable, "-m", "scanner.app.cli"]
    sim = subprocess.Popen(
        [
            *msgscan,
            "simulate",
            "--farm",
            str(args.phones),
            "--seed",
            str(args.seed),
            "--port",
            str(args.port),
            "--accept-any-key",
            "--save-farm",
            str(tmp / "farm.json"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert sim.stdout is not None
    addresses = {}
    for line in sim.stdout:
        if line.startswith("simulating"):
            break
        addresses[line.split()[1]] = line.split()[-1]
    endpoints = ", ".join(f'"{a}"' for a in addresses.values())
    config = tmp / "agent.toml"
    setting = '"auto"' if args.concurrency == "auto" else args.concurrency
    config.write_text(
        f'[agent]\nstate_dir = "state"\n[schedule]\nevery = "1h"\n'
        f"[scan]\nconcurrency = {setting}\n"
        f'timeout = "60s"\nconnect_timeout = "2s"\n'
        f'auth_timeout = "2s"\n[usb]\nenabled = false\n[adb_server]\nuse = false\n'
        f"[tcp]\nendpoints = [{endpoints}]\n"
    )
    try:
        started = time.monotonic()
        log_path, figures = tmp / "agent.log", tmp / "time.txt"
        with log_path.open("w") as log_file:
            # Under /usr/bin/time: the kernel's CPU and peak RSS of the agent process alone
            # (RUSAGE_CHILDREN here would count this script's pages the child inherited).
            # Its workers are its own children, reaped by it: their CPU is in time's figure.
            agent = subprocess.Popen(
                [
                    TIME,
                    "-f",
                    "%U %S %M",
                    "-o",
                    str(figures),
                    *msgscan,
                    "agent",
                    "--config",
                    str(config),
                    "--once",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
            )
            watched, peak = psutil.Process(agent.pid), 0.0
            while agent.poll() is None:  # exit 1 or 3 is a result
                peak = max(peak, tree_memory_mb(watched)[1])  # the tree's PSS
                time.sleep(SAMPLE_S)
        wall = time.monotonic() - started
        user, system, _ = figures.read_text().split()[-3:]
        cpu = float(user) + float(system)
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    events = [
        json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")
    ]
    done = [e for e in events if e.get("event") == "phone.done"]
    states: dict[str, int] = {}
    for e in done:
        states[e["state"]] = states.get(e["state"], 0) + 1
    scanned = [e["seconds"] for e in done if e["state"] == "scanned"]
    reports = {}
    for path in (tmp / "state" / "reports").glob("*.json"):
        data = json.loads(path.read_text())
        if "device" in data:
            reports[data["device"]["serial"]] = data
    ok, total, pending = met(load_spec(tmp / "farm.json"), addresses, reports)
    print(
        f"| {args.phones} (seed {args.seed}) | {args.concurrency} | {wall:.1f} s | {cpu:.1f} s | "
        f"{peak:.0f} MB | {statistics.median(scanned):.2f} s | {max(scanned):.2f} s | "
        f"{dict(sorted(states.items()))} | {ok}/{total} | {pending} | exit {agent.returncode} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One agent round over many simulated phones: wall time, peak RSS, per-phone scan time.

    python bench/agent_round.py --phones 200 --latency-ms 2 [--phone shipped|large] [--concurrency 32]

The phones run in a separate process (`msgscan simulate`), the agent in another
(`msgscan agent --once`), so the agent's memory and CPU are measured alone. "shipped" is the
Android 16 recording (18 packages); "large" is a constructed 300-package, 3-user phone. The
latency is added by the simulated phone before every packet it sends (one per round trip).
Prints one Markdown table row for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=50)
    ap.add_argument("--latency-ms", type=float, default=2.0)
    ap.add_argument("--phone", choices=["shipped", "large"], default="shipped")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--port", type=int, default=7400)
    args = ap.parse_args()

    from scanner.recording import save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build

    tmp = Path(tempfile.mkdtemp(prefix="msgscan-bench-"))
    if args.phone == "large":
        rec_path = tmp / "large.json"
        save(build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba"), rec_path)
    else:
        rec_path = HERE / "android16-personal-whatsapp-telegram.json"
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp / "android")}
    msgscan = [sys.executable, "-m", "scanner.app.cli"]
    sim = subprocess.Popen(
        [*msgscan, "simulate", "--recording", str(rec_path), "--count", str(args.phones),
         "--port", str(args.port), "--accept-any-key", "--latency-ms", str(args.latency_ms)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert sim.stdout is not None
    for line in sim.stdout:
        if line.startswith("simulating"):
            break
    endpoints = ", ".join(f'"127.0.0.1:{args.port + i}"' for i in range(args.phones))
    config = tmp / "agent.toml"
    config.write_text(
        f'[agent]\nstate_dir = "state"\n[schedule]\nevery = "1h"\n'
        f'[scan]\nconcurrency = {args.concurrency}\ntimeout = "60s"\n'
        f'[usb]\nenabled = false\n[adb_server]\nuse = false\n[tcp]\nendpoints = [{endpoints}]\n'
    )
    try:
        started = time.monotonic()
        log_path = tmp / "agent.log"  # a file, not a pipe: 200 phones log more than a pipe holds
        log_file = log_path.open("w")
        agent = psutil.Popen([*msgscan, "agent", "--config", str(config), "--once"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
        peak = 0
        cpu = 0.0
        while agent.poll() is None:
            try:
                peak = max(peak, agent.memory_info().rss)
                t = agent.cpu_times()
                cpu = t.user + t.system
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
        wall = time.monotonic() - started
        log_file.close()
        log = log_path.read_text()
        # ru_maxrss (KiB on Linux) of waited-for children: the agent's true peak, not just polled.
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    events = [json.loads(l) for l in log.splitlines() if l.startswith("{")]
    per_phone = [e["seconds"] for e in events if e.get("event") == "phone.done"]
    states = {}
    for e in events:
        if e.get("event") == "phone.done":
            states[e["state"]] = states.get(e["state"], 0) + 1
    q = statistics.quantiles(per_phone, n=20) if len(per_phone) >= 2 else [0] * 19
    print(
        f"| {args.phones} | {args.phone} | {args.latency_ms:g} ms | {args.concurrency} | {wall:.1f} s | "
        f"{cpu:.1f} s | {peak / 2**20:.0f} MB | {statistics.median(per_phone):.2f} s | {q[18]:.2f} s | "
        f"{max(per_phone):.2f} s | {states} | exit {agent.returncode} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

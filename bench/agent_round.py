"""One agent round over many simulated phones: wall time, the agent's CPU and peak RSS, per phone.

    python bench/agent_round.py --phones 200 --latency-ms 2 [--phone shipped|large]
        [--concurrency 32|auto] [--runs 3] [--against DIR]

The phones run in a separate process (`msgscan simulate`), the agent in another (`msgscan agent
--once`), so the agent's memory and CPU are measured alone. "shipped" is the Android 16 recording
(18 packages); "large" is a constructed 300-package, 3-user phone. The latency is added by the
simulated phone before every packet it sends (one per round trip).

The agent runs under ``/usr/bin/time``: its CPU (user + system) and peak RSS are what the kernel
reports for that one process when it exits (``wait4``). The process is forked from ``time``, a
small C program, so none of this script's memory is counted (``RUSAGE_CHILDREN`` of a Python
parent counts the parent's pages a forked child inherited before ``exec``).

``--against DIR`` runs a second checkout's agent (e.g. the code before a change, unpacked with
``git archive``) against the same simulated phones, alternating run by run, so both figures come
from one run on the same machine. Prints one Markdown row per variant for bench/RESULTS.md:
runs, min and median of each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TIME = "/usr/bin/time"


def one_round(tree: Path, config: Path, env: dict[str, str], tmp: Path) -> dict[str, float]:
    """Run ``msgscan agent --once`` of ``tree`` once; its wall, CPU, peak RSS and per-phone times."""
    state = config.parent / "state"
    if state.exists():
        subprocess.run(["rm", "-rf", str(state)], check=True)
    log_path, figures = tmp / "agent.log", tmp / "time.txt"
    started = time.monotonic()
    with log_path.open("w") as log_file:  # a file, not a pipe: 1000 phones log more than it holds
        code = subprocess.run(
            [
                TIME,
                "-f",
                "%U %S %M",
                "-o",
                str(figures),
                sys.executable,
                "-m",
                "scanner.app.cli",
                "agent",
                "--config",
                str(config),
                "--once",
            ],
            cwd=tree,
            env={**env, "PYTHONPATH": str(tree)},
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            check=False,  # exit 1 or 3 is a result
        ).returncode
    wall = time.monotonic() - started
    user, system, max_kib = figures.read_text().split()[-3:]
    events = [json.loads(e) for e in log_path.read_text().splitlines() if e.startswith("{")]
    done = [e for e in events if e.get("event") == "phone.done"]
    return {
        "wall": wall,
        "cpu": float(user) + float(system),
        "rss_mb": int(max_kib) / 1024,
        "phones": len(done),
        "scanned": sum(1 for e in done if e["state"] == "scanned"),
        "median_phone": statistics.median(e["seconds"] for e in done) if done else 0.0,
        "exit": code,
    }


def row(
    label: str, concurrency: str, args: argparse.Namespace, runs: list[dict[str, float]]
) -> str:
    def mm(key: str, fmt: str) -> str:
        values = [r[key] for r in runs]
        return f"{format(min(values), fmt)} / {format(statistics.median(values), fmt)}"

    per_phone = [1000 * r["cpu"] / max(1, r["scanned"]) for r in runs]
    return (
        f"| {label} | {args.phones} {args.phone} | {args.latency_ms:g} ms | {concurrency} | "
        f"{len(runs)} | {mm('wall', '.1f')} s | {mm('cpu', '.1f')} s | "
        f"{min(per_phone):.0f} / {statistics.median(per_phone):.0f} ms | {mm('rss_mb', '.0f')} MB | "
        f"{mm('median_phone', '.2f')} s | {int(min(r['scanned'] for r in runs))} scanned | "
        f"exit {sorted({int(r['exit']) for r in runs})} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=50)
    ap.add_argument("--latency-ms", type=float, default=2.0)
    ap.add_argument("--phone", choices=["shipped", "large"], default="shipped")
    ap.add_argument("--concurrency", default="auto", help="a number, or auto (the agent's rule)")
    ap.add_argument("--port", type=int, default=7400)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--against", type=Path, help="another checkout to run side by side")
    ap.add_argument("--against-concurrency", help="its [scan] concurrency (default: --concurrency)")
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
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scanner.app.cli",
            "simulate",
            "--recording",
            str(rec_path),
            "--count",
            str(args.phones),
            "--port",
            str(args.port),
            "--accept-any-key",
            "--latency-ms",
            str(args.latency_ms),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert sim.stdout is not None
    for line in sim.stdout:
        if line.startswith("simulating"):
            break
    endpoints = ", ".join(f'"127.0.0.1:{args.port + i}"' for i in range(args.phones))

    def config(name: str, concurrency: str) -> Path:
        folder = tmp / name
        folder.mkdir()
        setting = f'"{concurrency}"' if concurrency == "auto" else concurrency
        path = folder / "agent.toml"
        path.write_text(
            f'[agent]\nstate_dir = "state"\n[schedule]\nevery = "1h"\n'
            f'[scan]\nconcurrency = {setting}\ntimeout = "120s"\n'
            f"[usb]\nenabled = false\n[adb_server]\nuse = false\n[tcp]\nendpoints = [{endpoints}]\n"
        )
        return path

    variants = [("this checkout", args.concurrency, ROOT, config("this", args.concurrency))]
    if args.against is not None:
        theirs = args.against_concurrency or args.concurrency
        variants.insert(
            0, (args.against.name, theirs, args.against.resolve(), config("them", theirs))
        )
    results: dict[str, list[dict[str, float]]] = {label: [] for label, *_ in variants}
    try:
        for _ in range(args.runs):
            for label, _, tree, path in variants:
                results[label].append(one_round(tree, path, env, tmp))
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    for label, concurrency, *_ in variants:
        print(row(label, concurrency, args, results[label]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

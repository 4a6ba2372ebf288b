"""One agent round over many simulated phones: wall time, the CPU of the agent's process tree and
of the simulated phones, the tree's peak memory, per phone.

    python bench/agent_round.py --phones 1000 --latency-ms 2 [--phone shipped|large]
        [--concurrency 32|auto] [--runs 3] [--against DIR] [--peer-processes 2] [--rounds N]
        [--dir FOLDER]

The phones run in processes of their own (``msgscan simulate``, ``--peer-processes`` of them, the
phones shared out; each gets serials of its own), the agent in another (``msgscan agent --once``,
with its worker processes). "shipped" is the Android 16 recording (18 packages); "large" is a
constructed 300-package, 3-user phone. The latency is added by the simulated phone before every
packet it sends (one per round trip).

The agent runs under ``/usr/bin/time``: its CPU (user + system) is what the kernel reports for it
when it exits (``wait4``), which includes the worker processes it started and reaped. The process
is forked from ``time``, a small C program, so none of this script's memory or CPU is counted.
The simulated phones' CPU is read from their processes (psutil) before and after each round.
"Of it the agent's own process" is the CPU of the agent's process alone (psutil, its workers
not counted), read every 100 ms while it runs: what it spends in its last 100 ms is missing.
Memory is sampled every 100 ms over the agent's whole process tree (the agent, its workers and
multiprocessing's resource tracker): the peak of the summed RSS (a page two processes share
counts twice) and of the summed PSS (shared pages split between them: what the tree costs the
machine); "largest process" is the kernel's peak RSS of the biggest single process (``%M``).

``--against DIR`` runs a second checkout's agent (e.g. the code before a change, unpacked with
``git archive``) against the same simulated phones, alternating run by run, so both figures come
from one run on the same machine. Prints one Markdown row per variant for bench/RESULTS.md:
runs, min and median of each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from msgspec.structs import replace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TIME = "/usr/bin/time"
SAMPLE_S = 0.1
HEADER = (
    "| code | phones | latency | concurrency | processes | runs | wall | agent CPU "
    "| CPU per phone | of it the agent's own process | phones' CPU per phone | peak RSS (tree) "
    "| peak PSS (tree) | largest process | per phone median | result | exit |\n" + "|---" * 17 + "|"
)


def _pss_kib(pid: int) -> int:
    """The process's proportional set size: its private pages plus its share of shared ones."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_memory_mb(root: psutil.Process) -> tuple[float, float]:
    """(RSS, PSS) of ``root``'s descendants (the agent and its workers), each summed: RSS counts
    a page shared by two processes twice, PSS half in each."""
    rss = pss = 0
    try:
        procs = root.children(recursive=True)
    except psutil.Error:
        return 0.0, 0.0
    for proc in procs:
        try:
            rss += proc.memory_info().rss
            pss += _pss_kib(proc.pid) * 1024
        except (psutil.Error, OSError):  # ended between the listing and the reading
            pass
    return rss / 2**20, pss / 2**20


def create_ms(folder: Path, files: int = 200) -> float:
    """CPU a new file costs in ``folder`` (open with O_CREAT, close, unlink), ms: what each
    report's temporary file and each claim cost the agent there (on this machine's ext4, 0.8 ms
    in /tmp and 0.02 ms in /var/tmp: the inode allocator's work differs by folder)."""
    began = time.process_time()
    for i in range(files):
        name = folder / f".create-{i}"
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        name.unlink()
    return 1000 * (time.process_time() - began) / files


def cpu_s(proc: psutil.Process) -> float:
    """User + system CPU of ``proc`` and the children it reaped."""
    t = proc.cpu_times()
    return float(t.user + t.system + t.children_user + t.children_system)


def _rounds_done(log_path: Path) -> int:
    try:
        return log_path.read_text().count('"event": "round.done"')
    except OSError:
        return 0


def one_round(
    tree: Path,
    config: Path,
    env: dict[str, str],
    tmp: Path,
    peers: list[psutil.Process],
    rounds: int = 1,
) -> dict[str, float]:
    """Run ``msgscan agent --once`` of ``tree`` once: its wall, the CPU of the agent's process
    tree and of the simulated phones, the tree's peak RSS and the per-phone times. ``rounds``
    > 1: ``msgscan agent`` (a running agent, its rounds back to back) until that many rounds
    are done, then SIGTERM; the figures are of all of them."""
    state = config.parent / "state"
    if state.exists():
        subprocess.run(["rm", "-rf", str(state)], check=True)
    log_path, figures = tmp / "agent.log", tmp / "time.txt"
    peers_before = sum(cpu_s(p) for p in peers)
    started = time.monotonic()
    with log_path.open("w") as log_file:  # a file, not a pipe: 1000 phones log more than it holds
        agent = subprocess.Popen(
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
                *(["--once"] if rounds == 1 else []),
            ],
            cwd=tree,
            env={**env, "PYTHONPATH": str(tree)},
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        watched, peak, peak_pss = psutil.Process(agent.pid), 0.0, 0.0
        stopped, own = False, 0.0
        while agent.poll() is None:  # exit 1 or 3 is a result
            rss, pss = tree_memory_mb(watched)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            try:  # the agent's own process (under time), its workers not counted
                mine = watched.children()[0].cpu_times()
                own = float(mine.user + mine.system)
            except (psutil.Error, IndexError):
                pass
            if rounds > 1 and not stopped and _rounds_done(log_path) >= rounds:
                watched.children()[0].send_signal(signal.SIGTERM)  # the agent, under time
                stopped = True
            time.sleep(SAMPLE_S)
        code = agent.returncode
    wall = time.monotonic() - started
    peers_cpu = sum(cpu_s(p) for p in peers) - peers_before
    user, system, max_kib = figures.read_text().split()[-3:]
    events = [json.loads(e) for e in log_path.read_text().splitlines() if e.startswith("{")]
    done = [e for e in events if e.get("event") == "phone.done"]
    workers = [e for e in events if e.get("event") == "workers.started"]
    return {
        "wall": wall,
        "cpu": float(user) + float(system),
        "own_cpu": own,
        "peers_cpu": peers_cpu,
        "rss_mb": peak,
        "pss_mb": peak_pss,
        "max_process_mb": int(max_kib) / 1024,
        "processes": workers[0]["processes"] if workers else 1,
        "starts": len(workers),
        "start": workers[0].get("start", "spawn") if workers else "",
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
    peers = [1000 * r["peers_cpu"] / max(1, r["scanned"]) for r in runs]
    own = [1000 * r.get("own_cpu", 0.0) / max(1, r["scanned"]) for r in runs]
    processes = sorted({int(r["processes"]) for r in runs})
    starts = sorted({str(r["start"]) for r in runs if r.get("start")})
    started = f" ({'/'.join(starts)})" if starts else ""
    rounds = getattr(args, "rounds", 1)
    if rounds > 1:  # how often the workers were started over the rounds
        started += f", started {'/'.join(str(int(r['starts'])) for r in runs)}x"
    several = f" × {rounds} rounds" if rounds > 1 else ""
    return (
        f"| {label} | {args.phones} {args.phone}{several} | {args.latency_ms:g} ms "
        f"| {concurrency} | "
        f"{'/'.join(map(str, processes))}{started} | {len(runs)} | {mm('wall', '.1f')} s | "
        f"{mm('cpu', '.1f')} s | {min(per_phone):.0f} / {statistics.median(per_phone):.0f} ms | "
        f"{min(own):.1f} / {statistics.median(own):.1f} ms | "
        f"{min(peers):.0f} / {statistics.median(peers):.0f} ms | {mm('rss_mb', '.0f')} MB | "
        f"{mm('pss_mb', '.0f')} MB | "
        f"{mm('max_process_mb', '.0f')} MB | {mm('median_phone', '.2f')} s | "
        f"{int(min(r['scanned'] for r in runs))} scanned | "
        f"exit {sorted({int(r['exit']) for r in runs})} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=50)
    ap.add_argument("--latency-ms", type=float, default=2.0)
    ap.add_argument("--phone", choices=["shipped", "large"], default="shipped")
    ap.add_argument("--concurrency", default="auto", help="a number, or auto (the agent's rule)")
    ap.add_argument("--port", type=int, default=7400)
    ap.add_argument(
        "--peer-processes", type=int, default=2, help="simulator processes sharing the phones"
    )
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="1: agent --once; more: a running agent (msgscan agent) for that many rounds",
    )
    ap.add_argument("--against", type=Path, help="another checkout to run side by side")
    ap.add_argument("--against-concurrency", help="its [scan] concurrency (default: --concurrency)")
    ap.add_argument(
        "--dir",
        type=Path,
        help="the folder the agents' state and reports go under (default: the system's temporary"
        " folder, $TMPDIR); file creation costs differ between file systems and folders",
    )
    args = ap.parse_args()

    from bench import measure
    from scanner.recording import load, save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build

    tmp = Path(tempfile.mkdtemp(prefix="msgscan-bench-", dir=args.dir))
    print(f"state and reports under {tmp} ({create_ms(tmp):.3f} ms CPU a file created there)")
    if args.phone == "large":
        rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    else:
        rec = load(HERE / "android16-personal-whatsapp-telegram.json")
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp / "android")}
    sims: list[subprocess.Popen[str]] = []
    shares = [len(range(i, args.phones, args.peer_processes)) for i in range(args.peer_processes)]
    first = args.port
    for i, count in enumerate(s for s in shares if s):
        rec_path = tmp / f"phones-{i}.json"  # each simulator's phones get serials of their own
        save(replace(rec, device=replace(rec.device, serial=f"MSGSCANP{i}X")), rec_path)
        sims.append(
            measure.simulator(
                rec_path, first, latency_ms=args.latency_ms, env=env, count=count, cwd=ROOT
            )
        )
        first += count
    for sim in sims:
        try:
            measure.ready(sim)
        except SystemExit:  # a port taken: the round would count its phones unreachable
            for other in sims:
                other.terminate()
            raise
    endpoints = ", ".join(f'"127.0.0.1:{args.port + i}"' for i in range(args.phones))

    def config(name: str, concurrency: str) -> Path:
        folder = tmp / name
        folder.mkdir()
        every = "1h" if args.rounds == 1 else "1s"  # a running agent: its rounds back to back
        setting = f'"{concurrency}"' if concurrency == "auto" else concurrency
        path = folder / "agent.toml"
        path.write_text(
            f'[agent]\nstate_dir = "state"\n[schedule]\nevery = "{every}"\n'
            f'[scan]\nconcurrency = {setting}\ntimeout = "120s"\n'
            f"[usb]\nenabled = false\n[adb_server]\nuse = false\n[tcp]\nendpoints = [{endpoints}]\n"
        )
        return path

    peers = [psutil.Process(sim.pid) for sim in sims]
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
                results[label].append(one_round(tree, path, env, tmp, peers, args.rounds))
    finally:
        for sim in sims:
            sim.terminate()
            sim.wait(timeout=30)
    print(HEADER)
    for label, concurrency, *_ in variants:
        print(row(label, concurrency, args, results[label]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU a worker spends on one large phone over TCP, old tree against new, in alternating runs.

    python bench/worker_cpu.py --against /tmp/base [--phones 40] [--runs 5] [--port 15500]

One simulated phone set (``msgscan simulate``, the constructed ``large_phone(300, 3)``, no added
latency) runs in a process of its own. For each tree and run, a fresh process set up as a worker
process is (``scanner.app.agent.worker_side``'s collector thresholds and frozen objects, malloc
arenas, and whatever else the tree's ``scanner.malloc`` offers a worker) scans the phones one
after another on one thread with ``scan_and_write``, the call a worker's scan thread makes:
connect, collect, judge, write the report (to a folder under ``--dir``). The first phone warms
up; the others are counted: user and system CPU (``getrusage``) and minor page faults a phone.
What the agent's own process does with the outcome is not counted (``bench/agent_round.py``
has the whole round). Prints one Markdown row per tree: min / median over the runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_INNER = """
import gc, logging, os, resource, sys, tempfile
from pathlib import Path
tree = Path(sys.argv[1]); sys.path.insert(0, str(tree))
port, n, keys, out = int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5])
import structlog
from scanner.app.agent import worker_side
from scanner import malloc
from checks.policy import Policy
from reports.render.json import JsonRenderer
from scanner.app.agent.round import Limits, Openers, scan_and_write
from scanner.app.agent.scanned import ReportJob
from scanner.app.agent.targets import Target
from scanner.transport.keys import load_or_create_signer
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
gc.freeze(); gc.set_threshold(*worker_side.GC_THRESHOLDS)
malloc.limit_arenas()
getattr(malloc, "keep_freed", lambda: None)()
openers = Openers(load_or_create_signer(keys), Limits(120, 10, 10))
job = ReportJob(Path(tempfile.mkdtemp(dir=out)), JsonRenderer(compact=True))
policy = Policy()
def one(i):
    t = Target(f"127.0.0.1:{port + i}", "tcp", "127.0.0.1", port + i)
    p = scan_and_write(t, policy, openers, job)
    assert p.state == "scanned", (p.state, p.error)
one(0)
r0 = resource.getrusage(resource.RUSAGE_SELF)
for i in range(1, n):
    one(i)
r1 = resource.getrusage(resource.RUSAGE_SELF)
k = n - 1
print(1000 * (r1.ru_utime - r0.ru_utime) / k, 1000 * (r1.ru_stime - r0.ru_stime) / k,
      (r1.ru_minflt - r0.ru_minflt) / k)
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", type=Path, required=True, help="the old tree (git archive)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the new tree (default: this one)")
    ap.add_argument("--phones", type=int, default=40)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--port", type=int, default=15500)
    ap.add_argument("--dir", type=Path, default=Path("/var/tmp"), help="where reports go")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from msgspec.structs import replace

    from bench import measure
    from scanner.recording import save
    from scanner.recordings.build import large_phone
    from scanner.recordings.construct import build

    tmp = Path(tempfile.mkdtemp(prefix="msgscan-worker-", dir=args.dir))
    rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    phones = tmp / "phones.json"
    save(replace(rec, device=replace(rec.device, serial="MSGSCANW")), phones)
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp / "android")}
    sim = measure.simulator(phones, args.port, latency_ms=0, env=env, count=args.phones, cwd=ROOT)
    figures: dict[str, list[tuple[float, float, float]]] = {"old": [], "new": []}
    try:
        measure.ready(sim)
        for _ in range(args.runs):
            for label, tree in (("old", args.against), ("new", args.tree)):
                line = subprocess.run(
                    [sys.executable, "-c", _INNER, str(tree.resolve()), str(args.port),
                     str(args.phones), str(tmp / "keys"), str(tmp)],
                    check=True, capture_output=True, text=True, cwd=tmp, env=env,
                ).stdout.split()  # fmt: skip
                user, system, faults = map(float, line[-3:])
                figures[label].append((user, system, faults))
    finally:
        sim.terminate()
        sim.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)  # the reports: 30 MB a run
    print("| code | phones | runs | CPU a phone | of it user | of it system | page faults a phone"
          " |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for label, tree in (("old", args.against), ("new", args.tree)):
        got = figures[label]

        def mm(values: list[float], fmt: str = ".1f") -> str:
            return f"{format(min(values), fmt)} / {format(statistics.median(values), fmt)}"

        print(
            f"| {label} ({tree}) | {args.phones - 1} | {len(got)} | "
            f"{mm([u + s for u, s, _ in got])} ms | {mm([u for u, _, _ in got])} ms | "
            f"{mm([s for _, s, _ in got])} ms | {mm([f for _, _, f in got], '.0f')} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU time and peak memory of one scan, msgscan's own work only (no link, no phone).

    python bench/scan_cost.py [--runs 5]

Replays a recording (the same batching, parsing, judging and JSON rendering as a live scan, the
phone's answers coming from memory) and measures, per scan: CPU time of this process, and the
peak of Python allocations during the scan (``tracemalloc``, i.e. the scan's own working set on
top of what the process already holds). A separate `msgscan scan --replay` process gives the
whole-process view: CPU with start-up and imports, and its own peak RSS (``bench/measure.py``:
under GNU time, so the bench's own memory never counts as the child's).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import measure


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    import logging
    from datetime import date

    import structlog

    from checks.policy import Policy
    from reports.render.json import JsonRenderer
    from scanner.app.scan import scan_result
    from scanner.recording import load, save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build
    from scanner.replay import ReplayTransport

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    tmp = Path(tempfile.mkdtemp(prefix="msgscan-cost-"))
    phones = {
        "shipped (18 packages)": HERE / "android16-personal-whatsapp-telegram.json",
        "large (300 packages, 3 users)": tmp / "large.json",
    }
    save(
        build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba"),
        phones["large (300 packages, 3 users)"],
    )
    print(f"{args.runs} runs each; min / median")
    print(
        "| phone | output | scan CPU | scan peak Python memory | process CPU | process peak RSS |"
    )
    print("|---|---|---|---|---|---|")
    for name, path in phones.items():
        rec = load(path)
        size = sum(len(c.stdout) for c in rec.commands)

        def scan(rec: object = rec) -> None:
            result = scan_result(ReplayTransport(rec), Policy(), today=date(2026, 11, 26))  # type: ignore[arg-type]
            JsonRenderer().render(result)

        scan()  # warm-up: imports, regex compilation
        cpus = []
        for _ in range(args.runs):
            started = time.process_time()
            scan()
            cpus.append(time.process_time() - started)
        tracemalloc.start()
        scan()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        procs = [
            measure.run(
                [
                    sys.executable,
                    "-m",
                    "scanner.app.cli",
                    "scan",
                    "--replay",
                    str(path),
                    "--format",
                    "json",
                    "-o",
                    os.devnull,
                ],
                cwd=ROOT,
            )
            for _ in range(args.runs)
        ]
        assert all(p.returncode in (0, 1) for p in procs), procs[0].stderr
        cpu_p = [p.cpu for p in procs]
        rss = [p.peak_rss_mb for p in procs]
        print(
            f"| {name} | {size / 1e6:.2f} MB | {min(cpus) * 1000:.0f} / "
            f"{statistics.median(cpus) * 1000:.0f} ms | {peak / 2**20:.1f} MiB | "
            f"{min(cpu_p):.2f} / {statistics.median(cpu_p):.2f} s | "
            f"{min(rss):.0f} / {statistics.median(rss):.0f} MB |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

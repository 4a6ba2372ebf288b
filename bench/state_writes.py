"""The agent's per-phone state writes, CPU time: this tree against another, alternating.

    python bench/state_writes.py --runs 5 --against DIR    # DIR: e.g. `git archive 9988d2b`

Each run is a fresh process on a fresh state file: ``--writes`` times a ``seen_device`` of a
failed attempt and its ``apply_scan`` (200 devices), then ``--selects`` primary-key reads of a
device row's retired mark (the read state schema 6 adds to ``seen_device``). Prints CPU µs per
pair and per read, then min and median of each tree. The writes are ``synchronous=FULL`` (an
fsync each): CPU time leaves the disk's wait out, the machine's noise stays in.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_RUN = """
import sys, tempfile, time
from datetime import UTC, datetime
from pathlib import Path
import structlog
structlog.configure(logger_factory=structlog.ReturnLoggerFactory())
from scanner.app.agent.rows import DeviceState, ScanRow, Via
from scanner.app.agent.state import State

writes, selects = int(sys.argv[1]), int(sys.argv[2])
with tempfile.TemporaryDirectory() as d, State.open(Path(d) / "s.db") as st:
    t0 = time.process_time()
    for i in range(writes):
        now = datetime.now(UTC)
        st.seen_device(f"P{i % 200}", via=Via.TCP, state=DeviceState.UNAUTHORIZED, at=now)
        with st.transaction() as tx:
            scan = ScanRow(f"s{i}", None, f"P{i % 200}", now, now, DeviceState.UNAUTHORIZED, False)
            st.apply_scan(tx, scan=scan, findings=None)
    pair = (time.process_time() - t0) / writes * 1e6
    t0 = time.process_time()
    for i in range(selects):
        st._conn.execute("SELECT * FROM devices WHERE id = ?", (f"P{i % 200}",)).fetchone()
    print(f"{pair:.1f} {(time.process_time() - t0) / selects * 1e6:.2f}")
"""


def _one(tree: Path, writes: int, selects: int) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(writes), str(selects)],
        cwd=tree, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--selects", type=int, default=20000)
    parser.add_argument("--against", type=Path, help="another msgscan tree to run alternately")
    args = parser.parse_args()
    trees = [ROOT] + ([args.against.resolve()] if args.against else [])
    seen: dict[Path, list[tuple[float, float]]] = {t: [] for t in trees}
    for _ in range(args.runs):
        for tree in trees:
            seen[tree].append(_one(tree, args.writes, args.selects))
    print(f"load average {os.getloadavg()[0]:.1f}; {args.runs} runs each, CPU µs")
    for tree, runs in seen.items():
        pairs, reads = [r[0] for r in runs], [r[1] for r in runs]
        print(
            f"{tree}: seen_device+apply_scan min {min(pairs):.1f} median "
            f"{statistics.median(pairs):.1f}; a device row read min {min(reads):.2f} median "
            f"{statistics.median(reads):.2f}"
        )


if __name__ == "__main__":
    main()

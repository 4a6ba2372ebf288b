"""CPU the agent's address book costs a new phone, old tree against new, alternating.

    python bench/addresses_cpu.py --against /tmp/base [--phones 1000] [--runs 3]
        [--dir /tmp /var/tmp]

A first round over ``--phones`` TCP phones, each answering at a new address: for each tree, a
fresh process remembers every phone (``Addresses.remember``) in a new state folder under each
``--dir``, then ends the round (``Addresses.flush``, where the tree has it). CPU
(``time.process_time``) divided by the phones; min / median over the runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_INNER = """
import logging, shutil, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import structlog
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
from scanner.app.agent.addresses import Addresses
folder = Path(tempfile.mkdtemp(dir=sys.argv[2]))
book = Addresses(folder)
began = time.process_time()
for i in range(int(sys.argv[3])):
    book.remember(f"127.0.0.1:{9000 + i}", f"MSGSCANP{i}X")
getattr(book, "flush", lambda: None)()
print(time.process_time() - began)
shutil.rmtree(folder)
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", type=Path, required=True, help="the old tree (git archive)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the new tree (default: this one)")
    ap.add_argument("--phones", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", type=Path, nargs="+", default=[Path("/tmp"), Path("/var/tmp")])
    args = ap.parse_args()
    took: dict[tuple[str, Path], list[float]] = {}
    for _ in range(args.runs):
        for folder in args.dir:
            for label, tree in (("old", args.against), ("new", args.tree)):
                out = subprocess.run(
                    [sys.executable, "-c", _INNER, str(tree.resolve()), str(folder),
                     str(args.phones)],
                    check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
                took.setdefault((label, folder), []).append(float(out.split()[-1]))
    print("| code | folder | phones | runs | CPU a new phone |")
    print("|---|---|---|---|---|")
    for (label, folder), got in took.items():
        tree = args.against if label == "old" else args.tree
        per = [1000 * t / args.phones for t in got]
        print(f"| {label} ({tree}) | {folder} | {args.phones} | {len(got)} | "
              f"{min(per):.3f} / {statistics.median(per):.3f} ms |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

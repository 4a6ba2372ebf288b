"""The CPU the ``pm list packages`` cross-check adds to a scan of the 300-package phone.

    python bench/pm_list_cost.py [--runs 50]

Reads both lists of the constructed 300-package, 3-user Android 14 phone
(``scanner.recordings.build.large_phone``, built by ``construct.build`` as the recordings are)
and cross-checks them against its parsed ``dumpsys package``, ``--runs`` times in this process
(``time.process_time``: CPU, repeatable under load); beside it, for scale, the parse of the dump
itself. Prints runs, min and median of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner import probes  # noqa: E402
from scanner.parse.dumpsys_package import read_dumpsys_package  # noqa: E402
from scanner.parse.package_list import cross_check, parse_pm_list_packages  # noqa: E402
from scanner.recordings.build import large_phone  # noqa: E402
from scanner.recordings.construct import build  # noqa: E402


def _cpu(work: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times), statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    spec = large_phone()
    rec = build(spec, model="bench", product="bench", device="bench")
    out = {c.argv: c.stdout.decode() for c in rec.commands}
    text = out[probes.PACKAGES.argv]
    dump = read_dumpsys_package(text)
    system, third = (out[p.argv] for p in probes.pm_list_probes(spec.sdk))

    def check() -> object:
        lists = parse_pm_list_packages(system), parse_pm_list_packages(third)
        return cross_check(dump.packages, dump.hidden, *lists)

    assert not check(), "the phone's own lists disagree with its dump"
    lo, mid = _cpu(check, args.runs)
    plo, pmid = _cpu(lambda: read_dumpsys_package(text), max(1, args.runs // 5))
    print(f"{len(dump.packages)} packages, {len(system) + len(third):,} B of lists")
    print(f"| both lists read and cross-checked | {args.runs} | {lo * 1e3:.2f} / {mid * 1e3:.2f} ms |")
    print(f"| `dumpsys package` parsed (for scale) | {max(1, args.runs // 5)} | {plo * 1e3:.2f} / {pmid * 1e3:.2f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

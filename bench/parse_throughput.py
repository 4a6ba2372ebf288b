"""Parse throughput on the largest real capture: the Huawei FRD (Android 7) ``dumpsys`` of 3.8 MB.

    python bench/parse_throughput.py [--runs 5] [--capture isdi-huawei-frd-android7/dumpsys-all.txt]

The capture is read in place from ../shared/fixtures/android (or ``MSGSCAN_FIXTURES``), never
copied. Each parser msgscan would run on such a dump gets the whole text; times are CPU-bound
wall times of this process (best and median of ``--runs``), after one warm-up run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fixtures() -> Path:
    override = os.environ.get("MSGSCAN_FIXTURES")
    return Path(override) if override else ROOT.parent / "shared" / "fixtures" / "android"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--capture", default="isdi-huawei-frd-android7/dumpsys-all.txt")
    args = ap.parse_args()

    from scanner.parse.appops import parse_dumpsys_appops, parse_dumpsys_appops_uid_modes
    from scanner.parse.device_policy import parse_device_policy
    from scanner.parse.dumpsys_package import parse_dumpsys_package
    from scanner.parse.text import decode

    data = (fixtures() / args.capture).read_bytes()
    text = decode(data)
    steps: dict[str, Callable[[], Any]] = {
        "decode (bytes -> clean text)": lambda: decode(data),
        "dumpsys package": lambda: parse_dumpsys_package(text),
        "appops (per package + per uid)": lambda: (
            parse_dumpsys_appops(text),
            parse_dumpsys_appops_uid_modes(text),
        ),
        "device_policy": lambda: parse_device_policy(text),
        "all of the above, from bytes": lambda: (
            parse_dumpsys_package(t := decode(data)),
            parse_dumpsys_appops(t),
            parse_dumpsys_appops_uid_modes(t),
            parse_device_policy(t),
        ),
    }
    print(
        f"capture: {args.capture}, {len(data) / 1e6:.2f} MB, {text.count(chr(10))} lines, "
        f"{len(parse_dumpsys_package(text))} packages"
    )
    print("| step | best | median | MB/s (best) |")
    print("|---|---|---|---|")
    for name, step in steps.items():
        step()  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            step()
            times.append(time.perf_counter() - started)
        best = min(times)
        print(
            f"| {name} | {best * 1000:.0f} ms | {statistics.median(times) * 1000:.0f} ms | "
            f"{len(data) / 1e6 / best:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

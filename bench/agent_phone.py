"""The agent's CPU for one phone: what a worker spends scanning a phone and writing its report.

    python bench/agent_phone.py [--phone large|shipped] [--scans 20] [--latency-ms 2]
        [--profile FILE.prof] [--pieces] [--tree DIR] [--port 9500]

The simulated phone runs in a process of its own (``msgscan simulate``), so none of its CPU is
counted here. This process does what one of the agent's scan threads does for each phone
(``scanner.app.agent.round.scan_and_write``: connect and authenticate, the waves, parse, judge,
build, seal and write the JSON report), one phone after the other, and reads the CPU time of
the whole process (``time.process_time``: every thread of it; the ADB reading thread included)
around each. The first scan warms up (imports, caches) and is not counted. Prints min and
median per scan, ms; ``--profile`` writes a cProfile of the counted scans (``python -m pstats``),
timed by the CPU time of the scanning thread (``time.thread_time``), so waiting for the phone
counts nothing and a system call counts what the kernel spent in it.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from msgspec.structs import replace

ROOT = Path(__file__).resolve().parents[1]
if "--tree" in sys.argv:  # scan with another checkout's code (the phone stays this tree's)
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()))
else:
    sys.path.insert(0, str(ROOT))


PIECES = (
    ("scanner.transport._adbshell", "Session.connect", "connect and authenticate"),
    ("scanner.transport._mux", "_Mux._open", "ADB: open a stream"),
    ("scanner.transport._mux", "_Mux._step", "ADB: read a packet, acknowledge it"),
    ("scanner.batch", "ProbeStream.__init__", "scripts: group the probes"),
    ("scanner.batch", "ProbeStream.next_command", "scripts: build"),
    ("scanner.batch", "ProbeStream.take", "outputs: split, cksum, decode"),
    ("scanner.collect", "read_dumpsys_package", "parse: dumpsys package"),
    ("scanner.collect", "parse_find_stat", "parse: find/stat listings"),
    ("scanner.app.scan", "evaluate", "judge"),
    ("scanner.waves", "Waves.run", "waves: the rest"),
    ("scanner.app.scan", "collect", "collect: the rest"),
    ("scanner.app.agent.round", "scan_result", "scan: the rest"),
    ("scanner.app.agent.scanned", "worst", "report: its columns"),
    ("scanner.app.agent.scanned", "build_report", "report: build"),
    ("reports.render.json", "JsonRenderer.render_report", "report: clean controls"),
    ("reports.render.json", "seal_json", "report: seal"),
    ("reports.render.json", "dumps", "report: encode"),
    ("scanner.app.agent.scanned", "write_atomic", "report: write the file"),
    ("scanner.app.agent.round", "scan_and_write", "everything else"),
)
"""(module, attribute, label): each wrapped to count its own CPU (the thread's, children's
pieces excluded), the last one the whole scan, so "everything else" is what no piece covers.
No recursive function is wrapped (each call would pay the wrapper): the report's cleaning walk
is what ``render_report`` spends besides sealing and encoding."""


class Pieces:
    """Exclusive thread CPU per piece of a scan (``PIECES``), by wrapping those functions."""

    def __init__(self) -> None:
        import importlib

        self.own: dict[str, float] = dict.fromkeys((label for *_, label in PIECES), 0.0)
        self.stack: list[float] = []  # the children's time of each open piece
        for module, attribute, label in PIECES:
            owner: object = importlib.import_module(module)
            *path, name = attribute.split(".")
            for part in path:
                owner = getattr(owner, part)
            if hasattr(owner, name):  # another tree (--tree) may not have every piece
                setattr(owner, name, self._wrapped(getattr(owner, name), label))

    def _wrapped(self, function: Any, label: str) -> Any:
        import functools

        @functools.wraps(function)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.stack.append(0.0)
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                took = time.thread_time() - started
                children = self.stack.pop()
                self.own[label] += took - children
                if self.stack:
                    self.stack[-1] += took

        return counted

    def reset(self) -> None:
        self.own = dict.fromkeys(self.own, 0.0)

    def show(self, scans: int) -> None:
        total = sum(self.own.values())
        for label, seconds in sorted(self.own.items(), key=lambda kv: -kv[1]):
            print(f"{label:40} {1000 * seconds / scans:7.2f} ms {100 * seconds / total:5.1f} %")
        print(f"{'all (the scanning thread)':40} {1000 * total / scans:7.2f} ms")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phone", choices=["shipped", "large"], default="large")
    ap.add_argument("--scans", type=int, default=20)
    ap.add_argument("--latency-ms", type=float, default=2.0)
    ap.add_argument("--port", type=int, default=9500)
    ap.add_argument("--profile", type=Path, help="write a cProfile of the counted scans here")
    ap.add_argument("--tree", type=Path, help="scan with this checkout's code (git archive)")
    ap.add_argument(
        "--pieces", action="store_true", help="the scanning thread's CPU per piece of the scan"
    )
    args = ap.parse_args()
    pieces = Pieces() if args.pieces else None

    import logging

    import structlog

    sys.path.insert(1, str(ROOT))
    from bench import measure
    from checks.policy import Policy
    from reports.render.json import JsonRenderer
    from scanner.app.agent.round import Limits, Openers, scan_and_write
    from scanner.app.agent.scanned import ReportJob
    from scanner.app.agent.targets import Target
    from scanner.recording import load, save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build
    from scanner.transport.keys import load_or_create_signer

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    tmp = Path(tempfile.mkdtemp(prefix="msgscan-phone-"))
    if args.phone == "large":
        rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    else:
        rec = load(HERE / "android16-personal-whatsapp-telegram.json")
    path = tmp / "phone.json"
    save(replace(rec, device=replace(rec.device, serial="MSGSCANPHONE")), path)
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp / "android")}
    sim = measure.simulator(path, args.port, latency_ms=args.latency_ms, env=env, cwd=ROOT)
    try:
        measure.ready(sim)
        signer = load_or_create_signer(tmp / "keys")
        openers = Openers(signer, Limits(timeout_s=120, connect_timeout_s=10, auth_timeout_s=10))
        reports = tmp / "reports"
        reports.mkdir()
        job = ReportJob(reports, JsonRenderer(compact=True))
        target = Target(f"127.0.0.1:{args.port}", "tcp", "127.0.0.1", args.port)
        policy = Policy()
        profiler = cProfile.Profile(time.thread_time) if args.profile else None
        cpu: list[float] = []
        for n in range(args.scans + 1):
            if n == 1 and profiler is not None:
                profiler.enable()
            before = time.process_time()
            phone = scan_and_write(target, policy, openers, job)
            took = time.process_time() - before
            if n == 0 and pieces is not None:
                pieces.reset()
            if phone.state != "scanned":
                raise SystemExit(f"scan {n}: {phone.state} ({phone.error})")
            if n:
                cpu.append(took)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(args.profile))
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    ms = [1000 * c for c in cpu]
    if pieces is not None:
        pieces.show(len(cpu))
    code = args.tree or ROOT
    print(
        f"{code}: {args.phone} phone, {len(ms)} scans, latency {args.latency_ms:g} ms: "
        f"CPU per scan min {min(ms):.1f} / median {statistics.median(ms):.1f} ms"
        + (" (under cProfile)" if profiler else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

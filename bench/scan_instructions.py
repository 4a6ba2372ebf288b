"""Instructions a scan of the 300-package phone costs, old tree against new (callgrind: the same
count however loaded the machine is, unlike CPU time).

    python bench/scan_instructions.py --against /tmp/base [--scans 3] [--tree DIR]
    python bench/scan_instructions.py --against /tmp/base --pieces [--runs 5]

What is counted is what a worker's scan thread does for a phone but the ADB link: collect it
(the probes' scripts, splitting and checking the outputs, decoding, parsing), judge it, build,
seal and encode its JSON report (``JsonRenderer(compact=True)``, as the agent writes it). The
phone is the constructed ``large_phone(300, 3)`` recording, answered in process by
``scanner.replay.ReplayTransport`` (the recorded shell runs each checked script and prints its
``cksum`` line, so the outputs are split and checked as a live phone's). For each tree, one
process under ``valgrind --tool=callgrind`` scans once to warm up and then ``--scans`` more
times, another only warms up; the difference of their instruction counts over ``--scans`` is
one scan's. Both processes import their tree only (``--inner`` puts it first on ``sys.path``)
and, first, what a worker process has loaded (``scanner.app.agent.worker_side``).

``--pieces``: CPU times (``time.process_time``, min and median of 40 calls, one process per tree
and run, the trees alternating ``--runs`` times) of the pieces session 24 changed: sealing and
encoding the phone's report (``JsonRenderer(compact=True).render_report``), cutting the 1 MB
``dumpsys package`` output from its checked stream and decoding it (``batch.split``, then
``Output.text``), and parsing it (``read_dumpsys_package``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _inner(tree: Path, recording: Path, scans: int) -> None:
    sys.path.insert(0, str(tree))
    import logging

    import structlog  # noqa: I001 - after the tree is on the path

    import scanner.app.agent.worker_side  # noqa: F401 - what a worker has loaded (hashlib too)
    from checks.policy import Policy
    from reports.render.json import JsonRenderer
    from scanner.app.scan import scan_result
    from scanner.recording import load
    from scanner.replay import ReplayTransport

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    rec = load(recording)
    renderer = JsonRenderer(compact=True)
    policy = Policy()
    for _ in range(1 + scans):
        result = scan_result(ReplayTransport(rec), policy)
        if not result.snapshot.complete:
            raise SystemExit(f"scan incomplete: {result.error}")
        renderer.render(result)
    module = sys.modules["scanner.parse.dumpsys_package"].__file__ or ""
    if not Path(module).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"{module} is not in {tree}")


def _pieces(tree: Path, recording: Path) -> None:
    sys.path.insert(0, str(tree))
    import logging
    import statistics
    import time

    import structlog

    import scanner.app.agent.worker_side  # noqa: F401 - what a worker has loaded
    from checks.policy import Policy
    from reports.render.json import JsonRenderer
    from reports.report import build_report
    from scanner import batch
    from scanner.app.scan import scan_result
    from scanner.parse.dumpsys_package import read_dumpsys_package
    from scanner.probes import Probe
    from scanner.recording import load
    from scanner.replay import ReplayTransport

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    rec = load(recording)
    report = build_report(scan_result(ReplayTransport(rec), Policy()))
    renderer = JsonRenderer(compact=True)
    [raw] = [c.stdout for c in rec.commands if " ".join(c.argv) == "dumpsys package packages"]
    checked = raw + b":msgscan:ab12cd34:0:0\n"
    stream = checked + batch.cksum_line(checked)
    probe = [Probe("packages", ("dumpsys", "package", "packages"))]
    text = batch.split(stream, probe, "ab12cd34")["packages"].text

    def cut() -> None:
        batch.split(stream, probe, "ab12cd34")["packages"].text  # noqa: B018 - decodes

    for label, call in (
        ("seal and encode the report", lambda: renderer.render_report(dict(report))),
        ("split and decode 1 MB", cut),
        ("parse dumpsys package", lambda: read_dumpsys_package(text)),
    ):
        took = []
        for _ in range(41):
            began = time.process_time()
            call()
            took.append(time.process_time() - began)
        took = took[1:]
        print(f"{label}\t{1000 * min(took):.3f}\t{1000 * statistics.median(took):.3f}")


def _count(tree: Path, recording: Path, scans: int, tmp: Path) -> int:
    out = tmp / f"cg.{os.getpid()}.{scans}.{abs(hash(str(tree)))}"
    subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
         str(Path(__file__).resolve()), "--inner", str(tree), str(recording), str(scans)],
        check=True, capture_output=True, cwd=tmp,
    )  # fmt: skip
    text = out.read_text(errors="replace")
    found = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
    if found is None:
        raise SystemExit(f"no instruction count in {out}")
    return int(found.group(1))


def _compare_pieces(old: Path, new: Path, recording: Path, runs: int) -> None:
    import statistics

    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(runs):
        for label, tree in (("old", old), ("new", new)):
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--inner-pieces", str(tree),
                 str(recording)],
                check=True, capture_output=True, text=True, cwd=recording.parent,
            ).stdout  # fmt: skip
            for line in out.splitlines():
                piece, low, mid = line.split("\t")
                figures.setdefault((piece, label), []).append((float(low), float(mid)))
    print(f"| piece | old ({old}) min / median ms | new ({new}) min / median ms |")
    print("|---|---|---|")
    for piece in dict.fromkeys(p for p, _ in figures):
        cells = []
        for label in ("old", "new"):
            got = figures[(piece, label)]
            cells.append(f"{min(g[0] for g in got):.2f} / "
                         f"{statistics.median(g[1] for g in got):.2f}")
        print(f"| {piece} | {cells[0]} | {cells[1]} |")


def main() -> int:
    if sys.argv[1:2] == ["--inner"]:
        _inner(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
        return 0
    if sys.argv[1:2] == ["--inner-pieces"]:
        _pieces(Path(sys.argv[2]), Path(sys.argv[3]))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", type=Path, required=True, help="the old tree (git archive)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the new tree (default: this one)")
    ap.add_argument("--scans", type=int, default=3)
    ap.add_argument("--pieces", action="store_true", help="CPU times of the changed pieces")
    ap.add_argument("--runs", type=int, default=5, help="with --pieces: runs of each tree")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from msgspec.structs import replace

    from scanner.recording import save
    from scanner.recordings.build import large_phone
    from scanner.recordings.construct import build

    with tempfile.TemporaryDirectory(prefix="msgscan-instr-") as name:
        tmp = Path(name)
        rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
        recording = tmp / "phone.json"
        save(replace(rec, device=replace(rec.device, serial="MSGSCANPHONE")), recording)
        if args.pieces:
            _compare_pieces(args.against, args.tree, recording, args.runs)
            return 0
        for label, tree in (("old", args.against), ("new", args.tree)):
            warm = _count(tree, recording, 0, tmp)
            more = _count(tree, recording, args.scans, tmp)
            per = (more - warm) / args.scans
            print(f"{label} {tree}: {per / 1e6:.1f} M instructions a scan "
                  f"({args.scans} scans after a warm-up; {warm} / {more})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

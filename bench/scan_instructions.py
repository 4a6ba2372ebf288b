"""Instructions a scan of the 300-package phone costs, old tree against new (callgrind: the same
count however loaded the machine is, unlike CPU time).

    python bench/scan_instructions.py --against /tmp/base [--scans 3] [--tree DIR]

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
    import scanner.app.agent.worker_side  # noqa: F401 - what a worker has loaded (hashlib too)
    from checks.policy import Policy
    from reports.render.json import JsonRenderer
    from scanner.app.scan import scan_result
    from scanner.recording import load
    from scanner.replay import ReplayTransport

    import structlog  # noqa: I001 - after the tree is on the path
    import logging

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


def main() -> int:
    if sys.argv[1:2] == ["--inner"]:
        _inner(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", type=Path, required=True, help="the old tree (git archive)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the new tree (default: this one)")
    ap.add_argument("--scans", type=int, default=3)
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
        for label, tree in (("old", args.against), ("new", args.tree)):
            warm = _count(tree, recording, 0, tmp)
            more = _count(tree, recording, args.scans, tmp)
            per = (more - warm) / args.scans
            print(f"{label} {tree}: {per / 1e6:.1f} M instructions a scan "
                  f"({args.scans} scans after a warm-up; {warm} / {more})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the per-user ``pm list packages --user N`` (session 25) costs a multi-user phone's scan.

    python bench/pm_list_users.py [--recording profiles-clone-private-space-android15.json]
                                  [--large-users N] [--runs 3] [--before main] [--port 7592]

The same measurement as ``bench/scan_wave.py`` (whose driver, export and links it uses): a
shipped recording served by one ``msgscan simulate`` process of this tree with its device-side
command times over each link model, scanned by the tree at ``--before`` (exported with ``git
archive``) and by this tree, alternating, each scan in a fresh process (wall time from before
the connect to after the JSON report). ``--large-users N`` scans ``bench/scan_wave.py``'s large
phone (300 packages, built by ``scanner.recordings.build.large_phone``) with N users instead
(``--phone large`` there has 3; N = 1 is the single-user phone). Prints Markdown rows: runs, min
and median of each, the ratio of the medians, and what each sent (waves, streams, bytes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scan_wave import LINKS, export, fmt, one_scan  # noqa: E402

DEFAULT = "profiles-clone-private-space-android15.json"
"""Three users (owner, a clone profile, a locked private space), WhatsApp in each."""


def sent(r: dict[str, object]) -> str:
    return (
        f"{r['waves']} waves, {r['exchanges']} streams (at most {r['streams']} at once), "
        f"{r['sent']:,} B out, {r['received']:,} B in"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recording", default=DEFAULT)
    ap.add_argument("--large-users", type=int, help="the 300-package phone with N users")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", default="main")
    ap.add_argument("--port", type=int, default=7592)
    args = ap.parse_args()

    from bench import measure
    from scanner.recording import save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build

    tmp = Path(tempfile.mkdtemp(prefix="msgscan-users-"))
    rec_path = HERE / args.recording
    if args.large_users is not None:
        rec_path = tmp / "large.json"
        spec = large_phone(300, args.large_users)
        save(build(spec, model="Pixel 8", product="shiba", device="shiba"), rec_path)
        args.recording = f"large phone, 300 packages, {args.large_users} user(s)"
    before = export(args.before, tmp / "before")
    keys = tmp / "android"
    print(
        f"recording: {args.recording}; device time on; {args.runs} runs each, alternating; "
        f"before = {args.before}, after = this tree"
    )
    print(
        "| link | before: min / median | after: min / median | after / before (medians) | "
        "before sent | after sent | same findings |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, (latency_ms, kbps) in LINKS.items():
        env = {**os.environ, "ANDROID_USER_HOME": str(keys)}
        sim = measure.simulator(
            rec_path, args.port, latency_ms=latency_ms, kbps=kbps, device_time=True,
            env=env, cwd=ROOT,
        )  # fmt: skip
        measure.ready(sim)
        try:
            old, new = [], []
            for _ in range(args.runs):
                old.append(one_scan(before, args.port, keys))
                new.append(one_scan(ROOT, args.port, keys))
        finally:
            sim.terminate()
            sim.wait(timeout=10)
        assert all(r["complete"] for r in old + new), "a scan came back incomplete"
        same = all(r["findings"] == old[0]["findings"] for r in old + new)
        walls_old = [float(r["wall"]) for r in old]  # type: ignore[arg-type]
        walls_new = [float(r["wall"]) for r in new]  # type: ignore[arg-type]
        print(
            f"| {name} | {fmt(walls_old)} | {fmt(walls_new)} | "
            f"**{statistics.median(walls_new) / statistics.median(walls_old):.2f}x** | "
            f"{sent(old[0])} | {sent(new[0])} | {'yes' if same else 'NO'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

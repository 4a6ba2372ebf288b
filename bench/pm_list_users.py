"""What the per-user ``pm list packages --user N`` (session 25) costs a multi-user phone's scan.

    python bench/pm_list_users.py [--recording profiles-clone-private-space-android15.json]
                                  [--large-users N] [--runs 3] [--before main] [--port 7592]
    python bench/pm_list_users.py --instructions OLD_TREE [--large-users 3] [--scans 3]

The same measurement as ``bench/scan_wave.py`` (whose driver, export and links it uses): a
shipped recording served by one ``msgscan simulate`` process of this tree with its device-side
command times over each link model, scanned by the tree at ``--before`` (exported with ``git
archive``) and by this tree, alternating, each scan in a fresh process (wall time from before
the connect to after the JSON report). ``--large-users N`` scans ``bench/scan_wave.py``'s large
phone (300 packages, built by ``scanner.recordings.build.large_phone``) with N users instead
(``--phone large`` there has 3; N = 1 is the single-user phone). The recording served also
holds each other user's own list (``scan_wave.with_own_lists``), so both trees' pm lists are
recorded answers under the same device-time model (``scanner/recordings/times.py``). Prints
Markdown rows: runs, min and median of each, the ratio of the medians, and what each sent
(waves, streams, bytes).

``--instructions OLD_TREE``: ``bench/scan_instructions.py``'s callgrind count of one scan (old
tree, e.g. ``main`` exported with ``git archive``, against this one) on the large phone's
recording with each other user's own list recorded too, so neither tree derives its pm lists.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scan_wave import export, fmt, paired, with_own_lists  # noqa: E402

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
    ap.add_argument("--instructions", type=Path, help="callgrind: this old tree against this")
    ap.add_argument("--scans", type=int, default=3)
    args = ap.parse_args()
    if args.instructions is not None:
        return instructions(args.instructions, args.large_users or 3, args.scans)

    from scanner.recording import save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build

    tmp = Path(tempfile.mkdtemp(prefix="msgscan-users-"))
    from scanner.recording import load

    rec_path = tmp / "phone.json"
    if args.large_users is not None:
        spec = large_phone(300, args.large_users)
        rec = build(spec, model="Pixel 8", product="shiba", device="shiba")
        args.recording = f"large phone, 300 packages, {args.large_users} user(s)"
    else:
        rec = load(HERE / args.recording)
    save(with_own_lists(rec), rec_path)  # the before tree's per-user lists recorded too
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
    for name, old, new, same in paired(rec_path, before, keys, args.runs, args.port, True):
        walls_old = [float(r["wall"]) for r in old]  # type: ignore[arg-type]
        walls_new = [float(r["wall"]) for r in new]  # type: ignore[arg-type]
        print(
            f"| {name} | {fmt(walls_old)} | {fmt(walls_new)} | "
            f"**{statistics.median(walls_new) / statistics.median(walls_old):.2f}x** | "
            f"{sent(old[0])} | {sent(new[0])} | {'yes' if same else 'NO'} |"
        )
    return 0


def instructions(old: Path, users: int, scans: int) -> int:
    from msgspec.structs import replace

    from bench.scan_instructions import _count
    from scanner.recording import save
    from scanner.recordings.build import large_phone
    from scanner.recordings.construct import build

    rec = with_own_lists(build(large_phone(300, users), model="Pixel 8", product="shiba",
                               device="shiba"))  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="msgscan-users-instr-"))
    recording = tmp / "phone.json"
    save(replace(rec, device=replace(rec.device, serial="MSGSCANPHONE")), recording)
    for label, tree in (("old", old), ("new", ROOT)):
        warm, more = _count(tree, recording, 0, tmp), _count(tree, recording, scans, tmp)
        print(f"{label} {tree}: {(more - warm) / scans / 1e6:.1f} M instructions a scan "
              f"({scans} scans after a warm-up; {warm} / {more})", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

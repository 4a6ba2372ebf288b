"""Item 18.3: the scan's wall time before (sequential exchanges) and after (waves of parallel
streams), side by side in one run, on the same simulated phone and link.

    python bench/scan_wave.py [--phone large|shipped] [--runs 5] [--before ad9db04]
                              [--locked-profile] [--bmgr-vm]

``--locked-profile``: the large phone's work profile (user 10) forbids debugging features
(``DISALLOW_DEBUGGING_FEATURES``, a common set-up in regulated companies): the shell may not
access it, so its pm lists are refused as AOSP refuses them (``scanner/simphone/pm_list.py``).

``--bmgr-vm``: a check of how much the result rests on the backup manager's modelled 300 ms:
every ``bmgr`` is charged ``scanner/recordings/times.py``'s ``APP_PROCESS_MS`` for its VM's
start (bmgr is a Java command, started by ``app_process`` on every version; that figure is the
difference between a Java and a native command on a 2018 Android 7 phone) plus its binder call
(``BMGR_CALL_MS``). The simulated phone runs the VM's start in the command's own process, beside
the other commands, on one of its cores, and only the call on the backup manager's queue
(``times.process_start``, ``scanner/simphone/services.py``).

"Before" is the tree at ``--before`` (default: the commit this work started from), exported with
``git archive`` to a temporary folder; "after" is this tree. Both scan the same `msgscan
simulate` process of this tree, which serves the recording with its device-side command times
(``--device-time``: ``scanner/recordings/times.py``'s model, docs/sources.md; parts served by
the same system service wait for each other,
``scanner/simphone/services.py``) over each link model (USB-like: 1 ms one-way, 280 Mbit/s;
Wi-Fi-like: 20 ms, 50 Mbit/s; latency overlaps for packets in flight, bandwidth serializes
them: ``scanner/simphone/connection.py``). Each run is one scan in a fresh process of that tree:
connect, collect, judge, render the JSON report; the wall time is taken inside the process from
before the connect to after the render (Python start-up and imports excluded, they are the same
for both). Runs alternate before/after. Prints Markdown rows: runs, min and median of each, the
ratio of the medians, and what each sent (exchanges, waves, streams at once, bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LINKS = {
    "USB-like: 1 ms, 280 Mbit/s": (1.0, 280_000),
    "Wi-Fi-like: 20 ms, 50 Mbit/s": (20.0, 50_000),
}
BASE = "ad9db04"
"""main when issue 18.3 started: two sequential exchanges for inventory and storage, one more
for the signing blocks."""

DRIVER = """
import json, logging, sys, time
import structlog
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
from checks.policy import Policy
from reports.render.json import JsonRenderer
from scanner.app.scan import scan_result
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport
from pathlib import Path
signer = load_or_create_signer(Path(sys.argv[2]))
started = time.perf_counter()
transport = TcpTransport.connect("127.0.0.1", int(sys.argv[1]), signer=signer)
result = scan_result(transport, Policy())
JsonRenderer().render(result)
wall = time.perf_counter() - started
transport.close()
m = transport.meter
print(json.dumps({"wall": wall, "complete": result.snapshot.complete, "exchanges": m.exchanges,
                  "waves": getattr(m, "waves", None), "streams": getattr(m, "most_streams", None),
                  "sent": m.bytes_sent, "received": m.bytes_received,
                  "findings": sorted((f.check_id, f.package or "", f.user_id or 0, f.status.value) for f in result.findings)}))
"""


def with_own_lists(rec: Any) -> Any:
    """``rec`` with each other user's own ``pm list packages --user N`` recorded (the simulated
    phone's answer from its model, with the device time ``scanner/recordings/times.py`` gives a
    list of one user: one ``getInstalledPackages``, its own bytes), so that a before tree that
    asks them (session 25 on Android 14+) is served recorded answers under the same model as
    the list of every user this tree asks; without them the phone would derive those answers
    with the derived-command estimate (``scanner/simphone/commands``: 450 ms)."""
    from msgspec.structs import replace

    from scanner import probes
    from scanner.recording import Command
    from scanner.recordings import times
    from scanner.simphone import pm_list
    from scanner.simphone.commands.facts import read_facts

    if not any(c.argv == probes.PM_LIST_ALL.argv for c in rec.commands):
        return rec
    facts = read_facts(rec)
    dump = next(c for c in rec.commands if c.argv == probes.PACKAGES.argv)
    have = {c.argv for c in rec.commands}
    extra = []
    for user in facts.users:
        argv = probes.pm_user_list_probe(facts.sdk, user.id).argv
        said = pm_list.derived(facts, list(argv[3:])) if user.id else None
        if said is not None and argv not in have:
            text = said.stdout + said.stderr
            ms = times.device_ms(
                argv, sdk=facts.sdk, apps=len(facts.packages), users=len(facts.users),
                out_bytes=len(text), dump_bytes=len(dump.stdout),
            )  # fmt: skip
            extra.append(Command(argv, text, b"", said.exit_code, ms))
    return replace(rec, commands=(*rec.commands, *extra))


def bmgr_vm(rec: Any) -> Any:
    """``rec`` with every ``bmgr`` charged a Java VM's start and its call (``--bmgr-vm``)."""
    from msgspec.structs import replace

    from scanner.recordings import times

    def ms(c: Any) -> float:
        vm = times.APP_PROCESS_MS + times.BMGR_CALL_MS
        return vm if c.argv[:1] == ("bmgr",) else c.device_ms

    return replace(rec, commands=tuple(replace(c, device_ms=ms(c)) for c in rec.commands))


def export(rev: str, into: Path) -> Path:
    data = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def one_scan(tree: Path, port: int, keys: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree), "ANDROID_USER_HOME": str(keys)}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(port), str(keys)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"scan in {tree} failed: {done.stderr[-800:]}")
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def fmt(walls: list[float]) -> str:
    return f"{min(walls):.3f} / {statistics.median(walls):.3f} s"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phone", choices=["large", "shipped"], default="large")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", default=BASE)
    ap.add_argument("--no-device-time", action="store_true")
    ap.add_argument("--locked-profile", action="store_true", help="large phone: user 10 refused")
    ap.add_argument("--bmgr-vm", action="store_true", help="large phone: bmgr at a VM's start")
    ap.add_argument("--port", type=int, default=7391)
    args = ap.parse_args()

    from scanner.recording import save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build

    tmp = Path(tempfile.mkdtemp(prefix="msgscan-wave-"))
    if args.phone == "large":
        rec_path = tmp / "large.json"
        from dataclasses import replace as dc_replace

        spec = large_phone(300, 3)
        if args.locked_profile:
            spec = dc_replace(spec, no_debugging=(10,))
        rec = build(spec, model="Pixel 8", product="shiba", device="shiba")
        rec = with_own_lists(rec)
        save(bmgr_vm(rec) if args.bmgr_vm else rec, rec_path)
    else:
        rec_path = HERE / "android16-personal-whatsapp-telegram.json"
    before = export(args.before, tmp / "before")
    keys = tmp / "android"
    device_time = not args.no_device_time
    print(
        f"phone: {args.phone}; device time {'on' if device_time else 'off'}"
        f"{'; work profile refuses the shell' if args.locked_profile else ''}"
        f"{'; bmgr at a VM start' if args.bmgr_vm else ''}; {args.runs} runs "
        f"each, alternating; before = {args.before}, after = this tree"
    )
    print(
        "| link | before: min / median | after: min / median | after / before (medians) | "
        "before sent | after sent | same findings |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, old, new, same in paired(rec_path, before, keys, args.runs, args.port, device_time):
        walls_old = [float(r["wall"]) for r in old]  # type: ignore[arg-type]
        walls_new = [float(r["wall"]) for r in new]  # type: ignore[arg-type]
        o, n = old[0], new[0]
        print(
            f"| {name} | {fmt(walls_old)} | {fmt(walls_new)} | "
            f"**{statistics.median(walls_new) / statistics.median(walls_old):.2f}x** | "
            f"{o['exchanges']} exchanges, {o['sent']:,} B out, {o['received']:,} B in | "
            f"{n['waves']} waves, {n['exchanges']} streams (at most {n['streams']} at once), "
            f"{n['sent']:,} B out, {n['received']:,} B in | {'yes' if same else 'NO'} |"
        )
    return 0



def paired(
    rec_path: Path, before: Path, keys: Path, runs: int, port: int, device_time: bool
) -> Iterator[tuple[str, list[dict[str, Any]], list[dict[str, Any]], bool]]:
    """For each link: its name, the before and after scans (alternating, ``runs`` each, against
    one simulated phone serving ``rec_path``), and whether all found the same."""
    from bench import measure

    for name, (latency_ms, kbps) in LINKS.items():
        env = {**os.environ, "ANDROID_USER_HOME": str(keys)}
        sim = measure.simulator(
            rec_path, port, latency_ms=latency_ms, kbps=kbps, device_time=device_time,
            env=env, cwd=ROOT,
        )  # fmt: skip
        measure.ready(sim)
        try:
            old, new = [], []
            for _ in range(runs):
                old.append(one_scan(before, port, keys))
                new.append(one_scan(ROOT, port, keys))
        finally:
            sim.terminate()
            sim.wait(timeout=10)
        assert all(r["complete"] for r in old + new), "a scan came back incomplete"
        yield name, old, new, all(r["findings"] == old[0]["findings"] for r in old + new)

if __name__ == "__main__":
    sys.exit(main())

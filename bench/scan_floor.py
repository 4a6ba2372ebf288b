"""One full scan of a simulated phone against the floor its link and its phone impose.

    python bench/scan_floor.py [--phone shipped|large] [--runs 3] [--port 7390]

For each link (USB-like: 1 ms one-way, 280 Mbit/s; Wi-Fi-like: 20 ms, 50 Mbit/s) a simulated
phone (`msgscan simulate`, its own process) serves the recording with its recorded device-side
command times (``Faults.use_device_time``) and msgscan scans it: connect, the waves of parallel
streams, parse, judge, render the JSON report.

The floor is what the link and the phone impose on any client that asks the same questions:

    (2 + waves) x latency  +  wire bytes / bandwidth  +  the busiest system service's device time

The simulator delivers each packet ``latency`` after it left, packets in flight overlapping, and
serializes them at the bandwidth (``scanner/simphone/connection.py``); commands of one system
service run one after another (``scanner/simphone/services.py``), so no client can finish before
the busiest service has done all its work. The handshake costs 2 one-way trips, each wave at
least one more (its answers wait for the question); 3 waves is the fewest msgscan's questions
allow (the storage and APK reads depend on the inventory, the signing block on the APK's end).

Also runs the scan as a separate `msgscan scan` process for its CPU time and its own peak RSS
(Python start-up and imports included; ``bench/measure.py``). Prints Markdown table rows.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LINKS = {"usb": (0.001, 280_000_000), "wifi": (0.020, 50_000_000)}


def device_floor(recording: object, commands: list[str]) -> tuple[float, float]:
    """(all device time, the busiest service's) of ``commands``, in seconds. The busiest is
    the longest of: one service's parts together (they run one after another), one command
    line's whole time (a stream's script runs its commands in order). A process's start (a
    Java command's VM, ``times.process_start``) runs beside the others, so it counts only
    within its line."""
    from scanner.simphone.phone import RecordedPhone

    phone = RecordedPhone(recording)  # type: ignore[arg-type]
    per_service: dict[str, float] = {}
    longest, total = 0.0, 0.0
    for c in commands:
        out = phone.run(c)
        total += out.device_ms
        longest = max(longest, out.device_ms)
        for service, ms in out.segments:
            if service is not None:
                per_service[service] = per_service.get(service, 0.0) + ms
    return total / 1000, max([longest, *per_service.values()]) / 1000


def scan_once(host: str, port: int, signer: object) -> tuple[float, float, object]:
    """(wall, CPU of this process, transport) of one full scan: connect, collect, judge, render."""
    from checks.policy import Policy
    from reports.render.json import JsonRenderer
    from scanner.app.scan import scan_result
    from scanner.transport.tcp import TcpTransport

    cpu0 = time.process_time()
    started = time.perf_counter()
    transport = TcpTransport.connect(host, port, signer=signer)
    result = scan_result(transport, Policy())
    JsonRenderer().render(result)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    transport.close()
    assert result.snapshot.complete, result.snapshot.problems
    return wall, cpu, transport


def wire_counts(rec: object, latency: float, bandwidth: int, signer: object) -> tuple[int, int]:
    """Packets and wire bytes the phone sends during one scan (an in-process phone counts them)."""
    from scanner.simphone import Faults
    from scanner.simphone.phone import phone_server

    faults = Faults(latency_s=latency, bandwidth_bps=bandwidth)
    with phone_server(rec, faults=faults) as phone:  # type: ignore[arg-type]
        scan_once(phone.host, phone.port, signer)
        return phone.packets_out, phone.bytes_out


def cli_scan(port: int, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall, CPU, its own peak RSS MB) of `msgscan scan --tcp` as its own process."""
    from bench import measure

    done = measure.run(
        [
            sys.executable,
            "-m",
            "scanner.app.cli",
            "scan",
            "--tcp",
            f"127.0.0.1:{port}",
            "--format",
            "json",
            "-o",
            os.devnull,
        ],
        cwd=ROOT,
        env=env,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.wall, done.cpu, done.peak_rss_mb


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phone", choices=["shipped", "large"], default="large")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--no-device-time",
        action="store_true",
        help="answer at once: the floor is then the link alone, the hardest target",
    )
    ap.add_argument("--port", type=int, default=7390, help="the simulated phone's port")
    args = ap.parse_args()
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    from bench import measure
    from scanner.recording import load, save
    from scanner.recordings.build import HERE, large_phone
    from scanner.recordings.construct import build

    tmp = Path(tempfile.mkdtemp(prefix="msgscan-floor-"))
    if args.phone == "large":
        rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
        rec_path = tmp / "large.json"
        save(rec, rec_path)
    else:
        rec_path = HERE / "android16-personal-whatsapp-telegram.json"
        rec = load(rec_path)
    env = {**os.environ, "ANDROID_USER_HOME": str(tmp / "android")}
    os.environ["ANDROID_USER_HOME"] = env["ANDROID_USER_HOME"]
    from scanner.transport.keys import load_or_create_signer

    signer = load_or_create_signer(tmp / "android")
    device_time = not args.no_device_time
    print(f"{args.runs} scans per link (wall: min / median); one CLI process per link")
    print(
        "| phone | link | device time (busiest service) | wall | waves | streams | bytes | "
        "floor | median / floor | scan CPU | CLI wall | CLI CPU | CLI peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (latency, bandwidth) in LINKS.items():
        _, wire = wire_counts(rec, latency, bandwidth, signer)
        sim = measure.simulator(
            rec_path, args.port, latency_ms=latency * 1000, kbps=bandwidth // 1000,
            device_time=device_time, env=env, cwd=ROOT,
        )  # fmt: skip
        measure.ready(sim)
        try:
            runs = [scan_once("127.0.0.1", args.port, signer) for _ in range(args.runs)]
            cli_wall, cli_cpu, rss = cli_scan(args.port, env)
        finally:
            sim.terminate()
            sim.wait(timeout=10)
        wall, cpu, transport = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        meter = transport.meter  # type: ignore[attr-defined]
        total, busiest = device_floor(rec, meter.commands) if device_time else (0.0, 0.0)
        floor = (2 + 3) * latency + wire * 8 / bandwidth + busiest
        print(
            f"| {args.phone} | {name}: {latency * 1000:g} ms, {bandwidth / 1e6:g} Mbit/s | "
            f"{total:.3f} s ({busiest:.3f} s) | {min(r[0] for r in runs):.3f} / {wall:.3f} s | "
            f"{meter.waves} | {meter.exchanges} (at most {meter.most_streams} at once) | "
            f"{wire / 1e6:.2f} MB | {floor:.3f} s | {wall / floor:.2f}x | {cpu:.3f} s | "
            f"{cli_wall:.2f} s | {cli_cpu:.2f} s | {rss:.0f} MB |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

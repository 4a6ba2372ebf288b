"""One full scan of a simulated phone against the floor its link and its phone impose.

    python bench/scan_floor.py [--phone shipped|large] [--runs 3]

For each link (USB-like: 1 ms per packet, 280 Mbit/s; Wi-Fi-like: 20 ms per packet, 50 Mbit/s) a
simulated phone serves the recording with its recorded device-side command times
(``Faults.use_device_time``) and msgscan scans it: connect, both exchanges, parse, judge, render
the JSON report. The phone runs in this process on its own thread and event loop (it sleeps
while it waits, so it costs the scan almost no CPU) and counts what it sends.

The floor is what the link and the phone impose on any client that asks the same questions:

    packets the phone sends x latency  +  wire bytes / bandwidth  +  device-side command time

The simulator charges its latency once per packet it sends, in order (a packet waits for the one
before it), so "round trips" here are the phone's packets: 2 for the handshake, and per exchange
its OKAY, one WRTE per maxdata (1 MiB) of output, each only after the host's OKAY (adb's flow
control), and its CLSE. Two exchanges is the fewest msgscan's questions allow (the second
depends on the first's answer).

Also runs the scan as a separate `msgscan scan` process for its CPU time and peak RSS (Python
start-up and imports included). Prints Markdown table rows for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LINKS = {"usb": (0.001, 280_000_000), "wifi": (0.020, 50_000_000)}


def device_ms(recording: object, commands: list[str]) -> float:
    from scanner.replay import RecordedShell

    shell = RecordedShell(recording)  # type: ignore[arg-type]
    return sum(shell.run(c).device_ms for c in commands)


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


def simulate(rec_path: Path, port: int, latency: float, bandwidth: int, device_time: bool,
             env: dict[str, str]) -> subprocess.Popen[str]:
    """`msgscan simulate` in its own process, so that the phone's CPU is not the scan's."""
    argv = [sys.executable, "-m", "scanner.app.cli", "simulate", "--recording", str(rec_path), "--port",
            str(port), "--accept-any-key", "--latency-ms", str(latency * 1000), "--bandwidth-kbps",
            str(bandwidth // 1000)]
    if device_time:
        argv.append("--device-time")
    sim = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    assert sim.stdout is not None
    for line in sim.stdout:
        if line.startswith("simulating"):
            break
    return sim


def cli_scan(port: int, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall, CPU, peak RSS MB) of `msgscan scan --tcp` as its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "scan", "--tcp", f"127.0.0.1:{port}", "--format",
         "json", "-o", os.devnull], cwd=ROOT, env=env, capture_output=True, check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode in (0, 1), done.stderr.decode()
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phone", choices=["shipped", "large"], default="large")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-device-time", action="store_true",
                    help="answer at once: the floor is then the link alone, the hardest target")
    args = ap.parse_args()
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

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
    print("| phone | link | device time | wall (median) | round trips (phone packets) | "
          "exchanges | bytes | floor | ratio | scan CPU | CLI wall | CLI CPU | CLI peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (latency, bandwidth) in LINKS.items():
        packets, wire = wire_counts(rec, latency, bandwidth, signer)
        sim = simulate(rec_path, 7390, latency, bandwidth, device_time, env)
        try:
            runs = [scan_once("127.0.0.1", 7390, signer) for _ in range(args.runs)]
            cli_wall, cli_cpu, rss = cli_scan(7390, env)
        finally:
            sim.terminate()
            sim.wait(timeout=10)
        wall, cpu, transport = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        dev = device_ms(rec, transport.meter.commands) / 1000 if device_time else 0.0  # type: ignore[attr-defined]
        floor = packets * latency + wire * 8 / bandwidth + dev
        print(
            f"| {args.phone} | {name}: {latency * 1000:g} ms, {bandwidth / 1e6:g} Mbit/s | "
            f"{dev:.3f} s | {wall:.3f} s | {packets} | {transport.meter.exchanges} | "  # type: ignore[attr-defined]
            f"{wire / 1e6:.2f} MB | {floor:.3f} s | {wall / floor:.2f}x | {cpu:.3f} s | "
            f"{cli_wall:.2f} s | {cli_cpu:.2f} s | {rss:.0f} MB |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

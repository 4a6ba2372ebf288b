"""What MSG-08's signer check costs a scan, against pulling the whole APK.

    python bench/signer_cost.py [--runs 5] [--apk-mib 60]

The phone: the shipped Android 16 recording with WhatsApp and Telegram, their base.apks signed by
apksigner (WhatsApp's stored at ``--apk-mib`` MiB, the size class of WhatsApp's real base.apk;
Telegram's small, with a v3 key rotation). For each link (USB-like: 1 ms per packet, 280 Mbit/s;
Wi-Fi-like: 20 ms per packet, 50 Mbit/s, as bench/scan_floor.py) a simulated phone serves it over
ADB/TCP, and three things are timed, each ``--runs`` times:

* a full scan (connect, collect, judge) with the signer reads, and the same scan with them
  switched off: the difference is what the check adds (exchanges, bytes, wall time);
* ``adb pull`` of WhatsApp's base.apk through the phone's sync service (adb-shell's client):
  what reading the signer by copying the APK would cost.

Device-side time of ``tail``/``dd`` is not simulated (a real phone reads a few KiB from flash in
well under a millisecond). Prints Markdown rows for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LINKS = {"usb": (0.001, 280_000_000), "wifi": (0.020, 50_000_000)}


def phone_recording(apk_mib: int) -> tuple[object, int]:
    from scanner.recordings.build import SHIPPED, android16_personal
    from scanner.recordings.construct import build
    from scanner.recordings.signed_apks import make_key, sign, unsigned_apk

    folder = Path(tempfile.mkdtemp(prefix="msgscan-bench-"))
    key, new = make_key(folder, "bench"), make_key(folder, "bench2")
    big = sign(
        unsigned_apk(folder / "wa.apk", "com.whatsapp", payload=apk_mib << 20),
        folder / "wa-signed.apk",
        key,
    )
    small = sign(
        unsigned_apk(folder / "tg.apk", "org.telegram.messenger"),
        folder / "tg-signed.apk",
        key,
        rotate_to=new,
    )
    _, (model, product, device) = SHIPPED["android16-personal-whatsapp-telegram.json"]
    spec = replace(
        android16_personal(), apks={"com.whatsapp": big, "org.telegram.messenger": small}
    )
    return build(spec, model=model, product=product, device=device), len(big)


def scan(host: str, port: int, signer: object, with_signers: bool) -> tuple[float, object, object]:
    from checks.policy import Policy
    from scanner.apk_reads import SignerReads
    from scanner.app.scan import scan_result
    from scanner.transport.tcp import TcpTransport

    off = mock.patch.object(SignerReads, "probes", lambda self: ())
    started = time.perf_counter()
    transport = TcpTransport.connect(host, port, signer=signer)
    if with_signers:
        result = scan_result(transport, Policy())
    else:
        with off:
            result = scan_result(transport, Policy())
    wall = time.perf_counter() - started
    transport.close()
    assert result.snapshot.complete, result.snapshot.problems
    return wall, transport, result


def pull(host: str, port: int, key: object, remote: str) -> float:
    from adb_shell.adb_device import AdbDeviceTcp

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        device = AdbDeviceTcp(host, port, default_transport_timeout_s=60)
        device.connect(rsa_keys=[key], auth_timeout_s=10)
        device.pull(remote, str(Path(tmp) / "base.apk"))
        wall = time.perf_counter() - started
        device.close()
        size = (Path(tmp) / "base.apk").stat().st_size
    assert size > 0
    return wall


def ms(values: list[float]) -> str:
    return f"{min(values) * 1000:.0f} / {statistics.median(values) * 1000:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--apk-mib", type=int, default=60)
    args = parser.parse_args()

    from scanner.simphone import Faults
    from scanner.simphone.phone import phone_server
    from scanner.transport.keys import load_or_create_signer

    rec, apk_size = phone_recording(args.apk_mib)
    keydir = Path(tempfile.mkdtemp(prefix="msgscan-bench-key-"))
    signer = load_or_create_signer(keydir)
    print(f"WhatsApp base.apk {apk_size / (1 << 20):.1f} MiB; runs {args.runs}; min / median ms\n")
    print(
        "| link | scan without signer reads | scan with | added (paired median) | signing-block "
        "exchange alone | added exchanges | added bytes received | APK bytes read per messenger "
        "| pull WhatsApp base.apk | pull / signing-block exchange |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    from scanner.transport.tcp import TcpTransport

    for link, (latency, bandwidth) in LINKS.items():
        with phone_server(rec, faults=Faults(latency_s=latency, bandwidth_bps=bandwidth)) as phone:  # type: ignore[arg-type]
            without, with_, alone, pulls = [], [], [], []
            counts = None
            for _ in range(args.runs):  # interleaved: the machine is noisy
                w0, t0, _ = scan(phone.host, phone.port, signer, False)
                w1, t1, r1 = scan(phone.host, phone.port, signer, True)
                without.append(w0)
                with_.append(w1)
                counts = (
                    t1.meter.exchanges - t0.meter.exchanges,  # type: ignore[attr-defined]
                    t1.meter.bytes_received - t0.meter.bytes_received,  # type: ignore[attr-defined]
                    {s.package: s.bytes_read for s in r1.snapshot.signers},  # type: ignore[attr-defined]
                )
                last = t1.meter.commands[-1]  # type: ignore[attr-defined]
                transport = TcpTransport.connect(phone.host, phone.port, signer=signer)
                started = time.perf_counter()
                transport.shell(last)
                alone.append(time.perf_counter() - started)
                transport.close()
                apk = next(s.apk for s in r1.snapshot.signers if s.package == "com.whatsapp")  # type: ignore[attr-defined]
                pulls.append(pull(phone.host, phone.port, signer, apk))
        assert counts is not None
        added = statistics.median(b - a for a, b in zip(without, with_))
        per = ", ".join(f"{p} {n}" for p, n in counts[2].items())
        ratio = statistics.median(pulls) / statistics.median(alone)
        print(
            f"| {link} | {ms(without)} | {ms(with_)} | {added * 1000:+.0f} | {ms(alone)} | {counts[0]} | "
            f"{counts[1]} | {per} | {ms(pulls)} | {ratio:.0f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

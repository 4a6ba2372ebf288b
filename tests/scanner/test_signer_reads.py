"""Reading each messenger's signer by byte ranges: exchanges, bytes, and what goes wrong."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from msgspec import structs

from checks.facts import Snapshot, Unseen
from scanner import apk_reads
from scanner.collect import collect
from scanner.recording import Recording
from scanner.recordings.build import SHIPPED, android16_personal
from scanner.recordings.construct import build
from scanner.replay import ReplayTransport
from tests.apks import signed_test_apks

WA, TG = "com.whatsapp", "org.telegram.messenger"
BOUND = apk_reads.WINDOW + 2 * apk_reads.BLOCK + 22


def phone_with(apks: dict[str, bytes]) -> Recording:
    _, (model, product, device) = SHIPPED["android16-personal-whatsapp-telegram.json"]
    return build(replace(android16_personal(), apks=apks), model=model, product=product, device=device)


def scan(rec: Recording) -> tuple[Snapshot, ReplayTransport]:
    transport = ReplayTransport(rec)
    return collect(transport), transport


def sha(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def test_common_case_is_one_added_exchange_and_a_few_kib() -> None:
    """v2 and v3 (rotated) APKs: inventory, storage (+ pm path, EOCD), one exchange for both
    signing blocks; each messenger costs at most WINDOW + 1 KiB of its APK."""
    apks = signed_test_apks()
    snap, transport = scan(phone_with({WA: apks.resigned, TG: apks.v3_rotated}))
    by = {s.package: s for s in snap.signers}
    assert transport.meter.waves == 3
    assert (sha(apks.other.der), "v2", ()) == (by[WA].certificate.sha256, by[WA].certificate.scheme, by[WA].certificate.lineage)  # type: ignore[union-attr]
    assert (sha(apks.rotated.der), (sha(apks.official.der), sha(apks.rotated.der))) == (
        by[TG].certificate.sha256,  # type: ignore[union-attr]
        by[TG].certificate.lineage,  # type: ignore[union-attr]
    )
    assert all(0 < s.bytes_read <= BOUND < 64 << 10 for s in snap.signers)
    # The APK is 70 KiB: the reads take the end of the ZIP and the block, not the app.
    assert all(s.bytes_read < len(apks.resigned) for s in snap.signers)


def test_dumpsys_short_hash_agrees() -> None:
    apks = signed_test_apks()
    snap, _ = scan(phone_with({WA: apks.v2}))
    [wa] = [s for s in snap.signers if s.package == WA]
    assert wa.dumpsys_hashes == (wa.certificate.short_hash,)  # type: ignore[union-attr]


def test_v1_only_takes_two_more_exchanges() -> None:
    apks = signed_test_apks()
    snap, transport = scan(phone_with({WA: apks.v1, TG: apks.v2}))
    by = {s.package: s for s in snap.signers}
    assert (5, "v1", sha(apks.official.der)) == (
        transport.meter.waves,
        by[WA].certificate.scheme,  # type: ignore[union-attr]
        by[WA].certificate.sha256,  # type: ignore[union-attr]
    )
    assert by[WA].bytes_read <= apk_reads.MAX_BYTES < 64 << 10


def test_large_block_is_read_whole_in_one_more_exchange() -> None:
    """A block over the window: its footer gives its size; one more exchange reads it, within
    the per-messenger bound."""
    apks = signed_test_apks()
    snap, transport = scan(phone_with({WA: apks.large_block, TG: apks.v2}))
    by = {s.package: s for s in snap.signers}
    assert (4, sha(apks.large.der)) == (transport.meter.waves, by[WA].certificate.sha256)  # type: ignore[union-attr]
    assert apk_reads.WINDOW < by[WA].bytes_read <= apk_reads.MAX_BYTES < 64 << 10


def test_missing_apk_is_unseen_not_guessed() -> None:
    """pm path names base.apk, but the file cannot be read: the signer is unknown, with why."""
    snap, transport = scan(phone_with({TG: signed_test_apks().v2}))
    [wa] = [s for s in snap.signers if s.package == WA]
    assert isinstance(wa.certificate, Unseen) and "tail could not read" in wa.certificate.reason
    assert transport.meter.waves == 3


def test_truncated_apk_is_unseen() -> None:
    apk = signed_test_apks().v2
    cut = apk[:2000] + apk[-22:]  # the EOCD points past the data now
    snap, _ = scan(phone_with({WA: cut}))
    [wa] = [s for s in snap.signers if s.package == WA]
    assert isinstance(wa.certificate, Unseen)


def test_pty_mangling_is_undone_before_android_7() -> None:
    """adbd before Android 7 ran shell: commands on a PTY (LF -> CR LF): exactly reversible."""
    data = bytes(range(256)) * 4 + b"\r\n\n\r"
    mangled = data.replace(b"\n", b"\r\n")
    assert (data, mangled) == (apk_reads.unmangle(mangled, 23), apk_reads.unmangle(mangled, 24))


def test_dd_report_must_confirm_the_count() -> None:
    report = b"2+0 records in\n2+0 records out\n1024 bytes (1.0 K) copied, 0.001 s, 1 M/s\n"
    body = b"x" * 1022 + b"42"  # data ending in digits, as "APK Sig Block 42" does
    assert body == apk_reads.dd_data(body + report)
    assert apk_reads.dd_data(body[:-10] + report) is None  # short: the count does not match
    assert apk_reads.dd_data(body) is None  # no report: not dd's output


def test_package_facts_from_real_dumpsys(capture) -> None:  # type: ignore[no-untyped-def]
    """codePath and signatures:[…] from a real Android 11 capture (and the Android 7 form)."""
    facts = apk_reads.package_facts(capture("tekartik-wearos-android11/dumpsys-package-1.txt").decode())
    code, hashes = facts["com.tekartik.package1"]
    assert code.startswith("/data/app/~~GSfSdCYUCkDXHTY6qu0DAw==/") and hashes == ("b76298ca",)
    old = apk_reads.package_facts(capture("appium-android7/dumpsys-package-com.example.testapp.first.txt").decode())
    assert old["com.example.testapp.first"] == ("/data/app/com.example.testapp.first-1", ("53ea108d",))


def test_hostile_pm_path_never_reaches_a_command() -> None:
    """A path no phone has (shell syntax, ..) is reported, not read."""
    from scanner.recording import Command

    rec = phone_with({WA: signed_test_apks().v2})
    lie = Command(("pm", "path", WA), b"package:/data/app/x;reboot/../base.apk\n")
    transport = ReplayTransport(structs.replace(rec, commands=(*rec.commands, lie)))
    snap = collect(transport)
    [wa] = [s for s in snap.signers if s.package == WA]
    assert isinstance(wa.certificate, Unseen) and "no phone has" in wa.certificate.reason
    assert not any("reboot" in c for c in transport.meter.commands[2:])


def test_every_shipped_messenger_shows_its_signer_digest() -> None:
    """Each shipped recording: every messenger's MSG-08 finding names the digest it read and the
    reference it was held against (fail), or says none exists (manual); never a silent pass."""
    import re

    from checks.policy import DEFAULT
    from scanner import recording
    from scanner.app.scan import scan_result
    from scanner.recordings.build import HERE

    for name in SHIPPED:
        result = scan_result(ReplayTransport(recording.load(HERE / name)), DEFAULT)
        found = [f for f in result.findings if f.check_id == "MSG-08"]
        assert len(found) == len(recording.load(HERE / name).meta["expect"]["messengers"])
        for f in found:
            text = f.evidence[-1].text
            assert re.search(r"SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}", text), text
            assert ("expected certificate" in text) if f.status.value == "fail" else ("no published reference" in text)

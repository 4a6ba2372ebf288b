"""Pins for mutants of ``scanner/parse/apk_signing.py`` that its own tests let live.

The peer is Debian's apksigner: the signer we read from a whole APK is the one it prints.
"""

from __future__ import annotations

import hashlib
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from scanner.parse import apk_signing as sig
from tests.apks import signed_test_apks


def apksigner_digest(apk: bytes, tmp: Path, min_sdk: int) -> str:
    path = tmp / "x.apk"
    path.write_bytes(apk)
    out = subprocess.run(
        ["apksigner", "verify", "--print-certs", "--min-sdk-version", str(min_sdk), str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return out.split("certificate SHA-256 digest: ")[1].split()[0]


@pytest.mark.parametrize(("name", "sdk"), [("v1", 18), ("v2", 30), ("resigned", 30)])
def test_signer_of_a_whole_apk_is_apksigners(name: str, sdk: int, tmp_path: Path) -> None:
    """``signer_of_file`` (what the recordings are built with) returns the APK's signer: the v2
    block's key, or the v1 entry's certificate when there is no signing block."""
    apk = getattr(signed_test_apks(), name)
    signer = sig.signer_of_file(apk, sdk)
    assert hashlib.sha256(signer.certificate).hexdigest() == apksigner_digest(apk, tmp_path, sdk)
    assert signer.scheme == ("v1" if name == "v1" else "v2")


def test_signer_of_a_rotated_apk_from_android_9_is_the_new_key() -> None:
    """apksigner rotate + --lineage: Android 9+ verifies v3, whose signer is the rotated key."""
    apks = signed_test_apks()
    signer = sig.signer_of_file(apks.v3_rotated, 33)
    assert (signer.scheme, signer.certificate) == ("v3", apks.rotated.der)
    assert signer.lineage[-1] == apks.rotated.der and signer.lineage[0] == apks.official.der


def test_an_entry_marked_deflated_that_does_not_inflate_is_refused() -> None:
    """libziparchive reads an entry by its method: a v1 signature entry marked deflated (8)
    whose bytes are no deflate stream (here: a stored PKCS#7) cannot be read by Android, so
    no signer is named; the same bytes marked stored are read."""
    apks = signed_test_apks()
    eocd = sig.parse_eocd(apks.v1[-sig.EOCD_SIZE :])
    entry = sig.v1_entry(apks.v1[eocd.cd_offset : eocd.cd_offset + eocd.cd_size])
    local = apks.v1[entry.local_offset :]
    name_len, extra_len = struct.unpack_from("<HH", local, 26)
    data = local[30 + name_len + extra_len :][: entry.compressed]
    der = zlib.decompress(data, -15) if entry.method == 8 else data
    header = b"PK\x03\x04" + bytes(22) + struct.pack("<HH", 0, 0)

    def marked(method: int) -> sig.Signer:
        return sig.v1_signer(sig.ZipEntry(entry.name, method, len(der), len(der), 0), header + der)

    assert marked(0).certificate == apks.official.der
    with pytest.raises(sig.SigningError, match="inflate"):
        marked(8)


@pytest.mark.parametrize("name", ["v2", "v3_rotated", "large_block"])
def test_each_pair_is_read_to_its_declared_length(name: str) -> None:
    """APK Signing Block (ApkSigningBlockUtils): ``u64 size``, pairs of ``u64 length, u32 id,
    value``, ``u64 size``, magic. The pairs read cover the block exactly, and a v2/v3 value is
    one length-prefixed sequence of signers with nothing after it, as apksigner writes it."""
    apk = getattr(signed_test_apks(), name)
    window = apk[: sig.parse_eocd(apk[-sig.EOCD_SIZE :]).cd_offset]
    (size,) = struct.unpack_from("<Q", window, len(window) - sig.FOOTER_SIZE)
    pairs = sig.block_pairs(window)
    assert 8 + sum(12 + len(v) for v in pairs.values()) + sig.FOOTER_SIZE == size + 8
    for scheme in (sig.V2, sig.V3):
        if scheme in pairs:
            assert struct.unpack_from("<I", pairs[scheme])[0] + 4 == len(pairs[scheme])


def test_a_cut_signature_entry_says_it_was_cut() -> None:
    """Fewer bytes after the local header than the central directory's compressed size: the
    read was cut short (the reason an ``unknown`` verdict gives), not a malformed signature."""
    apks = signed_test_apks()
    eocd = sig.parse_eocd(apks.v1[-sig.EOCD_SIZE :])
    entry = sig.v1_entry(apks.v1[eocd.cd_offset : eocd.cd_offset + eocd.cd_size])
    local = apks.v1[entry.local_offset :]
    name_len, extra_len = struct.unpack_from("<HH", local, 26)
    cut = local[: 30 + name_len + extra_len + entry.compressed - 1]
    with pytest.raises(sig.SigningError, match="truncated"):
        sig.v1_signer(entry, cut)

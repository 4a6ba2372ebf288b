"""The APK signature parser on APKs apksigner signed, and on damaged or hostile signing blocks."""

from __future__ import annotations

import hashlib
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.parse import apk_signing as sig
from tests.apks import signed_test_apks


def window(apk: bytes) -> bytes:
    return apk[: sig.parse_eocd(apk[-sig.EOCD_SIZE :]).cd_offset]


def digest(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def test_v2_signer_is_the_key() -> None:
    apks = signed_test_apks()
    signers = sig.signers_from_block(window(apks.v2))
    assert {("v2", digest(apks.official.der))} == {(s.scheme, digest(s.certificate)) for s in signers}


def test_v3_rotation_lineage_is_read_and_verified() -> None:
    """apksigner rotate + --lineage: the new key signs v3 with the lineage old -> new; Android 9+
    uses it, Android 7-8 the v2 signer (the old key)."""
    apks = signed_test_apks()
    signers = sig.signers_from_block(window(apks.v3_rotated))
    new = sig.current_signer(signers, 34)
    assert (digest(apks.rotated.der), (digest(apks.official.der), digest(apks.rotated.der))) == (
        digest(new.certificate),
        tuple(digest(c) for c in new.lineage),
    )
    assert digest(apks.official.der) == digest(sig.current_signer(signers, 26).certificate)


def test_forged_lineage_is_refused() -> None:
    """A lineage whose rotation is not signed by the key before it is not a rotation."""
    apks = signed_test_apks()
    data = bytearray(apks.v3_rotated)
    pos = data.find(apks.rotated.der)  # the second node's certificate: flip a byte of its signature area
    signers = sig.signers_from_block(window(bytes(data)))
    assert pos > 0 and signers
    lineage_start = bytes(data).find(struct.pack("<I", sig.LINEAGE_ATTR))
    tampered = bytearray(data)
    tampered[lineage_start + 200] ^= 0xFF
    with pytest.raises(sig.SigningError):
        sig.signers_from_block(window(bytes(tampered)))


def test_v1_only_signer_from_the_rsa_entry() -> None:
    apks = signed_test_apks()
    eocd = sig.parse_eocd(apks.v1[-sig.EOCD_SIZE :])
    with pytest.raises(sig.NoSigningBlock):
        sig.signers_from_block(window(apks.v1))
    entry = sig.v1_entry(apks.v1[eocd.cd_offset : eocd.cd_offset + eocd.cd_size])
    signer = sig.v1_signer(entry, apks.v1[entry.local_offset :])
    assert ("v1", digest(apks.official.der)) == (signer.scheme, digest(signer.certificate))


def test_dumpsys_short_hash_is_javas_arrays_hashcode() -> None:
    """Arrays.hashCode over signed bytes, as Integer.toHexString prints it (checked by hand:
    [1] -> 31*1+1 = 0x20; [0xff] -> 31-1 = 0x1e; empty -> 1)."""
    assert ("20", "1e", "1") == (sig.java_hash(b"\x01"), sig.java_hash(b"\xff"), sig.java_hash(b""))


def block(*pairs: tuple[int, bytes]) -> bytes:
    body = b"".join(struct.pack("<QI", len(v) + 4, i) + v for i, v in pairs)
    size = len(body) + 24
    return struct.pack("<Q", size) + body + struct.pack("<Q", size) + sig.BLOCK_MAGIC


def lp(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x00" * 10 + sig.BLOCK_MAGIC, "impossible size"),
        (struct.pack("<Q", 1 << 40) + sig.BLOCK_MAGIC, "impossible size"),
        (block((sig.V2, lp(lp(lp(b"")))))[8:], "larger than the read"),
        (block((sig.V2, struct.pack("<I", 0xFFFFFFF0)))  , "runs past"),
        (block((sig.V2, lp(b"".join(lp(b"") for _ in range(100))))), "more than 64"),
        (block((0x42726577, b"\x00" * 8)), "no v2 or v3"),
        (block((sig.V2, lp(lp(lp(lp(b"") + lp(b"") + lp(b""))))))  , "without a certificate"),
    ],
)
def test_malformed_blocks_name_the_problem(data: bytes, problem: str) -> None:
    with pytest.raises(sig.SigningError, match=problem):
        sig.signers_from_block(data)


def test_truncated_real_block_is_an_error() -> None:
    w = window(signed_test_apks().v3_rotated)
    (size,) = struct.unpack_from("<Q", w, len(w) - 24)
    for cut in (24, 100, size // 2, size + 7):
        with pytest.raises(sig.SigningError):
            sig.signers_from_block(w[-cut:])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096), st.integers(0, 4095), st.binary(max_size=16))
def test_mutated_blocks_never_raise_anything_else(noise: bytes, at: int, patch: bytes) -> None:
    """Random bytes, and a real signing block with bytes overwritten: a SigningError or signers."""
    for data in (noise + sig.BLOCK_MAGIC, _patched(at, patch)):
        try:
            sig.signers_from_block(data)
        except sig.SigningError:
            pass


def _patched(at: int, patch: bytes) -> bytes:
    w = bytearray(window(signed_test_apks().v3_rotated))
    start = len(w) - 1 - (at % len(w))
    w[start : start + len(patch)] = patch
    return bytes(w[: len(window(signed_test_apks().v3_rotated))])


@given(st.binary(max_size=2048))
def test_hostile_central_directory_and_eocd(data: bytes) -> None:
    for parse in (lambda: sig.parse_eocd(data[-22:]), lambda: sig.v1_entry(data),
                  lambda: sig.v1_signer(sig.ZipEntry(b"META-INF/A.RSA", 8, len(data) // 2, 0, 0), data)):
        try:
            parse()
        except sig.SigningError:
            pass


def test_v31_block_wins_from_android_13() -> None:
    """v3.1 (0x1b93ad61) has v3's format; Debian's apksigner 0.9 cannot write it, so the real v3
    block of the rotated APK is also placed under the v3.1 id, and the v3 signer limited to 32."""
    w = window(signed_test_apks().v3_rotated)
    pairs = sig.block_pairs(w)
    v3 = pairs[sig.V3]
    signers = sig.signers_from_block(block((sig.V31, v3), (sig.V3, v3), (sig.V2, pairs[sig.V2])))
    assert ["v3.1", "v3", "v2"] == [s.scheme for s in signers]
    old = sig.Signer("v3", b"old", 24, 32)
    new = sig.Signer("v3.1", b"new", 33)
    v2 = sig.Signer("v2", b"v2")
    chosen = {sdk: sig.current_signer([new, old, v2], sdk).certificate for sdk in (24, 28, 32, 33, 36)}
    assert {24: b"v2", 28: b"old", 32: b"old", 33: b"new", 36: b"new"} == chosen

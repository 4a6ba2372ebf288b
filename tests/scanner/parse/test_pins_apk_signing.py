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


# --- session 20 (fresh sample, seed 71) -------------------------------------------------------


def _lp(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _block(*pairs: tuple[int, bytes]) -> bytes:
    """An APK Signing Block as ApkSigningBlockUtils lays it out (size, pairs, size, magic)."""
    body = b"".join(struct.pack("<QI", len(v) + 4, i) + v for i, v in pairs)
    size = len(body) + sig.FOOTER_SIZE
    return struct.pack("<Q", size) + body + struct.pack("<Q", size) + sig.BLOCK_MAGIC


def _window(apk: bytes) -> bytes:
    return apk[: sig.parse_eocd(apk[-sig.EOCD_SIZE :]).cd_offset]


def test_a_v3_signer_outside_its_sdk_range_is_no_signer() -> None:
    """ApkSignatureVerifier: a v3 signer counts only on a phone within its min/max SDK; an APK
    whose only signer is a v3 one for SDK 33+ has no signer Android 11 accepts."""
    v3 = sig.Signer("v3", b"new", 33)
    with pytest.raises(sig.SigningError, match="no signer in the APK applies to SDK 30"):
        sig.current_signer([v3], 30)
    assert sig.current_signer([v3], 33) is v3


@pytest.mark.parametrize("empty", [sig.V2, sig.V3])
def test_a_scheme_block_without_signers_is_refused_not_skipped(empty: int) -> None:
    """apksig V2/V3SchemeVerifier: a scheme block that lists no signer is an invalid signature
    ("No signers found"), never "no such scheme": the APK does not fall back to the other
    scheme (or to v1) because of it."""
    pairs = sig.block_pairs(_window(signed_test_apks().v3_rotated))
    kept = sig.V3 if empty == sig.V2 else sig.V2
    data = _block((empty, _lp(b"")), (kept, pairs[kept]))
    with pytest.raises(sig.SigningError, match="block without signers") as refused:
        sig.signers_from_block(data)
    assert not isinstance(refused.value, sig.NoSigningBlock)


def test_a_signer_whose_certificate_is_not_der_is_refused() -> None:
    """V2SchemeVerifier decodes the signer's certificate (X.509 DER): one that does not decode
    names no signer. The real v2 APK with its certificate's DER tag spoilt."""
    apks = signed_test_apks()
    w = bytearray(_window(apks.v2))
    at = bytes(w).find(apks.official.der)
    assert at > 0 and w[at] == 0x30  # SEQUENCE
    w[at] = 0x04  # an OCTET STRING of the same length: no certificate
    with pytest.raises(sig.SigningError, match="not X.509 DER"):
        sig.signers_from_block(bytes(w))


def _v1_local() -> tuple[sig.ZipEntry, bytes]:
    apks = signed_test_apks()
    eocd = sig.parse_eocd(apks.v1[-sig.EOCD_SIZE :])
    entry = sig.v1_entry(apks.v1[eocd.cd_offset : eocd.cd_offset + eocd.cd_size])
    return entry, apks.v1[entry.local_offset :]


@pytest.mark.parametrize("where", ["one byte off", "cut inside the header"])
def test_a_local_header_that_is_not_there_is_refused(where: str) -> None:
    """libziparchive checks the local file header's signature ``PK\\3\\4`` (30 bytes, APPNOTE
    4.3.7) where the central directory points: bytes that are not one, or fewer than 30 of
    them, are no signature entry."""
    entry, local = _v1_local()
    assert sig.v1_signer(entry, local).scheme == "v1"
    bad = local[1:] if where == "one byte off" else local[:20]
    with pytest.raises(sig.SigningError, match="local header is missing"):
        sig.v1_signer(entry, bad)


def test_a_block_past_two_gib_is_impossible_not_a_larger_read() -> None:
    """apksig (ApkSigningBlockUtils.findApkSigningBlock) refuses a footer size past
    Integer.MAX_VALUE - 8 as out of range: a size of 2 GiB or more is impossible here too, never
    a request to read gigabytes more."""
    for size in (1 << 31, (1 << 32) - 9):
        data = bytes(8) + struct.pack("<Q", size) + sig.BLOCK_MAGIC
        with pytest.raises(sig.SigningError, match="impossible size") as refused:
            sig.block_pairs(data)
        assert not isinstance(refused.value, sig.BlockLarger)


def test_a_larger_block_asks_for_exactly_its_own_bytes() -> None:
    """``BlockLarger.size`` is the block's length from its leading size field to the central
    directory (u64 size + size): the read the collector makes next starts at that field."""
    w = _window(signed_test_apks().large_block)
    (size,) = struct.unpack_from("<Q", w, len(w) - sig.FOOTER_SIZE)
    with pytest.raises(sig.BlockLarger) as larger:
        sig.block_pairs(w[-4096:])
    assert larger.value.size == size + 8
    assert struct.unpack_from("<Q", w, len(w) - larger.value.size) == (size,)
    assert sig.block_pairs(w[-larger.value.size :]) == sig.block_pairs(w)


def test_a_block_of_64_pairs_is_read_and_65_are_refused() -> None:
    """``MAX_ITEMS``: up to 64 ID-value pairs are a signing block (apksigner writes a handful:
    v2, v3, the verity padding 0x42726577 …); more is no real APK. The real v2 pair after 63
    and after 64 pairs of other (unknown, so skipped) ids."""
    v2 = sig.block_pairs(_window(signed_test_apks().v2))[sig.V2]
    others = [(0x42726577 + n, bytes(4)) for n in range(64)]
    read = sig.signers_from_block(_block(*others[:63], (sig.V2, v2)))
    assert [s.scheme for s in read] == ["v2"]
    with pytest.raises(sig.SigningError, match="too many entries"):
        sig.signers_from_block(_block(*others, (sig.V2, v2)))


@pytest.mark.parametrize("length", [0, 3])
def test_a_pair_shorter_than_its_id_is_impossible(length: int) -> None:
    """ApkSigningBlockUtils: a pair's u64 length covers its u32 id, so a length below 4 is "size
    out of range", never a pair to skip. Before the real v2 pair of the test APK."""
    v2 = sig.block_pairs(_window(signed_test_apks().v2))[sig.V2]
    body = struct.pack("<Q", length) + bytes(length) + struct.pack("<QI", len(v2) + 4, sig.V2) + v2
    size = len(body) + sig.FOOTER_SIZE
    data = struct.pack("<Q", size) + body + struct.pack("<Q", size) + sig.BLOCK_MAGIC
    with pytest.raises(sig.SigningError, match=rf"entry's length \({length}\) is impossible"):
        sig.block_pairs(data)


@pytest.mark.parametrize("got", [0, 4, 21])
def test_an_end_record_read_short_is_named(got: int) -> None:
    """The EOCD is the file's last 22 bytes (APPNOTE 4.3.16): a read that brought fewer (``tail
    -c 22`` cut short) is named as such, never unpacked."""
    tail = signed_test_apks().v2[-sig.EOCD_SIZE :]
    assert sig.parse_eocd(tail).cd_offset > 0
    with pytest.raises(sig.SigningError, match=f"were not read \\({got} came\\)"):
        sig.parse_eocd(tail[-got:] if got else b"")


def test_a_size_below_the_footer_is_impossible_even_when_it_fills_the_window() -> None:
    """A block's size counts its own 24-byte footer (u64 size, magic): a size of 16 is
    impossible, also in a window of exactly 16 + 8 bytes (which such a block would fill)."""
    data = struct.pack("<Q", 16) + sig.BLOCK_MAGIC
    assert len(data) == 16 + 8 == sig.FOOTER_SIZE
    with pytest.raises(sig.SigningError, match="impossible size") as refused:
        sig.block_pairs(data)
    assert not isinstance(refused.value, sig.BlockLarger)


@pytest.mark.parametrize(("kind", "algorithm"), [("ec", 0x0103), ("ec", 0x0421), ("rsa", 0x0201)])
def test_a_lineage_algorithm_that_does_not_fit_the_key_is_refused(
    kind: str, algorithm: int
) -> None:
    """apksig SigningCertificateLineage verifies a node with the algorithm its parent names,
    which must be one for the parent's key (Signature.initVerify refuses another key type):
    an RSA id for an EC key, or an ECDSA id for an RSA key, is refused by name."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    from tests.scanner.test_parse_pins import _cert

    data = b"signed data of the next lineage node"
    if kind == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
        signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
        cert = _cert(key)
    else:
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        signature = rsa_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        cert = _cert(rsa_key)
    with pytest.raises(sig.SigningError, match="the algorithm does not fit the key"):
        sig._verify(cert, algorithm, signature, data)


@pytest.mark.parametrize(("name", "sdk"), [("v2", 30), ("resigned", 30)])
def test_the_signer_digest_is_the_one_apksigner_prints(name: str, sdk: int, tmp_path: Path) -> None:
    """``sha256`` of a signer's certificate is what the evidence and a policy pin name: the
    "certificate SHA-256 digest" apksigner prints, lower-case hex."""
    apk = getattr(signed_test_apks(), name)
    digest = sig.sha256(sig.signer_of_file(apk, sdk).certificate)
    assert digest == apksigner_digest(apk, tmp_path, sdk)
    assert len(digest) == 64 and digest == digest.lower()


def test_every_central_directory_entry_is_walked() -> None:
    """Central directory headers follow each other (46 bytes, name, extra, comment; APPNOTE
    4.3.12): the signature entry is found right after the entry before it, in a piece of the
    directory that starts at any header (the collector reads the directory in pieces)."""
    apks = signed_test_apks()
    eocd = sig.parse_eocd(apks.v1[-sig.EOCD_SIZE :])
    cd = apks.v1[eocd.cd_offset : eocd.cd_offset + eocd.cd_size]
    entry = sig.v1_entry(cd)
    starts = [i for i in range(len(cd)) if cd.startswith(b"PK\x01\x02", i)]
    at = next(i for i in starts if cd[i + 46 : i + 46 + len(entry.name)] == entry.name)
    assert len(starts) >= 3 and at != starts[0]
    for start in starts[: starts.index(at) + 1]:
        assert sig.v1_entry(cd[start:]) == entry


def test_an_unknown_release_is_taken_as_android_13() -> None:
    """Without the phone's SDK the signer is the one Android 13 (SDK 33, apksigner's default
    --rotation-min-sdk-version) uses: a v3.1 signer from 33 on, not one from 34 on."""
    old = sig.Signer("v3", b"old", 28, 33)
    new = sig.Signer("v3.1", b"new", 34)
    assert sig.current_signer([new, old], None) is old
    assert sig.current_signer([new, old], 34) is new
    rotated = sig.Signer("v3.1", b"rotated", 33)
    assert sig.current_signer([rotated, sig.Signer("v3", b"v3", 28, 32)], None) is rotated

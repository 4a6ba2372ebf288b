"""Who signed an APK, from the few byte ranges of it that a scan reads over the shell.

Formats (AOSP ``apksig``: ``ApkSigningBlockUtils``, ``V2SchemeVerifier``, ``V3SchemeVerifier``,
``SigningCertificateLineage``; the ZIP end-of-central-directory from APPNOTE.TXT 4.3.16):

* EOCD, the last 22 bytes of an APK without a ZIP comment: ``PK\\5\\6``, ..., u32 size of the
  central directory at +12, u32 its offset at +16, u16 comment length at +20.
* The APK Signing Block ends where the central directory starts: ``u64 size, pairs, u64 size,
  "APK Sig Block 42"``; each pair is ``u64 length, u32 id, value``. v2 = 0x7109871a, v3 =
  0xf05368c0, v3.1 = 0x1b93ad61 (rotation for SDK 33+).
* v2/v3 value: length-prefixed signers; a signer's signed data holds length-prefixed digests,
  certificates (DER), [v3: u32 min SDK, u32 max SDK], attributes; v3's proof-of-rotation
  attribute (0x3ba06f8c) is the lineage: ``u32 version 1``, then nodes of ``signed data (cert,
  u32 signed algorithm), u32 flags, u32 algorithm, signature``; each node is signed by the key of
  the node before it.
* v1 (JAR signing): ``META-INF/*.RSA|DSA|EC`` is a PKCS#7 SignedData holding the certificate.

Everything here is pure and takes hostile input: every length is checked against what is there,
every failure is a ``SigningError`` naming what was wrong, never another exception.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import TYPE_CHECKING

from msgspec import Struct

from checks.digests import sha256_hex
from scanner.parse import der_certificate, rsa_pkcs1

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes

# cryptography is imported where a certificate is parsed or a signature verified, not here: its
# x509 and pkcs7 modules cost every CLI command that imports the collector ~50-120 ms at start-up
# (bench/startup.py), and most scans read no signing block (tests/scanner/app/cli/test_startup.py).

EOCD_SIZE = 22
EOCD_MAGIC = b"PK\x05\x06"
BLOCK_MAGIC = b"APK Sig Block 42"
FOOTER_SIZE = 24
V2, V3, V31 = 0x7109871A, 0xF05368C0, 0x1B93AD61
LINEAGE_ATTR = 0x3BA06F8C
ROTATION_MIN_SDK_DEFAULT = 33
MAX_ITEMS = 64
"""More signers, certificates or lineage nodes than this is not a real APK (apksig: a handful)."""


class SigningError(Exception):
    """The bytes are not what an APK signature has: the reason, for an ``unknown`` verdict."""


class Eocd(Struct, frozen=True):
    cd_size: int
    cd_offset: int


class Signer(Struct, frozen=True):
    scheme: str
    """"v1", "v2", "v3" or "v3.1"."""
    certificate: bytes
    """DER of the signer's (first) certificate: what Android compares."""
    min_sdk: int = 0
    max_sdk: int = 0x7FFFFFFF
    lineage: tuple[bytes, ...] = ()
    """DER certificates oldest first, the signer's own last; empty without rotation."""


def sha256(der: bytes) -> str:
    return sha256_hex(der)


def java_hash(der: bytes) -> str:
    """``Integer.toHexString(Arrays.hashCode(bytes))``: what ``dumpsys package`` prints as
    ``signatures:[…]`` (``Signature.hashCode``, ``PackageSignatures.toString``)."""
    h = 1
    for b in der:
        h = (31 * h + (b - 256 if b > 127 else b)) & 0xFFFFFFFF
    return format(h, "x")


def parse_eocd(tail: bytes) -> Eocd:
    """The EOCD from the last 22 bytes of the file."""
    if len(tail) != EOCD_SIZE:
        raise SigningError(f"the file's last {EOCD_SIZE} bytes were not read ({len(tail)} came)")
    if tail[:4] != EOCD_MAGIC:
        raise SigningError(
            "no ZIP end-of-central-directory at the end (a ZIP comment, or not an APK)"
        )
    cd_size, cd_offset, comment = struct.unpack_from("<IIH", tail, 12)
    if comment:
        raise SigningError("the ZIP end record claims a comment, yet sits at the very end")
    return Eocd(cd_size, cd_offset)


class _Reader:
    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.pos, self.what = data, 0, what

    def left(self) -> int:
        return len(self.data) - self.pos

    def u32(self) -> int:
        if self.left() < 4:
            raise SigningError(f"{self.what}: truncated")
        (v,) = struct.unpack_from("<I", self.data, self.pos)
        self.pos += 4
        return int(v)

    def take(self, n: int) -> bytes:
        if n < 0 or n > self.left():
            raise SigningError(f"{self.what}: a length ({n}) runs past its container")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def prefixed(self) -> _Reader:
        return _Reader(self.take(self.u32()), self.what)

    def items(self) -> list[_Reader]:
        seq, out = self.prefixed(), list[_Reader]()
        while seq.left():
            if len(out) >= MAX_ITEMS:
                raise SigningError(f"{self.what}: more than {MAX_ITEMS} entries")
            out.append(seq.prefixed())
        return out


def block_pairs(window: bytes) -> dict[int, bytes]:
    """The ID-value pairs of the signing block that ends ``window`` (the bytes just before the
    central directory). Raises when the block is absent, larger than the window, or malformed."""
    if len(window) < FOOTER_SIZE or window[-16:] != BLOCK_MAGIC:
        raise NoSigningBlock("no APK Signing Block before the central directory")
    (size,) = struct.unpack_from("<Q", window, len(window) - FOOTER_SIZE)
    if size < FOOTER_SIZE or size + 8 > len(window):
        if size + 8 > len(window) and size < 1 << 31:
            raise BlockLarger(size + 8)
        raise SigningError(f"the APK Signing Block claims an impossible size ({size})")
    start = len(window) - size - 8
    (head,) = struct.unpack_from("<Q", window, start)
    if head != size:
        raise SigningError("the APK Signing Block's two size fields differ")
    pos, end, pairs = start + 8, len(window) - FOOTER_SIZE, {}
    while pos < end:
        if end - pos < 12:
            raise SigningError("an APK Signing Block entry is truncated")
        length, pair_id = struct.unpack_from("<QI", window, pos)
        if length < 4 or length > end - pos - 8:
            raise SigningError(f"an APK Signing Block entry's length ({length}) is impossible")
        pairs[pair_id] = window[pos + 12 : pos + 8 + length]
        pos += 8 + length
        if len(pairs) > MAX_ITEMS:
            raise SigningError("the APK Signing Block holds too many entries")
    return pairs


class BlockLarger(SigningError):
    """The signing block starts before the bytes read.

    ``size`` bytes end at the central directory."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the APK Signing Block ({size} bytes) is larger than the read")
        self.size = size


class NoSigningBlock(SigningError):
    """No signing block: the APK is signed with v1 only (or not at all)."""


def _signers(value: bytes, scheme: str) -> list[Signer]:
    out = []
    for signer in _Reader(value, f"{scheme} block").items():
        signed = signer.prefixed()
        signed.items()  # digests
        certs = [c.take(c.left()) for c in signed.items()]
        if not certs:
            raise SigningError(f"{scheme} signer without a certificate")
        try:
            certificate(certs[0])
        except ValueError as e:
            raise SigningError(f"{scheme} signer's certificate is not X.509 DER") from e
        lo, hi, lineage = 0, 0x7FFFFFFF, tuple[bytes, ...]()
        if scheme != "v2":
            lo, hi = signed.u32(), signed.u32()
            for attr in signed.items():
                if attr.u32() == LINEAGE_ATTR:
                    lineage = parse_lineage(attr.take(attr.left()))
        out.append(Signer(scheme, certs[0], lo, hi, lineage))
    if not out:
        raise SigningError(f"{scheme} block without signers")
    return out


def signers_from_block(window: bytes) -> list[Signer]:
    """Every v2, v3 and v3.1 signer in the signing block at the end of ``window``."""
    pairs = block_pairs(window)
    found: list[Signer] = []
    for pair_id, scheme in ((V31, "v3.1"), (V3, "v3"), (V2, "v2")):
        if pair_id in pairs:
            found += _signers(pairs[pair_id], scheme)
    if not found:
        raise NoSigningBlock("the APK Signing Block holds no v2 or v3 signature")
    return found


SCHEME_SINCE = {"v3.1": 33, "v3": 28, "v2": 24, "v1": 0}
"""The first SDK that verifies each scheme (Android 13, 9, 7; v1 always)."""


def current_signer(signers: list[Signer], sdk: int | None) -> Signer:
    """The signer Android uses on a phone of ``sdk`` (``ApkSignatureVerifier``: the newest scheme
    the phone knows; a v3 or v3.1 signer only within its own SDK range)."""
    level = sdk if sdk is not None else ROTATION_MIN_SDK_DEFAULT
    for scheme in ("v3.1", "v3", "v2", "v1"):
        if level < SCHEME_SINCE[scheme]:
            continue
        for s in signers:
            if s.scheme == scheme and s.min_sdk <= level <= s.max_sdk:
                return s
    raise SigningError(f"no signer in the APK applies to SDK {level}")


_HASH: dict[int, str] = {
    0x0101: "SHA256", 0x0102: "SHA512", 0x0103: "SHA256",
    0x0104: "SHA512", 0x0201: "SHA256", 0x0202: "SHA512",
    0x0301: "SHA256", 0x0421: "SHA256", 0x0423: "SHA256",
    0x0425: "SHA256",
}  # fmt: skip
"""Signature algorithm id -> its digest (a class of ``cryptography``'s ``hashes``)."""
_PKCS1 = (0x0103, 0x0104, 0x0421)
"""The RSA PKCS #1 v1.5 algorithm ids (``_verify``)."""


def _digest(algorithm: int) -> type[hashes.SHA256 | hashes.SHA512]:
    from cryptography.hazmat.primitives import hashes

    name = _HASH.get(algorithm)
    if name is None:
        raise SigningError(f"lineage signed with an unknown algorithm 0x{algorithm:04x}")
    return hashes.SHA256 if name == "SHA256" else hashes.SHA512


def certificate(der: bytes, *, key: bool = False) -> object:
    """Check that ``der`` is one X.509 certificate (DER); with ``key``, return its public key.
    ``der_certificate`` reads the usual ones without importing ``cryptography.x509`` (start-up);
    the rest go to ``x509.load_der_x509_certificate``. Raises ``ValueError`` (as x509 does)."""
    try:
        return der_certificate.public_key(der) if key else der_certificate.check(der)
    except der_certificate.Unread:
        from cryptography import x509

        loaded = x509.load_der_x509_certificate(der)
        return loaded.public_key() if key else loaded


def _verify(cert_der: bytes, algorithm: int, signature: bytes, data: bytes) -> None:
    if algorithm in _PKCS1 and rsa_pkcs1.verified(cert_der, _HASH[algorithm], signature, data):
        return  # valid as OpenSSL would find it, without importing cryptography (start-up)
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa

    digest = _digest(algorithm)
    try:
        key = certificate(cert_der, key=True)
        if isinstance(key, rsa.RSAPublicKey) and algorithm in (0x0101, 0x0102):
            salt = 32 if algorithm == 0x0101 else 64
            key.verify(signature, data, padding.PSS(padding.MGF1(digest()), salt), digest())
        elif isinstance(key, rsa.RSAPublicKey) and algorithm in (0x0103, 0x0104, 0x0421):
            key.verify(signature, data, padding.PKCS1v15(), digest())
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm in (0x0201, 0x0202, 0x0423):
            key.verify(signature, data, ec.ECDSA(digest()))
        elif isinstance(key, dsa.DSAPublicKey) and algorithm in (0x0301, 0x0425):
            key.verify(signature, data, digest())
        else:
            raise SigningError("lineage: the algorithm does not fit the key")
    except (InvalidSignature, ValueError, UnsupportedAlgorithm) as e:
        raise SigningError("lineage: a rotation is not signed by the key before it") from e


def parse_lineage(value: bytes) -> tuple[bytes, ...]:
    """The certificates of a proof-of-rotation lineage, oldest first, each signature checked:
    a lineage nobody can forge is what lets a rotated key stand for its predecessor."""
    r = _Reader(value, "signing lineage")
    if r.u32() != 1:
        raise SigningError("signing lineage of an unknown version")
    certs: list[bytes] = []
    last_alg = None
    while r.left():
        if len(certs) >= MAX_ITEMS:
            raise SigningError(f"signing lineage: more than {MAX_ITEMS} nodes")
        node = r.prefixed()
        signed_bytes = node.prefixed()
        raw_signed = signed_bytes.data
        node.u32()  # flags
        alg = node.u32()
        signature = node.prefixed().data
        cert = signed_bytes.prefixed().data
        signed_alg = signed_bytes.u32()
        if certs:
            if signed_alg != last_alg:
                raise SigningError("signing lineage: algorithm ids do not chain")
            assert last_alg is not None
            _verify(certs[-1], last_alg, signature, raw_signed)
        certs.append(cert)
        last_alg = alg
    if not certs:
        raise SigningError("signing lineage without nodes")
    return tuple(certs)


_CD_ENTRY = struct.Struct("<4s6xHHHIIIHHHHHII")  # through the local header offset (46 bytes)
_V1_NAME = rb"META-INF/[^/]+\.(RSA|DSA|EC)"  # compiled when used (start-up)


class ZipEntry(Struct, frozen=True):
    name: bytes
    method: int
    compressed: int
    size: int
    local_offset: int


def v1_entry(central_directory: bytes) -> ZipEntry:
    """The ``META-INF/*.RSA|DSA|EC`` entry in (a piece of) the central directory."""
    pos = central_directory.find(b"PK\x01\x02")
    while 0 <= pos <= len(central_directory) - _CD_ENTRY.size:
        f = _CD_ENTRY.unpack_from(central_directory, pos)
        name_len, extra_len, comment_len = f[7], f[8], f[9]
        name = central_directory[pos + 46 : pos + 46 + name_len]
        if len(name) == name_len and re.fullmatch(_V1_NAME, name, re.I):
            return ZipEntry(name, f[1], f[5], f[6], f[13])
        pos = central_directory.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)
    raise SigningError("no signing block and no META-INF/*.RSA|DSA|EC entry: the APK is unsigned")


LOCAL_HEADER = 30


def v1_signer(entry: ZipEntry, local: bytes) -> Signer:
    """The v1 signer from the bytes at the entry's local header (header, name, extra, data)."""
    if len(local) < LOCAL_HEADER or local[:4] != b"PK\x03\x04":
        raise SigningError("the signature entry's local header is missing")
    name_len, extra_len = struct.unpack_from("<HH", local, 26)
    start = LOCAL_HEADER + name_len + extra_len
    data = local[start : start + entry.compressed]
    if len(data) != entry.compressed:
        raise SigningError("the signature entry is truncated")
    if entry.method == 8:
        try:
            inflater = zlib.decompressobj(-15)
            data = inflater.decompress(data, 1 << 20)
        except zlib.error as e:
            raise SigningError("the signature entry does not inflate") from e
    elif entry.method != 0:
        raise SigningError(f"the signature entry uses ZIP method {entry.method}")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    try:
        certs = pkcs7.load_der_pkcs7_certificates(data)
    except (ValueError, UnsupportedAlgorithm) as e:
        raise SigningError("the v1 signature is not PKCS#7") from e
    if not certs:
        raise SigningError("the v1 signature holds no certificate")
    return Signer("v1", certs[0].public_bytes(Encoding.DER))


def signer_of_file(apk: bytes, sdk: int | None) -> Signer:
    """The current signer of a whole APK in memory (for building recordings and tests; a scan
    reads only the ranges above)."""
    eocd = parse_eocd(apk[-EOCD_SIZE:])
    try:
        return current_signer(signers_from_block(apk[: eocd.cd_offset]), sdk)
    except NoSigningBlock:
        entry = v1_entry(apk[eocd.cd_offset : eocd.cd_offset + eocd.cd_size])
        return v1_signer(entry, apk[entry.local_offset :])

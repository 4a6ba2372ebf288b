"""Small APKs really signed by Debian's ``apksigner``, with keys made on the spot.

For the shipped recordings (``build.py``), the tests and the benchmark: a messenger on a simulated
phone needs a base.apk whose signing block a scan can read. The keys are generated here (RSA 2048,
self-signed, deterministic names), never a vendor's: a package signed with them is *not* signed
by its vendor, and a scan says so (``manual``, or ``fail`` against a published reference).

``apksigner`` needs a Java runtime (Debian: ``apksigner`` depends on ``default-jre``); building a
recording or running the signing tests without it fails with a clear message.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import math
import random
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True, slots=True)
class Key:
    pk8: Path
    pem: Path
    der: bytes
    """The certificate, DER: its SHA-256 is the signer digest a scan reports."""


def probable_prime(rng: random.Random, bits: int) -> int:
    """A probable prime of exactly ``bits`` bits (at least 8) with its top two bits set, so
    that the product of two has exactly their bits summed; drawn from ``rng``."""
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if all(n % p for p in _SMALL_PRIMES) and _probably_prime(n, rng):
            return n


_SMALL_PRIMES = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73)


def _probably_prime(n: int, rng: random.Random, rounds: int = 40) -> bool:
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _rsa_from_seed(seed: str) -> rsa.RSAPrivateKey:
    """An RSA-2048 key that the same seed always gives (a recording rebuilt is byte-identical);
    the seed is public, so the key is a test key and nothing else."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    e = 65537
    while True:
        p, q = probable_prime(rng, 1024), probable_prime(rng, 1024)
        phi = (p - 1) * (q - 1)
        if p != q and math.gcd(e, phi) == 1 and (p * q).bit_length() == 2048:
            break
    d = pow(e, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, p * q)
    )
    return numbers.private_key()


def make_key(folder: Path, name: str, *, seed: str | None = None, padding: int = 0) -> Key:
    """A fresh random key, or with ``seed`` the same key every time (for shipped recordings).
    ``padding`` bytes of DNS names in the certificate make a signing block that large or more."""
    key = (
        _rsa_from_seed(seed)
        if seed
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"msgscan test key {name}")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(int(hashlib.sha256(name.encode()).hexdigest()[:15], 16))
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=25 * 365))
    )
    if padding:
        dns = [x509.DNSName(f"n{i:05d}.example.org") for i in range(padding // 20)]
        builder = builder.add_extension(x509.SubjectAlternativeName(dns), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    pk8, pem = folder / f"{name}.pk8", folder / f"{name}.pem"
    pk8.write_bytes(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Key(pk8, pem, cert.public_bytes(serialization.Encoding.DER))


def unsigned_apk(path: Path, package: str, payload: int = 4096) -> Path:
    """A ZIP shaped like an APK (manifest, dex, resources); filler content, the dex stored
    uncompressed so the file is ``payload`` bytes and more."""
    when = (2026, 1, 1, 0, 0, 0)  # fixed: the same inputs give the same bytes
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, method in (
            (
                "AndroidManifest.xml",
                f"msgscan test manifest for {package}\n".encode(),
                zipfile.ZIP_DEFLATED,
            ),
            (
                "classes.dex",
                b"dex\n035\x00" + bytes(range(256)) * (payload // 256),
                zipfile.ZIP_STORED,
            ),
            ("resources.arsc", b"\x02\x00\x0c\x00" * 64, zipfile.ZIP_STORED),
        ):
            z.writestr(zipfile.ZipInfo(name, when), data, method)
    return path


def apksigner() -> str:
    found = shutil.which("apksigner")
    if found is None:
        raise RuntimeError("apksigner is not installed (Debian: apt-get install apksigner)")
    return found


def sign(
    source: Path,
    out: Path,
    key: Key,
    *,
    v1: bool = True,
    v2: bool = True,
    v3: bool = True,
    rotate_to: Key | None = None,
    min_sdk: int = 24,
) -> bytes:
    """Sign ``source`` into ``out`` and return the signed bytes. ``rotate_to`` makes a v3
    key-rotation lineage old -> new (``apksigner rotate``) and signs with both (``--lineage``,
    ``--next-signer``): apksigner's default puts the new key in a v3.1 block for SDK 33+ and
    keeps the old one in v3 for older phones."""
    tool = apksigner()
    args = [tool, "sign", "--key", str(key.pk8), "--cert", str(key.pem)]
    if rotate_to is not None:
        lineage = out.with_suffix(".lineage")
        subprocess.run(
            [tool, "rotate", "--out", str(lineage),
             "--old-signer", "--key", str(key.pk8), "--cert", str(key.pem),
             "--new-signer", "--key", str(rotate_to.pk8), "--cert", str(rotate_to.pem)],
            check=True, capture_output=True,
        )  # fmt: skip
        args += ["--next-signer", "--key", str(rotate_to.pk8), "--cert", str(rotate_to.pem),
                 "--lineage", str(lineage)]  # fmt: skip
    args += [
        "--v1-signing-enabled", str(v1).lower(),
        "--v2-signing-enabled", str(v2).lower(),
        "--v3-signing-enabled", str(v3).lower(),
        "--v4-signing-enabled", "false",
        "--min-sdk-version", str(min_sdk if (v2 or v3) else min(min_sdk, 23)),
        "--out", str(out), str(source),
    ]  # fmt: skip
    subprocess.run(args, check=True, capture_output=True)
    return out.read_bytes()


@functools.lru_cache(maxsize=64)
def recording_apk(package: str, *, rotated: bool = False, sdk: int = 34) -> bytes:
    """The base.apk a shipped recording gives ``package``: signed v1+v2+v3 with a key the package
    name seeds (``rotated``: a v3.1 rotation to a second seeded key), the same bytes every build."""
    with tempfile.TemporaryDirectory(prefix="msgscan-apk-") as tmp:
        folder = Path(tmp)
        key = make_key(folder, f"{package} 1", seed=f"msgscan recording key {package} 1")
        new = (
            make_key(folder, f"{package} 2", seed=f"msgscan recording key {package} 2")
            if rotated
            else None
        )
        plain = unsigned_apk(folder / "unsigned.apk", package)
        return sign(plain, folder / "signed.apk", key, rotate_to=new)

"""``der_certificate``: the certificates a scan reads without ``cryptography.x509``.

The reader may refuse more than ``x509.load_der_x509_certificate`` (``apk_signing.certificate``
then asks x509), never less: every input it takes, x509 takes too, without a warning, with the
same public key. Shown on the certificates of the shipped recordings and the test APKs, on
certificates of the other kinds it reads, and on seeded mutations of all of them (every DER
header's tag and length bytes, truncations, trailing and inserted bytes, random flips)."""

from __future__ import annotations

import datetime
import random
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from scanner.parse import apk_signing, der_certificate
from scanner.recording import load
from scanner.replay import ReplayTransport
from tests.apks import signed_test_apks

ROOT = Path(__file__).resolve().parents[3]
RECORDINGS = sorted((ROOT / "scanner" / "recordings").glob("*.json"))


@lru_cache(maxsize=1)
def recorded() -> tuple[bytes, ...]:
    """Every certificate the collector reads from the shipped recordings (signers and lineage
    nodes), as ``apk_signing.certificate`` gets them."""
    from scanner.collect import collect

    seen: list[bytes] = []
    real = apk_signing.certificate

    def spy(der: bytes, *, key: bool = False) -> object:
        seen.append(der)
        return real(der, key=key)

    apk_signing.certificate = spy  # type: ignore[assignment]
    try:
        for path in RECORDINGS:
            collect(ReplayTransport(load(path)))
    finally:
        apk_signing.certificate = real  # type: ignore[assignment]
    return tuple(dict.fromkeys(seen))


def _made(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, digest: hashes.HashAlgorithm,
          *, until: int = 2051, extensions: bool = True) -> bytes:
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Müller & Söhne GmbH"),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, "pki@example.org"),
        x509.NameAttribute(NameOID.COMMON_NAME, "msgscan der test"),
    ])  # fmt: skip
    start = datetime.datetime(2020, 2, 29, 12, 0, 0, tzinfo=datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x00F1)
        .not_valid_before(start)
        .not_valid_after(datetime.datetime(until, 1, 1, tzinfo=datetime.UTC))
    )
    if extensions:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
    return builder.sign(key, digest).public_bytes(Encoding.DER)


@lru_cache(maxsize=1)
def made() -> tuple[bytes, ...]:
    """Certificates of the other kinds the reader takes: EC keys on its three curves, RSA with
    other digests, names with UTF-8, PrintableString and IA5String, critical extensions, a
    GeneralizedTime (2051), and a v3 certificate without extensions."""
    rng = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return (
        _made(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256()),
        _made(ec.generate_private_key(ec.SECP384R1()), hashes.SHA384(), until=2049),
        _made(ec.generate_private_key(ec.SECP521R1()), hashes.SHA512()),
        _made(rng, hashes.SHA384(), extensions=False),
        _made(rng, hashes.SHA512()),
    )


def corpus() -> tuple[bytes, ...]:
    apks = signed_test_apks()
    keys = (apks.official, apks.rotated, apks.other, apks.large)
    return (*recorded(), *(k.der for k in keys), *made())


def x509_reads(der: bytes) -> x509.Certificate | None:
    """What ``cryptography.x509`` makes of ``der``: the certificate, or None if it refuses it
    (a warning counts as a refusal: the reader must not take what x509 only tolerates)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return x509.load_der_x509_certificate(der)
        except (ValueError, Warning):
            return None


def agrees(der: bytes) -> bool:
    """Whether ``der_certificate`` took ``der``; if it did, x509 takes it with the same key."""
    try:
        der_certificate.check(der)
    except der_certificate.Unread:
        return False
    theirs = x509_reads(der)
    assert theirs is not None, der.hex()
    try:
        mine = der_certificate.public_key(der)
    except der_certificate.Unread:
        return True  # the key classes refuse its numbers: apk_signing asks x509 for the key
    assert mine.public_numbers() == theirs.public_key().public_numbers(), der.hex()
    return True


def test_the_recordings_hold_certificates_and_lineages() -> None:
    """The shipped recordings' signers: the corpus is not empty, and holds a rotation."""
    assert len(recorded()) >= 4


def test_every_real_certificate_is_read_with_x509_s_key() -> None:
    """Each certificate of the recordings, the test APKs and the made kinds is read by the
    reader itself (none goes to x509), with the key x509 reads."""
    for der in corpus():
        assert agrees(der), der.hex()


def headers(der: bytes) -> Iterator[tuple[int, int]]:
    """``(tag position, header length)`` of every TLV in ``der`` (constructed ones entered)."""
    stack = [(0, len(der))]
    while stack:
        pos, end = stack.pop()
        while pos < end:
            tag, first = der[pos], der[pos + 1]
            n = first & 0x7F if first >= 0x80 else 0
            length = int.from_bytes(der[pos + 2 : pos + 2 + n], "big") if n else first
            head = 2 + n
            yield pos, head
            if tag & 0x20:
                stack.append((pos + head, pos + head + length))
            pos += head + length


def mutations(der: bytes, rng: random.Random) -> Iterator[bytes]:
    for pos, head in headers(der):
        for i in range(pos, pos + head):
            for new in {der[i] ^ 1, der[i] ^ 0x80, der[i] ^ 0x20, (der[i] + 1) % 256,
                        (der[i] - 1) % 256, 0, 0x80, 0xFF, rng.randrange(256)}:  # fmt: skip
                yield der[:i] + bytes([new]) + der[i + 1 :]
        yield der[:pos] + der[pos + head :]  # a header dropped
        yield der[:pos] + b"\x05\x00" + der[pos:]  # a NULL inserted
    for cut in (1, 2, 3, len(der) // 2, len(der) - 1):
        yield der[:cut]
        yield der[:-cut]
    for tail in (b"\x00", b"\x00\x00", b"\x05\x00", der[:2]):
        yield der + tail
    for _ in range(300):
        i = rng.randrange(len(der))
        yield der[:i] + bytes([rng.randrange(256)]) + der[i + 1 :]


SHARDS = 4


@pytest.mark.parametrize("index", range(SHARDS))
def test_the_reader_takes_nothing_x509_refuses(index: int) -> None:
    """Seeded mutations of every corpus certificate: whatever the reader takes, x509 takes with
    the same key; it refuses the rest with ``Unread`` (never another exception). The
    mutations reach every kind of refusal (the reader refuses most of them)."""
    rng = random.Random(index)
    taken = refused = 0
    for der in corpus()[index::SHARDS]:
        for mutant in mutations(der, rng):
            if agrees(mutant):
                taken += 1
            else:
                refused += 1
    assert refused > taken >= 0


def _other_kind(key: ed25519.Ed25519PrivateKey | dsa.DSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "other")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(datetime.datetime(2026, 1, 1))
        .not_valid_after(datetime.datetime(2030, 1, 1))
        .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
        .public_bytes(Encoding.DER)
    )


@pytest.mark.parametrize("kind", ["ed25519", "dsa"])
def test_x509_is_asked_for_what_the_reader_refuses(kind: str) -> None:
    """``apk_signing.certificate`` falls back to x509 for the certificates outside the subset
    (an Ed25519 key; a DSA key, whose parameters make a key algorithm of over 256 bytes) and
    raises x509's ``ValueError`` for what neither reads; mutations of them raise nothing but
    ``Unread`` in the reader."""
    key = ed25519.Ed25519PrivateKey.generate() if kind == "ed25519" else dsa.generate_private_key(2048)
    der = _other_kind(key)
    with pytest.raises(der_certificate.Unread):
        der_certificate.check(der)
    assert apk_signing.certificate(der, key=True) == key.public_key()
    with pytest.raises(ValueError):
        apk_signing.certificate(der[:-1])
    for mutant in mutations(der, random.Random(kind)):
        agrees(mutant)

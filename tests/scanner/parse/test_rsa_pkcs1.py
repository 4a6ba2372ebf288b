"""``rsa_pkcs1.verified``: an RSA PKCS #1 v1.5 signature found valid without ``cryptography``.

It may leave more to ``cryptography`` than it must (``False``: not decided here), never less:
every signature it finds valid, ``cryptography`` (OpenSSL) verifies too, with the key
``apk_signing.certificate`` gives it. Shown on keys of several sizes and exponents (at and past
OpenSSL's limits), on valid signatures, on forged encodings (short padding, other digests,
missing NULL, trailing bytes, other block types), and on seeded mutations of valid ones (bit
flips, truncations, a leading zero, the modulus added). Within OpenSSL's limits the two agree
on every sample, valid or not.
"""

from __future__ import annotations

import datetime
import math
import random
from functools import cache

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from scanner.parse import apk_signing, der_certificate, rsa_pkcs1
from scanner.recordings.signed_apks import probable_prime

HASHES = {"SHA256": hashes.SHA256, "SHA512": hashes.SHA512}
ISSUER = rsa.generate_private_key(public_exponent=65537, key_size=1024)


class Key:
    """A raw RSA key (any ``n``, ``e``, ``d``) and a certificate carrying its public half."""

    def __init__(self, n: int, e: int, d: int) -> None:
        self.n, self.e, self.d = n, e, d
        self.size = (n.bit_length() + 7) // 8
        self.der = certificate(n, e)

    def sign_raw(self, encoded: bytes) -> bytes:
        return pow(int.from_bytes(encoded, "big"), self.d, self.n).to_bytes(self.size, "big")

    def encoded(self, digest: str, data: bytes) -> bytes:
        """EMSA-PKCS1-v1_5 (RFC 8017 9.2), written out here as the RFC says."""
        t = rsa_pkcs1.DIGEST_INFO[digest] + _hash(digest, data)
        return b"\x00\x01" + b"\xff" * (self.size - len(t) - 3) + b"\x00" + t


def _hash(digest: str, data: bytes) -> bytes:
    h = hashes.Hash(HASHES[digest]())
    h.update(data)
    return h.finalize()


def certificate(n: int, e: int) -> bytes:
    """A certificate of ``der_certificate``'s subset with the RSA key ``(n, e)``, issued by
    another key."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "msgscan rsa test")])
    der = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(rsa.RSAPublicNumbers(e, n).public_key())
        .serial_number(0x51)
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2049, 1, 1, tzinfo=datetime.UTC))
        .sign(ISSUER, hashes.SHA256())
        .public_bytes(Encoding.DER)
    )
    der_certificate.check(der)  # in the subset: else the test would prove nothing
    return der


def _openssl_prime(key_bits: int) -> int:
    return rsa.generate_private_key(public_exponent=65537, key_size=key_bits).private_numbers().p


@cache
def key_primes(bits: int, e: int = 65537) -> tuple[int, int]:
    """Two primes whose product has ``bits`` bits and with ``e`` invertible: OpenSSL's from
    1024 bits on (``generate_private_key``; it makes no smaller keys; an odd size takes a prime
    of a key one bit larger and one of a key one bit smaller), seeded ones below."""
    rng = random.Random(bits * 7919 + e)
    while True:
        if bits >= 1024:
            p, q = _openssl_prime(bits + bits % 2), _openssl_prime(bits - bits % 2)
        else:
            p, q = probable_prime(rng, bits - bits // 2), probable_prime(rng, bits // 2)
        if (p * q).bit_length() == bits and p != q and math.gcd(e, (p - 1) * (q - 1)) == 1:
            return p, q


@cache
def key(bits: int, e: int = 65537) -> Key:
    """A key of ``bits`` bits with the exponent ``e``."""
    p, q = key_primes(bits, e)
    return Key(p * q, e, pow(e, -1, (p - 1) * (q - 1)))


IN_LIMITS = [(496, 3), (736, 65537), (744, 65537), (752, 65537), (1024, 3), (1025, 65537),
             (2048, 65537), (3072, (1 << 70) + 1), (3073, (1 << 63) + 1)]  # fmt: skip
"""Keys OpenSSL verifies with: small ones where the encoding's FF run is exactly 8 bytes
(SHA-256 in 496 bits, SHA-512 in 752), 7 (SHA-512 in 744: refused) or less (736), odd sizes,
e = 3, an exponent of 71 bits on a 3072-bit modulus, of 64 bits on a 3073-bit one."""


def openssl_accepts(der: bytes, digest: str, signature: bytes, data: bytes) -> bool:
    """What ``apk_signing._verify`` asks ``cryptography``: the key of the certificate ``der``,
    then ``verify`` with PKCS #1 v1.5."""
    try:
        public = apk_signing.certificate(der, key=True)
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(signature, data, padding.PKCS1v15(), HASHES[digest]())
    except (InvalidSignature, ValueError):
        return False
    return True


def forgeries(k: Key, digest: str, data: bytes) -> dict[str, bytes]:
    """Signatures of encodings that are not EMSA-PKCS1-v1_5 of ``data``, each made with the
    private key (so only the encoding is wrong)."""
    t = rsa_pkcs1.DIGEST_INFO[digest] + _hash(digest, data)
    size = k.size

    def pad(body: bytes, head: bytes = b"\x00\x01", fill: int = 0xFF) -> bytes:
        return head + bytes([fill]) * (size - len(body) - len(head) - 1) + b"\x00" + body

    info = rsa_pkcs1.DIGEST_INFO[digest]  # 30 L 30 0d (06 09 OID) (05 00) 04 len
    no_null = bytes([0x30, info[1] - 2, 0x30, 0x0B]) + info[4:15] + info[17:] + t[len(info) :]
    sha1_info = bytes.fromhex("3021300906052b0e03021a05000414") + _hash("SHA256", data)[:20]
    encoded = {
        "short padding": b"\x00\x01" + b"\xff" * 7 + b"\x00" + t + b"\x00" * (size - len(t) - 10),
        "garbage after": pad(t + b"\xaa\xbb"),
        "trailing byte": pad(t + b"\x01"),
        "block type 2": pad(t, b"\x00\x02"),
        "block type 0": pad(t, b"\x00\x00", 0x00),
        "no leading zero": pad(t, b"\x01\x01"),
        "fill not FF": pad(t, fill=0xFE),
        "no NULL": pad(no_null),
        "other digest's info": pad(sha1_info),
        "digest only": pad(_hash(digest, data)),
        "other data": pad(rsa_pkcs1.DIGEST_INFO[digest] + _hash(digest, data + b"!")),
        "zero in padding": pad(t)[:5] + b"\x00" + pad(t)[6:],
    }
    out = {name: k.sign_raw(em) for name, em in encoded.items() if len(em) == size}
    if digest == "SHA256":
        out["SHA-512 info"] = k.sign_raw(pad(rsa_pkcs1.DIGEST_INFO["SHA512"] + bytes(64)))
    return out


def mutations(signature: bytes, k: Key, rng: random.Random) -> list[bytes]:
    s = int.from_bytes(signature, "big")
    out = [
        signature[:-1],
        signature[1:],
        b"\x00" + signature,
        signature + b"\x00",
        b"",
        bytes(k.size),
        k.n.to_bytes(k.size, "big"),
        (k.n - 1).to_bytes(k.size, "big"),
        (1).to_bytes(k.size, "big"),
    ]
    if s + k.n < 1 << (8 * k.size):
        out.append((s + k.n).to_bytes(k.size, "big"))  # the same residue, above the modulus
    for _ in range(12):
        flipped = bytearray(signature)
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        out.append(bytes(flipped))
    return out


@pytest.mark.parametrize(("bits", "e"), IN_LIMITS)
@pytest.mark.parametrize("digest", ["SHA256", "SHA512"])
def test_valid_signatures_are_verified_here_and_by_openssl(bits: int, e: int, digest: str) -> None:
    """A valid signature (RFC 8017's encoding) is valid to both, except where the encoding
    cannot hold the digest (SHA-512 in a 736-bit key), which both refuse."""
    k = key(bits, e)
    for data in (b"", b"lineage node", bytes(range(256)) * 9):
        em = k.encoded(digest, data)
        signature = k.sign_raw(em)
        if em[2:].index(b"\x00") < 8:  # fewer than 8 bytes FF (OpenSSL)
            assert not openssl_accepts(k.der, digest, signature, data)
            assert not rsa_pkcs1.verified(k.der, digest, signature, data)
            continue
        assert openssl_accepts(k.der, digest, signature, data)
        assert rsa_pkcs1.verified(k.der, digest, signature, data)


@pytest.mark.parametrize(("bits", "e"), IN_LIMITS)
@pytest.mark.parametrize("digest", ["SHA256", "SHA512"])
def test_forged_and_mutated_signatures_are_refused_as_openssl_refuses_them(
    bits: int, e: int, digest: str
) -> None:
    """Forged encodings and mutated signatures: ``verified`` says what OpenSSL says (and every
    one of them is invalid, so neither takes it)."""
    k = key(bits, e)
    rng = random.Random(bits)
    data = b"the new certificate and its algorithm"
    samples = dict(forgeries(k, digest, data))
    valid = k.encoded(digest, data)
    fits = len(valid) == k.size and valid[2:].index(b"\x00") >= 8
    if fits:
        for i, m in enumerate(mutations(k.sign_raw(valid), k, rng)):
            samples[f"mutation {i}"] = m
        samples["other digest"] = k.sign_raw(k.encoded(digest, data))
    assert len(samples) >= (10 if fits else 1)  # SHA-512 fills no 496-bit key
    for name, signature in samples.items():
        other = "SHA512" if digest == "SHA256" else "SHA256"
        checked = other if name == "other digest" else digest
        mine = rsa_pkcs1.verified(k.der, checked, signature, data)
        theirs = openssl_accepts(k.der, checked, signature, data)
        assert (mine, theirs) == (False, False), name


def test_openssl_s_exponent_limit_is_left_to_it() -> None:
    """A modulus over 3072 bits with an exponent over 64 bits: OpenSSL refuses to use the key
    (``RSA_R_BAD_E_VALUE``), so ``verified`` takes none of its signatures, not even valid ones."""
    k = key(3073, (1 << 64) + 1)
    data = b"lineage node"
    signature = k.sign_raw(k.encoded("SHA256", data))
    assert pow(int.from_bytes(signature, "big"), k.e, k.n).to_bytes(k.size, "big") == (
        k.encoded("SHA256", data)
    )
    assert not openssl_accepts(k.der, "SHA256", signature, data)
    assert not rsa_pkcs1.verified(k.der, "SHA256", signature, data)


def test_an_even_modulus_is_left_to_openssl() -> None:
    """``2 p q`` is an RSA modulus to arithmetic (every ``x ** (e d)`` is ``x`` modulo it), but
    OpenSSL computes with odd moduli only (Montgomery form) and fails: ``verified`` takes none
    of its signatures, not even one whose power is the exact encoding."""
    k, p, q = key(1024), *key_primes(1024)
    n = 2 * p * q
    d = pow(k.e, -1, (p - 1) * (q - 1))
    even = Key(n, k.e, d)
    data = b"lineage node"
    signature = even.sign_raw(even.encoded("SHA256", data))
    assert pow(int.from_bytes(signature, "big"), k.e, n) == int.from_bytes(
        even.encoded("SHA256", data), "big"
    )
    assert not openssl_accepts(even.der, "SHA256", signature, data)
    assert not rsa_pkcs1.verified(even.der, "SHA256", signature, data)


def _with_exponent(der: bytes, old: int, new: int) -> bytes:
    """``der`` with the key's exponent ``old`` replaced by ``new`` (as many bytes)."""
    size = (old.bit_length() + 7) // 8
    before, after = b"\x02" + bytes([size]) + old.to_bytes(size, "big"), new.to_bytes(size, "big")
    assert der.count(before) == 1 and len(after) == size
    return der.replace(before, before[:2] + after)


@pytest.mark.parametrize(("old", "new"), [(3, 1), (65537, 65536)])
def test_exponents_the_key_classes_refuse_are_left_to_cryptography(old: int, new: int) -> None:
    """An exponent of 1 (every encoding is its own signature) or an even one:
    ``RSAPublicNumbers`` refuses the key, so ``verified`` decides nothing for it (x509, asked
    by ``apk_signing.certificate``, says what it makes of the key)."""
    der = _with_exponent(key(1024, old).der, old, new)
    der_certificate.check(der)
    k = key(1024, old)
    data = b"lineage node"
    encoded = k.encoded("SHA256", data)
    for signature in (encoded, k.sign_raw(encoded), bytes(k.size)):
        assert not rsa_pkcs1.verified(der, "SHA256", signature, data)


def test_certificates_outside_the_subset_and_other_keys_are_left_to_cryptography() -> None:
    """A certificate ``der_certificate`` does not read, an EC key, an unknown digest name: not
    decided here."""
    from cryptography.hazmat.primitives.asymmetric import ec

    k = key(1024)
    data = b"lineage node"
    signature = k.sign_raw(k.encoded("SHA256", data))
    assert rsa_pkcs1.verified(k.der, "SHA256", signature, data)
    assert rsa_pkcs1.verified(k.der + b"\x00", "SHA256", signature, data) is False
    assert not rsa_pkcs1.verified(k.der, "SHA384", signature, data)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "msgscan ec test")])
    ec_der = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        .serial_number(1)
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2049, 1, 1, tzinfo=datetime.UTC))
        .sign(ISSUER, hashes.SHA256())
        .public_bytes(Encoding.DER)
    )
    der_certificate.check(ec_der)
    assert rsa_pkcs1.verified(ec_der, "SHA256", signature, data) is False  # a bool, always


def test_cryptography_s_own_signatures_are_verified() -> None:
    """Signatures made by ``cryptography`` (OpenSSL's encoder, not this test's) are verified:
    both digests, on keys it generated."""
    for size in (1024, 2048):
        private = rsa.generate_private_key(public_exponent=65537, key_size=size)
        numbers = private.public_key().public_numbers()
        der = certificate(numbers.n, numbers.e)
        for digest in ("SHA256", "SHA512"):
            signature = private.sign(b"node", padding.PKCS1v15(), HASHES[digest]())
            assert rsa_pkcs1.verified(der, digest, signature, b"node")
            assert not rsa_pkcs1.verified(der, digest, signature, b"nodf")


def test_a_lineage_verified_here_loads_no_key_class_and_a_forged_one_is_refused() -> None:
    """``apk_signing._verify``: a valid rotation by an RSA key passes without the key classes;
    a forged one is refused by ``cryptography`` as before (``SigningError``)."""
    k = key(2048)
    data = b"the new node's signed data"
    good = k.sign_raw(k.encoded("SHA256", data))
    apk_signing._verify(k.der, 0x0103, good, data)
    bad = bytearray(good)
    bad[-1] ^= 1
    with pytest.raises(apk_signing.SigningError, match="not signed by the key before it"):
        apk_signing._verify(k.der, 0x0103, bytes(bad), data)
    with pytest.raises(apk_signing.SigningError, match="not signed by the key before it"):
        apk_signing._verify(k.der, 0x0104, good, data)  # SHA-512's id: another digest


def test_a_modulus_over_openssl_s_largest_is_left_to_it() -> None:
    """A modulus of 16385 bits, one more than ``OPENSSL_RSA_MAX_MODULUS_BITS``: OpenSSL refuses
    the key, so ``verified`` takes none of its signatures. The modulus is a product of
    OpenSSL's primes (RSA holds for any product of distinct primes)."""
    primes = [_openssl_prime(2048) for _ in range(15)]  # 15 of 1024 bits, then one to fill
    rng, want = random.Random(16385), 16385  # OPENSSL_RSA_MAX_MODULUS_BITS + 1
    while math.prod(primes).bit_length() != want:
        del primes[15:]
        last = probable_prime(rng, want - math.prod(primes).bit_length() + rng.randrange(2))
        primes.append(last)
    n = math.prod(primes)  # exactly one bit more than OpenSSL takes
    lam = math.lcm(*(p - 1 for p in primes))
    big = Key(n, 65537, pow(65537, -1, lam))
    data = b"lineage node"
    m = int.from_bytes(big.encoded("SHA256", data), "big")
    s = 0  # the private power by the Chinese remainder theorem (a 16 kbit power takes minutes)
    for p in primes:
        rest = n // p
        s += pow(m % p, big.d % (p - 1), p) * rest * pow(rest, -1, p)
    signature = (s % n).to_bytes(big.size, "big")
    assert pow(int.from_bytes(signature, "big"), 65537, n) == int.from_bytes(
        big.encoded("SHA256", data), "big"
    )
    assert not openssl_accepts(big.der, "SHA256", signature, data)
    assert not rsa_pkcs1.verified(big.der, "SHA256", signature, data)

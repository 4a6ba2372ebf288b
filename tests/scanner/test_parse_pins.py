"""Parser behaviours that survived ``python -m bench.mutation scanner/parse`` (issue 12, item 12):
each test fails for at least one mutant the parser tests let live. Facts are asserted, never
the wording of a message."""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from scanner.parse.apk_signing import SigningError, _verify, parse_lineage

_Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | dsa.DSAPrivateKey


def _cert(key: _Key) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "msgscan test signer")])
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(when)
        .not_valid_after(when + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER)


@pytest.fixture(scope="module")
def keys() -> dict[str, _Key]:
    return {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": ec.generate_private_key(ec.SECP256R1()),
        "dsa": dsa.generate_private_key(key_size=1024),  # small: only to sign, and fast
    }


_Sign = Callable[[_Key, bytes], bytes]


def _pss(digest: type[hashes.HashAlgorithm], salt: int) -> _Sign:
    return lambda k, d: k.sign(d, padding.PSS(padding.MGF1(digest()), salt), digest())  # type: ignore[union-attr, call-arg, arg-type]


def _pkcs1(digest: type[hashes.HashAlgorithm]) -> _Sign:
    return lambda k, d: k.sign(d, padding.PKCS1v15(), digest())  # type: ignore[union-attr, call-arg, arg-type]


def _ecdsa(digest: type[hashes.HashAlgorithm]) -> _Sign:
    return lambda k, d: k.sign(d, ec.ECDSA(digest()))  # type: ignore[union-attr, call-arg, arg-type]


def _dsa(digest: type[hashes.HashAlgorithm]) -> _Sign:
    return lambda k, d: k.sign(d, digest())  # type: ignore[union-attr, call-arg, arg-type]


# The APK Signature Scheme algorithm ids (apksig SignatureAlgorithm): RSA-PSS, RSA PKCS#1 v1.5,
# ECDSA, DSA, each with SHA-256 or SHA-512; 0x042x are the verity (SHA-256) variants.
ALGORITHMS = [
    (0x0101, "rsa", _pss(hashes.SHA256, 32)),
    (0x0102, "rsa", _pss(hashes.SHA512, 64)),
    (0x0103, "rsa", _pkcs1(hashes.SHA256)),
    (0x0104, "rsa", _pkcs1(hashes.SHA512)),
    (0x0421, "rsa", _pkcs1(hashes.SHA256)),
    (0x0201, "ec", _ecdsa(hashes.SHA256)),
    (0x0202, "ec", _ecdsa(hashes.SHA512)),
    (0x0423, "ec", _ecdsa(hashes.SHA256)),
    (0x0301, "dsa", _dsa(hashes.SHA256)),
    (0x0425, "dsa", _dsa(hashes.SHA256)),
]


class TestLineageSignatures:
    """A v3 rotation lineage node is signed by the key before it with any algorithm Android
    knows; msgscan verifies each, and refuses a signature that does not match."""

    @pytest.mark.parametrize(
        ("algorithm", "kind", "sign"), ALGORITHMS, ids=[f"0x{a:04x}" for a, _, _ in ALGORITHMS]
    )
    def test_each_algorithm(
        self, keys: dict[str, _Key], algorithm: int, kind: str, sign: _Sign
    ) -> None:
        data = b"signed data of the next lineage node"
        cert = _cert(keys[kind])
        _verify(cert, algorithm, sign(keys[kind], data), data)  # verifies: no error
        with pytest.raises(SigningError):
            _verify(cert, algorithm, sign(keys[kind], data), data + b"!")


def test_lineage_without_nodes_is_refused() -> None:
    """A proof-of-rotation attribute of version 1 with no node proves nothing (apksig
    SigningCertificateLineage needs at least one certificate): an error, never an empty lineage
    that would let a rotated key stand for nobody."""
    with pytest.raises(SigningError):
        parse_lineage(struct.pack("<I", 1))


@pytest.mark.parametrize("value", [b"", b"\x01\x00\x00", struct.pack("<II", 1, 4) + b"\x00\x00"])
def test_truncated_lineage_is_a_signing_error(value: bytes) -> None:
    """Bytes cut inside a number are named as a truncated lineage, never a struct error."""
    with pytest.raises(SigningError, match="signing lineage"):
        parse_lineage(value)

"""A signer's certificate read without ``cryptography.x509`` (start-up), for the common case.

``cryptography.x509`` imports its whole package (names, extensions, general names, ``email``,
the RFC 4514 parser): most of a replay scan's import time (bench/RESULTS.md, "Start-up"). APK
signers need two things of a certificate: that it is X.509 DER (``apk_signing._signers``) and,
for a key rotation, its public key (``apk_signing._verify``). This module reads a strict subset
of RFC 5280's ``Certificate`` and answers both; whatever lies outside the subset raises
``Unread`` and the caller asks ``cryptography.x509`` as before, so every certificate it refuses
is still refused (tests/scanner/parse/test_der_certificate.py: every input this reader takes,
``x509.load_der_x509_certificate`` takes too, without a warning, with the same public key).

The subset (X.690 DER, RFC 5280 4.1)::

    Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
    TBSCertificate ::= SEQUENCE {
        version [0] EXPLICIT INTEGER 2 (v3), or absent (v1, then without extensions),
        serialNumber INTEGER (not negative), signature AlgorithmIdentifier (the outer one's bytes),
        issuer Name, validity SEQUENCE { Time, Time }, subject Name,
        subjectPublicKeyInfo, extensions [3] EXPLICIT SEQUENCE SIZE (1..64) OF Extension }

Definite minimal lengths, one-byte tags, no trailing bytes anywhere; an RSA or ECDSA signature
with SHA-1/2 (RSA also MD5; the parameters NULL for RSA, absent for ECDSA); names of one
attribute per RDN with UTF8String, PrintableString or IA5String values (checked); UTCTime
``YYMMDDHHMMSSZ`` or GeneralizedTime ``YYYYMMDDHHMMSSZ`` from 2050 on, real dates; an RSA key
(``rsaEncryption``, NULL parameters, ``RSAPublicKey`` of two positive integers) or an EC key
on P-256, P-384 or P-521; extensions with distinct ids and ``critical`` absent or TRUE; no
unique ids (v2). Unusual certificates (DSA, RSA-PSS, Ed25519, BMPString names, ...) go to
``cryptography.x509``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

__all__ = ["Unread", "check", "public_key", "rsa_numbers"]

SEQUENCE, SET, INTEGER, BIT_STRING, OCTET_STRING, OID, BOOLEAN = 0x30, 0x31, 2, 3, 4, 6, 1
UTC_TIME, GENERALIZED_TIME = 0x17, 0x18
VERSION, EXTENSIONS = 0xA0, 0xA3
MAX_EXTENSIONS = 64

_PKCS1 = b"\x2a\x86\x48\x86\xf7\x0d\x01\x01"  # 1.2.840.113549.1.1
_RSA_OIDS = (4, 5, 11, 12, 13)  # md5, sha1, sha256, sha384, sha512WithRSAEncryption
_ECDSA_OIDS = (b"\x2a\x86\x48\xce\x3d\x04\x01",) + tuple(  # ecdsa-with-SHA1, SHA256/384/512
    b"\x2a\x86\x48\xce\x3d\x04\x03" + bytes([n]) for n in (2, 3, 4)
)
SIGNATURE_ALGORITHMS = frozenset(
    [b"\x30\x0d\x06\x09" + _PKCS1 + bytes([n]) + b"\x05\x00" for n in _RSA_OIDS]
    + [bytes([SEQUENCE, len(o) + 2, OID, len(o)]) + o for o in _ECDSA_OIDS]
)
"""The AlgorithmIdentifiers taken, as their whole DER encoding."""
RSA_KEY = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00"  # rsaEncryption, NULL
EC_KEY = b"\x06\x07\x2a\x86\x48\xce\x3d\x02\x01"  # id-ecPublicKey, then the named curve's OID
EC_CURVES = {
    b"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07": "SECP256R1",
    b"\x06\x05\x2b\x81\x04\x00\x22": "SECP384R1",
    b"\x06\x05\x2b\x81\x04\x00\x23": "SECP521R1",
}
_STRINGS = {  # a name's value tags, each with the characters X.680 allows in it
    0x0C: None,  # UTF8String: valid UTF-8
    0x13: rb"[A-Za-z0-9 '()+,\-./:=?]*",  # PrintableString (compiled when used: start-up)
    0x16: rb"[\x00-\x7f]*",  # IA5String
}
_TIME = re.compile(rb"[0-9]{12}Z|[0-9]{14}Z")


class Unread(ValueError):
    """Outside what this reader takes: ``cryptography.x509`` decides."""


class _Der:
    """The elements of one constructed DER value, ``data[pos:end]``, read in order."""

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data, self.pos, self.end = data, pos, end

    def peek(self) -> int | None:
        return self.data[self.pos] if self.pos < self.end else None

    def take(self, tag: int) -> tuple[int, int]:
        """The next element's contents as ``(start, stop)``; it must have ``tag``."""
        data, pos, end = self.data, self.pos, self.end
        if end - pos < 2 or data[pos] != tag:
            raise Unread(f"expected tag 0x{tag:02x}")
        first = data[pos + 1]
        pos += 2
        if first < 0x80:
            length = first
        else:
            n = first & 0x7F
            if not 1 <= n <= 4 or end - pos < n or data[pos] == 0:
                raise Unread("not a minimal definite length")
            length = int.from_bytes(data[pos : pos + n], "big")
            pos += n
            if length < 0x80:
                raise Unread("not a minimal definite length")
        if length > end - pos:
            raise Unread("an element runs past its container")
        self.pos = pos + length
        return pos, pos + length

    def inner(self, tag: int) -> _Der:
        return _Der(self.data, *self.take(tag))

    def raw(self, tag: int) -> bytes:
        """The next element whole (tag, length and contents)."""
        start = self.pos
        self.take(tag)
        return self.data[start : self.pos]

    def contents(self, tag: int) -> bytes:
        start, stop = self.take(tag)
        return self.data[start:stop]

    def done(self) -> None:
        if self.pos != self.end:
            raise Unread("bytes after the last element")


def check(der: bytes) -> tuple[bytes, bytes]:
    """``der`` is one certificate of the subset: its key's AlgorithmIdentifier contents and the
    key's bits (the BIT STRING's contents after its unused-bits byte). Raises ``Unread``."""
    whole = _Der(der, 0, len(der))
    cert = whole.inner(SEQUENCE)
    whole.done()
    tbs = cert.inner(SEQUENCE)
    algorithm = cert.raw(SEQUENCE)
    if algorithm not in SIGNATURE_ALGORITHMS:
        raise Unread("a signature algorithm this reader does not take")
    _bits(cert.contents(BIT_STRING))
    cert.done()
    v3 = tbs.peek() == VERSION
    if v3 and tbs.contents(VERSION) != b"\x02\x01\x02":
        raise Unread("not version 3")
    _unsigned(tbs.contents(INTEGER))
    if tbs.raw(SEQUENCE) != algorithm:
        raise Unread("the signed algorithm differs from the signature's")
    _name(tbs.inner(SEQUENCE))
    validity = tbs.inner(SEQUENCE)
    for _ in range(2):
        _time(validity)
    validity.done()
    _name(tbs.inner(SEQUENCE))
    spki = tbs.inner(SEQUENCE)
    key_algorithm = spki.contents(SEQUENCE)
    key = _bits(spki.contents(BIT_STRING))
    spki.done()
    if v3 and tbs.peek() == EXTENSIONS:
        _extensions(tbs.inner(EXTENSIONS))
    tbs.done()
    if key_algorithm == RSA_KEY:
        rsa_numbers(key)
    elif not (key_algorithm.startswith(EC_KEY) and key_algorithm[len(EC_KEY) :] in EC_CURVES):
        raise Unread("a key type this reader does not take")
    return key_algorithm, key


def public_key(der: bytes) -> RSAPublicKey | EllipticCurvePublicKey:
    """The public key of the certificate ``der`` (``check``'s subset), built from its numbers
    through ``cryptography``'s public key classes. Raises ``Unread``."""
    key_algorithm, key = check(der)
    try:
        if key_algorithm.startswith(EC_KEY):
            from cryptography.hazmat.primitives.asymmetric import ec

            curve = getattr(ec, EC_CURVES[key_algorithm[len(EC_KEY) :]])()
            return ec.EllipticCurvePublicKey.from_encoded_point(curve, key)
        from cryptography.hazmat.primitives.asymmetric import rsa

        n, e = rsa_numbers(key)
        return rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError as err:  # numbers the key classes refuse: x509 says what it makes of them
        raise Unread("a key the key classes refuse") from err


def _bits(contents: bytes) -> bytes:
    if not contents or contents[0] != 0:
        raise Unread("a BIT STRING with unused bits")
    return contents[1:]


def _unsigned(contents: bytes) -> int:
    if not contents or contents[0] >= 0x80:
        raise Unread("an empty or negative INTEGER")
    if len(contents) > 1 and contents[0] == 0 and contents[1] < 0x80:
        raise Unread("an INTEGER with a redundant leading byte")
    return int.from_bytes(contents, "big")


def _oid(contents: bytes) -> bytes:
    """An OBJECT IDENTIFIER's contents: minimal arcs of at most 4 bytes, 32 bytes in all."""
    if not 1 <= len(contents) <= 32 or contents[-1] >= 0x80:
        raise Unread("not an object identifier")
    run = 0
    for byte in contents:
        if (run == 0 and byte == 0x80) or run == 4:
            raise Unread("an object identifier arc that is not minimal or too long")
        run = run + 1 if byte >= 0x80 else 0
    return contents


def _name(name: _Der) -> None:
    """SEQUENCE OF RDN, each a SET of one AttributeTypeAndValue with a checked string."""
    if name.peek() is None:
        raise Unread("an empty name")
    while name.peek() is not None:
        rdn = name.inner(SET)
        pair = rdn.inner(SEQUENCE)
        rdn.done()
        _oid(pair.contents(OID))
        tag = pair.peek()
        if tag not in _STRINGS:
            raise Unread("a name value of a string type this reader does not take")
        value = pair.contents(tag)
        pair.done()
        allowed = _STRINGS[tag]
        if allowed is None:
            try:
                value.decode("utf-8")
            except UnicodeDecodeError as e:
                raise Unread("a UTF8String that is not UTF-8") from e
        elif not re.fullmatch(allowed, value):
            raise Unread("a string with characters its type does not allow")


def _time(validity: _Der) -> None:
    tag = validity.peek()
    if tag not in (UTC_TIME, GENERALIZED_TIME):
        raise Unread("not a time")
    text = validity.contents(tag)
    if not _TIME.fullmatch(text) or len(text) != (13 if tag == UTC_TIME else 15):
        raise Unread("not a DER time")
    digits = text[:-1].decode("ascii")
    if tag == UTC_TIME:
        year, rest = int(digits[:2]), digits[2:]
        year += 1900 if year >= 50 else 2000
    else:
        year, rest = int(digits[:4]), digits[4:]
        if year < 2050:  # RFC 5280 4.1.2.5: UTCTime through 2049
            raise Unread("a GeneralizedTime before 2050")
    month, day, hour, minute, second = (int(rest[i : i + 2]) for i in range(0, 10, 2))
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError as e:
        raise Unread("not a date") from e


def _extensions(tagged: _Der) -> None:
    extensions = tagged.inner(SEQUENCE)
    tagged.done()
    seen: set[bytes] = set()
    while extensions.peek() is not None:
        extension = extensions.inner(SEQUENCE)
        ident = _oid(extension.contents(OID))
        if ident in seen or len(seen) >= MAX_EXTENSIONS:
            raise Unread("a repeated extension, or too many")
        seen.add(ident)
        if extension.peek() == BOOLEAN and extension.contents(BOOLEAN) != b"\xff":
            raise Unread("critical is FALSE (DER leaves the default out) or not a boolean")
        extension.contents(OCTET_STRING)
        extension.done()
    if not seen:
        raise Unread("an empty extension list")


def rsa_numbers(key: bytes) -> tuple[int, int]:
    """RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, both positive."""
    whole = _Der(key, 0, len(key))
    numbers = whole.inner(SEQUENCE)
    whole.done()
    n, e = _unsigned(numbers.contents(INTEGER)), _unsigned(numbers.contents(INTEGER))
    numbers.done()
    if n == 0 or e == 0:
        raise Unread("an RSA key of zero")
    return n, e

"""An RSA PKCS #1 v1.5 signature found valid without ``cryptography`` (start-up), where that is
exactly OpenSSL's answer; every other case goes to ``cryptography`` as before.

A key rotation in an APK (``apk_signing.parse_lineage``) is one signature by the old key over
the new certificate: WhatsApp's, in the shipped Android 16 recording, is RSA PKCS #1 v1.5 with
SHA-256. Importing ``cryptography``'s key classes for it costs a replay ~10 ms (its Rust
bindings, OpenSSL; bench/RESULTS.md "Start-up"). A valid PKCS #1 v1.5 signature has exactly one
form (RFC 8017 8.2.2, EMSA-PKCS1-v1_5), so checking it is one modular power and one comparison.

``verified`` answers only "valid": ``False`` means "not decided here", and the caller asks
``cryptography``, so a signature OpenSSL refuses is still refused, and one this module takes
OpenSSL takes too (tests/scanner/parse/test_rsa_pkcs1.py, against ``cryptography`` on valid,
forged and mutated signatures). What OpenSSL 3 does for ``RSAPublicKey.verify(signature,
data, PKCS1v15(), SHA256())`` (cryptography ``src/rust/src/backend/rsa.rs``; OpenSSL
``crypto/rsa/rsa_sign.c`` ``ossl_rsa_verify``, ``rsa_ossl.c`` ``rsa_ossl_public_decrypt``,
``rsa_pk1.c`` ``RSA_padding_check_PKCS1_type_1``), and what this module requires before it
says "valid":

* the key: ``RSAPublicNumbers(e, n).public_key()`` wants ``n >= 3``, ``3 <= e < n``, ``e``
  odd; OpenSSL a modulus of at most 16384 bits, an exponent of at most 64 bits when the
  modulus has more than 3072, and an odd modulus (Montgomery multiplication);
* the signature exactly as long as the modulus (``RSA_size``), its number below the modulus;
* ``signature ** e mod n``, written in that many bytes, equal to ``00 01 FF..FF 00 T`` with at
  least 8 bytes FF, ``T`` the DER ``DigestInfo`` of the data's digest (SHA-256 or SHA-512,
  parameters NULL): OpenSSL strips the padding and compares ``T`` with the one encoding it
  makes itself.
"""

from __future__ import annotations

from checks.digests import sha256, sha512
from scanner.parse import der_certificate

__all__ = ["DIGEST_INFO", "verified"]

DIGEST_INFO = {  # DigestInfo ::= SEQUENCE { AlgorithmIdentifier (OID, NULL), OCTET STRING }
    "SHA256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "SHA512": bytes.fromhex("3051300d060960864801650304020305000440"),
}
"""The DER ``DigestInfo`` before the digest's bytes (RFC 8017 9.2, note 1)."""
_DIGESTS = {"SHA256": sha256, "SHA512": sha512}
MAX_MODULUS_BITS = 16384  # OPENSSL_RSA_MAX_MODULUS_BITS
SMALL_MODULUS_BITS = 3072  # OPENSSL_RSA_SMALL_MODULUS_BITS
MAX_PUBEXP_BITS = 64  # OPENSSL_RSA_MAX_PUBEXP_BITS
MIN_PADDING = 8  # RSA_padding_check_PKCS1_type_1: at least 8 bytes FF


def verified(certificate: bytes, digest: str, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is a valid RSA PKCS #1 v1.5 signature of ``data`` with the
    ``digest`` ("SHA256" or "SHA512") by the RSA key of ``certificate`` (DER, of
    ``der_certificate``'s subset). False: not decided here (ask ``cryptography``)."""
    try:
        key_algorithm, key = der_certificate.check(certificate)
        if key_algorithm != der_certificate.RSA_KEY:
            return False
        n, e = der_certificate.rsa_numbers(key)
    except der_certificate.Unread:
        return False
    bits = n.bit_length()
    if not (3 <= e < n and e & 1 and n & 1) or bits > MAX_MODULUS_BITS:
        return False
    if bits > SMALL_MODULUS_BITS and e.bit_length() > MAX_PUBEXP_BITS:
        return False
    size = (bits + 7) // 8
    info = DIGEST_INFO.get(digest)
    if info is None or len(signature) != size:
        return False
    s = int.from_bytes(signature, "big")
    t = info + _DIGESTS[digest](data).digest()
    padding = size - len(t) - 3
    if s >= n or padding < MIN_PADDING:
        return False
    encoded = b"\x00\x01" + b"\xff" * padding + b"\x00" + t
    return pow(s, e, n) == int.from_bytes(encoded, "big")

"""Pins (session 21) for ``scanner/parse/der_certificate.py``: an RSA key is two numbers.

RFC 8017 A.1.1: ``RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }``; DER
allows nothing after the exponent, nor after the key in its BIT STRING: a key with more is no
RSA key and the certificate is not read (the reader refuses what DER does not allow, as for
every defect of ``test_der_certificate.defects``).
"""

from __future__ import annotations

import pytest

from scanner.parse import der_certificate
from tests.scanner.parse.test_der_certificate import _parts, encode, made, tree


def _with_key(der: bytes, extra: bytes, after: bytes) -> bytes:
    cert, _, tbs = _parts(der)
    serial = next(i for i, (tag, _) in enumerate(tbs) if tag == 0x02)
    spki = tbs[serial + 5]
    assert spki[0] == 0x30 and isinstance(spki[1], list)
    tag, bits = spki[1][1]
    assert tag == 0x03 and isinstance(bits, bytes) and bits[0] == 0
    key = tree(bits[1:])
    assert isinstance(key[1], list) and [t for t, _ in key[1]] == [0x02, 0x02]
    inner = [*key[1], (0x02, extra)] if extra else key[1]
    spki[1][1] = (0x03, b"\x00" + encode((0x30, inner)) + after)
    return encode(cert)


def test_an_rsa_key_with_a_third_number_is_refused() -> None:
    der = made()[4]  # RSA, v3
    der_certificate.check(der)
    with pytest.raises(der_certificate.Unread):
        der_certificate.check(_with_key(der, b"\x01", b""))


def test_bytes_after_an_rsa_key_are_refused() -> None:
    """The BIT STRING holds the RSAPublicKey and nothing after it."""
    der = made()[4]
    assert _with_key(der, b"", b"") == der
    with pytest.raises(der_certificate.Unread):
        der_certificate.check(_with_key(der, b"", b"\x02\x01\x01"))

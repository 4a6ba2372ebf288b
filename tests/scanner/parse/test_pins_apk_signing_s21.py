"""Pins (session 21) for ``scanner/parse/apk_signing.py``: the refusals no test reached.

Each is a rule of AOSP's apksig (``ApkSigningBlockUtils``, ``V3SchemeVerifier``,
``SigningCertificateLineage``) or of the ZIP format (APPNOTE.TXT): what breaks it is no signer,
named, never a signer read from what was left.
"""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from scanner.parse import apk_signing as sig
from tests.apks import signed_test_apks
from tests.scanner.test_parse_pins import _cert

ECDSA_SHA256, VERITY_ECDSA_SHA256 = 0x0201, 0x0423


def _lp(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _node(
    cert: bytes, signed_alg: int, alg: int, signer: ec.EllipticCurvePrivateKey | None
) -> bytes:
    """One lineage node (SigningCertificateLineage.writeSignedData): signed data = certificate and
    the algorithm id its parent signed it with; then flags, this node's own algorithm id, and the
    parent's signature over the signed data (none for the first node)."""
    signed = _lp(cert) + struct.pack("<I", signed_alg)
    signature = signer.sign(signed, ec.ECDSA(hashes.SHA256())) if signer else b""
    return _lp(_lp(signed) + struct.pack("<II", 0, alg) + _lp(signature))


_Keys = tuple[ec.EllipticCurvePrivateKey, ec.EllipticCurvePrivateKey, bytes, bytes]


def _two_keys() -> _Keys:
    """An old and a new key with their certificates (ECDSA: each certificate is made once)."""
    old, new = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    return old, new, _cert(old), _cert(new)


def test_a_rotation_proved_with_the_algorithm_its_parent_names_is_read() -> None:
    """The shape the refusals below break: old key, then the new one signed by it (ECDSA)."""
    old, new, old_cert, new_cert = _two_keys()
    value = struct.pack("<I", 1) + _node(old_cert, ECDSA_SHA256, ECDSA_SHA256, None)
    value += _node(new_cert, ECDSA_SHA256, ECDSA_SHA256, old)
    assert sig.parse_lineage(value) == (old_cert, new_cert)


def test_a_lineage_of_another_version_is_refused() -> None:
    """apksig reads version 1 only (``CURRENT_VERSION``): a lineage of version 2 is unknown."""
    old, new, old_cert, new_cert = _two_keys()
    nodes = _node(old_cert, ECDSA_SHA256, ECDSA_SHA256, None)
    nodes += _node(new_cert, ECDSA_SHA256, ECDSA_SHA256, old)
    with pytest.raises(sig.SigningError, match="unknown version"):
        sig.parse_lineage(struct.pack("<I", 2) + nodes)


def test_a_node_whose_algorithm_id_does_not_chain_is_refused_even_when_signed() -> None:
    """readSigningCertificateLineage: the algorithm a node says it was signed with must be the
    one its parent node names ("Signing algorithm ID mismatch"). Here the signature is good
    ECDSA over SHA-256 (both ids are ECDSA with SHA-256), only the ids differ."""
    old, new, old_cert, new_cert = _two_keys()
    value = struct.pack("<I", 1) + _node(old_cert, ECDSA_SHA256, ECDSA_SHA256, None)
    value += _node(new_cert, VERITY_ECDSA_SHA256, ECDSA_SHA256, old)
    with pytest.raises(sig.SigningError, match="do not chain"):
        sig.parse_lineage(value)


def test_a_lineage_signed_with_an_unknown_algorithm_is_refused_by_name() -> None:
    old, new, old_cert, new_cert = _two_keys()
    value = struct.pack("<I", 1) + _node(old_cert, 0x0999, 0x0999, None)
    value += _node(new_cert, 0x0999, 0x0999, old)
    with pytest.raises(sig.SigningError, match="unknown algorithm 0x0999"):
        sig.parse_lineage(value)


def _v3_block(cert: bytes, *attributes: tuple[int, bytes]) -> bytes:
    """A v3 signing block with one signer (V3SchemeSigner): signed data = digests, certificates,
    min SDK, max SDK, attributes (each u32 id + value); the signer's own signature is not read."""
    attrs = b"".join(_lp(struct.pack("<I", a) + v) for a, v in attributes)
    signed = _lp(b"") + _lp(_lp(cert)) + struct.pack("<II", 28, 0x7FFFFFFF) + _lp(attrs)
    value = _lp(_lp(_lp(signed)))
    body = struct.pack("<QI", len(value) + 4, sig.V3) + value
    size = len(body) + sig.FOOTER_SIZE
    return struct.pack("<Q", size) + body + struct.pack("<Q", size) + sig.BLOCK_MAGIC


def test_the_lineage_is_found_among_other_signer_attributes() -> None:
    """A v3 signer's attributes are a sequence (apksig reads each by id and skips the unknown,
    e.g. the v3.1 rotation-min-SDK attribute 0x559f8b02): a lineage after another attribute is
    read, and an attribute that is no lineage is none."""
    old, new, old_cert, new_cert = _two_keys()
    lineage = struct.pack("<I", 1) + _node(old_cert, ECDSA_SHA256, ECDSA_SHA256, None)
    lineage += _node(new_cert, ECDSA_SHA256, ECDSA_SHA256, old)
    other = (0x559F8B02, struct.pack("<I", 33))
    (signer,) = sig.signers_from_block(_v3_block(new_cert, other, (sig.LINEAGE_ATTR, lineage)))
    assert (signer.scheme, signer.certificate, signer.lineage) == (
        "v3",
        new_cert,
        (old_cert, new_cert),
    )
    (alone,) = sig.signers_from_block(_v3_block(new_cert, other))
    assert (alone.certificate, alone.lineage) == (new_cert, ())


def test_an_end_record_that_claims_a_comment_is_refused() -> None:
    """The collector reads the last 22 bytes as the EOCD: if its comment length (u16 at +20) is
    not 0, the record is not at the very end and what was read is no end record."""
    tail = bytearray(signed_test_apks().v2[-sig.EOCD_SIZE :])
    assert sig.parse_eocd(bytes(tail)).cd_offset > 0
    tail[20:22] = struct.pack("<H", 5)
    with pytest.raises(sig.SigningError, match="claims a comment"):
        sig.parse_eocd(bytes(tail))


def _pairs_window(body: bytes) -> bytes:
    size = len(body) + sig.FOOTER_SIZE
    return struct.pack("<Q", size) + body + struct.pack("<Q", size) + sig.BLOCK_MAGIC


def test_a_pair_cut_inside_its_header_is_refused_and_a_pair_of_just_an_id_is_read() -> None:
    """A pair is u64 length + u32 id + value (ApkSigningBlockUtils.getApkSignatureSchemeBlock:
    fewer than 8 bytes left is "insufficient data", a length below 4 out of range): 12 bytes are
    the least a pair has (an empty value), fewer left after the last pair are a cut entry."""
    assert sig.block_pairs(_pairs_window(struct.pack("<QI", 4, 0x42726577))) == {0x42726577: b""}
    cut = struct.pack("<QI", 6, 0x42726577) + b"ab" + struct.pack("<Q", 4)[:5]
    with pytest.raises(sig.SigningError, match="entry is truncated"):
        sig.block_pairs(_pairs_window(cut))


def test_a_v1_entry_that_is_not_pkcs7_is_refused() -> None:
    """``META-INF/*.RSA`` holds a PKCS#7 SignedData (JAR signing): other bytes, or a SignedData
    without certificates, name no signer."""
    not_pkcs7 = b"this is no PKCS#7 SignedData"
    no_certs = (
        bytes.fromhex(  # ContentInfo(signedData, SignedData v1, no digests, data, no signers)
            "302306092a864886f70d010702a01630140201013100300b06092a864886f70d0107013100"
        )
    )
    for data in (not_pkcs7, no_certs):
        local = b"PK\x03\x04" + bytes(22) + struct.pack("<HH", 0, 0) + data
        entry = sig.ZipEntry(b"META-INF/CERT.RSA", 0, len(data), len(data), 0)
        with pytest.raises(sig.SigningError, match="v1 signature"):
            sig.v1_signer(entry, local)

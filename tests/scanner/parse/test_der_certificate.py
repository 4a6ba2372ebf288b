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


def _made(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    digest: hashes.HashAlgorithm,
    *,
    until: int = 2051,
    extensions: bool = True,
    serial: int = 0xF1,
    start: datetime.datetime = datetime.datetime(2020, 2, 29, 12, 0, 0, tzinfo=datetime.UTC),
) -> bytes:
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Müller & Söhne GmbH"),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, "pki@example.org"),
        x509.NameAttribute(NameOID.COMMON_NAME, "msgscan der test"),
    ])  # fmt: skip
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
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
    GeneralizedTime (2051), a v3 certificate without extensions, and one valid from 29 February
    2000 (UTCTime "00": 2000, a leap year) with the serial 0x80 (``00 80``: minimal)."""
    rng = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return (
        _made(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256()),
        _made(ec.generate_private_key(ec.SECP384R1()), hashes.SHA384(), until=2049),
        _made(ec.generate_private_key(ec.SECP521R1()), hashes.SHA512()),
        _made(rng, hashes.SHA384(), extensions=False),
        _made(rng, hashes.SHA512()),
        _made(rng, hashes.SHA256(), serial=0x80, start=datetime.datetime(2000, 2, 29)),
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
    assert 0.1 < taken / (taken + refused) < 0.4  # both sides of the property are exercised


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
    key = (
        ed25519.Ed25519PrivateKey.generate()
        if kind == "ed25519"
        else dsa.generate_private_key(2048)
    )
    der = _other_kind(key)
    with pytest.raises(der_certificate.Unread):
        der_certificate.check(der)
    assert apk_signing.certificate(der, key=True) == key.public_key()
    with pytest.raises(ValueError):
        apk_signing.certificate(der[:-1])
    for mutant in mutations(der, random.Random(kind)):
        agrees(mutant)


Node = tuple[int, "list[Node] | bytes"]


def tree(der: bytes) -> Node:
    """``der`` (one TLV) as ``(tag, children)`` for constructed values, ``(tag, contents)``."""
    [node] = _nodes(der)
    return node


def _nodes(data: bytes) -> list[Node]:
    out: list[Node] = []
    pos = 0
    while pos < len(data):
        tag, first = data[pos], data[pos + 1]
        n = first & 0x7F if first >= 0x80 else 0
        length = int.from_bytes(data[pos + 2 : pos + 2 + n], "big") if n else first
        body = data[pos + 2 + n : pos + 2 + n + length]
        out.append((tag, _nodes(body) if tag & 0x20 else body))
        pos += 2 + n + length
    return out


RAW = -1
"""The tag of a node whose bytes are written as they are (a hand-made TLV)."""


def encode(node: Node) -> bytes:
    tag, value = node
    if tag == RAW:
        assert isinstance(value, bytes)
        return value
    body = value if isinstance(value, bytes) else b"".join(encode(c) for c in value)
    n = len(body)
    length = (
        bytes([n])
        if n < 0x80
        else bytes([0x80 | ((n.bit_length() + 7) // 8)])
        + n.to_bytes((n.bit_length() + 7) // 8, "big")
    )
    return bytes([tag]) + length + body


def _parts(der: bytes) -> tuple[Node, list[Node], list[Node]]:
    cert = tree(der)
    assert isinstance(cert[1], list)
    tbs = cert[1][0][1]
    assert isinstance(tbs, list)
    return cert, cert[1], tbs


def _with_tbs(der: bytes, change: object) -> bytes:
    cert, parts, tbs = _parts(der)
    change(tbs)  # type: ignore[operator]
    return encode(cert)


def _extension(oid: bytes, critical: bytes | None = None) -> Node:
    items: list[Node] = [(0x06, oid)]
    if critical is not None:
        items.append((0x01, critical))
    return (0x30, [*items, (0x04, b"\x04\x00")])


def defects(der: bytes) -> dict[str, bytes]:
    """Certificates made from ``der`` with one DER or RFC 5280 defect each."""
    serial = next(i for i, (tag, _) in enumerate(_parts(der)[2]) if tag == 0x02)
    validity, extensions = serial + 3, serial + 6
    out = {
        "a third time in the validity": _with_tbs(
            der, lambda t: t[validity][1].append(t[validity][1][0])
        ),
        "an empty extension list": _with_tbs(
            der, lambda t: t.__setitem__(extensions, (0xA3, [(0x30, [])]))
        ),
        "a repeated extension": _with_tbs(
            der, lambda t: t[extensions][1][0][1].append(t[extensions][1][0][1][0])
        ),
        "critical FALSE written out": _with_tbs(
            der, lambda t: t[extensions][1][0][1].append(_extension(b"\x55\x1d\x0f", b"\x00"))
        ),
        "version 1 written out": _with_tbs(
            der, lambda t: t.__setitem__(0, (0xA0, b"\x02\x01\x00"))
        ),
        "a negative serial": _with_tbs(der, lambda t: t.__setitem__(serial, (0x02, b"\x80\x01"))),
        "a serial with a redundant zero": _with_tbs(
            der, lambda t: t.__setitem__(serial, (0x02, b"\x00\x01"))
        ),
        "an element after the extensions": _with_tbs(der, lambda t: t.append((0x05, b""))),
    }
    assert encode(tree(der)) == der  # the helpers re-encode the original exactly
    head = 4 if der[1] == 0x82 else 5
    out["an indefinite length"] = b"\x30\x80" + der[head:] + b"\x00\x00"

    def long_form(t: list[Node]) -> None:
        value = t[serial][1]
        assert isinstance(value, bytes)
        t[serial] = (RAW, b"\x02\x81" + bytes([len(value)]) + value)

    out["a long-form length under 128"] = _with_tbs(der, long_form)

    def indefinite_inside(t: list[Node]) -> None:  # 0x80 is no short-form length of 128
        value = (RAW, b"\x04\x80" + bytes(128))
        t[extensions] = (0xA3, [(0x30, [(0x30, [(0x06, b"\x55\x1d\x0e"), value])])])

    out["an indefinite length inside"] = _with_tbs(der, indefinite_inside)
    for where, oid in (("first", b"\x80\x55\x04\x03"), ("second", b"\x55\x80\x04\x03")):

        def subject(t: list[Node], oid: bytes = oid) -> None:  # CN with a padded arc
            t[serial + 4] = (0x30, [(0x31, [(0x30, [(0x06, oid), (0x0C, b"x")])])])

        out[f"a padded {where} arc of an object identifier"] = _with_tbs(der, subject)

    def cut_arc(t: list[Node]) -> None:  # the last arc unfinished: its last byte has bit 8
        t[serial + 4] = (0x30, [(0x31, [(0x30, [(0x06, b"\x55\x84\x80"), (0x0C, b"x")])])])

    out["an object identifier whose last arc is cut"] = _with_tbs(der, cut_arc)
    out["an empty issuer"] = _with_tbs(der, lambda t: t.__setitem__(serial + 2, (0x30, [])))

    def padded_length(t: list[Node]) -> None:  # the key (an RSA-1024 SPKI): 0x82 0x00 0x9f
        whole = encode(t[serial + 5])
        assert whole[:2] == b"\x30\x81", whole[:3].hex()
        t[serial + 5] = (RAW, b"\x30\x82\x00" + whole[2:])

    out["a long-form length with a leading zero"] = _with_tbs(der, padded_length)
    return out


X509_TAKES = {"an empty extension list", "a repeated extension", "an empty issuer"}
"""Defects x509's loader lets through (it reads extensions when asked for them; RFC 5280 wants
a non-empty issuer)."""


def test_the_reader_refuses_each_der_defect() -> None:
    """Defects a byte mutation seldom makes (they need lengths rewritten, or a byte that the
    random changes seldom hit: an object identifier's arc padded with 0x80): the reader refuses
    each one. x509 refuses them too (a negative serial with a warning), but for an empty or
    repeated extension list and an empty issuer, which ``apk_signing.certificate`` then hands to
    x509, as before."""
    der = made()[4]  # RSA, v3 with two extensions
    found = defects(der)
    assert len(found) == 16
    for what, bad in found.items():
        with pytest.raises(der_certificate.Unread):
            der_certificate.check(bad)
        assert (x509_reads(bad) is not None) == (what in X509_TAKES), what
    for what in X509_TAKES:
        assert isinstance(apk_signing.certificate(found[what]), x509.Certificate)

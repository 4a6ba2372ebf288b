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
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import NameOID

from checks.facts import FolderSummary, OpMode
from scanner.parse.apk_signing import (
    MAX_ITEMS,
    SigningError,
    ZipEntry,
    _Reader,
    _verify,
    parse_lineage,
    v1_signer,
)
from scanner.parse.appops import (
    appops_damage,
    parse_dumpsys_appops,
    parse_dumpsys_appops_uid_modes,
)
from scanner.parse.backup import parse_bmgr_not_activated
from scanner.parse.damage import Damage
from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.storage import parse_find_stat
from scanner.parse.text import decode, garbled_lines
from scanner.parse.users import scrub_pm_list_users

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
    return lambda k, d: k.sign(d, padding.PSS(padding.MGF1(digest()), salt), digest())  # type: ignore[call-arg, arg-type]


def _pkcs1(digest: type[hashes.HashAlgorithm]) -> _Sign:
    return lambda k, d: k.sign(d, padding.PKCS1v15(), digest())  # type: ignore[call-arg, arg-type]


def _ecdsa(digest: type[hashes.HashAlgorithm]) -> _Sign:
    return lambda k, d: k.sign(d, ec.ECDSA(digest()))  # type: ignore[call-arg, arg-type]


def _dsa(digest: type[hashes.HashAlgorithm]) -> _Sign:
    return lambda k, d: k.sign(d, digest())  # type: ignore[call-arg, arg-type]


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


def _prefixed(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _lineage(keys: list[ec.EllipticCurvePrivateKey]) -> tuple[bytes, list[bytes]]:
    """A v3 proof-of-rotation lineage (apksig SigningCertificateLineage, version 1): each node's
    signed data (its certificate and the algorithm of its own key) signed by the key before."""
    certs = [_cert(k) for k in keys]
    nodes = b""
    for i, cert in enumerate(certs):
        signed = _prefixed(cert) + struct.pack("<I", 0x0201)
        signature = keys[i - 1].sign(signed, ec.ECDSA(hashes.SHA256())) if i else b""
        nodes += _prefixed(_prefixed(signed) + struct.pack("<II", 0, 0x0201) + _prefixed(signature))
    return struct.pack("<I", 1) + nodes, certs


class TestLineageLength:
    """A lineage holds at most MAX_ITEMS (64) certificates: one more is refused before its
    signature is checked (a phone's APK is untrusted input)."""

    def test_sixty_four_rotations_are_read(self) -> None:
        keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(MAX_ITEMS)]
        value, certs = _lineage(keys)

        assert tuple(certs) == parse_lineage(value)

    def test_one_more_is_refused(self) -> None:
        keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(MAX_ITEMS + 1)]
        value, _ = _lineage(keys)

        with pytest.raises(SigningError, match=str(MAX_ITEMS)):
            parse_lineage(value)


class TestV1Entry:
    """A v1 (JAR) signature entry is read stored or deflated; any other ZIP method is refused,
    as the platform's JarFile cannot read it, even when its bytes happen to be a PKCS#7."""

    @pytest.fixture(scope="class")
    @classmethod
    def signed(cls) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert_der = _cert(key)
        der = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(b"Signature-Version: 1.0\r\n")
            .add_signer(x509.load_der_x509_certificate(cert_der), key, hashes.SHA256())
            .sign(Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])
        )
        return der, cert_der

    def _entry(self, der: bytes, method: int) -> tuple[ZipEntry, bytes]:
        local = b"PK\x03\x04" + bytes(22) + struct.pack("<HH", 0, 0) + der
        return ZipEntry(b"META-INF/CERT.EC", method, len(der), len(der), 0), local

    def test_stored(self, signed: tuple[bytes, bytes]) -> None:
        der, cert_der = signed
        assert cert_der == v1_signer(*self._entry(der, 0)).certificate

    def test_unknown_method(self, signed: tuple[bytes, bytes]) -> None:
        with pytest.raises(SigningError):
            v1_signer(*self._entry(signed[0], 12))  # 12: bzip2


def test_sequences_hold_at_most_max_items() -> None:
    """A length-prefixed sequence (signers, digests, attributes) of 64 entries is read; one
    more is refused (a bound against hostile APKs, not a limit any real APK nears)."""

    def sequence(n: int) -> _Reader:
        return _Reader(_prefixed(b"".join(_prefixed(b"x") for _ in range(n))), "signers")

    assert MAX_ITEMS == len(sequence(MAX_ITEMS).items())
    with pytest.raises(SigningError, match=str(MAX_ITEMS)):
        sequence(MAX_ITEMS + 1).items()


# dumpsys appops as Android 10+ prints it (AppOpsService.dumpStatesLocked): package ops as
# "OP (mode):", uid-level modes as "OP: mode=mode"; MODE_FOREGROUND prints "foreground".
APPOPS = """\
Current AppOps Service state:
  Uid u0a232:
    state=cch
      READ_EXTERNAL_STORAGE: mode={uid_mode}
    Package com.whatsapp:
      READ_CONTACTS ({mode}):
        Access: [fg-s] 2026-11-20 10:00:00.000 (-5d1h)
"""


class TestAppOps:
    def test_foreground_mode(self) -> None:
        """An op allowed only while the app is in the foreground is not "allow"."""
        text = APPOPS.format(uid_mode="foreground", mode="foreground")

        modes = parse_dumpsys_appops(text).modes[(0, "com.whatsapp")]

        assert {"READ_CONTACTS": OpMode.FOREGROUND, "READ_EXTERNAL_STORAGE": OpMode.FOREGROUND} == (
            modes
        )

    @pytest.mark.parametrize(
        ("uid_mode", "mode", "damaged"),
        [("allow", "allow", 0), ("allo", "allow", 1), ("allow", "allo", 1)],
    )
    def test_unreadable_modes_are_damage(self, uid_mode: str, mode: str, damaged: int) -> None:
        """A kept op whose mode is none of AppOpsManager's is counted, in either line form."""
        damage = appops_damage(APPOPS.format(uid_mode=uid_mode, mode=mode))

        assert damaged == damage.lines

    def test_uid_zero(self) -> None:
        """Uid 0 (root) is a uid like any other: its uid-level modes are kept."""
        text = "Current AppOps Service state:\n  Uid 0:\n    state=pers\n" + (
            "      READ_EXTERNAL_STORAGE: mode=ignore\n"
        )
        assert {0: {"READ_EXTERNAL_STORAGE": OpMode.IGNORE}} == parse_dumpsys_appops_uid_modes(text)


def test_backup_not_activated_after_another_line() -> None:
    """bmgr's "not activated" line is found wherever it stands in the output (a linker warning
    or another message may come first)."""
    text = "WARNING: linker: unused DT entry\nError: Backup Manager is not activated for user 10\n"
    assert parse_bmgr_not_activated(text)
    assert not parse_bmgr_not_activated("Backup Manager currently enabled\n")


def test_bad_package_header_is_damage_only_where_packages_count() -> None:
    """A ``Package [`` header whose name Android would not allow is damage under ``Packages:``
    (it may hide a messenger); under ``Hidden system packages:`` it hides nothing that counts."""
    text = (
        "Packages:\n  Package [x;reboot] (1):\n    userId=10001\n"
        "  Package [com.example.a] (2):\n    userId=10002\n"
        "Hidden system packages:\n  Package [a b;c] (3):\n    userId=1000\n"
    )
    listing = read_dumpsys_package(text)

    assert ["com.example.a"] == [p.name for p in listing.packages]
    assert 1 == listing.damage.lines
    [block] = listing.damage.blocks
    assert "x;reboot" in block  # the header under Packages:, not the hidden one


def test_unreadable_app_id_is_damage() -> None:
    """``userId=`` that is no number: the app id is unknown and the line is counted."""
    listing = read_dumpsys_package("Packages:\n  Package [com.example.a] (1):\n    userId=1x\n")

    assert [None] == [p.app_id for p in listing.packages]
    assert 1 == listing.damage.lines


def test_garbled_lines_are_those_with_u_fffd() -> None:
    assert 2 == garbled_lines("ok\n\ufffd bad\nok too\nbad \ufffd\n")


@pytest.mark.parametrize(("mtime", "files"), [(253402300799, 1), (253402300800, 0)])
def test_mtime_past_year_9999_is_no_file_time(mtime: int, files: int) -> None:
    """``find -printf '%T@ %s'`` of a file dated after 9999-12-31 23:59:59 (a forged or broken
    time stamp) is not a date: the line is not a file time (the scan says the list is not
    readable), never a crash."""
    summary = parse_find_stat(f"{mtime} 100\n", "/storage/emulated/0/WhatsApp", 0)

    assert files == (summary.files if isinstance(summary, FolderSummary) else 0)


def test_scrub_keeps_an_error_after_a_broken_entry() -> None:
    """``pm list users`` cut inside an entry and followed by an exception: once the entry has
    run longer than a name can, its lines are other lines again; the scrubbed recording keeps
    the exception (it says why the list is short) and never the fragment of the name."""
    text = "Users:\n\tUserInfo{0:Own\nx\ny\njava.lang.IllegalStateException: boom\n"
    scrubbed = scrub_pm_list_users(text)

    assert "IllegalStateException" in scrubbed
    assert "Own" not in scrubbed


def test_utf8_text_before_a_utf16_run_is_kept() -> None:
    """Output that switches encoding (a UTF-8 line, then UTF-16LE as Windows PowerShell writes
    it) is decoded piece by piece: nothing before the UTF-16 run is lost."""
    users = "UserInfo{0:Owner:c13} running\n" * 3
    assert "header line\n" + users == decode(b"header line\n" + users.encode("utf-16-le"))


def test_uid_header_that_is_no_uid_is_damage() -> None:
    """``  Uid u0a2x3:`` is no uid Android prints (UserHandle.formatUid): its ops would be lost
    with it, so the header is counted as damage."""
    assert 1 == appops_damage("Current AppOps Service state:\n  Uid u0a2x3:\n").lines
    assert 0 == appops_damage("Current AppOps Service state:\n  Uid u0a232:\n").lines


def test_damage_counts_each_kind() -> None:
    damage = Damage()
    damage.note("unreadable time", "com.example.a", 3)
    damage.note("unreadable time", "com.example.b", 7)

    assert ({"unreadable time": 2}, 2) == (damage.kinds, damage.lines)

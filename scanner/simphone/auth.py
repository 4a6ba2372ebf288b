"""ADB authentication, device side (adb.md §1.4): the policy, adb's key format, signature checks.

The host signs our 20-byte token with each of its keys. adbd checks each signature with every
key in ``adb_keys`` as RSA PKCS#1 v1.5 / SHA-1 with the token used directly as the digest
(``RSA_verify(NID_sha1, token, ...)``); in ``cryptography`` terms that is ``Prehashed(SHA1())``.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

ADB_KEY = struct.Struct("<II256s256sI")
"""adb's RSAPublicKey: modulus size in words, n0inv, modulus (LE), R^2 mod n (LE), exponent."""

KEY_WORDS = 64  # 2048-bit keys only, as adbd's parser requires


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """How the phone treats hosts: which keys it trusts and what its user does at the prompt."""

    required: bool = True
    """False: answer CNXN at once, like ``ro.adb.secure=0`` (emulators, eng builds)."""
    trusted_keys: tuple[bytes | str, ...] = ()
    """adb public keys: ``adbkey.pub`` contents ("<base64> user@host") or the raw 524 bytes."""
    accept_any_key: bool = False
    """Answer CNXN to any signature or public key (a test shortcut, not a real phone)."""
    prompt: Literal["never", "accept", "reject"] = "never"
    """The user's answer to "Allow USB debugging?" once a host sends an unknown public key.
    "never": nobody taps; "reject": the user declines. Both look the same on the wire: adbd
    stays silent. "accept": "Always allow" is ticked, the key is kept for later connections."""
    prompt_delay_s: float = 0.0
    """How long the user takes to answer."""

    def __post_init__(self) -> None:
        if self.prompt not in ("never", "accept", "reject"):
            raise ValueError(f"prompt must be 'never', 'accept' or 'reject', not {self.prompt!r}")
        for key in self.trusted_keys:
            parse_adb_public_key(key)  # fail here, at construction, not at the first connection


def parse_adb_public_key(key: bytes | str) -> rsa.RSAPublicKey:
    """An RSA key from adb's format; raises ``ValueError`` naming what is wrong."""
    if isinstance(key, bytes) and len(key) == ADB_KEY.size:
        blob = key
    else:
        text = key.decode("ascii", errors="replace") if isinstance(key, bytes) else key
        fields = text.strip("\0 \n").split()
        if not fields:
            raise ValueError("empty adb public key")
        try:
            blob = base64.b64decode(fields[0], validate=True)
        except binascii.Error as e:
            raise ValueError(f"adb public key is not base64: {e}") from None
    if len(blob) != ADB_KEY.size:
        raise ValueError(f"adb public key has {len(blob)} bytes, expected {ADB_KEY.size}")
    words, _n0inv, modulus, _rr, exponent = ADB_KEY.unpack(blob)
    if words != KEY_WORDS:
        raise ValueError(f"adb public key has {words} modulus words, expected {KEY_WORDS}")
    n = int.from_bytes(modulus, "little")
    return rsa.RSAPublicNumbers(exponent, n).public_key()


def encode_adb_public_key(key: rsa.RSAPublicKey, comment: str = "simphone@test") -> bytes:
    """The ``adbkey.pub`` line for ``key``: the inverse of ``parse_adb_public_key``."""
    numbers = key.public_numbers()
    n = numbers.n
    n0inv = (-pow(n, -1, 1 << 32)) % (1 << 32)
    rr = pow(2, 2 * 32 * KEY_WORDS, n)  # R = 2^2048, so R^2 = 2^4096 mod n
    blob = ADB_KEY.pack(
        KEY_WORDS, n0inv, n.to_bytes(256, "little"), rr.to_bytes(256, "little"), numbers.e
    )
    return base64.b64encode(blob) + b" " + comment.encode()


def verify(key: rsa.RSAPublicKey, token: bytes, signature: bytes) -> bool:
    try:
        key.verify(signature, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
    except (InvalidSignature, ValueError):
        return False
    return True


class KeyRing:
    """The phone's ``adb_keys``: keys from the policy plus those the user accepted at the prompt.

    Kept per ``PhoneServer``. Keys may be added from any thread (``PhoneServer.trust``) while
    the event-loop thread checks signatures, so checks iterate over a snapshot.
    """

    def __init__(self, keys: Iterable[bytes | str] = ()) -> None:
        self._keys: dict[int, rsa.RSAPublicKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: bytes | str) -> None:
        parsed = parse_adb_public_key(key)
        self._keys[parsed.public_numbers().n] = parsed

    def accepts(self, token: bytes, signature: bytes) -> bool:
        return any(verify(key, token, signature) for key in tuple(self._keys.values()))

    def __len__(self) -> int:
        return len(self._keys)

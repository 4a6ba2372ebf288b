"""The organisation's report-signing key: Ed25519 (``cryptography``), PEM files, fingerprints.

``msgscan keygen FILE`` writes the private key to FILE (PKCS#8 PEM, mode 0600, created with
``O_EXCL``: an existing file is never replaced) and the public key to ``FILE.pub``
(SubjectPublicKeyInfo PEM), which auditors get. A key is named by its fingerprint: ``sha256:``
and the hex SHA-256 of the public key's DER SubjectPublicKeyInfo, which standard tools compute
the same way::

    openssl pkey -pubin -in FILE.pub -outform DER | sha256sum

No key material is ever logged or put in an error message; errors name the file only.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from checks.errors import UsageError

ENV_KEY = "MSGSCAN_SIGNING_KEY"
"""The environment variable naming the signing key file when no option or setting does."""


def fingerprint(public: Ed25519PublicKey) -> str:
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256:" + hashlib.sha256(der).hexdigest()


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key ready to sign, with the fingerprint reports print."""

    private: Ed25519PrivateKey
    fingerprint: str

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def __repr__(self) -> str:  # never the key itself, in a log or a traceback
        return f"SigningKey({self.fingerprint})"


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def generate(path: Path) -> tuple[str, Path]:
    """Create a new key at ``path`` (0600) and its public half at ``path.pub``; refuse to
    overwrite either. Returns the fingerprint and the public key's path."""
    pub_path = path.with_name(path.name + ".pub")
    for p in (path, pub_path):
        if p.exists() or p.is_symlink():
            raise UsageError(f"{p}: already exists; msgscan never overwrites a key",
                             hint="choose another file name, or move the old key away first")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        raise UsageError(f"{path}: cannot create the key file ({e.strerror})",
                         hint="check that the folder exists and is writable") from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        fd = os.open(pub_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            os.write(fd, public_pem(key.public_key()))
        finally:
            os.close(fd)
    except OSError as e:
        raise UsageError(
            f"{pub_path}: cannot write the public key ({e.strerror})",
            hint=f"the private key is in {path}; msgscan keygen cannot redo it there",
        ) from None
    return fingerprint(key.public_key()), pub_path


def signing_key_from(data: bytes, name: str) -> SigningKey:
    """The Ed25519 private key in PEM ``data`` (the file ``name``). Reading the file, bounded and
    checked to be private, is the caller's (``scanner.app.keys``): reports do no file I/O."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UsageError(f"{name}: not an unencrypted Ed25519 private key in PEM",
                         hint="create one with `msgscan keygen FILE`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"{name}: the key is not Ed25519",
                         hint="create one with `msgscan keygen FILE`")
    return SigningKey(key, fingerprint(key.public_key()))


def public_key_from(data: bytes, name: str) -> Ed25519PublicKey:
    """The Ed25519 public key in PEM ``data`` (``FILE.pub`` from keygen, named ``name``)."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UsageError(f"{name}: not an Ed25519 public key in PEM",
                         hint="pass the .pub file `msgscan keygen` wrote beside the key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(
            f"{name}: the key is not Ed25519", hint="pass the .pub file of an msgscan key"
        )
    return key


__all__ = ["ENV_KEY", "SigningKey", "fingerprint", "generate", "public_key_from", "public_pem",
           "signing_key_from"]

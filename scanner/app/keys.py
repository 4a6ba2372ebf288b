"""The organisation's report-signing keys read from files: bounded regular files
(``scanner.files.read_regular``: a FIFO, a device node or a huge file is refused, exit 2), a
private key only when no one else can read it (as ssh refuses one); the PEM itself is
``reports.signing``'s."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from checks.errors import UsageError
from reports.signing import ENV_KEY, SigningKey, public_key_from, signing_key_from
from scanner.files import LIMIT_KEY, read_regular

_HINT = "check the path; `msgscan keygen FILE` creates a key pair"


def load_signing_key(path: Path) -> SigningKey:
    """The private key in ``path``; refuses one that others can read (like ssh does)."""
    data = read_regular(path, what="the signing key", limit=LIMIT_KEY, hint=_HINT)
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsageError(
            f"{path}: the signing key can be read by other users (mode {mode & 0o777:o})",
            hint=f"chmod 600 {path}",
        )
    return signing_key_from(data, str(path))


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The public key in ``path`` (``FILE.pub`` from keygen)."""
    data = read_regular(path, what="the public key", limit=LIMIT_KEY, hint=_HINT)
    return public_key_from(data, str(path))


def chosen_key(path: Path | None, environ: Mapping[str, str] = os.environ) -> SigningKey | None:
    """The key from an option or setting, else from ``MSGSCAN_SIGNING_KEY``, else None."""
    if path is None and environ.get(ENV_KEY):
        path = Path(environ[ENV_KEY])
    return None if path is None else load_signing_key(path)


__all__ = ["chosen_key", "load_public_key", "load_signing_key"]

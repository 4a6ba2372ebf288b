"""SHA-256 and SHA-512 without ``hashlib`` (start-up), the same digests.

``import hashlib`` loads ``_hashlib``, OpenSSL's libcrypto, at every start of msgscan (~3 ms,
bench/RESULTS.md "Start-up"), though the digests a scan takes (the default policy's, the
certificates') are CPython's own built-in ones too: ``_sha256`` and ``_sha512`` (Python 3.11;
``_sha2`` from 3.12). Where the interpreter was built without them, ``hashlib``'s are used.
tests/checks/test_digests.py checks both against ``hashlib`` on the same inputs.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Protocol


class Hash(Protocol):
    def hexdigest(self) -> str: ...

    def digest(self) -> bytes: ...


def _builtin() -> tuple[Callable[[bytes], Hash], Callable[[bytes], Hash]]:
    names = ("_sha2", "_sha2") if sys.version_info >= (3, 12) else ("_sha256", "_sha512")
    try:
        sha256_ = importlib.import_module(names[0]).sha256
        sha512_ = importlib.import_module(names[1]).sha512
    except (ImportError, AttributeError):  # a Python built without its own digests: OpenSSL's
        import hashlib

        return hashlib.sha256, hashlib.sha512
    return sha256_, sha512_


sha256, sha512 = _builtin()
"""``sha256(data)``, ``sha512(data)``: objects with ``hexdigest()`` and ``digest()``."""


def sha256_hex(data: bytes) -> str:
    """``hashlib.sha256(data).hexdigest()``: 64 lower-case hex digits."""
    return sha256(data).hexdigest()

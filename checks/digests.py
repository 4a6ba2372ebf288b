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


def _builtin(name: str) -> Callable[[bytes], Hash]:
    """CPython's own ``name`` ("sha256", "sha512"), else ``hashlib``'s."""
    module = "_sha2" if sys.version_info >= (3, 12) else f"_{name}"
    try:
        made: Callable[[bytes], Hash] = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):  # a Python built without its own digests: OpenSSL's
        import hashlib

        made = getattr(hashlib, name)
    return made


sha256 = _builtin("sha256")
"""``sha256(data)``: an object with ``hexdigest()`` and ``digest()``, as ``hashlib``'s."""


def sha512(data: bytes) -> Hash:
    """``hashlib.sha512(data)``'s like; its module loads at the first use (a SHA-512 signature
    is rare: start-up)."""
    return _builtin("sha512")(data)


def sha256_hex(data: bytes) -> str:
    """``hashlib.sha256(data).hexdigest()``: 64 lower-case hex digits."""
    return sha256(data).hexdigest()

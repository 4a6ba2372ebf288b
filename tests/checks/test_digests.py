"""``checks.digests``: CPython's own SHA-256 and SHA-512 give ``hashlib``'s digests."""

from __future__ import annotations

import hashlib
import random
import sys

from checks import digests
from checks.policy import DEFAULT_DIGEST


def test_the_digests_are_hashlib_s_on_every_length() -> None:
    """Lengths around the block sizes (64 and 128 bytes) and beyond, seeded random bytes."""
    rng = random.Random(18)
    for size in [*range(0, 300), 1000, 4096, 65537]:
        data = rng.randbytes(size)
        assert digests.sha256(data).digest() == hashlib.sha256(data).digest()
        assert digests.sha256_hex(data) == hashlib.sha256(data).hexdigest()
        assert digests.sha512(data).hexdigest() == hashlib.sha512(data).hexdigest()


def test_the_built_in_digests_are_used_not_openssl_s() -> None:
    """On CPython with its own digests (3.11: ``_sha256``, ``_sha512``), those are the ones
    taken: ``hashlib``'s come from OpenSSL (``_hashlib``), whose load the module avoids."""
    module = "_sha2" if sys.version_info >= (3, 12) else "_sha256"
    assert type(digests.sha256(b"")).__module__ == module
    assert type(digests.sha512(b"")).__module__ == module.replace("256", "512")
    assert type(hashlib.sha256(b"")).__module__ == "_hashlib"  # what it would be otherwise


def test_the_default_policy_digest_is_the_sha_256_of_its_name() -> None:
    assert DEFAULT_DIGEST == "sha256:" + hashlib.sha256(b"msgscan default policy 1").hexdigest()

"""APKs really signed by apksigner for the signing tests (made once per test session).

Random keys each session: ``official`` plays a vendor's key (its digest reaches the rules only
through a policy pin, as the real vendor keys are not available), ``other`` a repackager's.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scanner.recordings.signed_apks import Key, make_key, sign, unsigned_apk


@dataclass(frozen=True, slots=True)
class TestApks:
    official: Key
    rotated: Key
    other: Key
    v1: bytes
    v2: bytes
    v3_rotated: bytes
    resigned: bytes
    """The same unsigned app as ``v2``, re-signed with ``other``: a repackaged "official" app."""
    large: Key
    large_block: bytes
    """v2 + v3 with a 12 KiB certificate: a signing block larger than the first read."""


@functools.lru_cache(maxsize=1)
def signed_test_apks() -> TestApks:
    folder = Path(tempfile.mkdtemp(prefix="msgscan-test-apks-"))
    official, rotated, other = (make_key(folder, n) for n in ("official", "rotated", "other"))
    large = make_key(folder, "large", padding=12 << 10)
    plain = unsigned_apk(folder / "app.apk", "com.whatsapp", payload=64 << 10)
    return TestApks(
        official,
        rotated,
        other,
        sign(plain, folder / "v1.apk", official, v2=False, v3=False, min_sdk=18),
        sign(plain, folder / "v2.apk", official, v3=False),
        sign(plain, folder / "v3.apk", official, rotate_to=rotated),
        sign(plain, folder / "resigned.apk", other, v3=False),
        large,
        sign(plain, folder / "large.apk", large, v1=False),
    )

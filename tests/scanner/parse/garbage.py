"""Inputs that no parser may choke on: binary, truncated and hostile text.

A seeded generator stands in for hypothesis (not a test dependency of msgscan yet), so the
cases are the same on every run.
"""

from __future__ import annotations

import random

from scanner.parse.text import decode


def garbage() -> list[str]:
    """Fixed tricky strings plus seeded random byte strings, decoded like device output."""
    fixed = [
        "",
        "\n\n\n",
        "\x00\x01\x02\xff",
        "[",
        "[a]: [",
        "]: [",
        "UserInfo{",
        "UserInfo{0:",
        "UserInfo{x:y:z}",
        "  Uid u0a:",
        "  Uid ua1:\n    Package :\n      READ_CONTACTS (:",
        "Device Owner:\n  admin=ComponentInfo{",
        "Enabled Device Admins (User 99999999999999999999):\n  a/b:",
        "=\n==\n=a\n a=b\n",
        "  * \n    \n",
        "Backup Manager currently ",
        "\ufffd" * 100,
    ]
    rng = random.Random(20260705)
    alphabet = b"[]{}():=;/*_ \t\r\nUuAaPk0123456789READ_CONTACTSmode=allow\xff\x00"
    generated = [
        decode(bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 400)))) for _ in range(50)
    ]
    return fixed + generated

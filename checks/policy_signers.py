"""The policy's ``[signers]`` table (MSG-08): pinned signing-certificate digests per package.

Read by ``checks.policy_file``; kept apart so that file's other tables and this one change apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from checks.toml_reader import TomlReader, describe

_DIGEST = re.compile(r"[0-9a-f]{64}")
_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+")


def _flat(node: Mapping[str, object], prefix: str, out: dict[str, object]) -> dict[str, object]:
    """An unquoted dotted key (which TOML reads as nested tables) becomes the name it spells."""
    for k, v in node.items():
        name = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            _flat(v, name, out)
        else:
            out[name] = v
    return out


def signer_pins(reader: TomlReader, value: object) -> dict[str, frozenset[str]]:
    """``"com.whatsapp.w4b" = ["AB:CD:…", …]`` -> package -> lower-case hex digests."""
    pins: dict[str, frozenset[str]] = {}
    for package, digests in _flat(reader.table(value, "signers", None), "", {}).items():
        key = f'signers."{package}"'
        if not _PACKAGE.fullmatch(package):
            reader.fail(key, f"{describe(package)} is not a package name",
                        "give a package name like com.whatsapp (letters, digits, _ and dots)")
        if not isinstance(digests, list) or not digests:
            reader.fail(key, f"got {describe(digests)}, expected a list of SHA-256 digests",
                        f'write "{package}" = ["AB:CD:…"] (apksigner verify --print-certs)')
        found = set()
        for i, d in enumerate(digests):
            hexed = d.replace(":", "").lower() if isinstance(d, str) else ""
            if not _DIGEST.fullmatch(hexed):
                reader.fail(f"{key}[{i}]", f"got {describe(d)}, expected a SHA-256 digest "
                            "(64 hex digits, colons allowed)",
                            "copy the certificate SHA-256 digest apksigner prints")
            found.add(hexed)
        pins[package] = frozenset(found)
    return pins

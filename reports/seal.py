"""Sealing a report: its SHA-256 digest and Ed25519 signature, the JSON report's ``integrity``
member and the HTML page's last line (the format: ``reports.integrity``, docs/integrity.md).

A report being written needs this module only; ``reports.integrity`` checks a seal (``verify``)
and re-exports these names (start-up, issue 18 item 1: an English JSON replay does not load the
checking side; bench/RESULTS.md, "Start-up", session 27).
"""

from __future__ import annotations

import base64
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from checks.digests import sha256_hex

if TYPE_CHECKING:
    from reports.signing import SigningKey

MEMBER = "integrity"
CANONICAL = "jq -cSj 'del(.integrity)'"
"""The name of the canonical form in the report: the command that prints it."""
HTML_MARK = b"<!-- msgscan-integrity "


def normalized(value: Any) -> Any:
    """``value`` with integral floats as ints (100.0 -> 100), as jq prints them."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes the digest and signature of a JSON document cover."""
    return _canonical(normalized({k: v for k, v in document.items() if k != MEMBER}))


def _canonical(body: dict[str, Any]) -> bytes:
    """``canonical`` of a body already normalized (``seal_json`` normalizes once)."""
    return canonical_text(body).replace("\x7f", "\\u007f").encode("utf-8")


def canonical_text(body: dict[str, Any]) -> str:
    """``body`` as json writes it sorted and without whitespace: the canonical form before
    U+007F is escaped and the text encoded."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def digest(data: bytes) -> str:
    """SHA-256 of ``data`` in hex: OpenSSL's (``hashlib``) once something loaded it (the agent's
    workers have: ``multiprocessing``), 5x faster on a report than CPython's own, which a
    command that has not loaded it uses (start-up, ``checks.digests``): the same digest."""
    hashlib = sys.modules.get("hashlib")
    if hashlib is not None:
        hexed: str = hashlib.sha256(data).hexdigest()
        return hexed
    return sha256_hex(data)


def seal_json(
    document: dict[str, Any], key: SigningKey | None, *, normal: bool = False
) -> dict[str, Any]:
    """``document`` (numbers normalized) with its ``integrity`` member last. ``normal``: the
    caller made it with ``normalized``'s numbers already (``reports.render.json``'s walk)."""
    body: dict[str, Any] = {k: v for k, v in document.items() if k != MEMBER}
    if not normal:
        body = normalized(body)
    return seal_covered(body, _canonical(body), key)


def seal_covered(body: dict[str, Any], covered: bytes, key: SigningKey | None) -> dict[str, Any]:
    """``body`` (without ``integrity``) with its seal over ``covered``, which must be
    ``canonical(body)`` (``reports.render.json`` makes it once and checks it)."""
    signature = None
    if key is not None:
        signature = {"algorithm": "ed25519", "key": key.fingerprint,
                     "value": base64.b64encode(key.sign(covered)).decode("ascii")}
    return body | {
        MEMBER: {"canonical": CANONICAL, "sha256": digest(covered), "signature": signature}
    }


def seal_html(page: bytes, key: SigningKey | None) -> bytes:
    """``page`` with the integrity line appended (the page must end in a newline)."""
    if not page.endswith(b"\n"):
        page += b"\n"
    line = HTML_MARK + b"sha256=" + digest(page).encode()
    if key is not None:
        line += (
            b" key=" + key.fingerprint.encode() + b" ed25519=" + base64.b64encode(key.sign(page))
        )
    return page + line + b" -->\n"

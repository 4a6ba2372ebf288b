"""The SHA-256 digest and Ed25519 signature every report carries (docs/integrity.md).

**JSON** (a scan report, the fleet summary): the last top-level member ``integrity`` holds the
digest and signature of the report's *canonical form*: the document without ``integrity``,
keys sorted, no whitespace, UTF-8, strings escaped as JSON requires plus U+007F as ``\\u007f``,
numbers as written (msgscan writes an integral number without a fraction). This is exactly what
``jq -cSj 'del(.integrity)' report.json`` prints (jq 1.6 and 1.7), so an auditor checks a report
with standard tools. Whitespace between tokens is not covered: re-indenting a report keeps it
valid, any change to a key or value does not. A document with a duplicate key is refused.

**HTML** (a report page, the fleet page): the last line of the file is a comment
``<!-- msgscan-integrity sha256=HEX [key=sha256:HEX ed25519=BASE64] -->``; digest and signature
cover every byte before that line (``head -n -1 page.html | sha256sum``).

The signature is Ed25519 over the covered bytes themselves (PureEdDSA, RFC 8032), which
``openssl pkeyutl -verify -pubin -inkey key.pub -rawin -in covered -sigfile sig`` checks.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from checks.enums import FastIntEnum
from reports.seal import (
    CANONICAL,
    HTML_MARK,
    MEMBER,
    canonical,
    canonical_text,
    digest,
    normalized,
    seal_covered,
    seal_html,
    seal_json,
)

if TYPE_CHECKING:  # cryptography loads where a signature is checked (signing: reports.signing)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


_HTML_LINE = re.compile(
    rb"<!-- msgscan-integrity sha256=(?P<sha>[0-9a-f]{64})"
    rb"(?: key=(?P<key>sha256:[0-9a-f]{64}) ed25519=(?P<sig>[A-Za-z0-9+/=]+))? -->\n?"
)

_JSON_SEAL = re.compile(rb'"integrity"\s*:\s*\{\s*"canonical"')


class Outcome(FastIntEnum):
    """``msgscan verify``'s exit codes."""

    VALID = 0
    TAMPERED = 1
    CANNOT_TELL = 2


class Verification(Struct, frozen=True):
    outcome: Outcome
    message: str
    digest: str | None = None
    key: str | None = None


class _Sealed(Struct, frozen=True):
    covered: bytes
    claimed_digest: str
    key: str | None
    signature: bytes | None


class _Unreadable(ValueError):
    pass


class _Damaged(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise _Damaged(f"the key {dup!r} occurs twice in one object: readers disagree on its value")
    return dict(pairs)


def _sealed_version(doc: dict[str, Any]) -> bool:
    """True for a document of a version that always carries ``integrity`` (report schema 1.2,
    fleet summary 2, and later)."""
    version = doc.get("schema_version")
    if isinstance(version, str) and re.fullmatch(r"1\.\d+", version):
        return int(version.split(".")[1]) >= 2
    fleet = doc.get("fleet_summary_version")
    return isinstance(fleet, int) and fleet >= 2


def _not_json_number(word: str) -> Any:
    raise _Damaged(f"{word} is no JSON number (msgscan never writes one)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        _not_json_number(text)
    return value


def _sealed_json(data: bytes) -> _Sealed:
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=_refuse_duplicates,
                         parse_constant=_not_json_number, parse_float=_finite)
    except UnicodeDecodeError as e:
        raise _Damaged(f"not UTF-8 at byte {e.start}") from None
    except json.JSONDecodeError as e:
        raise _Damaged(f"not valid JSON any more ({e.msg}, line {e.lineno})") from None
    except RecursionError:
        raise _Damaged("nested deeper than any report msgscan writes") from None
    except _Damaged:
        raise
    except ValueError as e:  # an integer of more than 4300 digits
        raise _Damaged(f"a value msgscan never writes ({e})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get(MEMBER), dict):
        if isinstance(doc, dict) and _sealed_version(doc):
            raise _Damaged("the integrity member was removed or renamed")
        raise _Unreadable("the report carries no integrity member (written by an older msgscan?)")
    seal = doc[MEMBER]
    sha = seal.get("sha256")
    if not isinstance(sha, str):
        raise _Damaged("the integrity member has no sha256")
    if seal.get("canonical") != CANONICAL:
        raise _Unreadable(f"unknown canonical form {seal.get('canonical')!r}")
    sig = seal.get("signature")
    if sig is None:
        return _Sealed(canonical(doc), sha, None, None)
    if not isinstance(sig, dict) or sig.get("algorithm") != "ed25519":
        raise _Damaged("the signature is not an Ed25519 signature msgscan wrote")
    try:
        value = base64.b64decode(str(sig.get("value")), validate=True)
    except binascii.Error:
        raise _Damaged("the signature is not base64") from None
    return _Sealed(canonical(doc), sha, str(sig.get("key")), value)


def _sealed_html(data: bytes) -> _Sealed:
    at = data.rfind(b"\n" + HTML_MARK)
    if at < 0:
        if data.startswith(HTML_MARK):
            raise _Damaged("the page before the integrity line is missing")
        raise _Unreadable("the page carries no integrity line (written by an older msgscan?)")
    covered, line = data[: at + 1], data[at + 1:]
    m = _HTML_LINE.fullmatch(line)
    if m is None:
        raise _Damaged("the integrity line is damaged, or something follows it")
    sig = m.group("sig")
    try:
        signature = base64.b64decode(sig, validate=True) if sig else None
    except binascii.Error:
        raise _Damaged("the signature is not base64") from None
    key = m.group("key").decode() if m.group("key") else None
    return _Sealed(covered, m.group("sha").decode(), key, signature)


def verify(data: bytes, trusted: Sequence[Ed25519PublicKey] = ()) -> Verification:
    """Check a report's digest and, against the ``trusted`` keys, its signature."""
    # By the seal a file carries, so that damage anywhere (even to its first byte) is tampering.
    looks_html = HTML_MARK in data[-1024:]
    looks_json = _JSON_SEAL.search(data[-2048:]) is not None
    if not (looks_html or looks_json):
        looks_json = data.lstrip(b" \t\r\n")[:1] in (b"{", b"[")
    try:
        sealed = _sealed_html(data) if looks_html and not looks_json else _sealed_json(data)
    except _Unreadable as e:
        return Verification(Outcome.CANNOT_TELL, str(e))
    except _Damaged as e:
        return Verification(Outcome.TAMPERED, f"changed since it was written: {e}")
    actual = digest(sealed.covered)
    if actual != sealed.claimed_digest:
        return Verification(Outcome.TAMPERED, "changed since it was written: the content no longer "
                            f"matches its SHA-256 (recorded {sealed.claimed_digest}, now {actual})",
                            actual)
    if sealed.signature is None:
        return Verification(Outcome.CANNOT_TELL, "the content matches its SHA-256, but the report "
                            "is not signed: anyone could have written it", actual)
    from reports.signing import fingerprint  # cryptography: only a signed report needs it

    by_print = {fingerprint(k): k for k in trusted}
    key = by_print.get(sealed.key or "")
    if key is None:
        known = ", ".join(by_print) or "none given (--key PUB)"
        return Verification(Outcome.CANNOT_TELL, f"signed by key {sealed.key}, which is not a key "
                            f"you trust (trusted: {known})", actual, sealed.key)
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(sealed.signature, sealed.covered)
    except InvalidSignature:
        return Verification(Outcome.TAMPERED, f"the signature by key {sealed.key} does not match "
                            "the content: changed since it was signed", actual, sealed.key)
    return Verification(Outcome.VALID, f"valid: SHA-256 {actual}, signed by key {sealed.key}",
                        actual, sealed.key)


__all__ = ["CANONICAL", "HTML_MARK", "MEMBER", "Outcome", "Verification", "canonical",
           "canonical_text", "digest",
           "normalized", "seal_covered", "seal_html", "seal_json", "verify"]

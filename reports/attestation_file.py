"""The signed attestation file ``msgscan attest`` writes and ``msgscan scan --attestations`` reads.

JSON, sealed like a report (``reports.integrity``: SHA-256 of the canonical form and an Ed25519
signature by the organisation's key, ``reports.signing``), so ``msgscan verify FILE --key PUB``
checks it too (docs/attestations.md)::

    {"attestations_version": 1,
     "attestations": [{"check_id": "MSG-07", "device": "R5CT1234ABC", "package": null,
                       "by": "Team lead", "on": "2026-11-01", "until": "2027-01-31",
                       "note": "secret chats only"}],
     "integrity": {"canonical": "...", "sha256": "...", "signature": {...}}}

Reading gives ``checks.attested.Claim``s: every entry, each marked with whether the file's
signature verified against the keys the scan trusts. A file that is not such a document at all
is a ``UsageError`` (exit 2), naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from checks.attested import TAMPERED, UNSIGNED, Claim, untrusted
from checks.errors import UsageError
from checks.findings import Attestation
from checks.policy import ATTESTABLE, DEVICE_ATTESTABLE
from reports.integrity import Outcome, seal_json, verify
from reports.signing import SigningKey

VERSION = 1
FIELDS = ("check_id", "device", "package", "by", "on", "until", "note")


def entry(check_id: str, a: Attestation) -> dict[str, Any]:
    """One attestation as the file holds it."""
    return {
        "check_id": check_id,
        "device": a.device,
        "package": a.package,
        "by": a.by,
        "on": a.on.isoformat(),
        "until": a.until.isoformat() if a.until else None,
        "note": a.note,
    }


def document(entries: Sequence[dict[str, Any]], key: SigningKey) -> bytes:
    """The sealed file: ``entries`` signed by ``key`` (never unsigned: a scan would refuse it)."""
    doc = {"attestations_version": VERSION, "attestations": list(entries)}
    return (json.dumps(seal_json(doc, key), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _date(value: object, where: str, name: str) -> date:
    if not isinstance(value, str):
        raise UsageError(
            f"{name}: {where}: not a date (YYYY-MM-DD)", hint="write the file with `msgscan attest`"
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{name}: {where}: {value!r} is not a date (YYYY-MM-DD)",
            hint="write the file with `msgscan attest`",
        ) from None


def _text(item: dict[str, Any], key: str, where: str, name: str, *, optional: bool) -> str | None:
    value = item.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not value and not optional):
        raise UsageError(
            f"{name}: {where}.{key}: missing or not text",
            hint="write the file with `msgscan attest`",
        )
    return value


def parse(data: bytes, name: str) -> list[tuple[str, Attestation]]:
    """The entries of an attestation file (not yet checked for their signature)."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise UsageError(
            f"{name}: not an attestation file (not JSON)",
            hint="pass a file written by `msgscan attest`",
        ) from None
    if (
        not isinstance(doc, dict)
        or doc.get("attestations_version") != VERSION
        or not isinstance(doc.get("attestations"), list)
    ):
        raise UsageError(
            f"{name}: not an attestation file of version {VERSION}",
            hint="pass a file written by `msgscan attest`",
        )
    out = []
    for i, item in enumerate(doc["attestations"]):
        where = f"attestations[{i}]"
        if not isinstance(item, dict):
            raise UsageError(
                f"{name}: {where}: not an object", hint="write it with `msgscan attest`"
            )
        check_id = _text(item, "check_id", where, name, optional=False) or ""
        if check_id not in ATTESTABLE:
            raise UsageError(
                f"{name}: {where}.check_id: {check_id} cannot be attested",
                hint=f"attestable: {', '.join(ATTESTABLE)}",
            )
        device = _text(item, "device", where, name, optional=True)
        if check_id in DEVICE_ATTESTABLE and device is None:
            raise UsageError(
                f"{name}: {where}.device: {check_id} is attested per phone",
                hint="name the phone's serial or pseudonym",
            )
        until = item.get("until")
        if check_id in DEVICE_ATTESTABLE and until is None:
            raise UsageError(
                f"{name}: {where}.until: {check_id} is attested per phone until a day",
                hint="write the file with `msgscan attest --until YYYY-MM-DD`",
            )
        a = Attestation(
            by=_text(item, "by", where, name, optional=False) or "",
            on=_date(item.get("on"), f"{where}.on", name),
            note=_text(item, "note", where, name, optional=True) or "",
            until=None if until is None else _date(until, f"{where}.until", name),
            device=device,
            package=_text(item, "package", where, name, optional=True),
        )
        out.append((check_id, a))
    return out


def read(data: bytes, name: str, trusted: Sequence[Ed25519PublicKey]) -> list[Claim]:
    """Every entry of the file as a claim; ``problem`` set on all of them unless the file's
    signature verifies against one of the ``trusted`` keys."""
    entries = parse(data, name)
    result = verify(data, trusted)
    if result.outcome is Outcome.VALID:
        return [Claim(c, a, name, result.key, None) for c, a in entries]
    if result.outcome is Outcome.TAMPERED:
        problem = TAMPERED
    elif result.key is None:
        problem = UNSIGNED
    else:
        problem = untrusted(result.key)
    return [Claim(c, a, name, None, problem) for c, a in entries]


__all__ = ["FIELDS", "VERSION", "document", "entry", "parse", "read"]

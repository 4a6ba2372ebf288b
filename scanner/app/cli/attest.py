"""``msgscan attest``: record who attested which item for which phone, when and until when.

It writes a signed attestation file (``-o FILE``, JSON, mode 0600, signed with the organisation's
key: ``reports.attestation_file``) and/or records it in the agent's state (``--config``), where
every round applies it. ``msgscan scan --attestations FILE`` applies a file to one scan; the
signatures are checked against ``--attestation-key PUB`` and the public half of ``--sign-key``.
An attestation for another phone, with a bad signature or expired, is not applied: the item stays
``manual`` and the report says why (``checks.attested``). docs/attestations.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from checks.attested import Claim, with_claims
from checks.errors import UsageError
from checks.findings import Attestation
from checks.policy import DEVICE_ATTESTABLE, Policy
from reports.attestation_file import document, entry, read
from reports.signing import ENV_KEY, SigningKey
from scanner.app.keys import chosen_key, load_public_key
from scanner.files import LIMIT_SETTINGS, read_regular, write_atomic


def _attestations(args: argparse.Namespace, today: date) -> list[tuple[str, Attestation]]:
    on = args.on or today
    if on > today:
        raise UsageError(
            f"--on {on.isoformat()}: an attestation cannot be dated in the future",
            hint="give the day the item was checked",
        )
    if args.until is not None and args.until < max(on, today):
        raise UsageError(
            f"--until {args.until.isoformat()}: already over",
            hint="give the last day the attestation is to hold, today or later",
        )
    out = []
    for item in dict.fromkeys(args.items):
        per_phone = item in DEVICE_ATTESTABLE
        if per_phone and not args.device:
            raise UsageError(
                f"{item} is attested per phone: --device is missing",
                hint="give the serial (or pseudonym) the phone's report shows",
            )
        if per_phone and args.until is None:
            raise UsageError(
                f"{item} is attested per phone: --until is missing",
                hint="give the last day the attestation holds, e.g. in 3 months",
            )
        out.append(
            (
                item,
                Attestation(
                    by=args.by,
                    on=on,
                    note=args.note,
                    until=args.until,
                    device=args.device if per_phone else None,
                    package=args.package if per_phone else None,
                ),
            )
        )
    return out


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` atomically with mode 0600 (a new file is created 0600 first)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as e:
        raise UsageError(
            f"{path}: cannot create the attestation file ({e.strerror})",
            hint="check that the folder exists and is writable",
        ) from None
    if path.is_file() and not path.is_symlink():
        os.chmod(path, 0o600)
    write_atomic(path, data)


def cmd_attest(args: argparse.Namespace) -> int:
    if args.output is None and args.config is None:
        raise UsageError(
            "nothing to record to: give -o FILE, --config FILE or both",
            hint="-o writes the signed file; --config records it in the agent's state",
        )
    entries = _attestations(args, date.today())
    config: Any = None
    if args.config is not None:
        from scanner.app.agent.startup import load_config

        config = load_config(args.config)
    path = args.sign_key or (config.agent.signing_key if config is not None else None)
    key = chosen_key(path, os.environ)
    if key is None:
        raise UsageError(
            "no signing key: an attestation is always signed",
            hint=f"pass --sign-key FILE or set {ENV_KEY}; `msgscan keygen FILE` makes one",
        )
    data = document([entry(c, a) for c, a in entries], key)
    if args.output is not None:
        _write_private(args.output, data)
    if config is not None:
        from scanner.app.agent import attestations
        from scanner.app.agent.state import State

        with State.open(config.agent.database) as state:
            attestations.record(state, data, entries, datetime.now(UTC))
    where = " and ".join(str(p) for p in (args.output, config and config.agent.database) if p)
    for item, a in entries:
        sys.stdout.write(
            f"attested {item} for {a.device or 'every phone'} by {a.by} on "
            f"{a.on.isoformat()}{' until ' + a.until.isoformat() if a.until else ''}\n"
        )
    sys.stdout.write(f"signed with key {key.fingerprint}; recorded in {where}\n")
    return 0


def _trusted(args: argparse.Namespace, key: SigningKey | None) -> list[Any]:
    keys = [load_public_key(p) for p in args.attestation_key]
    if key is not None:
        keys.append(key.private.public_key())
    return keys


def scan_policy(args: argparse.Namespace, policy: Policy) -> Policy:
    """The scan's policy with the ``--attestations`` files applied (``checks.attested``)."""
    files: list[Path] = getattr(args, "attestations", [])
    if not files:
        return policy
    keys = _trusted(args, chosen_key(getattr(args, "sign_key", None), os.environ))
    if not keys:
        raise UsageError(
            "--attestations: no key to check the signatures with",
            hint="pass --attestation-key FILE.pub (or --sign-key) of the key that signed the file",
        )
    claims: list[Claim] = []
    for path in files:
        data = read_regular(
            path,
            what="the attestation file",
            limit=LIMIT_SETTINGS,
            hint="pass a file written by `msgscan attest`",
        )
        claims += read(data, path.name, keys)
    return with_claims(policy, claims)


__all__ = ["cmd_attest", "scan_policy"]

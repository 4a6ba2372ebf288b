"""``msgscan keygen`` and ``msgscan verify`` (docs/integrity.md); ``--sign-key`` of the commands
that write reports is in ``options``.

``verify`` exits 0 when the report is unchanged and signed by a key given with ``--key``; 1 when
it changed (content, digest or signature do not match, or the file is damaged); 2 when it cannot
tell: no signature, a signature by a key not given, a file it cannot read or that carries no
integrity data. Without ``--key`` a signed report is never called valid: anyone can sign with a
key of their own, so only a key the auditor trusts says who wrote it.
"""

from __future__ import annotations

import argparse
import json
import sys

from reports.integrity import Outcome, verify
from reports.signing import generate
from scanner.app.cli.exits import ExitCode
from scanner.app.keys import load_public_key
from scanner.files import LIMIT_REPORT, read_regular


def cmd_keygen(args: argparse.Namespace) -> int:
    fp, pub = generate(args.key)
    sys.stdout.write(
        f"created {args.key} (private, mode 0600) and {pub} (public)\nfingerprint {fp}\n"
    )
    return ExitCode.OK


def cmd_verify(args: argparse.Namespace) -> int:
    keys = [load_public_key(k) for k in args.key]
    data = read_regular(args.report, what="the report", limit=LIMIT_REPORT, hint="check the path")
    result = verify(data, keys)
    if args.json:
        out = {
            "report": str(args.report),
            "outcome": result.outcome.name.lower(),
            "exit_code": int(result.outcome),
            "message": result.message,
            "sha256": result.digest,
            "key": result.key,
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    else:
        word = {
            Outcome.VALID: "VALID",
            Outcome.TAMPERED: "TAMPERED",
            Outcome.CANNOT_TELL: "CANNOT TELL",
        }[result.outcome]
        sys.stdout.write(f"{word}: {args.report}: {result.message}\n")
    return int(result.outcome)


__all__ = ["cmd_keygen", "cmd_verify"]

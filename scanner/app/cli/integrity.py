"""``msgscan keygen`` and ``msgscan verify``, and the ``--sign-key`` option of the commands that
write reports (docs/integrity.md).

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
from pathlib import Path

from checks.errors import UsageError
from reports.integrity import Outcome, verify
from reports.signing import ENV_KEY, generate, load_public_key

KEYGEN_EPILOG = """\
Writes the private key to FILE (PEM, mode 0600; keep it on the machine that writes reports) and
the public key to FILE.pub (give it to auditors). Refuses to overwrite either file.
Use the key with `msgscan scan --sign-key FILE`, `msgscan report --sign-key FILE`, the agent's
[agent] signing_key, or the MSGSCAN_SIGNING_KEY environment variable.
exit codes: 0 created; 2 the file exists or cannot be written.
"""

VERIFY_EPILOG = """\
exit codes: 0 valid: unchanged and signed by a --key; 1 tampered: changed since it was written or
signed; 2 cannot tell: not signed, signed by a key not given, unreadable, or no integrity data.
Check without msgscan: docs/integrity.md (jq, sha256sum, openssl).
"""


def sign_key_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sign-key", type=Path, metavar="FILE",
                   help="sign the report with this Ed25519 key (from `msgscan keygen`; default: "
                        f"the {ENV_KEY} environment variable); every report carries its SHA-256")


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("keygen", help="create a key pair for signing reports",
                       epilog=KEYGEN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("key", type=Path, metavar="FILE", help="the private key file to create")
    p = sub.add_parser("verify", help="check a report's digest and signature",
                       epilog=VERIFY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("report", type=Path, metavar="REPORT",
                   help="a JSON or HTML report, or a fleet summary, written by msgscan")
    p.add_argument("--key", type=Path, action="append", default=[], metavar="PUB",
                   help="a public key you trust (FILE.pub from `msgscan keygen`; repeatable)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")


def cmd_keygen(args: argparse.Namespace) -> int:
    fp, pub = generate(args.key)
    sys.stdout.write(f"created {args.key} (private, mode 0600) and {pub} (public)\nfingerprint {fp}\n")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    keys = [load_public_key(k) for k in args.key]
    try:
        data = args.report.read_bytes()
    except OSError as e:
        raise UsageError(f"{args.report}: cannot read the report ({e.strerror})",
                         hint="check the path") from None
    result = verify(data, keys)
    if args.json:
        out = {"report": str(args.report), "outcome": result.outcome.name.lower(),
               "exit_code": int(result.outcome), "message": result.message,
               "sha256": result.digest, "key": result.key}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    else:
        word = {Outcome.VALID: "VALID", Outcome.TAMPERED: "TAMPERED",
                Outcome.CANNOT_TELL: "CANNOT TELL"}[result.outcome]
        sys.stdout.write(f"{word}: {args.report}: {result.message}\n")
    return int(result.outcome)


COMMANDS = {"keygen": cmd_keygen, "verify": cmd_verify}

__all__ = ["COMMANDS", "add_commands", "sign_key_option"]

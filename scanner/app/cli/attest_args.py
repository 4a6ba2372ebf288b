"""The ``attest`` command's arguments and the scan's ``--attestations`` options (light: the
parser imports this for ``--help``; the command itself is ``scanner.app.cli.attest``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from checks.attestable import ATTESTABLE, DEVICE_ATTESTABLE
from scanner.app.cli.argtypes import path
from scanner.app.cli.options import SIGNING_KEY_ENV as ENV_KEY

if TYPE_CHECKING:
    from datetime import date

EPILOG = f"""\
Per-phone items ({", ".join(DEVICE_ATTESTABLE)}) need --device (the serial or pseudonym the
reports show) and --until; organisational items (ORG-01..03) hold for every phone.
The file is signed with --sign-key (default: the {ENV_KEY} environment variable; create one with
`msgscan keygen FILE`) and written with mode 0600. With --config the attestation is also recorded
in that agent's state and applied by every round (the agent checks it with its signing_key).
Apply a file to one scan: msgscan scan --attestations FILE [--attestation-key FILE.pub].
An attested item stays manual, with who, when and until; one for another phone, with a bad
signature or expired is not applied, and the report says why.
exit codes: 0 recorded; 2 bad input (item, date, key or file), nothing recorded.
"""


def _day(text: str) -> date:
    from datetime import date  # given only to ``attest``: not loaded for every --help

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _item(text: str) -> str:
    item = text.strip().upper()
    if item not in ATTESTABLE:
        raise argparse.ArgumentTypeError(
            f"{text!r} cannot be attested (attestable: {', '.join(ATTESTABLE)})"
        )
    return item


def add_attest(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``attest`` and the scan's ``--attestations`` options."""
    p = sub.add_parser(
        "attest",
        help="record a signed attestation of a manual item for a phone",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "items",
        type=_item,
        nargs="+",
        metavar="ITEM",
        help="the checklist items attested, e.g. MSG-07 MSG-06",
    )
    p.add_argument(
        "--device",
        metavar="NAME",
        help="the phone: its serial, or its pseudonym when reports are pseudonymised",
    )
    p.add_argument("--by", required=True, metavar="NAME", help="who attests (name and role)")
    p.add_argument(
        "--on", type=_day, metavar="YYYY-MM-DD", help="when it was checked (default today)"
    )
    p.add_argument(
        "--until",
        type=_day,
        metavar="YYYY-MM-DD",
        help="last day the attestation holds (required for per-phone items)",
    )
    p.add_argument(
        "--package", metavar="PKG", help="only this messenger package (default: every one)"
    )
    p.add_argument("--note", default="", metavar="TEXT", help="what was checked, in a few words")
    p.add_argument(
        "-o",
        "--output",
        type=path,
        metavar="FILE",
        help="write the signed attestation file (JSON, mode 0600)",
    )
    p.add_argument(
        "--config",
        type=path,
        metavar="FILE",
        help="also record it in the state of the agent with this config",
    )
    p.add_argument(
        "--sign-key",
        type=path,
        metavar="FILE",
        help=f"the organisation's Ed25519 key (default: the {ENV_KEY} environment variable)",
    )
    scan = sub.choices["scan"]
    scan.add_argument(
        "--attestations",
        type=path,
        action="append",
        default=[],
        metavar="FILE",
        help="apply the signed attestations in FILE (from `msgscan attest`; "
        "repeatable); signatures checked with --attestation-key or --sign-key",
    )
    scan.add_argument(
        "--attestation-key",
        type=path,
        action="append",
        default=[],
        metavar="PUB",
        help="a public key whose attestation files you trust (FILE.pub; repeatable)",
    )


__all__ = ["EPILOG", "add_attest"]

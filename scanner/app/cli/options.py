"""Option groups several commands share: which phone (and its limits), ``--lang``, ``--sign-key``.
``-v``/``-q``/``--log-*`` are in ``habits``; each command's own options are in ``definition``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.app.cli import argtypes

if TYPE_CHECKING:
    from pathlib import Path

    from reports.signing import SigningKey

SIGNING_KEY_ENV = "MSGSCAN_SIGNING_KEY"
"""``reports.signing.ENV_KEY`` (which imports cryptography; a test checks they agree)."""


def target_options(p: argparse.ArgumentParser, *, replay: bool) -> None:
    g = p.add_argument_group("which phone (default: the only phone on USB)")
    x = g.add_mutually_exclusive_group()
    x.add_argument(
        "--serial", "-s", metavar="S", help="the phone with this serial (USB or adb server)"
    )
    x.add_argument(
        "--tcp", type=argtypes.endpoint, metavar="HOST:PORT", help="a phone in ADB-over-TCP mode"
    )
    if replay:
        x.add_argument(
            "--replay",
            type=argtypes.recording,
            metavar="FILE",
            help="a recording instead of a phone",
        )
        x.add_argument(
            "--demo",
            action="store_true",
            help="scan a simulated phone (a bundled recording served over ADB/TCP)",
        )
    g.add_argument(
        "--timeout",
        type=argtypes.seconds,
        default=120.0,
        metavar="SECONDS",
        help="limit for the ADB handshake and for each exchange with the phone (default 120)",
    )
    g.add_argument(
        "--auth-timeout",
        type=argtypes.seconds,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for 'Allow USB debugging?' to be accepted (default 60)",
    )
    g.add_argument(
        "--max-output",
        type=argtypes.mib,
        default=64.0,
        metavar="MIB",
        help="most output accepted from the phone per exchange; more is cut and "
        "reported (default 64)",
    )


def lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang",
        choices=argtypes.LANGS,
        metavar="de|en",
        help="language of the texts people read (default: from the locale, LANG/LC_ALL/"
        "LC_MESSAGES; German for de_*, else English); JSON keeps ids and adds texts",
    )


def sign_key_option(p: argparse.ArgumentParser) -> None:
    """``--sign-key`` of the commands that write reports (docs/integrity.md)."""
    p.add_argument(
        "--sign-key",
        type=argtypes.path,
        metavar="FILE",
        help="sign the report with this Ed25519 key (from `msgscan keygen`; default: "
        f"the {SIGNING_KEY_ENV} environment variable); every report carries its SHA-256",
    )


def signing_key(path: Path | None, environ: Mapping[str, str] = os.environ) -> SigningKey | None:
    """``scanner.app.keys.chosen_key``: ``--sign-key``, else ``$MSGSCAN_SIGNING_KEY``, else None;
    without either, cryptography (~60 ms) is not even imported."""
    if path is None and not environ.get(SIGNING_KEY_ENV):
        return None
    from scanner.app.keys import chosen_key

    return chosen_key(path, dict(environ))


__all__ = ["SIGNING_KEY_ENV", "lang_option", "sign_key_option", "signing_key", "target_options"]

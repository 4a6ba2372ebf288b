"""The phone a command's arguments name, as a transport: USB, an adb server, ``--tcp``, a
``--replay`` recording or the ``--demo`` phone; ``--max-output`` applied. The caller closes it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from scanner.app.cli.definition import DEMO_RECORDING

if TYPE_CHECKING:
    from scanner.recording import Recording
    from scanner.simphone.adbd import PhoneServer
    from scanner.transport.interface import Transport


def open_target(args: argparse.Namespace) -> Transport:
    """The transport the arguments name; the caller closes it. Each kind imports its own
    modules when chosen: a replay needs neither USB discovery nor the simulated phone."""
    if getattr(args, "demo", False):
        return _limited(_demo_transport(args), args)
    if getattr(args, "replay", None) is not None:
        from scanner import recording
        from scanner.replay import ReplayTransport

        return _limited(ReplayTransport(recording.load(args.replay)), args)
    from scanner.discovery import open_transport
    from scanner.transport.keys import load_or_create_signer

    def prompt() -> None:
        print(
            "Waiting for the phone: unlock it and tap 'Allow' on 'Allow USB debugging?' "
            f"(tick 'Always allow from this computer'); giving up after {args.auth_timeout:.0f} s.",
            file=sys.stderr,
            flush=True,
        )

    transport = open_transport(
        serial=args.serial,
        tcp=args.tcp,
        signer=load_or_create_signer(),
        connect_timeout_s=args.timeout,  # the handshake is an exchange too
        auth_timeout_s=args.auth_timeout,
        on_prompt=prompt,
    )
    return _limited(transport, args)


def _limited(transport: Transport, args: argparse.Namespace) -> Transport:
    """Apply --max-output (MiB) to the transport's per-exchange output cap."""
    transport.max_output = int(getattr(args, "max_output", 64.0) * (1 << 20))
    return transport


def _demo_transport(args: argparse.Namespace) -> Transport:
    """The simulated phone of ``--demo`` (scanner/simphone/demo.py), announced on stderr."""
    from scanner.simphone.demo import demo_transport

    def announce(server: PhoneServer, rec: Recording) -> None:
        print(
            f"demo: scanning a simulated phone at {server.address} (recording {DEMO_RECORDING}: "
            f"{rec.meta.get('description', '')[:60]}…)",
            file=sys.stderr,
        )

    return demo_transport(
        DEMO_RECORDING,
        connect_timeout_s=args.timeout,
        auth_timeout_s=args.auth_timeout,
        announce=announce,
    )


__all__ = ["open_target"]

"""A simulated Android phone: the device side of ADB over TCP, for tests and benchmarks.

``PhoneServer`` speaks the wire protocol that adb-shell and Google's adb client expect (CNXN,
AUTH, streams, shell v1/v2, exec, sync); a ``Responder`` supplies what the phone's shell prints
and which files it holds. See ``/work/shared/reference/adb.md`` §1 for the protocol it follows.

    with PhoneServer(responder, serial="sim1", product="panther", model="Pixel 7",
                     device="panther", auth=AuthPolicy(trusted_keys=(pubkey,))) as phone:
        AdbDeviceTcp("127.0.0.1", phone.port).connect(rsa_keys=[signer])
        phone.faults = Faults(drop_after_bytes=0)  # the next packet resets the connection
        phone.services  # every OPEN so far, e.g. ["shell:getprop ro.product.model"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.simphone.adbd import (
        LEGACY_FEATURES,
        MODERN_FEATURES,
        PhoneServer,
        ServerStats,
    )
    from scanner.simphone.auth import AuthPolicy, encode_adb_public_key, parse_adb_public_key
    from scanner.simphone.faults import Faults
    from scanner.simphone.files import DirEntry, VirtualFile, VirtualFiles
    from scanner.simphone.responder import CommandOutput, Responder

_LAZY = {
    "LEGACY_FEATURES": "adbd",
    "MODERN_FEATURES": "adbd",
    "PhoneServer": "adbd",
    "ServerStats": "adbd",
    "AuthPolicy": "auth",
    "encode_adb_public_key": "auth",
    "parse_adb_public_key": "auth",
    "Faults": "faults",
    "DirEntry": "files",
    "VirtualFile": "files",
    "VirtualFiles": "files",
    "CommandOutput": "responder",
    "Responder": "responder",
}
"""Each name and its module, imported on first use: a replay scan reads a recording's files
through ``byteranges`` and ``files`` without loading the server (adbd, its auth and cryptography;
start-up, tests/scanner/app/cli/test_startup.py)."""


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"scanner.simphone.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LEGACY_FEATURES",
    "MODERN_FEATURES",
    "AuthPolicy",
    "CommandOutput",
    "DirEntry",
    "Faults",
    "PhoneServer",
    "Responder",
    "ServerStats",
    "VirtualFile",
    "VirtualFiles",
    "encode_adb_public_key",
    "parse_adb_public_key",
]

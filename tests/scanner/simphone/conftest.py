"""Fixtures for the simulated phone: a dict-backed responder, a host key, running phones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from adb_shell.auth.keygen import keygen  # type: ignore[import-untyped]

from scanner.simphone import CommandOutput, PhoneServer, VirtualFile, VirtualFiles

MODEL = "Pixel 7"
PRODUCT = "panther"
DEVICE = "panther"
HELLO = b"hello from the phone\n"
BIG = bytes(range(256)) * 1200  # 300 KiB: several sync DATA chunks
OUTPUTS = {
    "getprop ro.product.model": CommandOutput(f"{MODEL}\n".encode(), b"", 0),
    "true": CommandOutput(b"", b"", 0),
    "false": CommandOutput(b"", b"", 1),
    "ls /nope": CommandOutput(b"", b"ls: /nope: No such file or directory\n", 1),
    "echo hi": CommandOutput(b"hi\n", b"", 0),
    "echo 'hi'": CommandOutput(b"hi\n", b"", 0),
    "seq 100000": CommandOutput(b"".join(b"%d\n" % i for i in range(1, 100001)), b"", 0),
    "slow": CommandOutput(b"done\n", b"", 0, device_ms=300.0),
}


class DictResponder:
    """Answers recorded command lines verbatim; anything else fails as mksh does."""

    def __init__(self, outputs: dict[str, CommandOutput], files: VirtualFiles) -> None:
        self.outputs = outputs
        self.files = files
        self.commands: list[str] = []

    def run(self, command: str) -> CommandOutput:
        self.commands.append(command)
        if command in self.outputs:
            return self.outputs[command]
        name = command.split()[0] if command.split() else command
        message = f"/system/bin/sh: {name}: inaccessible or not found\n"
        return CommandOutput(b"", message.encode(), 127)


def phone_files() -> VirtualFiles:
    return VirtualFiles(
        [
            VirtualFile("/sdcard/x.txt", 0o644, len(HELLO), 1_700_000_000, HELLO),
            VirtualFile("/sdcard/Download/big.bin", 0o644, len(BIG), 1_700_000_100, BIG),
            VirtualFile("/sdcard/empty.txt", 0o644, 0, 1_700_000_200, b""),
            VirtualFile("/data/data/com.whatsapp/databases/msgstore.db", 0o660, 4096, 1, None),
        ]
    )


@pytest.fixture
def responder() -> DictResponder:
    return DictResponder(dict(OUTPUTS), phone_files())


@pytest.fixture(scope="session")
def host_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An adb-shell key pair (``adbkey`` and ``adbkey.pub``), made once per test session."""
    path = tmp_path_factory.mktemp("keys") / "adbkey"
    keygen(str(path))
    return path


@pytest.fixture(scope="session")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second key pair that no phone trusts unless told to."""
    path = tmp_path_factory.mktemp("other") / "adbkey"
    keygen(str(path))
    return path


PhoneFactory = Callable[..., PhoneServer]


@pytest.fixture
def make_phone(responder: DictResponder) -> Iterator[PhoneFactory]:
    """Start phones with the test responder; each is stopped, and checked for errors, after."""
    started: list[PhoneServer] = []

    def make(**kwargs: Any) -> PhoneServer:
        kwargs.setdefault("serial", f"sim{len(started)}")
        kwargs.setdefault("product", PRODUCT)
        kwargs.setdefault("model", MODEL)
        kwargs.setdefault("device", DEVICE)
        server = PhoneServer(kwargs.pop("responder", responder), **kwargs)
        started.append(server.start())
        return server

    yield make
    for server in started:
        server.stop()
    assert [] == [error for server in started for error in server.errors]

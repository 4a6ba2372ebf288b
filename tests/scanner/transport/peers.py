"""Peers for transport tests: a private ADB key, TCP listeners that misbehave, simulated phones.

Fixtures live here rather than in a conftest so that ``tests/scanner/test_discovery.py`` can import
them too; ``tests/scanner/transport/conftest.py`` re-exports them.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from adb_shell.auth.sign_pythonrsa import PythonRSASigner

from scanner.transport.keys import load_or_create_signer


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private key directory (never the developer's ~/.android)."""
    directory = tmp_path_factory.mktemp("android")
    load_or_create_signer(directory)
    return directory


@pytest.fixture(scope="session")
def signer(key_dir: Path) -> PythonRSASigner:
    return load_or_create_signer(key_dir)


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Listener:
    """A TCP server on 127.0.0.1 that runs ``handle(conn)`` for each connection in a thread."""

    def __init__(self, handle: Callable[[socket.socket], None]) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.port = int(self._sock.getsockname()[1])
        self._handle = handle
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            self._handle(conn)
        except OSError:
            pass

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        for conn in self._conns:
            conn.close()


@pytest.fixture
def listen() -> Iterator[Callable[[Callable[[socket.socket], None]], Listener]]:
    """``listen(handle)`` starts a ``Listener``; all are closed after the test."""
    started: list[Listener] = []

    def start(handle: Callable[[socket.socket], None]) -> Listener:
        listener = Listener(handle)
        started.append(listener)
        return listener

    yield start
    for listener in started:
        listener.close()


# --- the simulated phone ------------------------------------------------------------------------


class PhoneShell:
    """A small phone shell: a few known commands, everything else "not found" (status 127)."""

    def __init__(self) -> None:
        from scanner.simphone import VirtualFiles

        self.files = VirtualFiles()

    def run(self, command: str) -> Any:
        from scanner.simphone import CommandOutput

        words = command.split()
        if command == "getprop ro.product.model":
            return CommandOutput(b"Pixel 7\n", b"", 0)
        if words[:1] == ["bytes"] and len(words) == 2:  # "bytes N": N bytes of output
            return CommandOutput(b"x" * int(words[1]), b"", 0)
        if command == "false":
            return CommandOutput(b"", b"", 1)
        if command == "warn":
            return CommandOutput(b"out\n", b"warning\n", 0)
        return CommandOutput(
            b"",
            f"/system/bin/sh: {words[0] if words else ''}: inaccessible or not found\n".encode(),
            127,
        )


@pytest.fixture
def phone() -> Iterator[Callable[..., Any]]:
    """``phone(auth=…, faults=…, serial=…)`` starts a simulated phone; all stop after the test."""
    from scanner.simphone import PhoneServer

    started: list[Any] = []

    def start(serial: str = "SIM0001", **kwargs: Any) -> Any:
        server = PhoneServer(
            PhoneShell(),
            serial=serial,
            product="panther",
            model="Pixel_7",
            device="panther",
            **kwargs,
        )
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
        assert [] == server.errors

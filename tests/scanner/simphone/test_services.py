"""Device time of parallel streams overlaps on the simulated phone, except for commands served by
the same system service, which wait for each other (scanner/simphone/services.py)."""

from __future__ import annotations

import threading
import time

import pytest

from scanner.simphone import AuthPolicy, Faults
from scanner.simphone.adbd import PhoneServer
from scanner.simphone.files import VirtualFiles
from scanner.simphone.responder import CommandOutput
from scanner.simphone.services import service_of_line
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport

MS = 400.0


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> object:
    return load_or_create_signer(tmp_path_factory.mktemp("adbkey"))


class Timed:
    """Every command takes ``MS`` of device time, waiting on the service its line names."""

    files = VirtualFiles()

    def run(self, command: str) -> CommandOutput:
        return CommandOutput(b"ok\n", b"", 0, MS, ((service_of_line(command), MS),))


def two_at_once(signer: object, first: str, second: str) -> float:
    server = PhoneServer(Timed(), serial="s", product="p", model="m", device="d",
                         auth=AuthPolicy(accept_any_key=True), faults=Faults(use_device_time=True))  # fmt: skip
    with server:
        started = time.monotonic()
        threads = [threading.Thread(target=run_one, args=(server.port, signer, c)) for c in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - started


def run_one(port: int, signer: object, command: str) -> None:
    t = TcpTransport.connect("127.0.0.1", port, signer=signer)
    try:
        assert b"ok\n" == t.shell(command).stdout
    finally:
        t.close()


def test_service_of_a_command_line() -> None:
    assert [service_of_line(c) for c in (
        "dumpsys package packages 2>&1; echo x", "pm path com.whatsapp", "cmd user list -v",
        "bmgr --user 10 enabled", "dumpsys appops", "getprop", "find /sdcard -type f", "tail -c 22 /x",
    )] == ["package", "package", "user", "backup", "appops", None, None, None]  # fmt: skip


def test_different_services_overlap(signer: object) -> None:
    """``dumpsys appops`` and ``find`` at once take one command's time, not two."""
    took = two_at_once(signer, "dumpsys appops", "find /sdcard -type f")
    assert took < 1.6 * MS / 1000, took


def test_one_service_serializes(signer: object) -> None:
    """``dumpsys package`` and ``pm path`` both go to the package manager: one after the other."""
    took = two_at_once(signer, "dumpsys package packages", "pm path com.whatsapp")
    assert took >= 2 * MS / 1000, took

"""A real Google adb server for tests: private port, private HOME, no USB, no emulator scan.

Binaries: adb 36 from the ``adbutils`` wheel (a test dependency; only its binary is used, never
its client, which would start servers) and Debian's adb 29 at /usr/bin/adb when installed.
Without the wheel's adb the tests are skipped locally and fail on CI (``CI=true``).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.transport.keys import load_or_create_signer
from scanner.transport.server import ServerDevice, list_devices, probe_server


def _wheel_adb() -> Path | None:
    spec = importlib.util.find_spec("adbutils")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "binaries" / "adb"
    return path if path.is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AdbServer:
    binary: Path
    port: int
    home: Path
    env: dict[str, str]

    @property
    def public_key(self) -> str:
        """The server's own key (``$HOME/.android/adbkey.pub``), to make a phone trust it."""
        return (self.home / ".android" / "adbkey.pub").read_text()

    def adb(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def connect(self, port: int, expect: str, timeout: float = 15) -> ServerDevice:
        """``adb connect 127.0.0.1:<port>``, then wait until the server lists it as ``expect``."""
        serial = f"127.0.0.1:{port}"
        self.adb("connect", serial)
        deadline = time.monotonic() + timeout
        seen: list[ServerDevice] = []
        while time.monotonic() < deadline:
            seen = [d for d in list_devices("127.0.0.1", self.port) if d.serial == serial]
            if seen and seen[0].state == expect:
                return seen[0]
            time.sleep(0.1)
        raise AssertionError(f"{serial} never became {expect!r}; last seen {seen}")

    def disconnect(self, port: int) -> None:
        self.adb("disconnect", f"127.0.0.1:{port}")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session", params=["adb36-adbutils", "adb29-debian"])
def adb_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdbServer]:
    """A running adb server on a free port; ``adb kill-server`` afterwards."""
    if request.param == "adb36-adbutils":
        binary = _wheel_adb()
        if binary is None:
            _unavailable(
                "adb not found: install the test dependency `adbutils==2.12.0` (its wheel "
                "carries adb 36 at adbutils/binaries/adb)"
            )
    else:
        binary = Path("/usr/bin/adb")
        if not binary.is_file():
            # .ci/run installs it: on CI a missing adb 29 is a failure, not a skip.
            _unavailable("Debian's adb 29 is not installed (apt install adb)")
    assert binary is not None
    home = tmp_path_factory.mktemp(f"home-{request.param}")
    load_or_create_signer(home / ".android")
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ANDROID_USER_HOME": str(home / ".android"),
        "ANDROID_ADB_SERVER_PORT": str(port),
        "ADB_EMU": "0",
        "ADB_USB": "0",
        "ADB_MDNS": "0",
    }
    server = AdbServer(binary, port, home, env)
    started = server.adb("start-server")
    if probe_server("127.0.0.1", port) is None:
        pytest.fail(f"{binary} start-server did not bring up a server: {started.stderr}")
    yield server
    server.adb("kill-server")

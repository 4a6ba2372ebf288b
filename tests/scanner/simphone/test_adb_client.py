"""Conformance: Google's own adb (36 from the adbutils wheel, 29 from Debian) accepts the phone.

Each test runs a private adb server (own HOME, own port, no USB, emulator or mDNS scanning) and
kills it afterwards. In CI (``CI=true``, where .ci/run installs Debian's adb) a missing adb is
a failure, not a skip; locally it is skipped with the reason.
"""

from __future__ import annotations

import importlib.resources
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.simphone import LEGACY_FEATURES, AuthPolicy, PhoneServer

from .conftest import HELLO, MODEL, PhoneFactory

DEBIAN_ADB = Path("/usr/bin/adb")
TIMEOUT_S = 30.0


def bundled_adb() -> Path | None:
    """adb 36.0.0 as shipped inside the adbutils 2.12.0 wheel (the ``test`` extra)."""
    try:
        binary = importlib.resources.files("adbutils") / "binaries" / "adb"
    except ModuleNotFoundError:
        return None
    path = Path(str(binary))
    return path if path.is_file() and os.access(path, os.X_OK) else None


def require(binary: Path | None, what: str) -> Path:
    if binary is not None:
        return binary
    reason = f"{what} is not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run these conformance tests (see .ci/run)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Adb:
    """One private adb server and the client commands that talk to it."""

    def __init__(self, binary: Path, home: Path) -> None:
        self.binary = binary
        home.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("ADB_", "ANDROID_"))}
        self.env.update(
            HOME=str(home),
            ANDROID_ADB_SERVER_PORT=str(free_port()),
            ADB_EMU="0",  # do not probe 5555-5585 for emulators
            ADB_USB="0",  # do not claim real phones on this machine
            ADB_MDNS="0",
        )
        self.home = home

    def __call__(
        self, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT_S
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [str(self.binary), *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            timeout=timeout,
            check=False,
        )

    @property
    def public_key(self) -> str:
        """The key the server generated at start-up (``$HOME/.android/adbkey.pub``)."""
        return (self.home / ".android" / "adbkey.pub").read_text()

    def connect(self, phone: PhoneServer) -> str:
        result = self("connect", phone.address)
        assert 0 == result.returncode, result
        return result.stdout.decode()

    def state(self, serial: str) -> str | None:
        for line in self("devices").stdout.decode().splitlines()[1:]:
            fields = line.split("\t")
            if fields[0] == serial:
                return fields[1]
        return None

    def wait_for_state(self, serial: str, state: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while (seen := self.state(serial)) != state:
            assert time.monotonic() < deadline, f"{serial} is {seen!r}, not {state!r}"
            time.sleep(0.05)  # polling `adb devices`; there is no event to wait for


@pytest.fixture(
    params=[
        pytest.param(("adb 36 (adbutils)", True), id="adb36"),
        pytest.param(("adb 29 (Debian)", False), id="adb29"),
    ]
)
def adb(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Adb]:
    what, bundled = request.param
    debian = DEBIAN_ADB if DEBIAN_ADB.exists() else None  # `apt-get install adb`
    binary = require(bundled_adb() if bundled else debian, what)
    for _attempt in range(3):
        # free_port() can race with another process taking the port before the server does.
        client = Adb(binary, tmp_path / "home")
        started = client("start-server")
        if started.returncode == 0:
            break
        client("kill-server", timeout=15.0)
    assert 0 == started.returncode, started
    try:
        yield client
    finally:
        client("kill-server", timeout=15.0)


@pytest.fixture
def phone(make_phone: PhoneFactory, adb: Adb) -> PhoneServer:
    """A modern phone that already trusts this adb server's key, connected and online."""
    phone = make_phone(auth=AuthPolicy(trusted_keys=(adb.public_key,)))
    connected = adb.connect(phone)
    assert f"connected to {phone.address}" in connected, (connected, phone.stats)
    waited = adb("-s", phone.address, "wait-for-device")
    assert 0 == waited.returncode, (waited, phone.stats)
    return phone


def test_devices_lists_the_banner(adb: Adb, phone: PhoneServer) -> None:
    """``adb devices -l`` shows the banner's product, model (spaces made _) and device."""
    listing = adb("devices", "-l").stdout.decode()

    assert f"{phone.address}" in listing
    assert "device product:panther model:Pixel_7 device:panther" in listing


def test_shell_prints_the_model(adb: Adb, phone: PhoneServer) -> None:
    """``adb shell getprop`` uses shell v2 and prints the responder's output."""
    result = adb("-s", phone.address, "shell", "getprop", "ro.product.model")

    assert (0, f"{MODEL}\n".encode(), b"") == (result.returncode, result.stdout, result.stderr)
    assert phone.services[-1].startswith("shell,v2,")


def test_shell_v2_reports_exit_codes(adb: Adb, phone: PhoneServer) -> None:
    """``false`` exits 1 and an unknown command 127 with mksh's message on stderr."""
    failed = adb("-s", phone.address, "shell", "false")
    unknown = adb("-s", phone.address, "shell", "frobnicate")

    assert 1 == failed.returncode
    assert 127 == unknown.returncode
    assert b"" == unknown.stdout
    assert b"/system/bin/sh: frobnicate: inaccessible or not found\n" == unknown.stderr


def test_exec_out(adb: Adb, phone: PhoneServer) -> None:
    """``adb exec-out echo hi`` quotes its argument and gets the raw bytes."""
    result = adb("-s", phone.address, "exec-out", "echo", "hi")

    assert (0, b"hi\n") == (result.returncode, result.stdout)
    assert "exec:echo 'hi'" == phone.services[-1]


def test_pull(adb: Adb, phone: PhoneServer, tmp_path: Path) -> None:
    """``adb pull`` copies a virtual file; a missing one fails with rc 1."""
    target = tmp_path / "x.txt"

    pulled = adb("-s", phone.address, "pull", "/sdcard/x.txt", str(target))
    missing = adb("-s", phone.address, "pull", "/sdcard/nope", str(tmp_path / "nope"))

    assert (0, HELLO) == (pulled.returncode, target.read_bytes())
    assert 1 == missing.returncode
    assert b"No such file or directory" in missing.stdout + missing.stderr


def test_ls(adb: Adb, phone: PhoneServer) -> None:
    """``adb ls`` lists the directory with its mode, size and mtime."""
    result = adb("-s", phone.address, "ls", "/sdcard")

    lines = result.stdout.decode().splitlines()
    assert f"000081a4 {len(HELLO):08x} {1_700_000_000:08x} x.txt" in lines
    assert {".", "..", "x.txt", "Download", "empty.txt"} == {line.split()[-1] for line in lines}


def test_push_is_refused(adb: Adb, phone: PhoneServer, tmp_path: Path) -> None:
    """``adb push`` fails cleanly: the simulated phone is read-only."""
    source = tmp_path / "new.txt"
    source.write_text("data")

    result = adb("-s", phone.address, "push", str(source), "/sdcard/new.txt")

    assert 1 == result.returncode
    assert b"Read-only file system" in result.stdout + result.stderr


def test_shell_reads_piped_stdin(adb: Adb, phone: PhoneServer) -> None:
    """``adb shell`` without a command runs the lines piped into it (v2, no PTY)."""
    result = adb("-s", phone.address, "shell", stdin=b"getprop ro.product.model\nfalse\n")

    assert (1, f"{MODEL}\n".encode()) == (result.returncode, result.stdout)


def test_legacy_phone_speaks_shell_v1(adb: Adb, make_phone: PhoneFactory, tmp_path: Path) -> None:
    """Without shell_v2 adb falls back to ``shell:``: output arrives, exit codes do not."""
    phone = make_phone(auth=AuthPolicy(trusted_keys=(adb.public_key,)), features=LEGACY_FEATURES)
    adb.connect(phone)
    assert 0 == adb("-s", phone.address, "wait-for-device").returncode
    target = tmp_path / "x.txt"

    model = adb("-s", phone.address, "shell", "getprop", "ro.product.model")
    failed = adb("-s", phone.address, "shell", "false")
    pulled = adb("-s", phone.address, "pull", "/sdcard/x.txt", str(target))

    assert (0, f"{MODEL}\n".encode()) == (model.returncode, model.stdout)
    assert 0 == failed.returncode  # v1 carries no exit status
    assert (0, HELLO) == (pulled.returncode, target.read_bytes())
    assert {"shell:getprop ro.product.model", "shell:false"} <= set(phone.services)


def test_legacy_interactive_shell(adb: Adb, make_phone: PhoneFactory) -> None:
    """An interactive v1 shell echoes input, prompts, and ends at ``exit``."""
    phone = make_phone(auth=AuthPolicy(trusted_keys=(adb.public_key,)), features=LEGACY_FEATURES)
    adb.connect(phone)
    assert 0 == adb("-s", phone.address, "wait-for-device").returncode

    result = adb("-s", phone.address, "shell", stdin=b"getprop ro.product.model\nexit\n")

    assert 0 == result.returncode
    assert f"{MODEL}\r\npanther:/ $ ".encode() in result.stdout


def test_unanswered_prompt_leaves_the_phone_unauthorized(
    adb: Adb, make_phone: PhoneFactory
) -> None:
    """An unknown key with nobody at the phone: ``unauthorized``, and shell fails."""
    phone = make_phone(auth=AuthPolicy(prompt="never"))

    adb.connect(phone)
    adb.wait_for_state(phone.address, "unauthorized")
    result = adb("-s", phone.address, "shell", "true")

    assert 1 == result.returncode
    assert b"unauthorized" in result.stderr
    assert 1 == phone.stats.prompts


def test_accepted_prompt_brings_the_phone_online(adb: Adb, make_phone: PhoneFactory) -> None:
    """When the user taps Allow, adb sees the phone come online without reconnecting."""
    phone = make_phone(auth=AuthPolicy(prompt="accept", prompt_delay_s=0.3))

    adb.connect(phone)
    adb.wait_for_state(phone.address, "device")

    assert 0 == adb("-s", phone.address, "shell", "true").returncode
    assert (1, 1) == (phone.stats.prompts, phone.connections)

"""The adb server client against a real Google adb server and simulated phones behind it."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import usb1
from adb_shell.auth.sign_pythonrsa import PythonRSASigner
from adb_shell.transport.base_transport import BaseTransport

from checks.errors import (
    DeviceBusy,
    DeviceLost,
    DeviceNotFound,
    DeviceUnauthorized,
    OutputTooLarge,
    ProbeTimeout,
)
from scanner.simphone import LEGACY_FEATURES, AuthPolicy, Faults
from scanner.transport.interface import ShellResult
from scanner.transport.server import (
    find_adb_server_process,
    list_devices,
    parse_devices_l,
    probe_server,
    server_address,
)
from scanner.transport.server_shell import ServerTransport
from scanner.transport.usb import UsbTransport
from tests.scanner.transport.adb_server import AdbServer
from tests.scanner.transport.peers import Listener

Phone = Callable[..., Any]
Listen = Callable[[Callable[[socket.socket], None]], Listener]
Attach = Callable[..., tuple[Any, str]]
MIB = 1024 * 1024


@pytest.fixture
def attach(adb_server: AdbServer, phone: Phone) -> Iterator[Attach]:
    """``attach(expect="device", **phone_kwargs)``: a simulated phone, `adb connect`ed.

    The phone trusts the server's key unless ``auth`` says otherwise.
    """
    ports: list[int] = []

    def start(expect: str = "device", **kwargs: Any) -> tuple[Any, str]:
        kwargs.setdefault("auth", AuthPolicy(trusted_keys=(adb_server.public_key,)))
        sim = phone(**kwargs)
        ports.append(sim.port)
        return sim, adb_server.connect(sim.port, expect).serial

    yield start
    for port in ports:
        adb_server.disconnect(port)


def _transport(adb_server: AdbServer, serial: str, **kwargs: Any) -> ServerTransport:
    return ServerTransport(serial, host="127.0.0.1", port=adb_server.port, **kwargs)


class TestProbe:
    def test_live_server(self, adb_server: AdbServer) -> None:
        """A live server answers host:version with 41 (adb 29 and 36 alike)."""
        assert probe_server("127.0.0.1", adb_server.port) == 41

    def test_closed_port(self, closed_port: int) -> None:
        """Nothing listening: None, at once."""
        assert probe_server("127.0.0.1", closed_port) is None

    def test_silent_listener(self, listen: Listen) -> None:
        """A listener that never answers: None within the probe's timeout, left alone."""

        def silent(conn: socket.socket) -> None:
            while conn.recv(4096):
                pass

        peer = listen(silent)
        started = time.monotonic()

        assert probe_server("127.0.0.1", peer.port, timeout=0.3) is None
        assert time.monotonic() - started < 1

    def test_foreign_service(self, listen: Listen) -> None:
        """A web server on the port: None."""

        def web(conn: socket.socket) -> None:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")

        peer = listen(web)

        assert probe_server("127.0.0.1", peer.port) is None

    def test_address_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """ANDROID_ADB_SERVER_PORT moves the server as it does for adb."""
        monkeypatch.delenv("ADB_SERVER_SOCKET", raising=False)
        monkeypatch.delenv("ANDROID_ADB_SERVER_ADDRESS", raising=False)
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", "15037")

        assert server_address() == ("127.0.0.1", 15037)

    def test_server_process(self, adb_server: AdbServer) -> None:
        """psutil finds the server process, preferring the one on the configured port."""
        found = find_adb_server_process(adb_server.port)

        assert found is not None
        assert f"tcp:{adb_server.port}" in found[1]


class TestDevices:
    def test_connected_phone_is_a_device(self, adb_server: AdbServer, attach: Attach) -> None:
        """After `adb connect`, the server lists the phone as `device` with its banner fields."""
        _, serial = attach()

        [device] = [d for d in list_devices("127.0.0.1", adb_server.port) if d.serial == serial]

        assert device.state == "device"
        assert {"product": "panther", "model": "Pixel_7", "device": "panther"}.items() <= (
            device.fields.items()
        )

    def test_parse_states_with_spaces(self) -> None:
        """`no permissions (…)` keeps its spaces and its URL; fields come from the right."""
        text = (
            "0123456789ABCDEF       no permissions (missing udev rules? user is in the plugdev "
            "group); see [http://developer.android.com/tools/device.html] usb:1-4 "
            "transport_id:3\n"
            "emulator-5554          device product:sdk_gphone64 model:sdk_gphone64 "
            "device:emu64 transport_id:1\n"
        )

        devices = parse_devices_l(text)

        assert devices[0].state == (
            "no permissions (missing udev rules? user is in the plugdev group); see "
            "[http://developer.android.com/tools/device.html]"
        )
        assert devices[0].fields == {"usb": "1-4", "transport_id": "3"}
        assert (devices[1].serial, devices[1].state) == ("emulator-5554", "device")
        assert devices[1].fields["model"] == "sdk_gphone64"


class TestShell:
    def test_v2_exit_codes_and_stderr(self, adb_server: AdbServer, attach: Attach) -> None:
        """Through the server, shell v2 gives stdout, stderr and the exit code apart."""
        _, serial = attach()
        transport = _transport(adb_server, serial)

        assert ShellResult(b"Pixel 7\n", b"", 0) == transport.shell("getprop ro.product.model")
        assert ShellResult(b"out\n", b"warning\n", 0) == transport.shell("warn")
        assert transport.shell("false").exit_code == 1
        assert transport.shell("nosuchcommand").exit_code == 127
        assert transport.meter.exchanges == 4
        assert (
            len(b"Pixel 7\n")
            + len(b"out\nwarning\n")
            + len(b"/system/bin/sh: nosuchcommand: inaccessible or not found\n")
            == transport.meter.bytes_received
        )

    def test_legacy_phone_falls_back_to_v1(self, adb_server: AdbServer, attach: Attach) -> None:
        """Without shell_v2 on the phone: `shell:`, output mixed, no exit code."""
        _, serial = attach(serial="SIMLEGACY", features=LEGACY_FEATURES)
        transport = _transport(adb_server, serial)

        assert ShellResult(b"out\nwarning\n") == transport.shell("warn")

    def test_hang_mid_output(self, adb_server: AdbServer, attach: Attach) -> None:
        """The phone stalls: ProbeTimeout at the timeout, keeping what the server relayed."""
        sim, serial = attach()
        transport = _transport(adb_server, serial)
        sim.faults = Faults(hang_after_bytes=MIB + MIB // 2)
        started = time.monotonic()

        with pytest.raises(ProbeTimeout) as raised:
            transport.shell("bytes 3000000", timeout=1)

        assert 1 <= time.monotonic() - started < 1.5
        assert len(raised.value.partial) >= MIB // 2
        assert set(raised.value.partial) == {ord("x")}

    def test_drop_mid_output(self, adb_server: AdbServer, attach: Attach) -> None:
        """The phone's connection dies: DeviceLost (no exit status came), with the partial."""
        sim, serial = attach()
        transport = _transport(adb_server, serial)
        sim.faults = Faults(drop_after_bytes=MIB + MIB // 2)

        with pytest.raises(DeviceLost) as raised:
            transport.shell("bytes 3000000", timeout=10)

        assert len(raised.value.partial) >= MIB // 2
        assert transport.meter.exchanges == 1

    @pytest.mark.parametrize("legacy", [False, True], ids=["shell_v2", "shell_v1"])
    def test_output_cap(self, adb_server: AdbServer, attach: Attach, legacy: bool) -> None:
        """More output than ``max_output``: reading stops there, OutputTooLarge keeps the bytes
        up to the cap, and the next command works on a fresh
        socket."""
        kwargs = {"serial": "SIMCAP1", "features": LEGACY_FEATURES} if legacy else {}
        _, serial = attach(**kwargs)
        transport = _transport(adb_server, serial)
        transport.max_output = MIB

        with pytest.raises(OutputTooLarge, match=f"sent more than {MIB} bytes") as raised:
            transport.shell("bytes 3000000", timeout=10)

        assert len(raised.value.partial) == MIB
        assert transport.shell("warn").stdout[:4] == b"out\n"


class TestRefusals:
    def test_unauthorized_phone(
        self,
        adb_server: AdbServer,
        attach: Attach,
        signer: PythonRSASigner,
    ) -> None:
        """A phone that never accepts the server's key is `unauthorized`: DeviceUnauthorized."""
        _, serial = attach(
            expect="unauthorized", serial="SIMLOCKED", auth=AuthPolicy(prompt="never")
        )

        with pytest.raises(DeviceUnauthorized) as raised:
            _transport(adb_server, serial)

        assert raised.value.problem.startswith(f"{serial}: the phone has not authorised this")
        assert "'unauthorized'" in raised.value.problem
        assert "Allow USB debugging?" in raised.value.hint

    def test_waits_for_the_tap(self, adb_server: AdbServer, attach: Attach) -> None:
        """With an auth wait, on_prompt comes first, then DeviceUnauthorized after the wait."""
        _, serial = attach(
            expect="unauthorized", serial="SIMLOCKED2", auth=AuthPolicy(prompt="never")
        )
        prompts: list[int] = []
        started = time.monotonic()

        with pytest.raises(DeviceUnauthorized):
            _transport(adb_server, serial, auth_timeout_s=0.6, on_prompt=lambda: prompts.append(1))

        assert prompts == [1]
        assert 0.6 <= time.monotonic() - started < 2.5

    def test_unknown_serial(self, adb_server: AdbServer) -> None:
        """A serial the server does not list: DeviceNotFound naming it and the server."""
        with pytest.raises(DeviceNotFound) as raised:
            _transport(adb_server, "NOSUCHPHONE")

        assert f"the adb server at 127.0.0.1:{adb_server.port} does not list NOSUCHPHONE" == (
            raised.value.problem
        )


class _ClaimedByServer(BaseTransport):  # type: ignore[misc]
    """A USB phone whose interface the adb server holds: claiming fails with BUSY."""

    serial_number = "R58M12ABCDE"

    def connect(self, transport_timeout_s: float | None) -> None:
        raise usb1.USBErrorBusy()

    def close(self) -> None:
        pass

    def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
        raise AssertionError("never claimed, never read")

    def bulk_write(self, data: bytes, transport_timeout_s: float | None) -> int:
        raise AssertionError("never claimed, never written")


def test_busy_names_the_server(
    adb_server: AdbServer,
    signer: PythonRSASigner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LIBUSB_ERROR_BUSY while an adb server runs: the message names it with its pid."""
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(adb_server.port))
    pid, _ = find_adb_server_process(adb_server.port) or (None, "")

    with pytest.raises(DeviceBusy) as raised:
        UsbTransport.connect("R58M12ABCDE", signer=signer, device=_ClaimedByServer())

    assert f"held by an adb server, pid {pid}:" in raised.value.problem
    assert "`adb -s R58M12ABCDE detach`" in raised.value.hint

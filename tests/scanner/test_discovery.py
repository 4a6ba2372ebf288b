"""Discovery: what USB, a live adb server and --tcp endpoints show, and which transport opens.

USB is a fake pyusb backend (``tests/scanner/transport/fake_usb.py``); the server is a real Google adb
server on a private port; phones on TCP are the simulated phone.
"""

# ruff: noqa: F811 - fixtures imported from tests/transport are parameters here

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import usb.backend.libusb0
import usb.backend.libusb1
import usb.backend.openusb
import usb.core
from adb_shell.auth.sign_pythonrsa import PythonRSASigner

from checks.errors import DeviceNotFound, DevicePermission, MissingBackend, UsageError
from scanner.discovery import (
    DeviceListing,
    ListedPhone,
    UsbState,
    find_usb_phones,
    open_transport,
)
from scanner.simphone import AuthPolicy
from scanner.transport.server import ServerDevice
from scanner.transport.server_shell import ServerTransport
from scanner.transport.tcp import TcpTransport
from tests.scanner.transport.adb_server import AdbServer, adb_server  # noqa: F401 - fixture
from tests.scanner.transport.fake_usb import DBC, MTP, FakeBackend, FakeDevice, keyboard
from tests.scanner.transport.fake_usb import phone as usb_phone
from tests.scanner.transport.peers import closed_port, key_dir, phone, signer  # noqa: F401 - fixtures

Phone = Callable[..., Any]


@pytest.fixture
def no_libusb(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyusb finds no backend, as on a host without libusb (whatever this host has)."""
    for module in (usb.backend.libusb1, usb.backend.libusb0, usb.backend.openusb):
        monkeypatch.setattr(module, "get_backend", lambda *a, **k: None)


@pytest.fixture
def no_server(closed_port: int) -> tuple[str, int]:
    """An adb server address where nothing listens."""
    return ("127.0.0.1", closed_port)


@pytest.fixture
def usb_claims(tmp_path: Path) -> Callable[[str], Path]:
    """A fake /sys/bus/usb/devices; ``claim("1-4:1.1")`` binds that interface to usbfs."""
    sysfs = tmp_path / "sys-bus-usb-devices"
    (tmp_path / "drivers" / "usbfs").mkdir(parents=True)
    sysfs.mkdir()

    def claim(interface: str) -> Path:
        (sysfs / interface).mkdir()
        os.symlink(tmp_path / "drivers" / "usbfs", sysfs / interface / "driver")
        return sysfs

    return claim


class TestFindUsbPhones:
    def test_phone_beside_keyboard(self, tmp_path: Path) -> None:
        """A phone with MTP + ADB beside a keyboard: only the phone, with its serial."""
        backend = FakeBackend([keyboard(), usb_phone()])

        [found] = find_usb_phones(backend, sysfs=tmp_path)

        assert ("R58M12ABCDE", 0x04E8, 0x6860, 1, 5) == (
            found.serial,
            found.vendor_id,
            found.product_id,
            found.bus,
            found.address,
        )
        assert UsbState.READY == found.state

    def test_no_permission(self, tmp_path: Path) -> None:
        """String descriptors that fail with EACCES: listed as "no USB permission", no serial."""
        backend = FakeBackend([usb_phone(open_errno=13)])

        [found] = find_usb_phones(backend, sysfs=tmp_path)

        assert (None, "no USB permission") == (found.serial, found.state)
        assert "USB bus 1 address 5" == found.name

    def test_debug_capability_interface(self, tmp_path: Path) -> None:
        """A USB Debug Capability interface (0xDC/0x02/0x01) counts as ADB."""
        backend = FakeBackend([FakeDevice(0x18D1, 0x4EE7, [[[DBC]]], serial="DBC0001")])

        assert ["DBC0001"] == [p.serial for p in find_usb_phones(backend, sysfs=tmp_path)]

    def test_adb_in_second_configuration_and_alternate_setting(self, tmp_path: Path) -> None:
        """ADB is found in any configuration and any alternate setting."""
        second_config = FakeDevice(
            0x2717, 0xFF48, [[[MTP]], [[MTP], [MTP, (0xFF, 0x42, 0x01)]]], serial="ALT1"
        )

        assert ["ALT1"] == [
            p.serial for p in find_usb_phones(FakeBackend([second_config]), sysfs=tmp_path)
        ]

    def test_unreadable_descriptors_are_skipped(self, tmp_path: Path) -> None:
        """A device whose configuration cannot be read is skipped, the phone still found."""

        class Flaky(FakeBackend):
            def get_configuration_descriptor(self, dev: FakeDevice, config: int) -> Any:
                if dev.vendor_id == 0x046D:
                    raise usb.core.USBError("Input/Output Error", error_code=-1, errno=5)
                return super().get_configuration_descriptor(dev, config)

        backend = Flaky([keyboard(), usb_phone()])

        assert ["R58M12ABCDE"] == [p.serial for p in find_usb_phones(backend, sysfs=tmp_path)]

    def test_held_by_adb_server(self, tmp_path: Path) -> None:
        """A serial the adb server lists as a device is "busy": the server holds it."""
        server = [ServerDevice("R58M12ABCDE", "device")]

        [found] = find_usb_phones(FakeBackend([usb_phone()]), server_devices=server, sysfs=tmp_path)

        assert UsbState.BUSY == found.state
        assert found.detail.startswith("held by the adb server")

    def test_unauthorized_at_server(self, tmp_path: Path) -> None:
        """The server's `unauthorized` is passed on: only the server can tell."""
        server = [ServerDevice("R58M12ABCDE", "unauthorized")]

        [found] = find_usb_phones(FakeBackend([usb_phone()]), server_devices=server, sysfs=tmp_path)

        assert UsbState.UNAUTHORIZED == found.state

    def test_claimed_through_usbfs(self, usb_claims: Callable[[str], Path]) -> None:
        """An ADB interface bound to the usbfs driver (another program claimed it) is "busy"."""
        sysfs = usb_claims("1-4:1.1")  # bus 1, port 4, configuration 1, interface 1 (ADB)

        [found] = find_usb_phones(FakeBackend([usb_phone()]), sysfs=sysfs)

        assert UsbState.BUSY == found.state

    def test_mtp_claim_is_not_busy(self, usb_claims: Callable[[str], Path]) -> None:
        """A claim on the MTP interface (a file manager) leaves ADB free."""
        sysfs = usb_claims("1-4:1.0")

        [found] = find_usb_phones(FakeBackend([usb_phone()]), sysfs=sysfs)

        assert UsbState.READY == found.state

    @pytest.mark.usefixtures("no_libusb")
    def test_no_backend(self) -> None:
        """pyusb without libusb: MissingBackend with the install hint."""
        with pytest.raises(MissingBackend) as raised:
            find_usb_phones()

        assert "libusb-1.0-0" in raised.value.hint


class TestOpenTransport:
    @pytest.mark.parametrize("form", ["text", "tuple"])
    def test_tcp(self, phone: Phone, signer: PythonRSASigner, form: str) -> None:
        """--tcp (as "host:port" or as the CLI's (host, port)) talks to adbd directly."""
        sim = phone(auth=AuthPolicy(trusted_keys=(signer.GetPublicKey(),)))
        tcp = f"127.0.0.1:{sim.port}" if form == "text" else ("127.0.0.1", sim.port)

        transport = open_transport(tcp=tcp, signer=signer)

        assert isinstance(transport, TcpTransport)
        assert b"Pixel 7\n" == transport.shell("getprop ro.product.model", timeout=5).stdout
        transport.close()

    def test_serial_and_tcp(self, signer: PythonRSASigner) -> None:
        """Both flags name two phones: a UsageError."""
        with pytest.raises(UsageError):
            open_transport(serial="A", tcp="127.0.0.1:5555", signer=signer)

    def test_no_phone(self, signer: PythonRSASigner, no_server: tuple[str, int]) -> None:
        """Nothing found: DeviceNotFound saying what USB does see."""
        with pytest.raises(DeviceNotFound) as raised:
            open_transport(signer=signer, usb_backend=FakeBackend([keyboard()]), server=no_server)

        assert (
            "no Android phone with USB debugging on USB (USB sees 1 device(s) without an ADB "
            "interface: 046d:c31c)"
        ) == raised.value.problem
        assert "USB debugging" in raised.value.hint

    def test_several_phones(self, signer: PythonRSASigner, no_server: tuple[str, int]) -> None:
        """Two phones and no --serial: a UsageError listing both serials."""
        backend = FakeBackend([usb_phone("AAA111"), usb_phone("BBB222", address=6)])

        with pytest.raises(UsageError) as raised:
            open_transport(signer=signer, usb_backend=backend, server=no_server)

        assert "2 phones are connected: AAA111, BBB222" == raised.value.problem
        assert "--serial" in raised.value.hint

    def test_only_phone_without_permission(
        self, signer: PythonRSASigner, no_server: tuple[str, int]
    ) -> None:
        """The only phone cannot be opened: DevicePermission, never "busy"."""
        backend = FakeBackend([usb_phone(open_errno=13)])

        with pytest.raises(DevicePermission) as raised:
            open_transport(signer=signer, usb_backend=backend, server=no_server)

        assert "USB bus 1 address 5: no permission to open the phone's USB device" == (
            raised.value.problem
        )

    @pytest.mark.usefixtures("no_libusb")
    def test_no_libusb_no_server(self, signer: PythonRSASigner, no_server: tuple[str, int]) -> None:
        """Neither libusb nor a server: MissingBackend, which says TCP still works."""
        with pytest.raises(MissingBackend) as raised:
            open_transport(signer=signer, server=no_server)

        assert "--tcp" in raised.value.hint

    def test_serial_listed_by_server(
        self,
        adb_server: AdbServer,
        phone: Phone,
        signer: PythonRSASigner,
    ) -> None:
        """--serial of a phone the live server lists: go through the server (exit codes work)."""
        sim = phone(serial="SIMSERVED", auth=AuthPolicy(trusted_keys=(adb_server.public_key,)))
        serial = adb_server.connect(sim.port, "device").serial
        try:
            transport = open_transport(
                serial=serial,
                signer=signer,
                server=("127.0.0.1", adb_server.port),
                usb_backend=FakeBackend([]),
            )

            assert isinstance(transport, ServerTransport)
            assert 1 == transport.shell("false", timeout=5).exit_code
        finally:
            adb_server.disconnect(sim.port)

    def test_serial_nowhere(self, adb_server: AdbServer, signer: PythonRSASigner) -> None:
        """A serial neither the live server nor USB has: DeviceNotFound naming it."""
        with pytest.raises(DeviceNotFound) as raised:
            open_transport(
                serial="NOSUCHPHONE", signer=signer, server=("127.0.0.1", adb_server.port)
            )

        assert "NOSUCHPHONE" in raised.value.problem

    @pytest.mark.usefixtures("no_libusb")
    def test_only_server_device(
        self,
        adb_server: AdbServer,
        phone: Phone,
        signer: PythonRSASigner,
    ) -> None:
        """No flags, no libusb, one phone at the server: that phone, through the server."""
        sim = phone(serial="SIMONLY", auth=AuthPolicy(trusted_keys=(adb_server.public_key,)))
        serial = adb_server.connect(sim.port, "device").serial
        try:
            transport = open_transport(signer=signer, server=("127.0.0.1", adb_server.port))

            assert (ServerTransport, serial) == (type(transport), transport.serial)
        finally:
            adb_server.disconnect(sim.port)


class TestDeviceListing:
    def test_merges_all_sources(
        self,
        adb_server: AdbServer,
        phone: Phone,
        signer: PythonRSASigner,
        closed_port: int,
        tmp_path: Path,
    ) -> None:
        """Server phones, USB phones (minus those the server holds) and --tcp endpoints, once."""
        served = phone(serial="SIMLISTED", auth=AuthPolicy(trusted_keys=(adb_server.public_key,)))
        served_serial = adb_server.connect(served.port, "device").serial
        trusting = phone(serial="SIMTCP1", auth=AuthPolicy(trusted_keys=(signer.GetPublicKey(),)))
        untrusting = phone(serial="SIMTCP2", auth=AuthPolicy(prompt="never"))
        # A USB phone whose serial the server lists is the same phone: one row, via the server.
        backend = FakeBackend([usb_phone(served_serial), usb_phone("USBONLY", address=6)])
        try:
            listing = DeviceListing.gather(
                tcp=[
                    f"127.0.0.1:{trusting.port}",
                    ("127.0.0.1", untrusting.port),
                    f"127.0.0.1:{closed_port}",
                ],
                signer=signer,
                usb_backend=backend,
                server=("127.0.0.1", adb_server.port),
                sysfs=tmp_path,
            )
        finally:
            adb_server.disconnect(served.port)

        rows = {(p.name, p.via, p.state) for p in listing.phones}
        assert {
            (served_serial, "adb server", "ready"),
            ("USBONLY", "usb", "ready"),
            (f"127.0.0.1:{trusting.port}", "tcp", "ready"),
            (f"127.0.0.1:{untrusting.port}", "tcp", "unauthorized"),
            (f"127.0.0.1:{closed_port}", "tcp", "unreachable"),
        } <= rows
        assert 1 == sum(p.name == served_serial for p in listing.phones)
        assert 0 == untrusting.stats.prompts
        assert listing.server is not None and 41 == listing.server["version"]

    @pytest.mark.usefixtures("no_libusb")
    def test_missing_libusb_is_a_note(self, no_server: tuple[str, int]) -> None:
        """Without libusb the listing still works and says what it could not look at."""
        listing = DeviceListing.gather(server=no_server)

        assert () == listing.phones
        assert listing.server is None
        assert listing.notes[0].startswith("USB: libusb-1.0 is not installed")

    def test_to_json(self) -> None:
        """The JSON form carries every row, the server and the notes, and serialises."""
        listing = DeviceListing(
            (ListedPhone("R58M12ABCDE", "usb", "ready", "", {"vendor_id": "04e8"}),),
            None,
            ("USB: …",),
        )

        assert {
            "phones": [
                {
                    "name": "R58M12ABCDE",
                    "via": "usb",
                    "state": "ready",
                    "detail": "",
                    "fields": {"vendor_id": "04e8"},
                }
            ],
            "adb_server": None,
            "notes": ["USB: …"],
        } == json.loads(json.dumps(listing.to_json()))

    def test_to_text(self) -> None:
        """The terminal form has one aligned line per phone, then the server and the notes."""
        listing = DeviceListing(
            (
                ListedPhone("R58M12ABCDE", "usb", "ready"),
                ListedPhone("10.0.0.7:5555", "tcp", "unauthorized", "not trusted yet"),
            ),
            {"address": "127.0.0.1:5037", "version": 41, "pid": 812},
            ("USB: …",),
        )

        assert (
            "R58M12ABCDE    usb         ready\n"
            "10.0.0.7:5555  tcp         unauthorized  (not trusted yet)\n"
            "adb server 41 at 127.0.0.1:5037, pid 812\n"
            "note: USB: …\n"
        ) == listing.to_text()

"""UsbTransport's failures, injected where libusb meets adb-shell: no phone, no libusb needed.

adb.md §3: pyusb fakes cannot drive adb-shell's USB code (it uses python-libusb1), so these
tests hand adb-shell fake ``usb1`` device objects that raise real ``usb1`` errors, or a
``BaseTransport`` "cable" to the simulated phone that fails as adb-shell's USB transport does.
"""

from __future__ import annotations

import importlib
import socket
import sys
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
import usb1
from adb_shell import exceptions as adb_exc
from adb_shell.auth.sign_pythonrsa import PythonRSASigner
from adb_shell.transport.base_transport import BaseTransport

from checks.errors import (
    DeviceBusy,
    DeviceLost,
    DevicePermission,
    DeviceUnauthorized,
    MissingBackend,
    ProbeTimeout,
)
from scanner.simphone import AuthPolicy, Faults
from scanner.transport.interface import ShellResult
from scanner.transport.usb import UsbTransport

USB_MODULE = "adb_shell.transport.usb_transport"


@pytest.fixture
def adb_shell_usb(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """adb-shell's USB module, importable even where libusb-1.0 is missing.

    Importing it opens a libusb context at class definition; without the library that raises
    OSError, so the import runs with ``USBContext.open`` stubbed, and is undone afterwards so
    other tests still see the host as it is.
    """
    loaded = USB_MODULE in sys.modules
    try:
        module = importlib.import_module(USB_MODULE)
    except OSError:
        with monkeypatch.context() as m:
            m.setattr(usb1.USBContext, "open", lambda self: self)
            module = importlib.import_module(USB_MODULE)
    yield module
    if not loaded:
        sys.modules.pop(USB_MODULE, None)
        package = sys.modules["adb_shell.transport"]
        if hasattr(package, "usb_transport"):
            delattr(package, "usb_transport")


class FakeEndpoint:
    def __init__(self, address: int) -> None:
        self._address = address

    def getAddress(self) -> int:
        return self._address


class FakeSetting:
    """The ADB interface setting: number 1, bulk in 0x81, bulk out 0x01."""

    def iterEndpoints(self) -> Iterator[FakeEndpoint]:
        return iter([FakeEndpoint(0x81), FakeEndpoint(0x01)])

    def getNumber(self) -> int:
        return 1


class FakeHandle:
    def __init__(self, claim_error: Exception | None) -> None:
        self._claim_error = claim_error

    def kernelDriverActive(self, number: int) -> bool:
        return False

    def claimInterface(self, number: int) -> None:
        if self._claim_error is not None:
            raise self._claim_error

    def releaseInterface(self, number: int) -> None:
        raise usb1.USBErrorNotFound()  # never claimed; adb-shell's close() swallows USBError

    def close(self) -> None:
        pass


class FakeDevice:
    """A usb1 device whose ``open`` or interface claim fails as libusb reports it."""

    def __init__(
        self, *, open_error: Exception | None = None, claim_error: Exception | None = None
    ):
        self._open_error = open_error
        self._claim_error = claim_error

    def open(self) -> FakeHandle:
        if self._open_error is not None:
            raise self._open_error
        return FakeHandle(self._claim_error)

    def getSerialNumber(self) -> str:
        if self._open_error is not None:
            raise self._open_error
        return "R58M12ABCDE"


class TestLibusbErrors:
    def test_busy(self, adb_shell_usb: ModuleType, signer: PythonRSASigner) -> None:
        """LIBUSB_ERROR_BUSY on claim: DeviceBusy naming the phone, hint `adb -s … detach`."""
        device = adb_shell_usb.UsbTransport(
            FakeDevice(claim_error=usb1.USBErrorBusy()), FakeSetting()
        )

        with pytest.raises(DeviceBusy) as raised:
            UsbTransport.connect("R58M12ABCDE", signer=signer, device=device)

        assert raised.value.problem.startswith("R58M12ABCDE: the phone's USB interface is held by")
        assert "`adb -s R58M12ABCDE detach`" in raised.value.hint
        assert "never stops it" in raised.value.hint
        assert "kill" not in raised.value.hint

    def test_access(self, adb_shell_usb: ModuleType, signer: PythonRSASigner) -> None:
        """LIBUSB_ERROR_ACCESS on open: DevicePermission with the udev hint, never "busy"."""
        device = adb_shell_usb.UsbTransport(
            FakeDevice(open_error=usb1.USBErrorAccess()), FakeSetting()
        )

        with pytest.raises(DevicePermission) as raised:
            UsbTransport.connect("R58M12ABCDE", signer=signer, device=device)

        assert "R58M12ABCDE: no permission to open the phone's USB device" == raised.value.problem
        assert "plugdev" in raised.value.hint
        assert "busy" not in (raised.value.problem + raised.value.hint).lower()

    def test_unnamed_phone_is_named_from_its_serial(
        self, adb_shell_usb: ModuleType, signer: PythonRSASigner
    ) -> None:
        """Without --serial, messages still name the phone by the serial USB reports."""
        device = adb_shell_usb.UsbTransport(
            FakeDevice(claim_error=usb1.USBErrorBusy()), FakeSetting()
        )

        with pytest.raises(DeviceBusy) as raised:
            UsbTransport.connect(signer=signer, device=device)

        assert raised.value.problem.startswith("R58M12ABCDE:")


class TestMissingLibusb:
    def test_missing_backend(
        self, monkeypatch: pytest.MonkeyPatch, signer: PythonRSASigner
    ) -> None:
        """No libusb-1.0: MissingBackend saying what to install and that TCP still works."""
        # Where libusb is installed, make the import fail as python-libusb1 does without it.
        real_import = importlib.import_module

        def no_libusb(name: str, *args: Any) -> ModuleType:
            if name == USB_MODULE:
                raise OSError(2, "cannot find a suitable libusb-1.0")
            return real_import(name, *args)

        monkeypatch.setattr(importlib, "import_module", no_libusb)

        with pytest.raises(MissingBackend) as raised:
            UsbTransport.connect(signer=signer)

        assert raised.value.problem.startswith("libusb-1.0 is not installed")
        assert "libusb-1.0-0" in raised.value.hint
        assert "--tcp" in raised.value.hint


# --- a "USB cable" to the simulated phone, at adb-shell's BaseTransport seam ------------------


class CableToSimphone(BaseTransport):  # type: ignore[misc]
    """adb-shell's USB transport contract, carried over TCP to a simulated phone.

    Timeouts and unplugging surface as adb-shell's USB transport reports them:
    ``UsbReadFailedError`` wrapping ``USBErrorTimeout`` / ``USBErrorNoDevice``.
    """

    def __init__(self, port: int, *, unplug_after_bytes: int | None = None) -> None:
        self._port = port
        self._sock: socket.socket | None = None
        self._unplug_after = unplug_after_bytes
        self._received = 0
        self.serial_number = "SIM0001"

    def connect(self, transport_timeout_s: float | None) -> None:
        self._sock = socket.create_connection(("127.0.0.1", self._port), timeout=5)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def bulk_write(self, data: bytes, transport_timeout_s: float | None) -> int:
        assert self._sock is not None
        self._sock.sendall(data)
        return len(data)

    def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
        assert self._sock is not None
        if self._unplug_after is not None and self._received >= self._unplug_after:
            raise adb_exc.UsbReadFailedError("Could not receive data", usb1.USBErrorNoDevice())
        self._sock.settimeout(transport_timeout_s)
        try:
            data = self._sock.recv(numbytes)
        except TimeoutError:
            raise adb_exc.UsbReadFailedError("Could not receive data", usb1.USBErrorTimeout())
        self._received += len(data)
        return data


MIB = 1024 * 1024
Phone = Callable[..., Any]


class TestOverUsb:
    def test_round_trip(self, phone: Phone, signer: PythonRSASigner) -> None:
        """A trusting phone answers; the transport is named by the serial USB reports."""
        server = phone(auth=AuthPolicy(trusted_keys=(signer.GetPublicKey(),)))

        transport = UsbTransport.connect(signer=signer, device=CableToSimphone(server.port))

        assert ShellResult(b"Pixel 7\n") == transport.shell("getprop ro.product.model", timeout=5)
        assert "SIM0001" == transport.serial
        assert 1 == transport.meter.exchanges
        transport.close()

    def test_unanswered_prompt(self, phone: Phone, signer: PythonRSASigner) -> None:
        """The dialog nobody taps: on_prompt first, then DeviceUnauthorized after the auth wait."""
        server = phone(auth=AuthPolicy(prompt="never"))
        prompts: list[int] = []
        started = time.monotonic()

        with pytest.raises(DeviceUnauthorized) as raised:
            UsbTransport.connect(
                "SIM0001",
                signer=signer,
                device=CableToSimphone(server.port),
                auth_timeout_s=0.5,
                on_prompt=lambda: prompts.append(1),
            )

        assert 0.5 <= time.monotonic() - started < 1.5
        assert [1] == prompts
        assert "SIM0001: the phone did not accept this computer's ADB key within 0.5 s" == (
            raised.value.problem
        )
        assert "Allow USB debugging?" in raised.value.hint

    def test_unplugged_mid_output(self, phone: Phone, signer: PythonRSASigner) -> None:
        """LIBUSB_ERROR_NO_DEVICE mid-output: DeviceLost with the packets that arrived."""
        server = phone(auth=AuthPolicy(trusted_keys=(signer.GetPublicKey(),)))
        cable = CableToSimphone(server.port, unplug_after_bytes=MIB + MIB // 2)
        transport = UsbTransport.connect(signer=signer, device=cable)

        with pytest.raises(DeviceLost) as raised:
            transport.shell("bytes 3000000", timeout=5)

        assert raised.value.partial.startswith(b"x" * MIB)
        assert "LIBUSB_ERROR_NO_DEVICE" in raised.value.problem
        assert "avoid USB hubs" in raised.value.hint

    def test_stall_mid_output(self, phone: Phone, signer: PythonRSASigner) -> None:
        """The phone stops sending: ProbeTimeout at the command's timeout, with the partial."""
        server = phone(auth=AuthPolicy(trusted_keys=(signer.GetPublicKey(),)))
        transport = UsbTransport.connect(signer=signer, device=CableToSimphone(server.port))
        server.faults = Faults(hang_after_bytes=MIB + MIB // 2)
        started = time.monotonic()

        with pytest.raises(ProbeTimeout) as raised:
            transport.shell("bytes 3000000", timeout=1)

        assert 1 <= time.monotonic() - started < 1.5
        assert b"x" * MIB == raised.value.partial

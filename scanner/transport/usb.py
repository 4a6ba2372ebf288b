"""Talk to adbd directly over USB with adb-shell (python-libusb1 underneath).

Only when no adb server holds the phone: a server claims every USB phone it sees, and a second
claim fails with ``LIBUSB_ERROR_BUSY`` (adb.md §4.4). ``discovery.open_transport`` prefers the
server for that reason; this module explains the conflict when it happens anyway.

adb-shell's own finder is bypassed on purpose (``_find``): its serial matcher opens every ADB
device to read its serial and lets the first ``LIBUSB_ERROR_ACCESS`` of *any* device escape, and
it only knows the vendor ADB interface, not the USB Debug Capability one (adb.md §3).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import usb1
from adb_shell import exceptions as adb_exc
from adb_shell.transport.base_transport import BaseTransport

from checks.errors import DeviceError
from scanner.transport import failures
from scanner.transport._adbshell import (
    BoundedLink,
    Phase,
    Session,
    SessionTransport,
    describe,
    is_timeout,
)
from scanner.transport.server import find_adb_server_process

__all__ = ["ADB_INTERFACES", "UsbTransport"]

ADB_INTERFACES = frozenset({(0xFF, 0x42, 0x01), (0xDC, 0x02, 0x01)})
"""(class, subclass, protocol) of an ADB interface: vendor-specific ADB, USB Debug Capability."""


class _UsbLink(BoundedLink):
    """adb-shell's ``UsbTransport`` with each transfer given only the time left (≥ 1 ms: libusb
    reads a timeout of 0 as "wait forever")."""

    def __init__(self, inner: BaseTransport) -> None:
        self.inner = inner

    def connect(self, transport_timeout_s: float | None) -> None:
        self.close()
        self.inner.connect(self.remaining())
        self.connected = True

    def close(self) -> None:
        self.connected = False
        self.inner.close()

    def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
        return bytes(self.inner.bulk_read(numbytes, max(self.remaining(), 0.001)))

    def bulk_write(self, data: bytes, transport_timeout_s: float | None) -> int:
        return int(self.inner.bulk_write(data, max(self.remaining(), 0.001)))


def _usb_error(e: BaseException) -> BaseException:
    """The libusb error behind ``e``: adb-shell wraps transfer errors, not open/claim errors."""
    if isinstance(e, adb_exc.UsbReadFailedError | adb_exc.UsbWriteFailedError):
        wrapped: BaseException | None = e.usb_error
        return wrapped if wrapped is not None else e
    return e


def _explainer(name: str) -> Callable[[BaseException, Phase, float], DeviceError]:
    def explain(e: BaseException, phase: Phase, waited_s: float) -> DeviceError:
        cause = _usb_error(e)
        if isinstance(cause, usb1.USBErrorBusy):
            return failures.busy(name, find_adb_server_process())
        if isinstance(cause, usb1.USBErrorAccess):
            return failures.no_permission(name)
        if isinstance(cause, usb1.USBErrorNoDevice):
            return failures.handshake_lost(name, "the phone disappeared from USB")
        if is_timeout(e):
            if phase is Phase.PROMPT:
                return failures.unauthorized(name, waited_s)
            return failures.handshake_timeout(name, waited_s)
        return failures.handshake_lost(name, describe(e))

    return explain


def _usb_module() -> ModuleType:
    """adb-shell's USB module; importing it opens a libusb context (adb.md §2.3)."""
    try:
        return importlib.import_module("adb_shell.transport.usb_transport")
    except OSError as e:  # python-libusb1 imports fine, then finds no libusb-1.0 to load
        raise failures.missing_libusb("no libusb-1.0 library found") from e
    except ImportError as e:
        raise failures.missing_libusb(f"cannot import {e.name or 'usb1'}") from e


def _adb_setting(device: Any) -> Any:
    """The first interface setting of ``device`` that speaks ADB, or None."""
    for setting in device.iterSettings():
        if (setting.getClass(), setting.getSubClass(), setting.getProtocol()) in ADB_INTERFACES:
            return setting
    return None


def _find(serial: str | None) -> BaseTransport:
    """adb-shell's ``UsbTransport`` for the phone with ``serial`` (or the first ADB phone)."""
    module = _usb_module()
    cls = module.UsbTransport
    no_access: list[str] = []
    adb_devices = 0

    def matches(candidate: Any) -> bool:
        nonlocal adb_devices
        adb_devices += 1
        if serial is None:
            return True
        try:
            return bool(candidate.serial_number == serial)
        except usb1.USBErrorAccess:
            device = candidate._device
            no_access.append(f"bus {device.getBusNumber()} address {device.getDeviceAddress()}")
        except usb1.USBError:
            pass
        return False

    try:
        found: BaseTransport = cls._find_first(
            _adb_setting, device_matcher=matches, usb_info=serial or "first"
        )
        return found
    except adb_exc.UsbDeviceNotFoundError:
        pass
    except usb1.USBError as e:
        raise failures.handshake_lost(serial or "USB", describe(e)) from e
    if no_access:
        raise failures.no_permission(f"USB phone at {no_access[0]} (serial unreadable)")
    if adb_devices:
        raise failures.not_on_usb(serial, f"{adb_devices} other ADB device(s)")
    try:
        total = len(cls.USB1_CTX.getDeviceList(skip_on_error=True))
    except usb1.USBError:
        total = 0
    sees = f"{total} USB device(s), none with an ADB interface" if total else "USB sees no devices"
    raise failures.not_on_usb(serial, sees)


class UsbTransport(SessionTransport):
    """A phone on USB; ``serial`` is its USB serial number."""

    @classmethod
    def connect(
        cls,
        serial: str | None = None,
        *,
        signer: object,
        connect_timeout_s: float = 5.0,
        auth_timeout_s: float = 60.0,
        on_prompt: Callable[[], None] | None = None,
        device: BaseTransport | None = None,
    ) -> UsbTransport:
        """Open the phone with ``serial`` (or the only ADB phone) and authenticate.

        ``device`` is an adb-shell ``BaseTransport`` to use instead of searching USB: the seam
        where tests inject libusb failures, as adb.md §3 suggests.
        """
        inner = device if device is not None else _find(serial)
        name = serial or _serial_of(inner) or "USB phone"
        session = Session(
            _UsbLink(inner),
            name=name,
            signer=signer,
            connect_timeout_s=connect_timeout_s,
            auth_timeout_s=auth_timeout_s,
            on_prompt=on_prompt,
            explain_connect=_explainer(name),
        )
        session.connect()
        return cls(session, name)


def _serial_of(inner: BaseTransport) -> str | None:
    try:
        serial = inner.serial_number
    except usb1.USBError:  # no permission: the name is only for messages
        return None
    return serial if isinstance(serial, str) and serial else None

"""Phones on USB, found with pyusb without claiming them: their ADB interface, serial and state.

A phone shows an ADB interface (class 0xff, subclass 0x42, protocol 0x01) only with USB debugging
on; whether msgscan may open it depends on who holds it (an adb server, another program via
usbfs) and whether the user allowed this computer. ``scanner.discovery`` merges these phones
with the adb server's and the ``--tcp`` endpoints.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import usb.core
import usb.util

from scanner.transport import failures
from scanner.transport.server import ServerDevice, find_adb_server_process
from scanner.transport.usb import ADB_INTERFACES

__all__ = ["SYSFS_USB", "UsbPhone", "UsbState", "describe_usb", "find_usb_phones"]


SYSFS_USB = Path("/sys/bus/usb/devices")


class UsbState(enum.StrEnum):
    READY = "ready"
    NO_PERMISSION = "no USB permission"
    BUSY = "busy"
    UNAUTHORIZED = "unauthorized"


@dataclass(frozen=True, slots=True)
class UsbPhone:
    """A USB device with an ADB interface."""

    serial: str | None
    """None when the serial cannot be read (usually: no permission to open the device)."""
    vendor_id: int
    product_id: int
    bus: int | None
    address: int | None
    state: UsbState
    detail: str = ""
    """Why this state, e.g. "held by the adb server (pid 812)"."""

    @property
    def name(self) -> str:
        return self.serial or f"USB bus {self.bus} address {self.address}"


def _has_adb_interface(dev: Any) -> bool:
    try:
        return bool(_adb_interface_numbers(dev))
    except usb.core.USBError:  # a device whose descriptors cannot be read is no phone we can use
        return False


def _adb_interface_numbers(dev: Any) -> set[int]:
    return {
        intf.bInterfaceNumber
        for config in dev
        for intf in config
        if (intf.bInterfaceClass, intf.bInterfaceSubClass, intf.bInterfaceProtocol)
        in ADB_INTERFACES
    }


def _read_serial(dev: Any) -> tuple[str | None, bool]:
    """``(serial, permitted)``: reading a string descriptor needs the device opened."""
    try:
        return dev.serial_number, True
    except ValueError:
        # pyusb: "The device has no langid (permission issue, …)": opening the device failed
        # and pyusb swallowed the error into an empty LANGID table (adb.md §3).
        return None, False
    except usb.core.USBError as e:
        return None, e.errno not in (13, 1)  # EACCES, EPERM: permission; others: no serial


def _claimed_by_usbfs(dev: Any, sysfs: Path) -> bool:
    """True if a process holds an ADB interface through usbfs (Linux).

    When a program claims an interface through usbfs, the kernel binds the interface to the
    ``usbfs`` driver, visible as ``/sys/bus/usb/devices/<bus>-<ports>:<config>.<intf>/driver``.
    Reading that link disturbs nobody; a trial claim would race with the owner and could make a
    starting adb server fail, so msgscan never claims just to look.
    """
    ports = getattr(dev, "port_numbers", None)
    if dev.bus is None or not ports:
        return False
    stem = f"{dev.bus}-{'.'.join(str(p) for p in ports)}"
    for number in _adb_interface_numbers(dev):
        for intf_dir in sysfs.glob(f"{stem}:*.{number}"):
            driver = intf_dir / "driver"
            if driver.is_symlink() and os.path.basename(os.readlink(driver)) == "usbfs":
                return True
    return False


def find_usb_phones(
    backend: Any = None,
    *,
    server_devices: Sequence[ServerDevice] = (),
    sysfs: Path = SYSFS_USB,
) -> list[UsbPhone]:
    """Every USB device with an ADB interface in any configuration, with what we can tell.

    The state is decided without disturbing other programs, in this order: an unreadable
    serial means "no USB permission"; a serial the adb server lists (``server_devices``) is
    "busy" (the server claimed it) or the server's "unauthorized" / "no permissions"; a usbfs
    claim seen in sysfs is "busy"; else "ready" (reachable; authorisation shows on connect).
    Raises ``MissingBackend`` when pyusb finds no libusb.
    """
    try:
        devices = list(
            usb.core.find(find_all=True, backend=backend, custom_match=_has_adb_interface)
        )
    except usb.core.NoBackendError as e:
        raise failures.missing_libusb("pyusb found no USB backend") from e
    except usb.core.USBError as e:
        raise failures.not_on_usb(None, f"USB cannot be listed: {e}") from e
    by_serial = {d.serial: d for d in server_devices if d.state != "detached"}
    server_pid: tuple[int, str] | None = None
    phones = []
    for dev in devices:
        serial, permitted = _read_serial(dev)
        usb.util.dispose_resources(dev)  # reading the serial opened it; hold nothing
        listed = by_serial.get(serial) if serial else None
        state, detail = UsbState.READY, ""
        if not permitted:
            state, detail = UsbState.NO_PERMISSION, "cannot open the device to read its serial"
        elif listed is not None:
            if listed.state in ("unauthorized", "authorizing"):
                state, detail = UsbState.UNAUTHORIZED, f"adb server says '{listed.state}'"
            elif listed.state.startswith("no permissions"):
                state, detail = UsbState.NO_PERMISSION, "adb server says 'no permissions'"
            else:
                server_pid = server_pid or find_adb_server_process()
                pid = f" (pid {server_pid[0]})" if server_pid else ""
                state, detail = UsbState.BUSY, f"held by the adb server{pid}"
        elif _claimed_by_usbfs(dev, sysfs):
            state, detail = UsbState.BUSY, "another program has claimed its ADB interface"
        phones.append(
            UsbPhone(serial, dev.idVendor, dev.idProduct, dev.bus, dev.address, state, detail)
        )
    return phones


def describe_usb(backend: Any = None) -> str:
    """What USB sees, for a "no phone found" message: vendor:product ids, hubs left out."""
    try:
        devices = [
            d for d in usb.core.find(find_all=True, backend=backend) if d.bDeviceClass != 0x09
        ]
    except usb.core.NoBackendError:
        return "USB not readable: no libusb"
    except usb.core.USBError as e:
        return f"USB not readable: {e}"
    if not devices:
        return "USB sees no devices"
    ids = ", ".join(f"{d.idVendor:04x}:{d.idProduct:04x}" for d in devices[:8])
    more = f" and {len(devices) - 8} more" if len(devices) > 8 else ""
    return f"USB sees {len(devices)} device(s) without an ADB interface: {ids}{more}"

"""A pyusb backend serving made-up USB devices, as pyusb's own tests do (adb.md §3).

Devices are plain data; the backend answers descriptor reads, opens, and GET_DESCRIPTOR control
transfers for string descriptors (index 0: the LANGID table; others: UTF-16LE).
"""

from __future__ import annotations

import array
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import usb.backend
import usb.core

ADB = (0xFF, 0x42, 0x01)
DBC = (0xDC, 0x02, 0x01)
MTP = (0x06, 0x01, 0x01)
HID_KEYBOARD = (0x03, 0x01, 0x01)


@dataclass
class FakeDevice:
    """One device: ``configs`` is a list of configurations, each a list of interfaces, each a
    list of alternate settings given as (class, subclass, protocol)."""

    vendor_id: int
    product_id: int
    configs: list[list[list[tuple[int, int, int]]]]
    serial: str | None = None
    bus: int = 1
    address: int = 5
    port_numbers: tuple[int, ...] = (4,)
    open_errno: int | None = None
    """Set to 13 for "Access denied (insufficient permissions)" on open, as libusb reports."""
    strings: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.serial is not None:
            self.strings[3] = self.serial


def phone(serial: str | None = "R58M12ABCDE", **kwargs: Any) -> FakeDevice:
    """A phone in "file transfer + USB debugging" mode: MTP and ADB interfaces."""
    return FakeDevice(0x04E8, 0x6860, [[[MTP], [ADB]]], serial=serial, **kwargs)


def keyboard(**kwargs: Any) -> FakeDevice:
    return FakeDevice(0x046D, 0xC31C, [[[HID_KEYBOARD]]], serial=None, address=2, **kwargs)


class FakeBackend(usb.backend.IBackend):  # type: ignore[misc]
    def __init__(self, devices: list[FakeDevice]) -> None:
        super().__init__()
        self.devices = devices
        self.opened: list[FakeDevice] = []

    def enumerate_devices(self) -> Any:
        return iter(self.devices)

    def get_device_descriptor(self, dev: FakeDevice) -> Any:
        return SimpleNamespace(
            bLength=18,
            bDescriptorType=1,
            bcdUSB=0x0200,
            bDeviceClass=0,
            bDeviceSubClass=0,
            bDeviceProtocol=0,
            bMaxPacketSize0=64,
            idVendor=dev.vendor_id,
            idProduct=dev.product_id,
            bcdDevice=0x0100,
            iManufacturer=0,
            iProduct=0,
            iSerialNumber=3 if dev.serial is not None else 0,
            bNumConfigurations=len(dev.configs),
            address=dev.address,
            bus=dev.bus,
            port_number=dev.port_numbers[-1],
            port_numbers=dev.port_numbers,
            speed=3,
        )

    def get_configuration_descriptor(self, dev: FakeDevice, config: int) -> Any:
        if config >= len(dev.configs):
            raise IndexError(config)
        return SimpleNamespace(
            bLength=9,
            bDescriptorType=2,
            wTotalLength=0,
            bNumInterfaces=len(dev.configs[config]),
            bConfigurationValue=config + 1,
            iConfiguration=0,
            bmAttributes=0x80,
            bMaxPower=250,
            extra_descriptors=[],
        )

    def get_interface_descriptor(self, dev: FakeDevice, intf: int, alt: int, config: int) -> Any:
        settings = dev.configs[config][intf]
        if alt >= len(settings):
            raise IndexError(alt)
        cls, subclass, protocol = settings[alt]
        return SimpleNamespace(
            bLength=9,
            bDescriptorType=4,
            bInterfaceNumber=intf,
            bAlternateSetting=alt,
            bNumEndpoints=2,
            bInterfaceClass=cls,
            bInterfaceSubClass=subclass,
            bInterfaceProtocol=protocol,
            iInterface=0,
            extra_descriptors=[],
        )

    def get_endpoint_descriptor(
        self, dev: FakeDevice, ep: int, intf: int, alt: int, config: int
    ) -> Any:
        if ep >= 2:
            raise IndexError(ep)
        return SimpleNamespace(
            bLength=7,
            bDescriptorType=5,
            bEndpointAddress=0x81 if ep == 0 else 0x01,
            bmAttributes=2,
            wMaxPacketSize=512,
            bInterval=0,
            bRefresh=0,
            bSynchAddress=0,
            extra_descriptors=[],
        )

    def open_device(self, dev: FakeDevice) -> FakeDevice:
        if dev.open_errno is not None:
            raise usb.core.USBError(
                "Access denied (insufficient permissions)", error_code=-3, errno=dev.open_errno
            )
        self.opened.append(dev)
        return dev

    def close_device(self, dev_handle: FakeDevice) -> None:
        pass

    def get_configuration(self, dev_handle: FakeDevice) -> int:
        return 1

    def ctrl_transfer(
        self,
        dev_handle: FakeDevice,
        bmRequestType: int,
        bRequest: int,
        wValue: int,
        wIndex: int,
        data: array.array[int],
        timeout: int,
    ) -> int:
        kind, index = wValue >> 8, wValue & 0xFF
        if bRequest != 0x06 or kind != 3:
            raise usb.core.USBError("Pipe error", error_code=-9, errno=32)
        if index == 0:
            payload = bytes([4, 3, 0x09, 0x04])  # LANGID table: en-US
        elif index in dev_handle.strings:
            text = dev_handle.strings[index].encode("utf-16-le")
            payload = bytes([2 + len(text), 3]) + text
        else:
            raise usb.core.USBError("Pipe error", error_code=-9, errno=32)
        n = min(len(payload), len(data))
        data[:n] = array.array("B", payload[:n])
        return n

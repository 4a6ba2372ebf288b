"""Which phones msgscan can reach, and how to open the one the user meant.

Three sources, merged: USB enumeration with pyusb (``scanner.usb_phones``, claims nothing), a
running adb server (probed with ``host:version`` only, never started), and ``--tcp host:port``
endpoints (a handshake that stops before our public key is sent, so the phone shows no dialog).

``open_transport`` picks the backend in this order: ``--tcp`` talks to adbd
directly; otherwise a live server that lists the phone is used (never fought: it owns the USB
interface), and only then msgscan opens USB itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from checks.errors import DeviceError, MissingBackend, UsageError
from scanner import endpoints
from scanner.transport import failures
from scanner.transport import server as adb_server
from scanner.transport.interface import Transport
from scanner.transport.keys import load_or_create_signer
from scanner.transport.server import (
    ServerDevice,
    find_adb_server_process,
    probe_server,
    server_address,
)
from scanner.transport.server_shell import ServerTransport
from scanner.transport.tcp import TcpTransport, probe_tcp
from scanner.transport.usb import UsbTransport
from scanner.usb_phones import SYSFS_USB, UsbPhone, UsbState, describe_usb, find_usb_phones

__all__ = [
    "DeviceListing",
    "ListedPhone",
    "UsbPhone",
    "UsbState",
    "find_adb_server_process",
    "find_usb_phones",
    "list_devices",
    "open_transport",
]

Endpoint = str | tuple[str, int]
"""``"host:port"`` or ``(host, port)``, as --tcp gives it."""


def _endpoint(value: Endpoint) -> tuple[str, int]:
    if not isinstance(value, str):
        return value[0], int(value[1])
    try:
        return endpoints.parse_endpoint(value)
    except endpoints.InvalidValue as e:
        raise UsageError(f"--tcp: {e.problem}", hint=e.hint) from None


@dataclass(frozen=True, slots=True)
class ListedPhone:
    """One phone in the device listing, however it is reached."""

    name: str
    """Serial, or host:port for a TCP endpoint; what --serial / --tcp takes."""
    via: str
    """``usb``, ``adb server`` or ``tcp``."""
    state: str
    """``ready``, ``unauthorized``, ``busy``, ``no USB permission``, ``unreachable``, or a
    server state such as ``offline``."""
    detail: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def _server_state(state: str) -> str:
    if state == "device":
        return "ready"
    if state in ("unauthorized", "authorizing"):
        return "unauthorized"
    if state.startswith("no permissions"):
        return UsbState.NO_PERMISSION.value
    return state


@dataclass(frozen=True, slots=True)
class DeviceListing:
    """Everything msgscan can see, merged: one row per phone."""

    phones: tuple[ListedPhone, ...]
    server: dict[str, Any] | None
    """``{"address", "version", "pid"}`` of a live adb server, else None."""
    notes: tuple[str, ...] = ()
    """Sources that could not be read, e.g. "USB: libusb-1.0 is not installed …"."""

    @classmethod
    def gather(
        cls,
        *,
        tcp: Iterable[Endpoint] = (),
        signer: object | None = None,
        usb_backend: Any = None,
        server: tuple[str, int] | None = None,
        probe_timeout_s: float = 1.0,
        tcp_timeout_s: float = 3.0,
        sysfs: Path = SYSFS_USB,
    ) -> DeviceListing:
        host, port = server or server_address()
        notes: list[str] = []
        rows: list[ListedPhone] = []
        server_info: dict[str, Any] | None = None
        server_devices: list[ServerDevice] = []
        if (version := probe_server(host, port, probe_timeout_s)) is not None:
            owner = find_adb_server_process(port)
            server_info = {
                "address": f"{host}:{port}",
                "version": version,
                "pid": owner[0] if owner else None,
            }
            try:
                server_devices = adb_server.list_devices(host, port, probe_timeout_s * 2)
            except DeviceError as e:
                notes.append(f"adb server: {e.problem}")
        for device in server_devices:
            rows.append(
                ListedPhone(
                    device.serial,
                    "adb server",
                    _server_state(device.state),
                    f"adb server at {host}:{port} says '{device.state}'",
                    dict(device.fields),
                )
            )
        try:
            usb_phones = find_usb_phones(usb_backend, server_devices=server_devices, sysfs=sysfs)
        except MissingBackend as e:
            usb_phones = []
            notes.append(f"USB: {e.problem}")
        listed = {d.serial for d in server_devices if d.state != "detached"}
        for phone in usb_phones:
            if phone.serial in listed:
                continue  # the server row stands for it: msgscan will go through the server
            rows.append(
                ListedPhone(
                    phone.name,
                    "usb",
                    phone.state.value,
                    phone.detail,
                    {
                        "vendor_id": f"{phone.vendor_id:04x}",
                        "product_id": f"{phone.product_id:04x}",
                        "bus": str(phone.bus),
                        "address": str(phone.address),
                    },
                )
            )
        for endpoint in tcp:
            h, p = _endpoint(endpoint)
            if signer is None:
                state, detail = "unknown", "no ADB key given to try the connection"
            else:
                state, detail = probe_tcp(h, p, signer=signer, timeout_s=tcp_timeout_s)
            rows.append(ListedPhone(f"{h}:{p}", "tcp", state, detail))
        return cls(tuple(rows), server_info, tuple(notes))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: ``phones`` (rows), ``adb_server``, ``notes``."""
        return {
            "phones": [asdict(p) for p in self.phones],
            "adb_server": self.server,
            "notes": list(self.notes),
        }

    def to_text(self) -> str:
        """One line per phone for a terminal, then the server and the notes."""
        if not self.phones:
            lines = ["no phones found"]
        else:
            width = max(len(p.name) for p in self.phones)
            lines = [
                f"{p.name:<{width}}  {p.via:<10}  {p.state}"
                + (f"  ({p.detail})" if p.detail else "")
                for p in self.phones
            ]
        if self.server:
            pid = f", pid {self.server['pid']}" if self.server.get("pid") else ""
            lines.append(f"adb server {self.server['version']} at {self.server['address']}{pid}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def list_devices(
    *,
    tcp: Iterable[Endpoint] = (),
    signer: object | None = None,
    usb_backend: Any = None,
    server: tuple[str, int] | None = None,
    tcp_timeout_s: float = 3.0,
) -> DeviceListing:
    """``DeviceListing.gather`` with this computer's ADB key for the --tcp handshakes."""
    if signer is None and tcp:
        signer = load_or_create_signer()
    return DeviceListing.gather(
        tcp=tcp, signer=signer, usb_backend=usb_backend, server=server, tcp_timeout_s=tcp_timeout_s
    )


def _live_server(address: tuple[str, int], timeout_s: float) -> list[ServerDevice] | None:
    """The devices of a live adb server at ``address``, or None if no server answers."""
    if probe_server(*address, timeout=timeout_s) is None:
        return None
    try:
        return adb_server.list_devices(*address, timeout=timeout_s * 2)
    except DeviceError:
        return None


def open_transport(
    *,
    serial: str | None = None,
    tcp: Endpoint | None = None,
    signer: object,
    connect_timeout_s: float = 5.0,
    auth_timeout_s: float = 60.0,
    on_prompt: Callable[[], None] | None = None,
    usb_backend: Any = None,
    server: tuple[str, int] | None = None,
    probe_timeout_s: float = 1.0,
) -> Transport:
    """Connect to the phone the user named (or the only one there is)."""
    if serial and tcp:
        raise UsageError("--serial and --tcp name two phones", hint="Pass one of them, not both.")
    if tcp:
        host, port = _endpoint(tcp)
        return TcpTransport.connect(
            host,
            port,
            signer=signer,
            connect_timeout_s=connect_timeout_s,
            auth_timeout_s=auth_timeout_s,
            on_prompt=on_prompt,
        )
    address = server or server_address()
    server_devices = _live_server(address, probe_timeout_s)
    usable = [d for d in server_devices or () if d.state != "detached"]

    def via_server(name: str) -> Transport:
        return ServerTransport(
            name,
            host=address[0],
            port=address[1],
            connect_timeout_s=connect_timeout_s,
            auth_timeout_s=auth_timeout_s,
            on_prompt=on_prompt,
        )

    def via_usb(name: str | None) -> Transport:
        return UsbTransport.connect(
            name,
            signer=signer,
            connect_timeout_s=connect_timeout_s,
            auth_timeout_s=auth_timeout_s,
            on_prompt=on_prompt,
        )

    if serial:
        if any(d.serial == serial for d in usable):
            return via_server(serial)
        try:
            return via_usb(serial)
        except MissingBackend:
            if server_devices is None:
                raise
            # USB cannot be searched, and the server (the other place to look) lacks it.
            raise failures.not_at_server(serial, f"{address[0]}:{address[1]}") from None

    try:
        usb_phones = find_usb_phones(usb_backend, server_devices=usable)
        missing: MissingBackend | None = None
    except MissingBackend as e:
        usb_phones, missing = [], e
    listed = {d.serial for d in usable}
    usb_only = [p for p in usb_phones if p.serial is None or p.serial not in listed]
    names = [d.serial for d in usable] + [p.name for p in usb_only]
    if len(names) > 1:
        raise UsageError(
            f"{len(names)} phones are connected: {', '.join(names)}",
            hint="Pass --serial SERIAL to choose one.",
        )
    if usable:
        return via_server(usable[0].serial)
    if usb_only:
        phone = usb_only[0]
        if phone.state is UsbState.NO_PERMISSION:
            raise failures.no_permission(phone.name)
        return via_usb(phone.serial)
    if missing is not None and server_devices is None:
        raise missing
    sees = describe_usb(usb_backend) if missing is None else "libusb missing: USB not searched"
    if server_devices is not None:
        sees += f"; the adb server at {address[0]}:{address[1]} lists none"
    raise failures.not_on_usb(None, sees)

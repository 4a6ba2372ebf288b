"""Which phones a round scans: USB phones, phones behind a running adb server, TCP endpoints.

Every phone found becomes a ``Target`` (scannable) or a ``Sighting`` (seen, but in a state that
cannot be scanned now: no USB permission, held by another program, unauthorized at the server,
offline). Both are recorded in the agent's state; sightings are tried again next round.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog

from checks.errors import MsgscanError
from scanner import discovery
from scanner.transport import server as adb_server

log = structlog.get_logger("msgscan.agent")

Via = Literal["usb", "tcp", "server"]


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    """The device id in the state: USB serial, or host:port."""
    via: Via
    host: str | None = None
    port: int | None = None
    since_ns: int = field(default_factory=time.time_ns, compare=False, repr=False)
    """When the phone was found (before its round scans it): a report of its name written since
    is another phone's that answered as the same id this round (``scanned.written``)."""


@dataclass(frozen=True, slots=True)
class Sighting:
    id: str
    via: Via
    state: str
    """no_permission, busy, unauthorized, offline, …"""
    detail: str = ""


_SERVER_STATES = {
    "unauthorized": "unauthorized",
    "authorizing": "unauthorized",
    "offline": "offline",
    "connecting": "offline",
    "detached": "busy",
}


def find(
    *,
    usb: bool,
    use_server: bool,
    endpoints: Iterable[tuple[str, int]],
    usb_backend: Any = None,
) -> tuple[list[Target], list[Sighting]]:
    """Every phone this round can reach; a phone reachable two ways is listed once."""
    targets: dict[str, Target] = {}
    sightings: dict[str, Sighting] = {}
    server_devices: Sequence[adb_server.ServerDevice] = ()
    if use_server and adb_server.probe_server() is not None:
        try:
            server_devices = adb_server.list_devices()
        except MsgscanError as e:
            log.warning("adb_server.list_failed", problem=e.problem)
    twins = _twins(d.serial for d in server_devices)
    for d in server_devices:
        if d.serial in twins:
            sightings[d.serial] = Sighting(
                d.serial,
                "server",
                "ambiguous",
                _twin_detail(twins[d.serial], "phones at the adb server", d.serial),
            )
        elif d.state == "device":
            targets[d.serial] = Target(d.serial, "server")
        else:
            state = _SERVER_STATES.get(
                d.state, "no_permission" if "permission" in d.state else d.state
            )
            sightings[d.serial] = Sighting(d.serial, "server", state, f"adb server says {d.state}")
    if usb:
        try:
            phones = discovery.find_usb_phones(usb_backend, server_devices=server_devices)
        except MsgscanError as e:  # no libusb: TCP and the server still work
            log.warning("usb.unavailable", problem=e.problem)
            phones = []
        usb_twins = _twins(p.serial for p in phones if p.serial)
        for p in phones:
            name = p.serial or f"usb:{p.bus}-{p.address}"
            if name in targets or name in sightings:
                continue
            if name in usb_twins:
                detail = _twin_detail(usb_twins[name], "USB phones", name)
                sightings[name] = Sighting(name, "usb", "ambiguous", detail)
                continue
            state = str(p.state.value if hasattr(p.state, "value") else p.state)
            if state == "ready":
                targets[name] = Target(name, "usb")
            else:
                sightings[name] = Sighting(
                    name, "usb", state.replace(" ", "_").lower(), p.detail or ""
                )
    for host, port in endpoints:
        name = f"{host}:{port}"
        if name not in targets and name not in sightings:
            targets[name] = Target(name, "tcp", host, port)
    return list(targets.values()), list(sightings.values())


def _twins(serials: Iterable[str]) -> dict[str, int]:
    """The serials more than one phone reports, and how many do (cheap phones and clones share
    one such as 0123456789ABCDEF): a connection by serial cannot tell which phone it reached."""
    count: dict[str, int] = {}
    for serial in serials:
        count[serial] = count.get(serial, 0) + 1
    return {serial: n for serial, n in count.items() if n > 1}


def _twin_detail(n: int, what: str, serial: str) -> str:
    return (
        f"{n} {what} report the serial {serial}: none is scanned, as msgscan could not tell "
        "which one it reached; give each phone its own serial, or scan them one at a time"
    )


def present(*, usb: bool, use_server: bool, usb_backend: Any = None) -> dict[str, Target]:
    """The scannable phones on USB and at the adb server now, by id (for hotplug: claims
    nothing, connects to no phone). A phone held by the adb server comes back as a server
    target, so a phone plugged in while a server runs is scanned through it, not reported busy;
    a phone that was unauthorized and is now allowed appears here as new."""
    targets, _ = find(usb=usb, use_server=use_server, endpoints=(), usb_backend=usb_backend)
    return {t.id: t for t in targets}

"""``PhoneServer``: a simulated phone's adbd on a TCP port, as in ``adb tcpip`` mode.

Each server runs its own asyncio loop on one daemon thread, so a test or benchmark can start
hundreds in one process; a connection costs one ``asyncio.Protocol`` and a task per open stream.
Everything mutable (connections, keys, counters) is touched only on that thread; the public
attributes are plain values that other threads may read, and ``faults`` may be reassigned.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from scanner.recordings.times import CORES
from scanner.simphone.auth import AuthPolicy, KeyRing
from scanner.simphone.connection import Connection
from scanner.simphone.faults import NO_FAULTS, Faults
from scanner.simphone.packets import CNXN_AUTH_LIMIT, VERSION_MIN, VERSION_SKIP_CHECKSUM
from scanner.simphone.responder import Responder
from scanner.simphone.services import ServiceLocks

MODERN_FEATURES: tuple[str, ...] = ("shell_v2", "cmd", "stat_v2", "ls_v2", "sendrecv_v2")
"""Android 11+ without compression: shell protocol, v2 stat/ls, RCV2/SND2 (flags 0 only)."""
LEGACY_FEATURES: tuple[str, ...] = ("cmd",)
"""An old phone: hosts fall back to ``shell:`` (no exit code, merged stderr), STAT and RECV."""
IMPLEMENTED_FEATURES = frozenset(MODERN_FEATURES)


def features_for_sdk(sdk: int) -> tuple[str, ...]:
    """What adbd of an Android version advertises, of the features this simulator implements
    (AOSP adb/transport.cpp kFeature*): shell_v2 and cmd from Android 7 (SDK 24), stat_v2 from 10
    (29), ls_v2 and sendrecv_v2 from 11 (30). Android 6 sends no feature list: shell v1 only."""
    if sdk < 24:
        return ()
    if sdk < 29:
        return ("shell_v2", "cmd")
    if sdk < 30:
        return ("shell_v2", "cmd", "stat_v2")
    return MODERN_FEATURES
"""Only what this simulator really implements may be advertised: hosts use a feature as soon
as both banners list it (delayed_ack, compression, abb... are not implemented)."""

EMULATOR_PORTS = range(5555, 5586)
"""The adb server probes these local ports for emulators and would adopt a simulated phone
there as ``emulator-<port-1>`` (adb.md §1.9)."""

STOP_TIMEOUT_S = 10.0
DEFAULT_AUTH = AuthPolicy()


@dataclass(slots=True)
class ServerStats:
    """What crossed the wire, for tests and benchmarks that count exchanges."""

    connections: int = 0
    """TCP connections accepted so far."""
    packets_in: int = 0
    packets_out: int = 0
    bytes_out: int = 0
    """Wire bytes sent, headers included."""
    services: list[str] = field(default_factory=list)
    """Every OPEN's destination in arrival order, refused ones included."""
    prompts: int = 0
    """Times an unknown key raised "Allow USB debugging?"."""
    most_streams: int = 0
    """The most streams one connection had open at the same time."""
    host_versions: list[int] = field(default_factory=list)
    """The version each host CNXN announced, in arrival order."""
    summed_in: int = 0
    """Packets with a payload that arrived, once online, carrying their byte sum: with both
    sides at 0x01000001 a host sends 0 instead (before our CNXN it cannot know our version)."""


class PhoneServer:
    """The device side of ADB over TCP, answering from a ``Responder``."""

    def __init__(
        self,
        responder: Responder,
        *,
        serial: str,
        product: str,
        model: str,
        device: str,
        host: str = "127.0.0.1",
        port: int = 0,
        auth: AuthPolicy = DEFAULT_AUTH,
        faults: Faults = NO_FAULTS,
        features: tuple[str, ...] = MODERN_FEATURES,
        version: int = VERSION_SKIP_CHECKSUM,
        cores: int = CORES,
    ) -> None:
        for name, value in (("product", product), ("model", model), ("device", device)):
            if any(c in value for c in ":;=,\0"):
                raise ValueError(f"{name} {value!r}: the banner cannot carry ':', ';', '=' or ','")
        unknown = set(features) - IMPLEMENTED_FEATURES
        if unknown:
            raise ValueError(
                f"features {sorted(unknown)} are not implemented; choose from "
                f"{sorted(IMPLEMENTED_FEATURES)}"
            )
        if version not in (VERSION_MIN, VERSION_SKIP_CHECKSUM):
            raise ValueError(f"version {version:#010x}: 0x01000000 or 0x01000001")
        if port in EMULATOR_PORTS:
            raise ValueError(f"port {port} is in adb's emulator scan range 5555-5585; pick another")
        self.responder = responder
        self.service_locks = ServiceLocks(cores)
        """The system services commands wait for (``services``): one command at a time each;
        and the ``cores`` their device times run on."""
        self.serial = serial
        self.product = product
        self.model = model
        self.device = device
        self.host = host
        self.features = tuple(features)
        self.version = version
        """What the phone's CNXN announces: 0x01000001, or 0x01000000 for an adbd from before
        aosp/568123, which checksums every packet and checks the host's (adb.md §1.2)."""
        self.faults = faults
        self.stats = ServerStats()
        self.errors: list[str] = []
        """Bugs met while serving (a responder that raised, a malformed key): tests assert
        this stays empty."""
        self._requested_port = port
        self._port: int | None = None
        self._auth = auth
        self.keyring = KeyRing(auth.trusted_keys)
        # adbd's connection banner (adb.cpp get_connection_string): "device::" and the three
        # product properties, then "features=" and the list (the feature negotiation of 2015,
        # b/23030641, that shipped with the shell protocol in Android 7). A phone with no
        # features (Android 6 here) ends after ro.product.device; a host sees no feature either way.
        self.banner = (
            f"device::ro.product.name={product};ro.product.model={model};"
            f"ro.product.device={device};"
            + (f"features={','.join(self.features)}" if self.features else "")
        )
        if len(self.banner) > CNXN_AUTH_LIMIT:
            raise ValueError(f"banner is {len(self.banner)} bytes; CNXN allows {CNXN_AUTH_LIMIT}")
        self._connections: set[Connection] = set()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None

    # Configuration that may change while the phone runs

    @property
    def auth(self) -> AuthPolicy:
        return self._auth

    @auth.setter
    def auth(self, policy: AuthPolicy) -> None:
        """A new policy; keys the user accepted at the prompt stay trusted."""
        self._auth = policy
        for key in policy.trusted_keys:
            self.keyring.add(key)

    def trust(self, key: bytes | str) -> None:
        """Add an adb public key to the phone's ``adb_keys``."""
        self.keyring.add(key)

    def record_error(self, where: str, error: BaseException) -> None:
        self.errors.append(f"{where}: {type(error).__name__}: {error}")

    # Counters (see ServerStats)

    @property
    def connections(self) -> int:
        return self.stats.connections

    @property
    def packets_in(self) -> int:
        return self.stats.packets_in

    @property
    def packets_out(self) -> int:
        return self.stats.packets_out

    @property
    def bytes_out(self) -> int:
        return self.stats.bytes_out

    @property
    def services(self) -> list[str]:
        return self.stats.services

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    # Lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("PhoneServer is not started: call start() or use it as a context")
        return self._port

    @property
    def address(self) -> str:
        """The serial adb gives this phone after ``adb connect``: "host:port"."""
        return f"{self.host}:{self.port}"

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("PhoneServer already started")
        self._thread = threading.Thread(
            target=self._run, name=f"simphone-{self.serial}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(STOP_TIMEOUT_S):
            raise RuntimeError(f"simulated phone {self.serial} did not start listening in time")
        if self._start_error is not None:
            self._thread.join(STOP_TIMEOUT_S)
            raise self._start_error
        return self

    def stop(self) -> None:
        """Close the port, reset every connection, join the thread. Safe to call twice."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None or loop is None or stopping is None:
            return
        try:
            loop.call_soon_threadsafe(stopping.set)
        except RuntimeError:
            pass  # the loop already ended
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            raise RuntimeError(f"simulated phone {self.serial} did not stop in time")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as e:  # noqa: BLE001 - handed to start()
            self._start_error = e
        finally:
            self._ready.set()
            loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        server = await self._listen(loop)
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            for connection in list(self._connections):
                connection.abort(reset=True)  # like a phone switched off: clients fail at once
            await server.wait_closed()
            # Let aborted connections run connection_lost, then end their stream tasks.
            await asyncio.sleep(0)
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _listen(self, loop: asyncio.AbstractEventLoop) -> asyncio.Server:
        # An ephemeral port could land in the emulator range on a host with an unusual
        # ip_local_port_range; then ask again.
        for _ in range(20):
            server = await loop.create_server(
                lambda: Connection(self), self.host, self._requested_port, backlog=128
            )
            port = server.sockets[0].getsockname()[1]
            if port not in EMULATOR_PORTS:
                self._port = port
                return server
            server.close()
            await server.wait_closed()
        raise RuntimeError("could not get a port outside adb's emulator range 5555-5585")

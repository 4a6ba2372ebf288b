"""PhoneServer's lifecycle, configuration checks and counters."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from adb_shell.adb_device import AdbDeviceTcp  # type: ignore[import-untyped]
from adb_shell.auth.sign_cryptography import CryptographySigner  # type: ignore[import-untyped]

from scanner.simphone import AuthPolicy, Faults, PhoneServer

from .conftest import MODEL, DictResponder, PhoneFactory
from .rawhost import RawHost


def make(responder: DictResponder, **kwargs: Any) -> PhoneServer:
    return PhoneServer(responder, serial="s", product="p", model="m", device="d", **kwargs)


class TestConfiguration:
    def test_emulator_ports_are_refused(self, responder: DictResponder) -> None:
        """Ports 5555-5585 would make adb adopt the phone as an emulator."""
        with pytest.raises(ValueError, match="emulator scan range"):
            make(responder, port=5555)

    def test_unimplemented_features_are_refused(self, responder: DictResponder) -> None:
        """Advertising a feature the simulator lacks would make hosts use it."""
        with pytest.raises(ValueError, match="delayed_ack"):
            make(responder, features=("shell_v2", "delayed_ack"))

    def test_banner_values_cannot_break_the_banner(self, responder: DictResponder) -> None:
        """adb splits the banner on ':', ';' and '=', so values must not contain them."""
        with pytest.raises(ValueError, match="model"):
            PhoneServer(responder, serial="s", product="p", model="a;b", device="d")

    def test_port_needs_start(self, responder: DictResponder) -> None:
        """The port is known only once the server listens."""
        with pytest.raises(RuntimeError, match="not started"):
            _ = make(responder).port

    def test_faults_are_checked(self) -> None:
        """Negative limits and zero bandwidth are rejected."""
        with pytest.raises(ValueError):
            Faults(drop_after_bytes=-1)
        with pytest.raises(ValueError):
            Faults(bandwidth_bps=0)


class TestLifecycle:
    def test_context_manager_listens_then_closes(self, responder: DictResponder) -> None:
        """Inside the ``with`` the port accepts connections; after it, the thread is gone."""
        before = threading.active_count()
        with make(responder, auth=AuthPolicy(required=False)) as phone:
            host = RawHost(phone.port)
            host.handshake()
            assert f"127.0.0.1:{phone.port}" == phone.address

        assert host.closed_by_peer()
        assert before == threading.active_count()

    def test_stop_is_prompt_with_busy_connections(self, responder: DictResponder) -> None:
        """stop() returns quickly even while streams wait on a hung connection."""
        phone = make(responder, auth=AuthPolicy(required=False), faults=Faults(hang_after_bytes=10))
        phone.start()
        hosts = [RawHost(phone.port) for _ in range(5)]
        for host in hosts:
            host.handshake()
            host.open(1, "shell:seq 100000")

        started = time.monotonic()
        phone.stop()

        assert time.monotonic() - started < 2.0
        assert all(host.closed_by_peer() for host in hosts)

    def test_many_servers_start_and_stop(self, responder: DictResponder) -> None:
        """Fifty phones run side by side in one process, each on its own port."""
        phones = [make(responder, auth=AuthPolicy(required=False)).start() for _ in range(50)]
        try:
            assert 50 == len({p.port for p in phones})
            for phone in phones[::10]:
                host = RawHost(phone.port)
                host.handshake()
                assert f"{MODEL}\n".encode() == host.exchange(1, "shell:getprop ro.product.model")
                host.close()
        finally:
            for phone in phones:
                phone.stop()

    def test_a_taken_port_fails_start(self, responder: DictResponder) -> None:
        """start() raises the listening error instead of leaving a dead thread behind."""
        with make(responder) as first:
            second = make(responder, port=first.port)
            with pytest.raises(OSError):
                second.start()

    def test_trust_adds_a_key_at_runtime(self, responder: DictResponder, host_key: Path) -> None:
        """A key trusted after start lets that key connect without a prompt."""
        with make(responder) as phone:
            phone.trust(Path(f"{host_key}.pub").read_text())
            device = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=5)
            device.connect(rsa_keys=[CryptographySigner(str(host_key))], auth_timeout_s=1)

            assert "hi\n" == device.shell("echo hi")
            assert 0 == phone.stats.prompts

    def test_stop_twice_is_harmless(self, responder: DictResponder) -> None:
        """A second stop() does nothing."""
        phone = make(responder).start()
        phone.stop()
        phone.stop()


class TestCounters:
    def test_counters_follow_the_wire(self, make_phone: PhoneFactory) -> None:
        """Connections, packets, bytes and opened services are counted."""
        phone = make_phone(auth=AuthPolicy(required=False))
        host = RawHost(phone.port)
        cnxn = host.handshake()
        host.exchange(1, "shell:echo hi")
        host.open(2, "nosuch:")

        assert 1 == phone.connections
        assert ["shell:echo hi", "nosuch:"] == phone.services
        assert 5 == phone.packets_out  # CNXN, OKAY, WRTE, CLSE, CLSE(refusal)
        assert 24 * 5 + len(cnxn.payload) + len(b"hi\n") == phone.bytes_out
        assert 5 == phone.packets_in  # CNXN, OPEN, OKAY, CLSE, OPEN: each counted before answered

    def test_responder_errors_are_recorded_not_fatal(self, responder: DictResponder) -> None:
        """A responder that raises yields exit 126 with "error:" and a recorded error."""

        class Broken(DictResponder):
            def run(self, command: str) -> object:  # type: ignore[override]
                raise RuntimeError("boom")

        with make(Broken({}, responder.files), auth=AuthPolicy(required=False)) as phone:
            host = RawHost(phone.port)
            host.handshake()
            output = host.exchange(1, "shell,v2,raw:anything")

        assert output.endswith(b"\x03\x01\x00\x00\x00\x7e")  # exit packet: 126
        assert b"error: boom" in output
        assert ["responder.run('anything'): RuntimeError: boom"] == phone.errors

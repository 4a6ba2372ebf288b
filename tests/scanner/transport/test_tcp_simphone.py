"""TcpTransport against the simulated phone: success, authorisation, broken and stalled streams."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from adb_shell.auth.sign_pythonrsa import PythonRSASigner

from checks.errors import DeviceLost, DeviceUnauthorized, ProbeTimeout
from scanner.simphone import LEGACY_FEATURES, AuthPolicy, Faults
from scanner.transport.interface import ShellResult
from scanner.transport.tcp import TcpTransport, probe_tcp

MIB = 1024 * 1024
"""adb-shell announces 1 MiB packets: a break after 1.5 MiB leaves one whole packet received."""

Phone = Callable[..., Any]


def _trusting(signer: PythonRSASigner) -> AuthPolicy:
    return AuthPolicy(trusted_keys=(signer.GetPublicKey(),))


def _connect(server: Any, signer: PythonRSASigner, **kwargs: Any) -> TcpTransport:
    return TcpTransport.connect("127.0.0.1", server.port, signer=signer, **kwargs)


class TestRoundTrip:
    def test_shell_with_trusted_key(self, phone: Phone, signer: PythonRSASigner) -> None:
        """A phone that trusts our key runs the command; shell v1 gives no exit code."""
        server = phone(auth=_trusting(signer))
        prompts: list[int] = []

        transport = _connect(server, signer, on_prompt=lambda: prompts.append(1))

        assert ShellResult(b"Pixel 7\n") == transport.shell("getprop ro.product.model", timeout=5)
        assert f"127.0.0.1:{server.port}" == transport.serial
        assert [] == prompts
        assert ["shell:getprop ro.product.model"] == server.services
        transport.close()

    def test_legacy_phone(self, phone: Phone, signer: PythonRSASigner) -> None:
        """A phone without shell_v2 answers the same way (adb-shell speaks v1 only)."""
        server = phone(auth=_trusting(signer), features=LEGACY_FEATURES)

        transport = _connect(server, signer)

        assert b"out\nwarning\n" == transport.shell("warn", timeout=5).stdout
        transport.close()

    def test_meter_counts_every_exchange(self, phone: Phone, signer: PythonRSASigner) -> None:
        """Each call is one exchange; bytes sent are the command, bytes received the output."""
        server = phone(auth=_trusting(signer))
        transport = _connect(server, signer)

        transport.shell("getprop ro.product.model", timeout=5)
        transport.shell("bytes 300000", timeout=5)
        transport.shell("false", timeout=5)

        meter = transport.meter
        assert 3 == meter.exchanges
        assert ["getprop ro.product.model", "bytes 300000", "false"] == meter.commands
        assert len("getprop ro.product.model") + len("bytes 300000") + len("false") == (
            meter.bytes_sent
        )
        assert len(b"Pixel 7\n") + 300000 == meter.bytes_received
        transport.close()


class TestAuthorisation:
    def test_unanswered_prompt(self, phone: Phone, signer: PythonRSASigner) -> None:
        """Unknown key, nobody taps: on_prompt once, then DeviceUnauthorized after the wait."""
        server = phone(auth=AuthPolicy(prompt="never"))
        prompts: list[float] = []
        started = time.monotonic()

        with pytest.raises(DeviceUnauthorized) as raised:
            _connect(server, signer, auth_timeout_s=0.5, on_prompt=lambda: prompts.append(1))

        assert 0.5 <= time.monotonic() - started < 1.5
        assert [1] == prompts
        assert 1 == server.stats.prompts
        assert (
            f"127.0.0.1:{server.port}: the phone did not accept this computer's ADB key "
            "within 0.5 s"
        ) == raised.value.problem
        assert "Allow USB debugging?" in raised.value.hint

    def test_accepted_prompt(self, phone: Phone, signer: PythonRSASigner) -> None:
        """The user taps Allow: the connection goes on and the command runs."""
        server = phone(auth=AuthPolicy(prompt="accept", prompt_delay_s=0.2))
        prompts: list[int] = []

        transport = _connect(server, signer, auth_timeout_s=5, on_prompt=lambda: prompts.append(1))

        assert b"Pixel 7\n" == transport.shell("getprop ro.product.model", timeout=5).stdout
        assert [1] == prompts
        transport.close()

    def test_probe_never_raises_the_dialog(self, phone: Phone, signer: PythonRSASigner) -> None:
        """The device listing reports "unauthorized" without sending our key: no dialog."""
        untrusting = phone(serial="SIM0002", auth=AuthPolicy(prompt="never"))
        trusting = phone(serial="SIM0003", auth=_trusting(signer))

        assert "unauthorized" == probe_tcp("127.0.0.1", untrusting.port, signer=signer)[0]
        assert "ready" == probe_tcp("127.0.0.1", trusting.port, signer=signer)[0]
        assert 0 == untrusting.stats.prompts


class TestBrokenStreams:
    def test_drop_mid_output(self, phone: Phone, signer: PythonRSASigner) -> None:
        """The connection dies mid-output: DeviceLost at once, with the whole packets received."""
        server = phone(auth=_trusting(signer))
        transport = _connect(server, signer)
        server.faults = Faults(drop_after_bytes=MIB + MIB // 2)
        started = time.monotonic()

        with pytest.raises(DeviceLost) as raised:
            transport.shell("bytes 3000000", timeout=10)

        assert time.monotonic() - started < 2
        assert b"x" * MIB == raised.value.partial
        assert "the connection broke during `bytes 3000000`" in raised.value.problem
        assert 1 == transport.meter.exchanges
        assert MIB == transport.meter.bytes_received

    def test_reconnects_after_a_break(self, phone: Phone, signer: PythonRSASigner) -> None:
        """After a lost stream the next call opens a new connection and works."""
        server = phone(auth=_trusting(signer))
        transport = _connect(server, signer)
        server.faults = Faults(drop_after_bytes=10)
        with pytest.raises(DeviceLost):
            transport.shell("bytes 100", timeout=5)
        server.faults = Faults()

        assert b"Pixel 7\n" == transport.shell("getprop ro.product.model", timeout=5).stdout
        assert 2 == server.connections
        transport.close()

    def test_hang_mid_output(self, phone: Phone, signer: PythonRSASigner) -> None:
        """The phone goes silent mid-output: ProbeTimeout at the timeout, with the partial."""
        server = phone(auth=_trusting(signer))
        transport = _connect(server, signer)
        server.faults = Faults(hang_after_bytes=MIB + MIB // 2)
        started = time.monotonic()

        with pytest.raises(ProbeTimeout) as raised:
            transport.shell("bytes 3000000", timeout=1)

        assert 1 <= time.monotonic() - started < 1.5
        assert b"x" * MIB == raised.value.partial
        assert "`bytes 3000000` did not finish within 1 s" in raised.value.problem

    def test_trickle_is_bounded_by_the_whole_timeout(
        self, phone: Phone, signer: PythonRSASigner
    ) -> None:
        """Packets that each arrive in time still cannot stretch a call past its timeout."""
        server = phone(auth=_trusting(signer))
        transport = _connect(server, signer)
        server.faults = Faults(latency_s=0.3)
        started = time.monotonic()

        with pytest.raises(ProbeTimeout):
            transport.shell("bytes 8000000", timeout=1)

        assert time.monotonic() - started < 1.5

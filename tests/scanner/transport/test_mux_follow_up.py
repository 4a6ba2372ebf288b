"""A follow-up stream opens as soon as the stream it follows has ended, also while another stream
still runs and sends nothing (scanner/transport/_mux.py).

The multiplexer used to look for new streams only after the next packet: when the stream that
asked for follow-ups was the last short one, they waited for the long one to answer (on the
300-package phone the per-user ``bmgr`` and the ``pm list`` cross-check waited for ``dumpsys
package``, 0.7 s of a scan, and only when the ``find`` streams happened to end first).
"""

from __future__ import annotations

import time

import pytest

from scanner.batch import BatchResult
from scanner.probes import Probe
from scanner.recording import Command, DeviceLabel, Recording
from scanner.simphone import AuthPolicy, Faults
from scanner.simphone.adbd import MODERN_FEATURES, PhoneServer
from scanner.simphone.phone import RecordedPhone
from scanner.simphone.responder import CommandOutput
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport
from scanner.waves import Streams, run_wave

SLOW_MS = 1500.0


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> object:
    return load_or_create_signer(tmp_path_factory.mktemp("adbkey"))


class Clocked(RecordedPhone):
    """``dumpsys slow`` takes ``SLOW_MS`` of device time, the others 20 ms, each on a service of
    its own; notes when each command reached the phone."""

    def __init__(self) -> None:
        super().__init__(Recording(DeviceLabel("s"), tuple(
            Command(("dumpsys", word), f"{word}\n".encode(), device_ms=ms)
            for word, ms in (("slow", SLOW_MS), ("quick", 20.0), ("after", 20.0))
        )))  # fmt: skip
        self.started: dict[str, float] = {}

    def run(self, command: str) -> CommandOutput:
        for word in ("slow", "quick", "after"):
            if f"dumpsys {word}" in command:
                self.started.setdefault(word, time.monotonic())
        return super().run(command)


def test_follow_up_opens_while_a_long_stream_runs(signer: object) -> None:
    phone = Clocked()
    server = PhoneServer(
        phone,
        serial="s",
        product="p",
        model="m",
        device="d",
        features=MODERN_FEATURES,
        auth=AuthPolicy(accept_any_key=True),
        faults=Faults(use_device_time=True),
    )
    quick = Probe("quick", ("dumpsys", "quick"))
    after = Probe("after", ("dumpsys", "after"))
    asked: list[int] = []

    def follow(number: int, result: BatchResult) -> Streams:
        asked.append(number)
        return [(after,)] if "quick" in result.outputs else ()

    with server:
        t = TcpTransport.connect("127.0.0.1", server.port, signer=signer)
        try:
            result = run_wave(t, [(Probe("slow", ("dumpsys", "slow")),), (quick,)], follow=follow)
        finally:
            t.close()
    assert {"slow", "quick", "after"} <= set(result.outputs), result.outputs.keys()
    assert 2 in asked
    # The follow-up's command reaches the phone while the slow one still runs (it would come
    # only after the slow one's answer, SLOW_MS after it started).
    waited = phone.started["after"] - phone.started["slow"]
    assert waited < SLOW_MS / 1000 / 2, waited

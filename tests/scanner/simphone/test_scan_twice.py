"""Two scans in a row against one simulated phone with device times take the same time, and its
device time overlaps except for commands of one system service (issue 18.3).

A real phone is not slower on its second scan, and nothing the simulator keeps across
connections may make it so. The lead measured 5.15 s for the first scan of the 300-package phone
and 5.86 s for every later one; the cause was the host's multiplexer (follow-up streams waited
for the next packet: ``tests/scanner/transport/test_mux_follow_up.py``), which the simulator's
first-scan warm-up hid by shifting when the ``find`` streams ended. Timing: under heavy load
rerun alone before believing a failure.
"""

from __future__ import annotations

import time
from collections import defaultdict

import pytest

from scanner.collect import collect
from scanner.recording import Recording
from scanner.recordings.build import large_phone
from scanner.recordings.construct import build
from scanner.simphone import Faults
from scanner.simphone.phone import RecordedPhone, phone_server
from scanner.simphone.responder import CommandOutput
from scanner.simphone.services import PM_SERVICE, USER_SERVICE, service_of_line
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> object:
    return load_or_create_signer(tmp_path_factory.mktemp("adbkey"))


@pytest.fixture(scope="module")
def phone() -> Recording:
    return build(large_phone(150, 3), model="Pixel 8", product="shiba", device="shiba")


def test_pm_list_users_waits_for_the_user_manager() -> None:
    """PackageManagerShellCommand.runList hands ``users`` to the user service's shell command:
    it does not wait for the package manager, whatever else ``pm`` asks does."""
    assert [service_of_line(c) for c in (
        "pm list users 2>&1; echo x", "cmd package list users", "/system/bin/pm list users",
        "pm list packages -s -u -i", "pm path com.whatsapp", "cmd package list packages",
        "cmd user list -v", "dumpsys package packages",
    )] == [USER_SERVICE] * 3 + [PM_SERVICE] * 3 + [USER_SERVICE, PM_SERVICE]  # fmt: skip


def test_two_scans_in_a_row_take_the_same_time(
    signer: object, phone: Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    spent: list[tuple[str | None, float]] = []
    answer = RecordedPhone.run

    def noting(self: RecordedPhone, command: str) -> CommandOutput:
        out = answer(self, command)
        spent.extend(out.segments or ((None, out.device_ms),))
        return out

    monkeypatch.setattr(RecordedPhone, "run", noting)
    walls, busiest, total = [], [], []
    with phone_server(phone, faults=Faults(latency_s=0.001, use_device_time=True)) as server:
        for _ in range(2):
            spent.clear()
            started = time.monotonic()
            t = TcpTransport.connect("127.0.0.1", server.port, signer=signer)
            try:
                snap = collect(t)
            finally:
                t.close()
            walls.append(time.monotonic() - started)
            assert snap.complete
            per_service: dict[str | None, float] = defaultdict(float)
            for service, ms in spent:
                per_service[service] += ms / 1000
            busiest.append(max(v for k, v in per_service.items() if k is not None))
            total.append(sum(per_service.values()))
    assert busiest[0] == busiest[1] and total[0] == total[1], (busiest, total)
    first, second = walls
    # One service's commands wait for each other: no scan beats its busiest service...
    assert min(walls) >= busiest[0], (walls, busiest)
    # ...the rest overlaps: well under the sum of every command's time...
    assert max(walls) < 0.6 * total[0], (walls, total)
    # ...and both are as fast as the busiest service allows (measured 1.06-1.09x here; the
    # multiplexer's wait made the second 1.34x), the second as fast as the first.
    assert max(walls) < 1.25 * busiest[0], (walls, busiest)
    assert abs(first - second) < 0.12 * max(walls), walls

"""The collector in the agent's process while a round runs (``scanners.ROUND_THRESHOLDS``).

A round sets the young generation's threshold to 50,000 and freezes what was alive when it
began; when the last round running ends, what was before is back (thresholds, nothing frozen),
also when two rounds overlap (a running agent's hotplug round beside a scheduled one) and when
a round ends in an error. A phone's outcome is still recorded, and the objects of a cycle made
during a round are still collected.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.app.agent import scanners
from scanner.app.agent.service import Agent
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server

from .test_agent import A16, phones, signer, start, states, write_config  # noqa: F401 - fixtures


@pytest.fixture
def default_collector() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    try:
        yield
    finally:
        gc.set_threshold(*before)


@pytest.mark.usefixtures("default_collector")
class TestThresholds:
    def test_a_round_sets_them_and_puts_them_back(self) -> None:
        scanners.collecting_less()
        try:
            assert scanners.ROUND_THRESHOLDS == gc.get_threshold() == (50_000, 10, 10)
            assert gc.get_freeze_count() > 0
        finally:
            scanners.collecting_as_before()
        assert (gc.get_threshold(), gc.get_freeze_count()) == ((700, 10, 10), 0)

    def test_overlapping_rounds_restore_when_the_last_ends(self) -> None:
        gc.set_threshold(900, 11, 12)
        scanners.collecting_less()  # a scheduled round
        scanners.collecting_less()  # a hotplug round beside it
        scanners.collecting_as_before()  # the scheduled one ends first
        assert gc.get_threshold() == scanners.ROUND_THRESHOLDS
        scanners.collecting_as_before()
        assert (gc.get_threshold(), gc.get_freeze_count()) == ((900, 11, 12), 0)

    def test_rounds_in_threads(self) -> None:
        go = threading.Barrier(8)

        def one() -> None:
            go.wait()
            for _ in range(50):
                scanners.collecting_less()
                scanners.collecting_as_before()

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert (gc.get_threshold(), gc.get_freeze_count()) == ((700, 10, 10), 0)

    def test_a_cycle_made_in_a_round_is_still_collected(self) -> None:
        class Node:
            pass

        scanners.collecting_less()
        try:
            a, b = Node(), Node()
            a.other, b.other = b, a  # type: ignore[attr-defined]
            gone = threading.Event()
            import weakref

            weakref.finalize(a, gone.set)
            del a, b
            gc.collect()
            assert gone.is_set()
        finally:
            scanners.collecting_as_before()


@pytest.mark.usefixtures("default_collector")
def test_a_round_of_the_agent_restores_them(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811 - the fixture
    signer,  # type: ignore[no-untyped-def]  # noqa: F811 - the fixture
) -> None:
    """During the round (its recorder sees the phone) the round's thresholds; after it, the
    process's own; the phone scanned and recorded as before."""
    phone = start(phones, phone_server(A16, index=0))
    agent = Agent(write_config(tmp_path, [phone.address, "127.0.0.1:9"]), signer=signer)
    seen: list[tuple[int, int, int]] = []

    def watch(total: int, record):  # type: ignore[no-untyped-def]
        def recorded(outcome):  # type: ignore[no-untyped-def]
            seen.append(gc.get_threshold())
            record(outcome)

        return recorded

    try:
        started = time.monotonic()
        agent.scan_round(watch=watch)
        assert time.monotonic() - started < 30
        got = states(agent)
    finally:
        agent.close()
    assert {phone.address: "scanned", "127.0.0.1:9": "unreachable"} == got
    assert seen == [scanners.ROUND_THRESHOLDS] * 2
    assert (gc.get_threshold(), gc.get_freeze_count()) == ((700, 10, 10), 0)

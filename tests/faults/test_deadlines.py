"""Fault matrix, deadlines: the ADB handshake honours ``--timeout`` (it was a fixed 5 s) and
the "Allow USB debugging?" wait honours ``--auth-timeout``, against the simulated phone's hang
fault and a phone whose user never answers; the agent's ``[scan] connect_timeout`` likewise."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.faults import Faults
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import A14, start
from tests.faults.cli import msgscan, no_traceback
from tests.faults.test_agent_rounds import config, once

STARTUP_S = 3.0
"""What the interpreter and the imports may add to a run on a loaded machine."""


@pytest.mark.parametrize("limit", [1, 7])
def test_the_handshake_honours_timeout(tmp_path: Path, phones: list[PhoneServer], limit: int) -> None:
    """A phone that accepts TCP and then says nothing: given up after --timeout, shorter or
    longer than the old fixed 5 s, and the message says how long was waited."""
    mute = start(phones, phone_server(A14, faults=Faults(hang_after_bytes=0)))

    run = msgscan("scan", "--tcp", mute.address, "--timeout", str(limit), home=tmp_path / "home")

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert f"no answer to the ADB handshake within {limit} s" in run.err
    assert limit <= run.seconds < limit + STARTUP_S


def test_the_prompt_honours_auth_timeout(tmp_path: Path, phones: list[PhoneServer]) -> None:
    """A phone that does not know our key and whose user never taps Allow: given up after
    --auth-timeout (1 s), not after --timeout (60 s)."""
    locked = start(phones, phone_server(A14, auth=AuthPolicy(prompt="never")))

    run = msgscan("scan", "--tcp", locked.address, "--timeout", "60", "--auth-timeout", "1",
                  home=tmp_path / "home")

    assert (2, True) == (run.code, no_traceback(run)), run.err
    assert "Allow USB debugging" in run.err
    assert 1 <= run.seconds < 1 + STARTUP_S


def test_the_agent_honours_connect_timeout(tmp_path: Path, phones: list[PhoneServer]) -> None:
    """[scan] connect_timeout = 2s with a mute phone: the round ends in time, the phone is
    recorded as timed out and the round is incomplete (exit 3)."""
    mute = start(phones, phone_server(A14, faults=Faults(hang_after_bytes=0)))

    run = once(tmp_path, config(tmp_path, [mute.address], timeout="60s"))

    assert (3, True) == (run.code, no_traceback(run)), run.err
    assert f"not done: {mute.address}: timeout" in run.err
    assert run.seconds < 2 + 2 * STARTUP_S

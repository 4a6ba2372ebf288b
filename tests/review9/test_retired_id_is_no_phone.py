"""review9: a phone whose serial is a retired history's id (``<id>~n``) must not continue it.

A swap moves the earlier phone's history to ``<id>~1`` (its failures stay open there, marked
replaced: "the new phone's scans never resolve" them, README). USB serials are whatever the
phone's descriptor says (``~`` included; the TCP id's pattern leaves it out), so a phone can
answer as ``S~1``. Of the same model as the retired phone, it continued that history, and its
clean scan resolved the retired phone's failures, which nobody fixed.

The round is the agent's own recorder with real scans (replays of the shipped recordings:
the transport boundary) and a real state file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scanner.app.agent.addresses import Addresses
from scanner.app.agent.delivery import Delivery
from scanner.app.agent.recorder import Recorder
from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.state import State
from scanner.app.agent.targets import Target
from scanner.recording import Recording
from tests.review9.harness import open_rows, round_of
from tests.scanner.app.agent.test_agent import A14, A16, with_telegram

TELEGRAM = "MSG-07|org.telegram.messenger|0"


def _round(state: State, tmp: Path, rec: Recording, serial: str) -> None:
    round_of(state, tmp, [(rec, serial)])


_open = open_rows


def test_a_phone_answering_as_a_retired_id_does_not_resolve_its_failures(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _round(state, tmp_path, with_telegram(), "S")  # a Pixel 7a with Telegram
        assert _open(state, "S")[TELEGRAM]
        _round(state, tmp_path, A16, "S")  # swapped for a Samsung: history to S~1
        assert _open(state, "S~1")[TELEGRAM], "the swap did not retire the history"
        _round(state, tmp_path, A14, "S~1")  # a clean Pixel 7a whose serial is S~1
        kept = {d.id: _open(state, d.id).get(TELEGRAM) for d in state.devices()}
        assert True in kept.values() and False not in kept.values(), (
            f"a phone answering as the retired id resolved the earlier phone's failure: {kept}"
        )


def test_a_failed_attempt_first_does_not_make_the_retired_id_a_phone(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _round(state, tmp_path, with_telegram(), "S")
        _round(state, tmp_path, A16, "S")
        round_id = state.begin_round(datetime.now(UTC))
        record = Recorder(
            state, Addresses(tmp_path), Delivery({}, state), lambda d: d, round_id, {}, set()
        )
        record(PhoneOutcome(Target("S~1", "usb"), "unauthorized", name="S~1"))
        _round(state, tmp_path, A14, "S~1")
        kept = {d.id: _open(state, d.id).get(TELEGRAM) for d in state.devices()}
        assert True in kept.values() and False not in kept.values(), kept


def test_the_moved_on_history_says_why(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _round(state, tmp_path, with_telegram(), "S")
        _round(state, tmp_path, A16, "S")
        _round(state, tmp_path, A14, "S~1")
        devices = {d.id: d for d in state.devices()}
        assert str(devices["S~1~1"].last_state) == "replaced"
        assert devices["S~1~1"].last_error == "replaced: S~1 is an earlier phone's retired history"
        assert _open(state, "S~1~1")[TELEGRAM] and TELEGRAM not in _open(state, "S~1")

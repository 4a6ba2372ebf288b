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

import pytest
from msgspec.structs import replace

from checks.policy import Policy
from reports.render.json import JsonRenderer
from scanner.app.agent.addresses import Addresses
from scanner.app.agent.delivery import Delivery
from scanner.app.agent.recorder import Recorder
from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.scanned import ReportJob, written
from scanner.app.agent.state import State
from scanner.app.agent.targets import Target
from scanner.app.scan import scan_result
from scanner.recording import DeviceLabel, Recording
from scanner.replay import ReplayTransport
from tests.scanner.app.agent.test_agent import A14, A16, with_telegram

TELEGRAM = "MSG-07|org.telegram.messenger|0"


def _as(rec: Recording, serial: str) -> Recording:
    return replace(rec, device=DeviceLabel(serial))


def _round(state: State, tmp: Path, rec: Recording, serial: str) -> None:
    round_id = state.begin_round(datetime.now(UTC))
    record = Recorder(state, Addresses(tmp), Delivery({}, state), lambda d: d, round_id, {}, set())
    result = scan_result(ReplayTransport(_as(rec, serial)), Policy())
    job = ReportJob(tmp / "reports", JsonRenderer(), False)
    (tmp / "reports").mkdir(exist_ok=True)
    scanned, path, failed = written(result, job, serial)
    record(
        PhoneOutcome(
            Target(serial, "usb"),
            "scanned",
            scanned=scanned,
            report_path=path,
            failed=failed,
            name=serial,
        )
    )


def _open(state: State, device: str) -> dict[str, bool]:
    return {str(k): t.open for k, t in state.previous(device).items()}


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


@pytest.mark.xfail(
    strict=True,
    reason="review9, not fixed: a failed attempt (unauthorized, busy) at the retired id "
    "overwrites the row's 'replaced' state (State.seen_device), the only mark of a retired "
    "history, so the next clean scan continues it; a durable mark needs a schema change "
    "(fleet9's state)",
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

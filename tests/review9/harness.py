"""review9: one agent round as the agent records it: real scans (replays of recordings, the
transport boundary), the agent's report writing and its ``Recorder`` on a real state file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

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


def outcome(tmp: Path, rec: Recording, serial: str) -> PhoneOutcome:
    """A phone on USB with ``serial`` scanned (its report written under ``tmp/reports``)."""
    result = scan_result(ReplayTransport(replace(rec, device=DeviceLabel(serial))), Policy())
    (tmp / "reports").mkdir(exist_ok=True)
    job = ReportJob(tmp / "reports", JsonRenderer(), False)
    scanned, path, failed = written(result, job, serial)
    return PhoneOutcome(
        Target(serial, "usb"),
        "scanned",
        scanned=scanned,
        report_path=path,
        failed=failed,
        name=serial,
    )


def recorder(state: State, tmp: Path, *, in_round: bool = True) -> Recorder:
    """A round's recorder; ``in_round`` False: a hotplug scan (``scan_round(only=...)``)."""
    round_id = state.begin_round(datetime.now(UTC)) if in_round else None
    return Recorder(state, Addresses(tmp), Delivery({}, state), lambda d: d, round_id, {}, set())


def round_of(
    state: State, tmp: Path, phones: Sequence[tuple[Recording, str]], *, in_round: bool = True
) -> list[PhoneOutcome]:
    record = recorder(state, tmp, in_round=in_round)
    done = []
    for rec, serial in phones:
        phone = outcome(tmp, rec, serial)
        record(phone)
        done.append(phone)
    return done


def open_rows(state: State, device: str) -> dict[str, bool]:
    return {str(k): t.open for k, t in state.previous(device).items()}

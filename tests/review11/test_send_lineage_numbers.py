"""review11: the lineage ``msgscan scan --send`` gives a scan is the one the agent gives the
phone (``lineage.retire``'s number, after the ids already taken), for a row the agent never
saw, the same phone, another model, and a retired history (pins scanner/app/cli/send.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from checks.policy import Policy
from scanner.app.agent import lineage
from scanner.app.agent.identity import trait_of
from scanner.app.agent.rows import DeviceState, Via
from scanner.app.agent.state import State
from scanner.app.cli.send import _events
from scanner.app.scan import scan_result
from scanner.recording import DeviceLabel
from scanner.replay import ReplayTransport
from tests.scanner.app.agent.test_agent import A14, A16

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _lineages(events: list[dict[str, Any]]) -> set[int]:
    return {int(e["unmapped"]["msgscan"].get("lineage", 0)) for e in events}


def _result(serial: str, pixel: bool = True):  # type: ignore[no-untyped-def]
    rec = A14 if pixel else A16
    return scan_result(ReplayTransport(replace(rec, device=DeviceLabel(serial))), Policy())


def _row(state: State, device: str, trait: str | None, n: int = 0) -> None:
    state.seen_device(device, via=Via("usb"), state=DeviceState("scanned"), at=NOW)
    with state.transaction() as tx:
        if trait is not None:
            lineage.set_trait(tx, device, trait)
        tx.execute("UPDATE devices SET lineage = ? WHERE id = ?", (n, device))


def _retired_next(state: State, device: str) -> int:
    """What ``lineage.retire`` gives the id's next phone (rolled back)."""
    try:
        with state.transaction() as tx:
            lineage.retire(tx, device, why="replaced: test", at=NOW)
            number = lineage.number(tx, device)
            raise _Undo(number)
    except _Undo as undo:
        return undo.number


class _Undo(Exception):
    def __init__(self, number: int) -> None:
        self.number = number


def test_an_id_the_agent_never_saw_is_its_first_phone(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.db") as state:
        assert _lineages(_events(_result("P"), state)) == {0}


@pytest.mark.parametrize("n", [0, 3])
def test_the_same_phone_keeps_its_number(tmp_path: Path, n: int) -> None:
    result = _result("P")
    with State.open(tmp_path / "s.db") as state:
        _row(state, "P", trait_of(result.snapshot.identity), n)
        assert _lineages(_events(result, state)) == {n}


@pytest.mark.parametrize("taken", [(), ("P~2",), ("P~2", "P~3")])
def test_another_model_gets_the_number_the_agent_will_give_it(
    tmp_path: Path, taken: tuple[str, ...]
) -> None:
    samsung = trait_of(_result("P", pixel=False).snapshot.identity)
    with State.open(tmp_path / "s.db") as state:
        _row(state, "P", samsung, 1)
        for other in taken:
            _row(state, other, samsung)
        expected = _retired_next(state, "P")
        assert expected == 2 + len(taken)
        assert _lineages(_events(_result("P"), state)) == {expected}


def test_a_retired_history_answering_gets_the_next_number(tmp_path: Path) -> None:
    result = _result("P~1")
    with State.open(tmp_path / "s.db") as state:
        _row(state, "P~1", trait_of(result.snapshot.identity), 0)
        with state.transaction() as tx:
            tx.execute("UPDATE devices SET retired = 'replaced: x' WHERE id = 'P~1'")
        assert _lineages(_events(result, state)) == {_retired_next(state, "P~1")} == {1}

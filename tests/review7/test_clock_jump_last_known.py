"""Review 7: what the agent last knew of a phone (``known.last_known``, the fleet page's stale
results and its failed count) was the scan with the latest *finish time*, not the latest scan.
After the agent's clock ran ahead once (a bad NTP answer, a wrong RTC after a reboot) and was
set right, that one scan stayed "the last" until the clock caught up: a phone fixed since kept
showing its old failures and stayed stale on the fleet page, round after round. The latest scan
is the one recorded last."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scanner.app.agent.known import last_known
from scanner.app.agent.rows import DeviceState, ScanRow, Via
from scanner.app.agent.state import State

AHEAD = datetime(2030, 1, 1, 2, 0, tzinfo=UTC)
"""The night the clock ran years ahead."""
RIGHT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
"""The nights after, with the clock set right."""


def _scan(state: State, scan_id: str, at: datetime, failed: int) -> None:
    state.seen_device("PHONE1", via=Via.TCP, state=DeviceState.SCANNED, at=at)
    row = ScanRow(scan_id, None, "PHONE1", at, at, DeviceState.SCANNED, True,
                  "non_compliant" if failed else "compliant", 50.0, failed, None)
    with state.transaction() as tx:
        state.apply_scan(tx, scan=row, findings=())


def test_the_last_scan_recorded_is_the_last_known(tmp_path: Path) -> None:
    with State.open(tmp_path / "msgscan.db") as state:
        _scan(state, "ahead", AHEAD, failed=3)
        _scan(state, "right", RIGHT, failed=0)
        known = last_known(state)["PHONE1"]
        assert known.evaluated is not None and known.evaluated.id == "right"
        assert known.complete is not None and known.complete.id == "right"
        [last] = state.last_scans()
        assert last.id == "right"

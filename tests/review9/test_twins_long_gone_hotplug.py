"""review9: once the twins are gone, a phone plugged in between rounds is recorded again.

Two phones answered as one serial in a round: that round and the next change nothing in the
id's history (``lineage.held``). After a clean round the history moves on, but a scan outside
a round (hotplug: ``scan_round(only=...)``, no round id) was held for ever: ``held`` answers
True for any device that ever had twins, so every hotplug scan of it was "ambiguous" and a
new failure it found (Telegram installed) was never recorded in the fleet history.
"""

from __future__ import annotations

from pathlib import Path

from scanner.app.agent.state import State
from tests.review9.harness import open_rows, round_of
from tests.scanner.app.agent.test_agent import A14, with_telegram

TELEGRAM = "MSG-07|org.telegram.messenger|0"


def test_a_hotplug_scan_after_clean_rounds_is_not_held(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(A14, "T"), (A14, "T")])  # twins
        round_of(state, tmp_path, [(A14, "T")])  # held: the twin may be back
        round_of(state, tmp_path, [(A14, "T")])  # one phone: the history moves on
        assert str(next(d for d in state.devices() if d.id == "T").last_state) == "scanned"
        (phone,) = round_of(state, tmp_path, [(with_telegram(), "T")], in_round=False)
        assert phone.state == "scanned", phone.error
        assert open_rows(state, "T").get(TELEGRAM), "the hotplug scan's failure was not recorded"

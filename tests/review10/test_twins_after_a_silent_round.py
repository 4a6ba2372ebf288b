"""review10: after twins, a round in which no phone answered released the hold.

README ("Fleet agent"): after two phones answered as one id, "the id's next round changes nothing
either; the round after one in which only one phone answered continues the history". ``held``
compared the twins' round with the last round the id has *any* scan row in, and a failed
attempt (unauthorized, unreachable: no phone answered) writes one. So twins, then a round in
which neither answered, then one clone alone: its clean scan continued the history at once and
resolved the other clone's failure, though no round had shown the twin gone.
"""

from __future__ import annotations

from pathlib import Path

from scanner.app.agent import history
from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.state import State
from scanner.app.agent.targets import Target
from tests.review9.harness import open_rows, recorder, round_of
from tests.scanner.app.agent.test_agent import A14, with_telegram

TELEGRAM = "MSG-07|org.telegram.messenger|0"


def _silent_round(state: State, tmp: Path, serial: str, how: str) -> None:
    record = recorder(state, tmp)
    record(PhoneOutcome(Target(serial, "usb"), how, error=f"{how} (test)", name=serial))


def test_a_round_without_an_answer_shows_no_twin_gone(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(with_telegram(), "T")])  # one phone: Telegram open
        assert open_rows(state, "T")[TELEGRAM]
        round_of(state, tmp_path, [(with_telegram(), "T"), (A14, "T")])  # twins
        _silent_round(state, tmp_path, "T", "unauthorized")  # neither answered
        (alone,) = round_of(state, tmp_path, [(A14, "T")])  # the clean clone alone
        assert open_rows(state, "T")[TELEGRAM], "resolved after a round that showed nothing"
        assert alone.state == "ambiguous", alone.error
        (next_,) = round_of(state, tmp_path, [(A14, "T")])  # the round after it moves on
        assert next_.state == "scanned"
        # but closes nothing until the operator's --adopt: the clean clone left answering could
        # be the other phone (the lead, session 27; tests/reports/deliver/test_one_phone_s27.py)
        assert open_rows(state, "T")[TELEGRAM], "resolved with no word that the twin is gone"
        history.adopt(state, "T")
        for _ in range(2):  # the adopted id's first scan re-bases it; the one after it closes
            round_of(state, tmp_path, [(A14, "T")])
        assert not open_rows(state, "T")[TELEGRAM]

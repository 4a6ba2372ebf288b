"""review12: ``msgscan agent --adopt ID`` (gaps11 and the lead, session 26) in the orders a real
fleet produces: adopted while both clones still answer (the clone comes back), adopted twice,
and a phone that names less after being adopted. Real scans (replays of the shipped recordings)
through the agent's recorder on a real state file, ``--adopt`` as a subprocess."""

from __future__ import annotations

from pathlib import Path

from scanner.app.agent import lineage
from scanner.app.agent.state import State
from tests.review9.harness import open_rows
from tests.scanner.app.agent.test_adopt_s26 import NO_BRAND, TELEGRAM
from tests.scanner.app.agent.test_agent import A14, A16, with_telegram, write_config
from tests.scanner.app.agent.test_twins_gone_s26 import (
    CLEAN_CLONE,
    _shown,
    a_round,
    adopt,
    dressed,
)


def _state(tmp: Path) -> tuple[Path, Path]:
    (tmp / "state").mkdir()
    return tmp / "state" / "msgscan.db", write_config(tmp, ["127.0.0.1:1"])


def test_adopted_while_both_clones_answer_the_clone_that_comes_back_is_still_a_twin(
    tmp_path: Path,
) -> None:
    """The operator adopts T believing the failing clone gone; it answers again beside the
    clean one: both are held as twins again, and when it vanishes once more its failures stay
    on the page (no second adoption was given)."""
    db, config = _state(tmp_path)
    with State.open(db) as state:
        a_round(state, tmp_path, "T", A16, CLEAN_CLONE)
    assert adopt(config, "T").returncode == 0
    with State.open(db) as state:
        both = a_round(state, tmp_path, "T", A16, CLEAN_CLONE)  # the clone was not gone
        assert [p.state for p in both] == ["ambiguous", "ambiguous"]
        assert _shown(state, "T") == (9, "fail")
        (held,) = a_round(state, tmp_path, "T", CLEAN_CLONE)
        assert held.state == "ambiguous"  # the round after twins: held, as without --adopt
        assert _shown(state, "T") == (9, "fail"), "the adoption covered the twin that came back"
        (alone,) = a_round(state, tmp_path, "T", CLEAN_CLONE)
        assert alone.state == "scanned" and _shown(state, "T") == (9, "fail")


def test_adopted_twice_is_adopted_once(tmp_path: Path) -> None:
    db, config = _state(tmp_path)
    with State.open(db) as state:
        a_round(state, tmp_path, "P", with_telegram())
        a_round(state, tmp_path, "P", NO_BRAND)
    first, second = adopt(config, "P"), adopt(config, "P")
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    with State.open(db) as state:
        a_round(state, tmp_path, "P", NO_BRAND)  # takes the identity, resolves nothing
        assert open_rows(state, "P")[TELEGRAM]
        a_round(state, tmp_path, "P", NO_BRAND)
        assert not open_rows(state, "P")[TELEGRAM]


def test_a_phone_naming_less_after_its_adoption_resolves_nothing(tmp_path: Path) -> None:
    """Adopted and given the brand-less trait, the phone then loses its model as well: a scan
    naming less than the adopted trait resolves nothing again, and says how to adopt."""
    db, config = _state(tmp_path)
    no_model = dressed(A14, {"brand": "", "model": ""})
    with State.open(db) as state:
        a_round(state, tmp_path, "P", with_telegram())
        a_round(state, tmp_path, "P", NO_BRAND)
    assert adopt(config, "P").returncode == 0
    with State.open(db) as state:
        a_round(state, tmp_path, "P", dressed(with_telegram(), {"brand": ""}))  # takes the trait
        assert open_rows(state, "P")[TELEGRAM]
        for _ in range(2):
            a_round(state, tmp_path, "P", no_model)
            assert open_rows(state, "P")[TELEGRAM], "resolved on less than the adopted trait"
        row = lineage.device(state, "P")
        assert row is not None and row.last_error is not None and "--adopt P" in row.last_error


def test_adopted_then_another_model_is_a_swap_and_the_new_phone_resolves_nothing_old(
    tmp_path: Path,
) -> None:
    db, config = _state(tmp_path)
    with State.open(db) as state:
        a_round(state, tmp_path, "P", with_telegram())
        a_round(state, tmp_path, "P", NO_BRAND)
    assert adopt(config, "P").returncode == 0
    with State.open(db) as state:
        (samsung,) = a_round(state, tmp_path, "P", A16)  # another model takes no adoption
        assert samsung.state == "scanned"
        assert open_rows(state, "P~1")[TELEGRAM]
